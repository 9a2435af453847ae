"""`zksolvency registry ...`: attester allowlist and SolvencyRegistry (deploy, roles,
policy, prices, positions, submit, status)."""
from __future__ import annotations

import json

import click

from prover import workflow
from prover.chainopts import ChainContext, chain_options
from prover.cliparams import INT
from prover.commands.core import PARAM
from prover.output import JSON_OPTION, emit, json_mode
from verifier_contracts import (
    DeployState,
    add_attester,
    deploy_attester_registry,
    deploy_registry,
    post_prices,
    record_position,
    revoke_attester,
    set_policy,
    status,
    submit,
)
from verifier_contracts.probe import expect_attesters, expect_registry
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
from verifier_contracts.registry import (
    read as read_registry,
)
from zk import atomic
from zk.errors import EXIT_CLAIM, MalformedInput, UsageError, WrongKey
from zk.parse import canonical_int, canonical_ints
from zk.statement import Statement


def _ints(text: str, what: str) -> list[int]:
    """Comma-separated canonical integers (zk.parse), refused with exit 2 naming ``what``."""
    return canonical_ints(text, what)


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
@JSON_OPTION
def statement_cmd(circuit: str, params: tuple[str, ...], output: str) -> None:
    """Write the Statement of CIRCUIT (module:Name or file.py:Name, with -p NAME=INT)."""
    from prover.loader import load_circuit, parse_params
    from zk import compile_circuit

    st = compile_circuit(load_circuit(circuit, parse_params(params))).statement
    atomic.write_json(output, st.to_json())
    emit({"output": output, "num_public": st.num_public, "hash": "0x" + st.hash().hex()},
         f"wrote {output} ({st.num_public} public inputs, hash 0x{st.hash().hex()})")


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
@click.option("--policy", "policy_json", default=None, type=click.Path(dir_okay=False),
              help="The policy.json `collateral prove` reads: haircuts, ratio and chain id "
                   "come from it (instead of --haircuts/--min-ratio).")
@click.option("--haircuts", default=None, help="Minimum haircut per collateral, bps: 500,1000")
@click.option("--min-ratio", type=INT, default=None, help="Minimum collateral ratio, bps.")
@click.option("--grace", type=INT, default=DEFAULT_GRACE, show_default=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-validity", type=INT, default=DEFAULT_MAX_VALIDITY, show_default=True,
              help="Cap, in seconds from posting, on a price snapshot's validity.")
@click.option("--max-attestation-age", type=INT, default=DEFAULT_MAX_ATTESTATION_AGE,
              show_default=True, help="Oldest as_of accepted, seconds before submission.")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--oracle", default=None, help="ORACLE_ROLE holder (default: the admin).")
@click.option("--position-manager", default=None,
              help="POSITION_MANAGER_ROLE holder (registered mode; default: the admin).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
@chain_options(write=True)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
@JSON_OPTION
def deploy_cmd(verifier, vk_json, mode, statement_json, attester_registry, policy_json,
               haircuts, min_ratio, grace, max_validity, max_attestation_age, admin,
               admin_delay, oracle, position_manager, dev_keys, chain: ChainContext,
               state_file) -> None:
    """Deploy a registry bound to VERIFIER and the statement of VK_JSON; print its address.

    Every public-input index comes from the statement; the key id binds it to the key."""
    vk = atomic.read_json(vk_json)
    verifier = chain.address(verifier, "VERIFIER")
    admin, oracle, position_manager = (
        chain.address(v, name) if v else None for v, name in (
            (admin, "--admin"), (oracle, "--oracle"), (position_manager, "--position-manager")))
    cuts, ratio, pol = _terms(policy_json, haircuts, min_ratio)
    st = _statement(vk_json, statement_json)
    c = chain.connect()
    if pol is not None and pol.chain_id != c.chain_id:
        raise UsageError(f"{policy_json}: field 'chain_id' is {pol.chain_id}, the chain "
                         f"is {c.chain_id} (proofs bind the chain id)")
    if attester_registry:
        attester_registry = chain.address(attester_registry, "--attester-registry")
        expect_attesters(c, attester_registry)
    state = DeployState(state_file) if state_file else None
    address = deploy_registry(
        c, verifier, vk, st, mode=MODES[mode],
        haircuts_bps=cuts, min_ratio_bps=ratio,
        attester_registry=attester_registry, admin=admin, admin_delay=admin_delay,
        oracle=oracle, position_manager=position_manager, grace=grace,
        max_validity=max_validity, max_attestation_age=max_attestation_age,
        dev_keys=dev_keys, state=state)
    if pol is not None and pol.registry != int(address, 16) and not json_mode():
        click.echo(f"note: {policy_json} names registry 0x{pol.registry:040x}; prove for "
                   f"this one with `collateral prove --registry {address}`", err=True)
    emit({"address": address, "chain_id": c.chain_id, "mode": mode, "haircuts_bps": cuts,
          "min_ratio_bps": ratio}, address)


def _terms(policy_json: str | None, haircuts: str | None, min_ratio: int | None):
    """(haircuts, min ratio, policy or None) from --policy or from the two flags."""
    if policy_json:
        if haircuts is not None or min_ratio is not None:
            raise UsageError("give --policy or --haircuts/--min-ratio, not both")
        from prover.collateral import load_policy

        pol = load_policy(policy_json)
        return list(pol.haircuts_bps), pol.min_ratio_bps, pol
    if haircuts is None or min_ratio is None:
        raise UsageError("give --policy policy.json, or both --haircuts and --min-ratio")
    return _ints(haircuts, "--haircuts"), min_ratio, None


@registry.command("deploy-attesters")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--attester-admin", default=None,
              help="Who may add and revoke attester keys (default: the admin).")
@chain_options(write=True)
@JSON_OPTION
def deploy_attesters_cmd(admin, admin_delay, attester_admin, chain: ChainContext) -> None:
    """Deploy an AttesterRegistry (the allowlist of attester keys); print its address."""
    admin, attester_admin = (chain.address(v, name) if v else None for v, name in (
        (admin, "--admin"), (attester_admin, "--attester-admin")))
    address = deploy_attester_registry(chain.connect(), admin=admin,
                                       attester_admin=attester_admin, admin_delay=admin_delay)
    emit({"address": address}, address)


@registry.command("add-attester")
@click.argument("attesters")
@click.argument("ax")
@click.argument("ay")
@chain_options(write=True)
@JSON_OPTION
def add_attester_cmd(attesters, ax, ay, chain: ChainContext) -> None:
    """Allow the attester key (AX, AY) in the AttesterRegistry ATTESTERS."""
    x, y = canonical_int(ax, "AX"), canonical_int(ay, "AY")
    attesters = chain.address(attesters, "ATTESTERS")
    c = chain.connect()
    expect_attesters(c, attesters)
    add_attester(c, attesters, x, y)
    emit({"attesters": attesters, "ax": x, "ay": y}, "attester added")


@registry.command("revoke-attester")
@click.argument("attesters")
@click.argument("ax")
@click.argument("ay")
@chain_options(write=True)
@JSON_OPTION
def revoke_attester_cmd(attesters, ax, ay, chain: ChainContext) -> None:
    """Revoke the attester key (AX, AY): every proof it stands behind stops counting."""
    x, y = canonical_int(ax, "AX"), canonical_int(ay, "AY")
    attesters = chain.address(attesters, "ATTESTERS")
    c = chain.connect()
    expect_attesters(c, attesters)
    revoke_attester(c, attesters, x, y)
    emit({"attesters": attesters, "ax": x, "ay": y}, "attester revoked")


@registry.command("grant-role")
@click.argument("address")
@click.argument("role", type=click.Choice(["ORACLE_ROLE", "POSITION_MANAGER_ROLE"]))
@click.argument("account")
@chain_options(write=True)
@JSON_OPTION
def grant_role_cmd(address, role, account, chain: ChainContext) -> None:
    """Admin: grant ROLE at the registry ADDRESS to ACCOUNT."""
    c, address = _registry_at(chain, address)
    account = chain.address(account, "ACCOUNT")
    grant_role(c, address, role, account)
    emit({"role": role, "account": account}, f"{role} granted to {account}")


@registry.command("record-position")
@click.argument("address")
@click.argument("account")
@click.argument("commitment")
@chain_options(write=True)
@JSON_OPTION
def record_position_cmd(address, account, commitment, chain: ChainContext) -> None:
    """Position manager: record ACCOUNT's position COMMITMENT (registered mode)."""
    value = canonical_int(commitment, "COMMITMENT")
    account = chain.address(account, "ACCOUNT")
    c, address = _registry_at(chain, address)
    record_position(c, address, account, value)
    emit({"account": account, "commitment": value}, "position recorded")


@registry.command("layout")
@click.argument("address")
@chain_options(write=False)
@JSON_OPTION
def layout_cmd(address, chain: ChainContext) -> None:
    """Print the public-input layout the registry at ADDRESS was deployed with (JSON)."""
    c, address = _registry_at(chain, address)
    out = layout_of(c, address)
    emit(out, json.dumps(out, indent=2))


@registry.command("set-policy")
@click.argument("address")
@click.option("--haircuts", required=True, help="Minimum haircut per collateral, bps.")
@click.option("--min-ratio", type=INT, required=True, help="Minimum collateral ratio, bps.")
@chain_options(write=True)
@JSON_OPTION
def set_policy_cmd(address, haircuts, min_ratio, chain: ChainContext) -> None:
    """Admin: set the policy of the registry at ADDRESS."""
    cuts = _ints(haircuts, "--haircuts")
    c, address = _registry_at(chain, address)
    set_policy(c, address, cuts, min_ratio)
    emit({"haircuts_bps": cuts, "min_ratio_bps": min_ratio}, "policy set")


@registry.command("set-freshness")
@click.argument("address")
@click.option("--grace", type=INT, required=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-validity", type=INT, required=True,
              help="Cap, in seconds from posting, on a price snapshot's validity.")
@click.option("--max-attestation-age", type=INT, required=True,
              help="Oldest as_of accepted, seconds before submission.")
@chain_options(write=True)
@JSON_OPTION
def set_freshness_cmd(address, grace, max_validity, max_attestation_age,
                      chain: ChainContext) -> None:
    """Admin: set the freshness parameters of the registry at ADDRESS (seconds)."""
    c, address = _registry_at(chain, address)
    set_freshness(c, address, grace, max_validity, max_attestation_age)
    emit({"grace": grace, "max_validity": max_validity,
          "max_attestation_age": max_attestation_age}, "freshness set")


@registry.command("post-prices")
@click.argument("address")
@click.argument("epoch", type=INT, required=False)
@click.option("--prices", "prices_json", default=None, type=click.Path(dir_okay=False),
              help="The prices.json `collateral prove` reads (with --policy for the asset "
                   "order); its epoch is EPOCH.")
@click.option("--policy", "policy_json", default=None, type=click.Path(dir_okay=False),
              help="Policy JSON naming the assets in order (with --prices).")
@click.option("--collateral-prices", default=None,
              help="Or: collateral prices in dollars, comma-separated (3012.45,64250.5).")
@click.option("--debt-prices", default=None, help="... and debt prices in dollars.")
@click.option("--valid-until", type=INT, default=None, help="Unix time the snapshot expires.")
@click.option("--valid-for", type=INT, default=None,
              help="Or: seconds from the latest block until the snapshot expires.")
@chain_options(write=True)
@JSON_OPTION
def post_prices_cmd(address, epoch, prices_json, policy_json, collateral_prices, debt_prices,
                    valid_until, valid_for, chain: ChainContext) -> None:
    """Oracle: open EPOCH at the registry ADDRESS with a price snapshot (8-decimal fixed
    point from exact decimal prices; more decimals are refused)."""
    from prover.prices import parse_prices, price_list

    c, address = _registry_at(chain, address)
    n_c, n_d = int(read_registry(c, address, "nCollateral")), int(
        read_registry(c, address, "nDebt"))
    if prices_json:
        if collateral_prices or debt_prices:
            raise UsageError("give --prices FILE or --collateral-prices/--debt-prices")
        values, file_epoch = price_list(prices_json, policy_json, n_c + n_d)
        if epoch is not None and epoch != file_epoch:
            raise UsageError(f"EPOCH {epoch} differs from field 'epoch' {file_epoch} of "
                             f"{prices_json}")
        epoch, cp, dp = file_epoch, values[:n_c], values[n_c:]
    else:
        if collateral_prices is None or debt_prices is None or epoch is None:
            raise UsageError("give --prices prices.json --policy policy.json, or EPOCH with "
                             "--collateral-prices and --debt-prices")
        cp = parse_prices(collateral_prices, "--collateral-prices")
        dp = parse_prices(debt_prices, "--debt-prices")
    if (valid_until is None) == (valid_for is None):
        raise UsageError("give one of --valid-until UNIX_TIME and --valid-for SECONDS")
    if valid_until is None:
        valid_until = c.timestamp() + valid_for
    post_prices(c, address, epoch, cp, dp, valid_until)
    emit({"epoch": epoch, "collateral_prices": cp, "debt_prices": dp,
          "valid_until": valid_until}, f"epoch {epoch} opened (valid until {valid_until})")


@registry.command("submit")
@click.argument("address")
@click.argument("proof_json", type=click.Path(exists=True, dir_okay=False))
@click.argument("public_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--gas", type=INT, default=None, help="Gas limit (default: generous fixed).")
@chain_options(write=True)
@JSON_OPTION
def submit_cmd(address, proof_json, public_json, gas, chain: ChainContext) -> None:
    """Submit a collateral-ratio proof to the registry at ADDRESS."""
    proof, public = atomic.read_json(proof_json), atomic.read_json(public_json)
    c, address = _registry_at(chain, address)
    info = expect_registry(c, address)
    named = proof.get("key_id") if isinstance(proof, dict) else None
    if isinstance(named, str) and named.lower() != info["key_id"]:
        raise WrongKey(f"{proof_json}: proof is for key id {named[:14]}..., the registry at "
                       f"{address} checks {info['key_id'][:14]}...")
    if isinstance(public, list) and len(public) != info["num_public"]:
        raise MalformedInput(f"{public_json}: {len(public)} public inputs, the registry "
                             f"takes {info['num_public']}")
    receipt = submit(c, address, proof, public, gas=gas)
    emit({"accepted": True, "account": c.address, "block": receipt["blockNumber"]},
         f"accepted in block {receipt['blockNumber']} (gas used {receipt['gasUsed']})")


@registry.command("status")
@click.argument("address")
@click.argument("account")
@chain_options(write=False)
@JSON_OPTION
def status_cmd(address, account, chain: ChainContext) -> None:
    """Print whether ACCOUNT is solvent at the registry ADDRESS, and what it proved.
    Exit 0 solvent, 1 not solvent."""
    account = chain.address(account, "ACCOUNT")
    c, address = _registry_at(chain, address)
    st = status(c, address, account)
    word = "solvent" if st["solvent"] else "NOT solvent"
    p = st["proven"]
    emit(st, f"{st['account']}: {word} (proven epoch {p['epoch']} as of {p['as_of']}, "
             f"valid until {p['valid_until']}, policy v{p['policy_version']}; current "
             f"epoch {st['current_epoch']}, policy v{st['policy_version']}, "
             f"now {st['block_timestamp']})")
    if not json_mode():
        from prover.tables import table

        table(["", "proven", "registry now"],
              [["epoch", p["epoch"], st["current_epoch"]],
               ["policy version", p["policy_version"], st["policy_version"]],
               ["time (unix s)", f"as of {p['as_of']}, valid until {p['valid_until']}",
                st["block_timestamp"]]])
    if not st["solvent"]:
        raise SystemExit(EXIT_CLAIM)


def _registry_at(chain: ChainContext, address: str):
    """(connected chain, checksummed ADDRESS) after checking a SolvencyRegistry is there."""
    address = chain.address(address, "ADDRESS")
    c = chain.connect()
    expect_registry(c, address)
    return c, address
