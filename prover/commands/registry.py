"""`zksolvency registry ...`: attester allowlist and SolvencyRegistry (deploy, roles,
policy, prices, positions, submit, status)."""
from __future__ import annotations

import json

import click

from prover import workflow
from prover.commands.core import PARAM
from verifier_contracts import (
    DeployState,
    add_attester,
    connect,
    deploy_attester_registry,
    deploy_registry,
    post_prices,
    record_position,
    revoke_attester,
    set_policy,
    status,
    submit,
)
from verifier_contracts.registry import (
    DEFAULT_ADMIN_DELAY,
    DEFAULT_GRACE,
    DEFAULT_MAX_ATTESTATION_AGE,
    DEFAULT_MAX_VALIDITY,
    MODES,
    grant_role,
    layout_of,
    set_freshness,
)
from zk import atomic
from zk.errors import MalformedInput
from zk.statement import Statement

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
    """Attesters and SolvencyRegistry: deploy, roles, policy, prices, submit, status."""


def _statement(vk_json: str, statement_json: str | None) -> Statement:
    """The statement to deploy for: the one embedded in VK_JSON (its key id checked) or
    --statement; when both exist they must be the same statement."""
    _, embedded = workflow.read_vk(vk_json)
    given = (Statement.from_json(atomic.read_json(statement_json), statement_json)
             if statement_json else None)
    if embedded is not None and given is not None and given.hash() != embedded.hash():
        raise MalformedInput(f"{statement_json}: not the statement embedded in {vk_json} "
                             "(a relabelled statement would give the registry a wrong layout)")
    if given is not None or embedded is not None:
        return given or embedded
    raise MalformedInput("no statement: pass --statement FILE (the circuit's statement.json) "
                         "or a verification key file that embeds it")


@registry.command("statement")
@click.argument("circuit")
@PARAM
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Statement JSON to write (for `registry deploy --statement`).")
def statement_cmd(circuit: str, params: tuple[str, ...], output: str) -> None:
    """Write the Statement of CIRCUIT (module:Name or file.py:Name, with -p NAME=INT)."""
    from prover.loader import load_circuit, parse_params
    from zk import compile_circuit

    st = compile_circuit(load_circuit(circuit, parse_params(params))).statement
    atomic.write_json(output, st.to_json())
    click.echo(f"wrote {output} ({st.num_public} public inputs, hash 0x{st.hash().hex()})")


@registry.command("deploy")
@click.argument("verifier")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice(sorted(MODES)), required=True,
              help="attested: proofs carry an allow-listed attester key; registered: the "
                   "position manager records each account's commitment.")
@click.option("--statement", "statement_json", default=None,
              type=click.Path(exists=True, dir_okay=False),
              help="Statement JSON (default: the one embedded in VK_JSON).")
@click.option("--attester-registry", default=None, help="AttesterRegistry (attested mode).")
@click.option("--haircuts", required=True, help="Minimum haircut per collateral, bps: 500,1000")
@click.option("--min-ratio", type=int, required=True, help="Minimum collateral ratio, bps.")
@click.option("--grace", type=int, default=DEFAULT_GRACE, show_default=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-validity", type=int, default=DEFAULT_MAX_VALIDITY, show_default=True,
              help="Cap, in seconds from posting, on a price snapshot's validity.")
@click.option("--max-attestation-age", type=int, default=DEFAULT_MAX_ATTESTATION_AGE,
              show_default=True, help="Oldest as_of accepted, seconds before submission.")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=int, default=DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--oracle", default=None, help="ORACLE_ROLE holder (default: the admin).")
@click.option("--position-manager", default=None,
              help="POSITION_MANAGER_ROLE holder (registered mode; default: the admin).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
@click.option("--rpc-url", default=None, help=RPC_HELP)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
def deploy_cmd(verifier, vk_json, mode, statement_json, attester_registry, haircuts, min_ratio,
               grace, max_validity, max_attestation_age, admin, admin_delay, oracle,
               position_manager, dev_keys, rpc_url, state_file) -> None:
    """Deploy a registry bound to VERIFIER and the statement of VK_JSON; print its address.

    Every public-input index comes from the statement; the key id binds it to the key."""
    vk = atomic.read_json(vk_json)
    chain = connect(rpc_url)
    state = DeployState(state_file) if state_file else None
    address = deploy_registry(
        chain, verifier, vk, _statement(vk_json, statement_json), mode=MODES[mode],
        haircuts_bps=_ints(haircuts, "--haircuts"), min_ratio_bps=min_ratio,
        attester_registry=attester_registry, admin=admin, admin_delay=admin_delay,
        oracle=oracle, position_manager=position_manager, grace=grace,
        max_validity=max_validity, max_attestation_age=max_attestation_age,
        dev_keys=dev_keys, state=state)
    click.echo(address)


@registry.command("deploy-attesters")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=int, default=DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--attester-admin", default=None,
              help="Who may add and revoke attester keys (default: the admin).")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def deploy_attesters_cmd(admin, admin_delay, attester_admin, rpc_url) -> None:
    """Deploy an AttesterRegistry (the allowlist of attester keys); print its address."""
    click.echo(deploy_attester_registry(connect(rpc_url), admin=admin,
                                        attester_admin=attester_admin,
                                        admin_delay=admin_delay))


@registry.command("add-attester")
@click.argument("attesters")
@click.argument("ax")
@click.argument("ay")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def add_attester_cmd(attesters, ax, ay, rpc_url) -> None:
    """Allow the attester key (AX, AY) in the AttesterRegistry ATTESTERS."""
    x, y = _ints(f"{ax},{ay}", "attester key")
    add_attester(connect(rpc_url), attesters, x, y)
    click.echo("attester added")


@registry.command("revoke-attester")
@click.argument("attesters")
@click.argument("ax")
@click.argument("ay")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def revoke_attester_cmd(attesters, ax, ay, rpc_url) -> None:
    """Revoke the attester key (AX, AY): every proof it stands behind stops counting."""
    x, y = _ints(f"{ax},{ay}", "attester key")
    revoke_attester(connect(rpc_url), attesters, x, y)
    click.echo("attester revoked")


@registry.command("grant-role")
@click.argument("address")
@click.argument("role", type=click.Choice(["ORACLE_ROLE", "POSITION_MANAGER_ROLE"]))
@click.argument("account")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def grant_role_cmd(address, role, account, rpc_url) -> None:
    """Admin: grant ROLE at the registry ADDRESS to ACCOUNT."""
    grant_role(connect(rpc_url), address, role, account)
    click.echo(f"{role} granted to {account}")


@registry.command("record-position")
@click.argument("address")
@click.argument("account")
@click.argument("commitment")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def record_position_cmd(address, account, commitment, rpc_url) -> None:
    """Position manager: record ACCOUNT's position COMMITMENT (registered mode)."""
    (value,) = _ints(commitment, "commitment")
    receipt = record_position(connect(rpc_url), address, account, value)
    click.echo(f"position recorded (gas used {receipt['gasUsed']})")


@registry.command("layout")
@click.argument("address")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def layout_cmd(address, rpc_url) -> None:
    """Print the public-input layout the registry at ADDRESS was deployed with (JSON)."""
    click.echo(json.dumps(layout_of(connect(rpc_url), address), indent=2))


@registry.command("set-policy")
@click.argument("address")
@click.option("--haircuts", required=True, help="Minimum haircut per collateral, bps.")
@click.option("--min-ratio", type=int, required=True, help="Minimum collateral ratio, bps.")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def set_policy_cmd(address, haircuts, min_ratio, rpc_url) -> None:
    """Admin: set the policy of the registry at ADDRESS."""
    receipt = set_policy(connect(rpc_url), address, _ints(haircuts, "--haircuts"), min_ratio)
    click.echo(f"policy set (gas used {receipt['gasUsed']})")


@registry.command("set-freshness")
@click.argument("address")
@click.option("--grace", type=int, required=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-validity", type=int, required=True,
              help="Cap, in seconds from posting, on a price snapshot's validity.")
@click.option("--max-attestation-age", type=int, required=True,
              help="Oldest as_of accepted, seconds before submission.")
@click.option("--rpc-url", default=None, help=RPC_HELP)
def set_freshness_cmd(address, grace, max_validity, max_attestation_age, rpc_url) -> None:
    """Admin: set the freshness parameters of the registry at ADDRESS (seconds)."""
    receipt = set_freshness(connect(rpc_url), address, grace, max_validity,
                            max_attestation_age)
    click.echo(f"freshness set (gas used {receipt['gasUsed']})")


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
    """Print whether ACCOUNT is solvent at the registry ADDRESS, and what it proved."""
    st = status(connect(rpc_url), address, account)
    if as_json:
        click.echo(json.dumps(st, indent=2))
        return
    word = "solvent" if st["solvent"] else "NOT solvent"
    p = st["proven"]
    click.echo(f"{st['account']}: {word} (proven epoch {p['epoch']} as of {p['as_of']}, "
               f"valid until {p['valid_until']}, policy v{p['policy_version']}; current "
               f"epoch {st['current_epoch']}, policy v{st['policy_version']}, "
               f"now {st['block_timestamp']})")
