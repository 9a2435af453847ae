"""`zksolvency contract ...`: export, calldata, deploy and verify the Groth16 verifier."""
from __future__ import annotations

import sys

import click

from prover.chainopts import ChainContext, chain_options
from prover.cliparams import INT
from prover.output import JSON_OPTION, emit, json_mode, verdict
from verifier_contracts import (
    DeployState,
    deploy_verifier,
    encode_verify_call,
    parse_vk,
    solidity_calldata,
    verifier_source,
    verify_on_chain,
    vk_hash,
)
from verifier_contracts.probe import expect_verifier
from verifier_contracts.solc import native_solc
from verifier_contracts.vk import production_key
from zk import atomic
from zk.errors import EXIT_CLAIM, EXIT_OK


@click.group("contract")
def contract() -> None:
    """Groth16 verifier contract: export, calldata, deploy, verify."""


@contract.command("export")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", default="Verifier.sol", show_default=True,
              type=click.Path(dir_okay=False), help="Solidity file to write.")
@JSON_OPTION
def export_cmd(vk_json: str, output: str) -> None:
    """Write a readable Solidity verifier for VK_JSON (snarkjs verification_key.json)."""
    vk = parse_vk(atomic.read_json(vk_json))
    atomic.write_any(output, verifier_source(vk))
    if json_mode():
        emit({"output": output, "n_public": vk.n_public, "vk_hash": vk_hash(vk)})
        return
    click.echo(f"wrote {output} (nPublic {vk.n_public}, vkHash {vk_hash(vk)})")
    solc = native_solc()
    if solc:
        click.echo(f"compile it with: {solc} --optimize --bin --abi {output}")
    click.echo("no compiler is needed to deploy: `zksolvency contract deploy VK_JSON`")


@contract.command("hash")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@JSON_OPTION
def hash_cmd(vk_json: str) -> None:
    """Print the content hash (vkHash) of VK_JSON."""
    h = vk_hash(atomic.read_json(vk_json))
    emit({"vk_hash": h}, h)


@contract.command("calldata")
@click.argument("public_json", metavar="PUBLIC", type=click.Path(exists=True, dir_okay=False))
@click.argument("proof_json", metavar="PROOF", type=click.Path(exists=True, dir_okay=False))
@JSON_OPTION
def calldata_cmd(public_json: str, proof_json: str) -> None:
    """Print verifyProof arguments as `snarkjs zkey export soliditycalldata PUBLIC PROOF`
    does (same argument order)."""
    from prover.workflow import read_public_and_proof
    public, proof = read_public_and_proof(public_json, proof_json)
    text = solidity_calldata(proof, public)
    if json_mode():
        import json
        emit({"args": json.loads(f"[{text}]"), "calldata": encode_verify_call(proof, public)})
        return
    click.echo(text)


@contract.command("deploy")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@chain_options(write=True)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file (re-runs never deploy twice).")
@click.option("--gas", type=INT, default=None, help="Gas limit (default: estimate + margin).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
@JSON_OPTION
def deploy_cmd(vk_json: str, chain: ChainContext, state_file: str | None,
               gas: int | None, dev_keys: bool) -> None:
    """Deploy the verifier for VK_JSON (shipped bytecode, no compiler) and print its address.

    A key from a development setup is refused unless --dev-keys is given."""
    vk = production_key(atomic.read_json(vk_json), dev_keys)
    c = chain.connect()
    state = DeployState(state_file) if state_file else None
    address = deploy_verifier(c, vk, gas=gas, state=state)
    emit({"address": address, "vk_hash": vk_hash(vk), "n_public": vk.n_public,
          "chain_id": c.chain_id, "ephemeral": c.embedded}, address)


@contract.command("verify")
@click.argument("address")
@click.argument("public_json", metavar="PUBLIC", type=click.Path(dir_okay=False))
@click.argument("proof_json", metavar="PROOF", type=click.Path(dir_okay=False))
@click.option("--vk", "vk_json", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Also check that ADDRESS is the verifier of this key (vkHash).")
@chain_options(write=False)
@JSON_OPTION
def verify_cmd(address: str, public_json: str, proof_json: str, vk_json: str | None,
               chain: ChainContext) -> None:
    """eth_call verifyProof at ADDRESS with PUBLIC and PROOF (snarkjs order; read-only: no
    key needed). Exit 0 valid, 1 invalid, 2 malformed or swapped files or no verifier at
    ADDRESS, 3 chain error."""
    from prover.workflow import read_public_and_proof
    public, proof = read_public_and_proof(public_json, proof_json)
    vk = atomic.read_json(vk_json) if vk_json else None
    where = chain.address(address, "ADDRESS")
    c = chain.connect()
    expect_verifier(c, where, vk=vk, n_public=len(public))
    ok = verify_on_chain(c, where, proof, public)
    if json_mode():
        verdict(ok, "valid" if ok else "invalid", address=where, chain_id=c.chain_id)
        return
    click.echo("valid" if ok else "invalid")
    sys.exit(EXIT_OK if ok else EXIT_CLAIM)
