"""``zksolvency ceremony``: Groth16 phase 2 over a public Powers of Tau (snarkjs-compatible).

    ceremony new circuit.r1cs pot_final.ptau circuit_0000.zkey
    ceremony contribute circuit_0000.zkey circuit_0001.zkey --name alice
    ceremony beacon circuit_0001.zkey circuit_final.zkey <hex> 10
    ceremony verify circuit.r1cs pot_final.ptau circuit_final.zkey
    ceremony export circuit_final.zkey circuit.r1cs pot_final.ptau -o keys/

Every .zkey in between is a snarkjs .zkey, so participants may use either tool.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from prover import keyset, workflow
from prover.cliparams import INT
from prover.commands.core import PARAM
from prover.output import JSON_OPTION, emit, json_mode
from zk.ceremony import (
    beacon,
    contribute,
    export_keys,
    format_hash,
    new_zkey,
    verify_chain,
    verify_zkey,
)
from zk.errors import SetupError
from zk.formats.iden3 import read_r1cs, read_zkey, write_zkey
from zk.formats.iden3.zkey import ZKey
from zk.r1cs import R1CS

PK_NAME, VK_NAME = keyset.PK_NAME, keyset.VK_NAME


def load_circuit_r1cs(spec: str, params: tuple[str, ...] = ()) -> R1CS:
    """CIRCUIT argument: a circom/snarkjs .r1cs file, or module:Name / file.py:Name."""
    if spec.endswith(".r1cs"):
        return read_r1cs(spec)
    from prover.loader import load_circuit, parse_params
    from zk import compile_circuit
    return compile_circuit(load_circuit(spec, parse_params(params)))


def _fresh(out: str) -> None:
    if os.path.exists(out):
        raise SetupError(f"{out} already exists; refusing to overwrite a ceremony file")


def start_ceremony(cs: R1CS, ptau: str, out: str) -> ZKey:
    """Library entry for an in-memory R1CS: write the initial .zkey, return it."""
    zk = new_zkey(cs, ptau)
    write_zkey(zk, out)
    return zk


@click.group("ceremony")
def ceremony() -> None:
    """Phase-2 trusted setup for production keys (interoperable with snarkjs)."""


@ceremony.command("new")
@click.argument("circuit")
@PARAM
@click.argument("ptau", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@JSON_OPTION
def new_cmd(circuit: str, params: tuple[str, ...], ptau: str, out: str) -> None:
    """Start phase 2 of CIRCUIT from the prepared Powers of Tau PTAU into OUT."""
    _fresh(out)
    zk = start_ceremony(load_circuit_r1cs(circuit, params), ptau, out)
    emit({"output": out, "wires": zk.pk.num_wires, "domain": zk.pk.domain_size,
          "circuit_hash": zk.cs_hash.hex()},
         f"wrote {out}: {zk.pk.num_wires} wires, domain {zk.pk.domain_size}\n"
         "circuit hash:\n" + format_hash(zk.cs_hash))


@ceremony.command("contribute")
@click.argument("src", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--name", default="", help="Your name or handle, stored in the transcript.")
@click.option("--entropy-text", default="", help="Extra text mixed into the OS randomness.")
@JSON_OPTION
def contribute_cmd(src: str, out: str, name: str, entropy_text: str) -> None:
    """Add a contribution to IN, writing OUT; publish the printed hash."""
    _fresh(out)
    zk = read_zkey(src)
    verify_chain(zk)
    new, h = contribute(zk, name=name, entropy_text=entropy_text)
    write_zkey(new, out)
    emit({"output": out, "contribution": len(new.contributions), "hash": h.hex()},
         f"wrote {out} (contribution #{len(new.contributions)})\n"
         "contribution hash (publish this):\n" + format_hash(h))


@ceremony.command("beacon")
@click.argument("src", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.argument("beacon_hash")
@click.argument("num_iterations_exp", type=INT)
@click.option("--name", default="beacon", help="Name stored with the beacon.")
@JSON_OPTION
def beacon_cmd(src: str, out: str, beacon_hash: str, num_iterations_exp: int,
               name: str) -> None:
    """Close the ceremony with a public random BEACON_HASH (hex), 2^EXP SHA-256 rounds."""
    _fresh(out)
    try:
        bh = bytes.fromhex(beacon_hash)
    except ValueError as exc:
        raise click.UsageError("BEACON_HASH must be hexadecimal") from exc
    zk = read_zkey(src)
    verify_chain(zk)
    new, h = beacon(zk, bh, num_iterations_exp, name=name)
    write_zkey(new, out)
    emit({"output": out, "hash": h.hex()},
         f"wrote {out}\nbeacon contribution hash:\n" + format_hash(h))


@ceremony.command("verify")
@click.argument("circuit")
@PARAM
@click.argument("ptau", type=click.Path(exists=True, dir_okay=False))
@click.argument("zkey", type=click.Path(exists=True, dir_okay=False))
@JSON_OPTION
def verify_cmd(circuit: str, params: tuple[str, ...], ptau: str, zkey: str) -> None:
    """Check every contribution of ZKEY and the key itself against CIRCUIT and PTAU."""
    report = verify_zkey(read_zkey(zkey), load_circuit_r1cs(circuit, params), ptau)
    if json_mode():
        emit({"valid": True, "circuit_hash": report.cs_hash.hex(), "contributions": [
            {"index": c.index, "name": c.name, "hash": c.hash.hex(), "beacon": c.beacon}
            for c in report.contributions]})
        return
    click.echo("circuit hash:\n" + format_hash(report.cs_hash))
    for c in reversed(report.contributions):
        kind = " (beacon)" if c.beacon else ""
        click.echo(f"contribution #{c.index} {c.name}{kind}:\n" + format_hash(c.hash))
        if c.beacon:
            click.echo(f"  beacon {c.beacon_hash.hex()} 2^{c.num_iterations_exp}")
    if not report.contributions:
        click.echo("warning: no contributions yet (not usable for production)", err=True)
    click.echo("ZKey OK")


@ceremony.command("export")
@click.argument("zkey", type=click.Path(exists=True, dir_okay=False))
@click.argument("circuit", required=False)
@PARAM
@click.argument("ptau", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help=f"Folder for {PK_NAME} and {VK_NAME}.")
@click.option("--development", is_flag=True,
              help="Allow exporting without circuit/ptau verification; keys say so.")
@click.option("--force", is_flag=True, help="Replace the keys the folder already holds.")
@JSON_OPTION
def export_cmd(zkey: str, circuit: str | None, params: tuple[str, ...], ptau: str | None,
               out_dir: str, development: bool, force: bool) -> None:
    """Verify ZKEY (against CIRCUIT and PTAU) and write the final keys as one new set."""
    keyset.refuse_replace(out_dir, force)
    cs = load_circuit_r1cs(circuit, params) if circuit else None
    pk, vk, report = export_keys(read_zkey(zkey), cs, ptau, development=development)
    out = Path(out_dir)
    workflow.write_keys(out, pk, vk, getattr(cs, "statement", None))
    label = "DEVELOPMENT " if development else ""
    n = len(report.contributions) if report else "unverified"
    emit({"output": str(out), "development": development, "contributions": n,
          "vk_hash": vk.hash()},
         f"wrote {label}keys to {out} (contributions: {n}, vk hash {vk.hash()[:16]}...)")
