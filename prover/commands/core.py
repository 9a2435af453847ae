"""Generic commands: circuit info, setup, prove, verify."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import click

from prover import keyset, workflow
from prover.loader import load_circuit, parse_params
from prover.output import JSON_OPTION, emit, verdict
from prover.service import Prover
from zk import atomic, compile_circuit
from zk.errors import MalformedInput, SetupError

PARAM = click.option("--param", "-p", "params", multiple=True, metavar="NAME=INT",
                     help="Circuit parameter (repeatable), e.g. -p n=4.")


def verify_file_options(f):
    """The --keys/--vk, --proof and --public options of the solvency verify commands; the
    command receives ``keys`` as the path of the verification key to use."""
    @functools.wraps(f)
    def with_key(*args, keys: str | None = None, vk: str | None = None, **kwargs):
        return f(*args, keys=str(verification_key(keys, vk, kwargs["proof_path"])), **kwargs)
    with_key = click.option("--public", "public_path", required=True,
                            type=click.Path(dir_okay=False))(with_key)
    with_key = click.option("--proof", "proof_path", required=True,
                            type=click.Path(dir_okay=False))(with_key)
    with_key = click.option("--vk", "vk", default=None, type=click.Path(dir_okay=False),
                            help="A verification_key.json (instead of --keys).")(with_key)
    return click.option("--keys", "keys", default=None, type=click.Path(file_okay=False),
                        help="Keys folder, the same as for setup/prove (default: keys); "
                             "the key is the one the proof's key id names.")(with_key)


def verification_key(keys: str | None, vk: str | None, proof_path: str) -> Path:
    """The verification key a solvency verify command uses: --vk, or the key in the
    --keys folder (default ``keys``) that the proof names."""
    from prover.flow import find_vk
    if keys and vk:
        raise click.UsageError("give --keys or --vk, not both")
    return Path(vk) if vk else find_vk(keys or "keys", proof_path)


def _compile(spec: str, params: tuple[str, ...]):
    return compile_circuit(load_circuit(spec, parse_params(params)))


@click.group("circuit")
def circuit_group() -> None:
    """Inspect circuits."""


@circuit_group.command("info")
@click.argument("circuit")
@PARAM
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def circuit_info(circuit: str, params: tuple[str, ...], as_json: bool) -> None:
    """Sizes and public-input order of CIRCUIT (module:Name or file.py:Name)."""
    cs = _compile(circuit, params)
    info = {"circuit": cs.name, **cs.info(), "digest": cs.digest()}
    if as_json:
        click.echo(json.dumps(info, indent=1))
        return
    from prover.tables import table
    table(["field", "value"], [["circuit", cs.name], *([k, info[k]] for k in (
        "num_constraints", "num_public", "num_private", "num_wires")), ["digest", cs.digest()]],
          title="circuit")
    rows, index = [], 0
    for inp in cs.statement.inputs:
        shape = "x".join(map(str, inp.shape)) or "scalar"
        rows.append([index, inp.name, shape, "< r" if inp.bits >= 254 else f"< 2^{inp.bits}"])
        index += inp.size
    table(["index", "name", "shape", "bound"], rows, title="public inputs (verifier order)")


@click.command("setup")
@click.argument("circuit")
@PARAM
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Key folder: proving_key.zkpk and verification_key.json (with the "
                   "statement), committed as one versioned set.")
@click.option("--force", is_flag=True, help="Replace existing keys (default: reuse them "
                                            "when they are this circuit's).")
@JSON_OPTION
def setup_cmd(circuit: str, params: tuple[str, ...], out_dir: str, force: bool) -> None:
    """DEVELOPMENT setup for CIRCUIT (whoever runs it can forge proofs)."""
    cs = _compile(circuit, params)
    if not force and keyset.is_key_folder(out_dir):
        try:
            workflow.load_proving_key(out_dir, cs)
        except MalformedInput as exc:
            raise SetupError(f"{out_dir} holds other or broken keys ({exc}); --force "
                             "replaces them") from exc
        emit({"circuit": cs.name, "keys": out_dir, "reused": True, "development": True},
             f"reused existing keys in {out_dir} (--force makes new ones)")
        return
    pk = workflow.setup_to_dir(cs, out_dir)
    kid = workflow.key_id_of(pk.vk, cs.statement)
    emit({"circuit": cs.name, "keys": out_dir, "reused": False, "development": True,
          "constraints": cs.num_constraints, "domain": pk.domain_size,
          "key_id": "0x" + kid.hex() if kid else None},
         f"development setup for {cs.name}: {cs.num_constraints} constraints, "
         f"domain {pk.domain_size}\nwrote {Path(out_dir) / workflow.PK_NAME} and "
         f"{Path(out_dir) / workflow.VK_NAME}"
         + (f" (key id 0x{kid.hex()[:16]}...)" if kid else ""))
    click.echo("warning: development keys only; use `zksolvency ceremony` for production",
               err=True)


@click.command("prove")
@click.argument("circuit", required=False)
@PARAM
@click.option("--keys", "keys", type=click.Path(exists=True),
              help="Folder from `setup`/`ceremony export` (or a proving_key.zkpk file).")
@click.option("-i", "--inputs", "inputs", type=click.Path(dir_okay=False),
              help="JSON object of input values (decimal strings).")
@click.option("--zkey", type=click.Path(exists=True, dir_okay=False),
              help="snarkjs/circom .zkey (instead of CIRCUIT and --keys).")
@click.option("--wtns", type=click.Path(exists=True, dir_okay=False),
              help="circom witness .wtns (with --zkey).")
@click.option("--proof", "proof_path", default="proof.json", show_default=True)
@click.option("--public", "public_path", default="public.json", show_default=True)
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="Compiled-circuit cache folder: load CIRCUIT from it instead of "
                   "compiling (filled on first use).")
@JSON_OPTION
def prove_cmd(circuit: str | None, params: tuple[str, ...], keys: str | None,
              inputs: str | None, zkey: str | None, wtns: str | None, proof_path: str,
              public_path: str, cache_dir: str | None) -> None:
    """Prove CIRCUIT for JSON inputs, or a circom circuit from --zkey and --wtns.

    Writes snarkjs-compatible proof.json and public.json.
    """
    if zkey or wtns:
        if not (zkey and wtns) or circuit or keys or inputs or cache_dir:
            raise click.UsageError("use --zkey with --wtns, without CIRCUIT/--keys/--inputs/"
                                   "--cache-dir")
        from zk.formats.iden3 import read_wtns
        prover = Prover.from_zkey(zkey)
        try:
            result = prover.prove_witness(read_wtns(wtns))
        except MalformedInput as exc:
            raise MalformedInput(f"{wtns}: {exc} ({zkey})") from exc
    else:
        if not (circuit and keys and inputs):
            raise click.UsageError("give CIRCUIT, --keys and --inputs (or --zkey and --wtns)")
        prover = Prover.load(keys, circuit, params, cache_dir=cache_dir)
        result = prover.prove(atomic.read_json(inputs, 256 << 20))
    proof, public, vk = result.proof, result.public, prover.vk
    workflow.write_proof(proof, public, vk, proof_path, public_path, prover.statement)
    emit({"proof": proof_path, "public": public_path, "n_public": len(public),
          "public_values": [str(v) for v in public]},
         f"wrote {proof_path} and {public_path} ({len(public)} public inputs)")


@click.command("verify")
@click.argument("vk", type=click.Path())
@click.argument("public", type=click.Path(dir_okay=False))
@click.argument("proof", type=click.Path(dir_okay=False))
@JSON_OPTION
def verify_cmd(vk: str, public: str, proof: str) -> None:
    """Verify PROOF with PUBLIC inputs against VK (snarkjs order: VK PUBLIC PROOF).

    VK is a verification_key.json or a key folder. Exit 0 valid, 1 invalid, 2 malformed
    or swapped files."""
    ok = workflow.verify_files(vk, public, proof)
    verdict(ok, "proof is valid" if ok else "proof does not verify")
