"""`zksolvency contract ...`: export, calldata, deploy and verify the Groth16 verifier."""
from __future__ import annotations

import sys

import click

from verifier_contracts import (
    DeployState,
    connect,
    deploy_verifier,
    parse_proof,
    parse_public,
    parse_vk,
    solidity_calldata,
    verifier_source,
    verify_on_chain,
    vk_hash,
)
from verifier_contracts.registry import production_key
from verifier_contracts.solc import native_solc
from zk import atomic
from zk.errors import MalformedInput

RPC_HELP = ("JSON-RPC URL (key from $ZKSOLVENCY_PRIVATE_KEY). Default: a fresh embedded "
            "EVM that lives only for this command.")


@click.group("contract")
def contract() -> None:
    """Groth16 verifier contract: export, calldata, deploy, verify."""


@contract.command("export")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", default="Verifier.sol", show_default=True,
              type=click.Path(dir_okay=False), help="Solidity file to write.")
def export_cmd(vk_json: str, output: str) -> None:
    """Write a readable Solidity verifier for VK_JSON (snarkjs verification_key.json)."""
    vk = parse_vk(atomic.read_json(vk_json))
    atomic.write_any(output, verifier_source(vk))
    click.echo(f"wrote {output} (nPublic {vk.n_public}, vkHash {vk_hash(vk)})")
    solc = native_solc()
    if solc:
        click.echo(f"compile it with: {solc} --optimize --bin --abi {output}")
    click.echo("no compiler is needed to deploy: `zksolvency contract deploy VK_JSON`")


@contract.command("hash")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
def hash_cmd(vk_json: str) -> None:
    """Print the content hash (vkHash) of VK_JSON."""
    click.echo(vk_hash(atomic.read_json(vk_json)))


@contract.command("calldata")
@click.argument("public_json", metavar="PUBLIC", type=click.Path(exists=True, dir_okay=False))
@click.argument("proof_json", metavar="PROOF", type=click.Path(exists=True, dir_okay=False))
def calldata_cmd(public_json: str, proof_json: str) -> None:
    """Print verifyProof arguments as `snarkjs zkey export soliditycalldata PUBLIC PROOF`
    does (same argument order)."""
    from prover.workflow import read_public_and_proof
    public, proof = read_public_and_proof(public_json, proof_json)
    click.echo(solidity_calldata(proof, public))


@contract.command("deploy")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--rpc-url", default=None, help=RPC_HELP)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file (re-runs never deploy twice).")
@click.option("--gas", type=int, default=None, help="Gas limit (default: estimate + margin).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
def deploy_cmd(vk_json: str, rpc_url: str | None, state_file: str | None,
               gas: int | None, dev_keys: bool) -> None:
    """Deploy the verifier for VK_JSON (shipped bytecode, no compiler) and print its address.

    A key from a development setup is refused unless --dev-keys is given."""
    vk = production_key(atomic.read_json(vk_json), dev_keys)
    chain = connect(rpc_url)
    state = DeployState(state_file) if state_file else None
    address = deploy_verifier(chain, vk, gas=gas, state=state)
    click.echo(address)


@contract.command("verify")
@click.argument("address")
@click.argument("proof_json", type=click.Path(dir_okay=False))
@click.argument("public_json", type=click.Path(dir_okay=False))
@click.option("--rpc-url", default=None, help=RPC_HELP)
def verify_cmd(address: str, proof_json: str, public_json: str, rpc_url: str | None) -> None:
    """eth_call verifyProof at ADDRESS. Exit 0 valid, 1 invalid, 2 malformed input."""
    try:
        proof = parse_proof(atomic.read_json(proof_json))
        public = parse_public(atomic.read_json(public_json))
    except MalformedInput as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    ok = verify_on_chain(connect(rpc_url), address, proof, public)
    click.echo("valid" if ok else "invalid")
    sys.exit(0 if ok else 1)
