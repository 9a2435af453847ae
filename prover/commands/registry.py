"""`zksolvency registry ...`: deploy a SolvencyRegistry, post prices, submit, status."""
from __future__ import annotations

import json

import click

from verifier_contracts import (
    DeployState,
    connect,
    deploy_registry,
    post_prices,
    set_policy,
    status,
    submit,
)
from zk import atomic
from zk.errors import MalformedInput

RPC_HELP = ("JSON-RPC URL (key from $ZKSOLVENCY_PRIVATE_KEY). Default: a fresh embedded "
            "EVM that lives only for this command.")


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v, 0) for v in text.split(",") if v.strip()]
    except ValueError:
        raise MalformedInput(f"{what}: expected comma-separated integers") from None
    if any(v < 0 for v in values):
        raise MalformedInput(f"{what}: negative value")
    return values


@click.group("registry")
def registry() -> None:
    """SolvencyRegistry: deploy, set-policy, post-prices, submit, status."""


@registry.command("deploy")
@click.argument("verifier")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--collateral", "n_c", type=int, required=True, help="Number of collateral assets.")
@click.option("--debt", "n_d", type=int, required=True, help="Number of debt assets.")
@click.option("--haircuts", required=True, help="Minimum haircut per collateral, bps: 500,1000")
@click.option("--min-ratio", type=int, required=True, help="Minimum collateral ratio, bps.")
@click.option("--admin", default=None, help="Admin address (default: the sender).")
@click.option("--oracle", default=None, help="Oracle address (default: the sender).")
@click.option("--rpc-url", default=None, help=RPC_HELP)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
def deploy_cmd(verifier, vk_json, n_c, n_d, haircuts, min_ratio, admin, oracle, rpc_url,
               state_file) -> None:
    """Deploy a registry bound to VERIFIER (checked against VK_JSON); print its address."""
    chain = connect(rpc_url)
    state = DeployState(state_file) if state_file else None
    address = deploy_registry(chain, verifier, atomic.read_json(vk_json), n_c, n_d,
                              _ints(haircuts, "--haircuts"), min_ratio, admin=admin,
                              oracle=oracle, state=state)
    click.echo(address)


@registry.command("set-policy")
@click.argument("address")
@click.option("--haircuts", required=True, help="Minimum haircut per collateral, bps.")
@click.option("--min-ratio", type=int, required=True, help="Minimum collateral ratio, bps.")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def set_policy_cmd(address, haircuts, min_ratio, rpc_url) -> None:
    """Admin: set the policy of the registry at ADDRESS."""
    receipt = set_policy(connect(rpc_url), address, _ints(haircuts, "--haircuts"), min_ratio)
    click.echo(f"policy set (gas used {receipt['gasUsed']})")


@registry.command("post-prices")
@click.argument("address")
@click.argument("epoch", type=int)
@click.option("--collateral-prices", required=True, help="1e8 fixed point, comma-separated.")
@click.option("--debt-prices", required=True, help="1e8 fixed point, comma-separated.")
@click.option("--valid-until", type=int, required=True, help="Unix time the snapshot expires.")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def post_prices_cmd(address, epoch, collateral_prices, debt_prices, valid_until,
                    rpc_url) -> None:
    """Oracle: open EPOCH at the registry ADDRESS with a price snapshot."""
    receipt = post_prices(connect(rpc_url), address, epoch,
                          _ints(collateral_prices, "--collateral-prices"),
                          _ints(debt_prices, "--debt-prices"), valid_until)
    click.echo(f"epoch {epoch} opened (gas used {receipt['gasUsed']})")


@registry.command("submit")
@click.argument("address")
@click.argument("proof_json", type=click.Path(exists=True, dir_okay=False))
@click.argument("public_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--gas", type=int, default=None, help="Gas limit (default: generous fixed).")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def submit_cmd(address, proof_json, public_json, gas, rpc_url) -> None:
    """Submit a collateral-ratio proof to the registry at ADDRESS."""
    receipt = submit(connect(rpc_url), address, atomic.read_json(proof_json),
                     atomic.read_json(public_json), gas=gas)
    click.echo(f"accepted in block {receipt['blockNumber']} (gas used {receipt['gasUsed']})")


@registry.command("status")
@click.argument("address")
@click.argument("account")
@click.option("--rpc-url", default=None, help=RPC_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status_cmd(address, account, rpc_url, as_json) -> None:
    """Print whether ACCOUNT is solvent at the registry ADDRESS, and until when."""
    st = status(connect(rpc_url), address, account)
    if as_json:
        click.echo(json.dumps(st, indent=2))
        return
    word = "solvent" if st["solvent"] else "NOT solvent"
    click.echo(f"{st['account']}: {word} (until {st['solvent_until']}, "
               f"epoch {st['current_epoch']}, now {st['block_timestamp']})")
