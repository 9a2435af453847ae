"""`zksolvency registry ...`: attester allowlist and SolvencyRegistry on an epoch oracle
(deploy with --oracle ADDRESS, --feeds FILE or --pushed; proof modules per circuit kind,
policy and its timelock, positions, submit, status). Prices, volatility and the circuit
breaker are the oracle's (`zksolvency oracle ...`)."""
from __future__ import annotations

import json

import click

from prover import workflow
from prover.chainopts import ChainContext, chain_options
from prover.cliparams import INT
from prover.commands.core import PARAM
from prover.commands.oracle import config_options, deploy_oracle_from_options
from prover.output import JSON_OPTION, emit, json_mode
from verifier_contracts import (
    DeployState,
    add_attester,
    deploy_attester_registry,
    revoke_attester,
)
from verifier_contracts import registry as reg
from verifier_contracts.probe import expect_attesters, expect_oracle, expect_registry
from verifier_contracts.risk import CAUSES
from zk import atomic
from zk.errors import EXIT_CLAIM, MalformedInput, UsageError, WrongKey
from zk.parse import canonical_int, canonical_ints, to_checksum
from zk.statement import Statement

KIND_OPTION = click.option("--kind", type=click.Choice(sorted(reg.KINDS)), default="solvency",
                           show_default=True,
                           help="solvency: a collateral-ratio proof; credit: a "
                                "credit-capacity proof (public input `credit`).")


def _ints(text: str, what: str) -> list[int]:
    """Comma-separated canonical integers (zk.parse), refused with exit 2 naming ``what``."""
    return canonical_ints(text, what)


def _haircuts(text: str) -> list:
    """--haircuts: per collateral `H` (a fixed haircut, bps) or `BASE:K:CAP` (the epoch's
    haircut is min(CAP, BASE + K*sigma/10^4), sigma the oracle's, bps)."""
    if "" in text.split(","):
        raise MalformedInput("--haircuts: expected comma-separated H or BASE:K:CAP items "
                             "(e.g. 2000,800:20000:3000), with no empty item")
    out: list = []
    for i, item in enumerate(text.split(","), 1):
        parts = item.split(":")
        if len(parts) == 1:
            out.append(canonical_int(item, f"--haircuts item {i}"))
        elif len(parts) == 3:
            out.append(tuple(canonical_int(v, f"--haircuts item {i} {name}")
                             for v, name in zip(parts, ("BASE", "K", "CAP"), strict=True)))
        else:
            raise MalformedInput(f"--haircuts item {i}: {item!r} is neither H nor "
                                 "BASE:K:CAP")
    return out


@click.group("registry")
def registry() -> None:
    """Attesters and SolvencyRegistry: deploy on an oracle, policy, submit, status."""


def _statement(vk_json: str, statement_json: str | None,
               flag: str = "--statement") -> Statement:
    """The statement to deploy for: the one embedded in VK_JSON (its key id checked) or
    the statement file; when both exist they must be the same statement."""
    _, embedded = workflow.read_vk(vk_json)
    given = (Statement.from_json(atomic.read_json(statement_json), statement_json)
             if statement_json else None)
    if embedded is not None and given is not None and given.hash() != embedded.hash():
        raise MalformedInput(f"{statement_json}: not the statement embedded in {vk_json} "
                             "(a relabelled statement would give the registry a wrong layout)")
    if given is not None or embedded is not None:
        return given or embedded
    raise MalformedInput(f"{vk_json}: no statement: pass {flag} FILE (the circuit's "
                         "statement.json) or a verification key file that embeds it")


def _asset_counts(st: Statement) -> tuple[int, int]:
    """(collateral, debt) asset counts of a statement (its price arrays)."""
    have = {i.name: i for i in st.inputs}
    for name in ("collateral_prices", "debt_prices"):
        if name not in have:
            raise MalformedInput(f"statement of {st.circuit} lacks public input '{name}' "
                                 "(not a collateral or credit circuit)")
    return have["collateral_prices"].size, have["debt_prices"].size


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


_ORACLE_CONFIG = ("min_epoch_interval", "snapshot_validity", "reference_window",
                  "reset_delay", "max_deviation_bps", "max_disagreement_bps", "lambda_bps",
                  "initial_var_bps2", "sequencer_grace", "sequencer_feed", "guardian",
                  "oracle_role")


@registry.command("deploy")
@click.argument("verifier")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@click.option("--mode", type=click.Choice(sorted(reg.MODES)), required=True,
              help="attested: proofs carry an allow-listed attester key; registered: the "
                   "position manager records each account's commitment.")
@click.option("--statement", "statement_json", default=None,
              type=click.Path(exists=True, dir_okay=False),
              help="Statement JSON (default: the one embedded in VK_JSON).")
@click.option("--oracle", default=None,
              help="An existing EpochOracle to read prices, sigma and the breaker from.")
@click.option("--feeds", "feeds_json", default=None,
              type=click.Path(exists=True, dir_okay=False),
              help="Or: deploy a Chainlink-feed EpochOracle from this feeds JSON first (the "
                   "file `oracle deploy --feeds` reads).")
@click.option("--pushed", is_flag=True,
              help="Or: deploy a pushed-price EpochOracle first (its ORACLE_ROLE posts "
                   "prices with `oracle open-epoch --prices`).")
@config_options
@click.option("--guardian", default=None,
              help="GUARDIAN_ROLE of the deployed oracle (default: the admin).")
@click.option("--oracle-role", default=None,
              help="ORACLE_ROLE of the deployed pushed oracle, who posts prices (default: "
                   "the admin).")
@click.option("--credit-verifier", default=None,
              help="Verifier of the credit-capacity circuit (adds the credit kind).")
@click.option("--credit-vk", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Verification key of the credit circuit (embedding its statement).")
@click.option("--attester-registry", default=None, help="AttesterRegistry (attested mode).")
@click.option("--policy", "policy_json", default=None, type=click.Path(dir_okay=False),
              help="The policy.json `collateral prove` reads: haircuts, ratio and chain id "
                   "come from it (instead of --haircuts/--min-ratio).")
@click.option("--haircuts", default=None,
              help="Per collateral, H (a fixed haircut, bps) or BASE:K:CAP (bps; the "
                   "epoch's haircut is min(CAP, BASE + K*sigma/10^4)): 2000,800:20000:3000")
@click.option("--min-ratio", type=INT, default=None, help="Minimum collateral ratio, bps.")
@click.option("--grace", type=INT, default=reg.DEFAULT_GRACE, show_default=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-attestation-age", type=INT, default=reg.DEFAULT_MAX_ATTESTATION_AGE,
              show_default=True, help="Oldest as_of accepted, seconds before submission.")
@click.option("--timelock", type=INT, default=reg.DEFAULT_TIMELOCK, show_default=True,
              help="Seconds a policy loosening or a new circuit version waits.")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=reg.DEFAULT_ADMIN_DELAY, show_default=True,
              help="Delay in seconds of the two-step admin transfer.")
@click.option("--position-manager", default=None,
              help="POSITION_MANAGER_ROLE holder (registered mode; default: the admin).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
@chain_options(write=True)
@click.option("--state", "state_file", default=None, type=click.Path(dir_okay=False),
              help="Resumable deployment state file.")
@JSON_OPTION
def deploy_cmd(verifier, vk_json, mode, statement_json, oracle, feeds_json, pushed,
               sequencer_feed, guardian, oracle_role, credit_verifier, credit_vk,
               attester_registry, policy_json, haircuts, min_ratio, grace,
               max_attestation_age, timelock, admin, admin_delay, position_manager,
               dev_keys, chain: ChainContext, state_file, **cfg) -> None:
    """Deploy a SolvencyRegistry bound to VERIFIER and the statement of VK_JSON, reading
    prices, sigma and the breaker from an EpochOracle (--oracle ADDRESS, or --feeds FILE /
    --pushed to deploy one); print its address.

    Every public-input index comes from the statement; the key id binds it to the key."""
    if sum(map(bool, (oracle, feeds_json, pushed))) != 1:
        raise UsageError("registry deploy: give exactly one price source: --oracle ADDRESS "
                         "(an existing EpochOracle), --feeds FEEDS_JSON or --pushed")
    if oracle:
        ctx = click.get_current_context()
        given = [f"--{n.replace('_', '-')}" for n in _ORACLE_CONFIG
                 if ctx.get_parameter_source(n) != click.core.ParameterSource.DEFAULT]
        if given:
            raise UsageError(f"registry deploy: {', '.join(given)} configure the oracle that "
                             "--feeds/--pushed deploys; with --oracle ADDRESS it exists "
                             "(`zksolvency oracle status`)")
    if (credit_verifier is None) != (credit_vk is None):
        raise UsageError("registry deploy: --credit-verifier and --credit-vk go together")
    vk = atomic.read_json(vk_json)
    verifier = chain.address(verifier, "VERIFIER")
    admin, position_manager = (chain.address(v, name) if v else None for v, name in (
        (admin, "--admin"), (position_manager, "--position-manager")))
    cuts, ratio, pol = _terms(policy_json, haircuts, min_ratio)
    st = _statement(vk_json, statement_json)
    n_c, n_d = _asset_counts(st)
    if len(cuts) != n_c:
        raise MalformedInput(f"{policy_json or '--haircuts'}: {len(cuts)} haircuts, the "
                             f"statement of {st.circuit} has {n_c} collateral assets")
    reg.haircut_params(cuts)
    credit = None
    if credit_vk:
        c_st = _statement(credit_vk, None, "an embedding --credit-vk")
        if _asset_counts(c_st) != (n_c, n_d):
            raise MalformedInput(f"{credit_vk}: the credit statement has {_asset_counts(c_st)} "
                                 f"(collateral, debt) assets, the solvency one {(n_c, n_d)}")
        credit = (chain.address(credit_verifier, "--credit-verifier"),
                  atomic.read_json(credit_vk), c_st)
    c = chain.connect()
    if pol is not None and pol.chain_id != c.chain_id:
        raise UsageError(f"{policy_json}: field 'chain_id' is {pol.chain_id}, the chain "
                         f"is {c.chain_id} (proofs bind the chain id)")
    if attester_registry:
        attester_registry = chain.address(attester_registry, "--attester-registry")
        expect_attesters(c, attester_registry)
    for key in (vk, *((credit[1],) if credit else ())):
        reg.production_key(key, dev_keys)                # refused before any deployment
    state = DeployState(state_file) if state_file else None
    if oracle:
        oracle = chain.address(oracle, "--oracle")
        shape = expect_oracle(c, oracle)
        if (shape["n_collateral"], shape["n_debt"]) != (n_c, n_d):
            raise MalformedInput(
                f"--oracle {oracle}: the oracle prices {shape['n_collateral']} collateral + "
                f"{shape['n_debt']} debt assets, the statement of {st.circuit} has {n_c} + "
                f"{n_d}")
    else:
        oracle, _, _ = deploy_oracle_from_options(
            chain, feeds_json, pushed, n_c, n_d, sequencer_feed=sequencer_feed, admin=admin,
            admin_delay=admin_delay,
            guardian=guardian, oracle_role=oracle_role, state=state, cfg=cfg,
            where="registry deploy")
        if not json_mode():
            click.echo(f"oracle {oracle} ({'pushed prices' if pushed else 'feeds'})",
                       err=True)
    address = reg.deploy_registry(
        c, verifier, vk, st, oracle=oracle, mode=reg.MODES[mode], haircuts_bps=cuts,
        min_ratio_bps=ratio, credit=credit, attester_registry=attester_registry,
        admin=admin, position_manager=position_manager, admin_delay=admin_delay,
        grace=grace, max_attestation_age=max_attestation_age, timelock_delay=timelock,
        dev_keys=dev_keys, state=state)
    if pol is not None and pol.registry != int(address, 16) and not json_mode():
        click.echo(f"note: {policy_json} names registry 0x{pol.registry:040x}; prove for "
                   f"this one with `collateral prove --registry {address}`", err=True)
    emit({"address": address, "oracle": oracle, "chain_id": c.chain_id, "mode": mode,
          "haircuts": cuts, "min_ratio_bps": ratio, "credit": credit is not None},
         address)


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
    return _haircuts(haircuts), min_ratio, None


@registry.command("deploy-attesters")
@click.option("--admin", default=None, help="Default admin (default: the sender).")
@click.option("--admin-delay", type=INT, default=reg.DEFAULT_ADMIN_DELAY, show_default=True,
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
@click.argument("role", type=click.Choice(["POSITION_MANAGER_ROLE"]))
@click.argument("account")
@chain_options(write=True)
@JSON_OPTION
def grant_role_cmd(address, role, account, chain: ChainContext) -> None:
    """Admin: grant ROLE at the registry ADDRESS to ACCOUNT (the oracle's roles:
    `zksolvency oracle`)."""
    c, address = _registry_at(chain, address)
    account = chain.address(account, "ACCOUNT")
    reg.grant_role(c, address, role, account)
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
    reg.record_position(c, address, account, value)
    emit({"account": account, "commitment": value}, "position recorded")


@registry.command("layout")
@click.argument("address")
@KIND_OPTION
@chain_options(write=False)
@JSON_OPTION
def layout_cmd(address, kind, chain: ChainContext) -> None:
    """Print the public-input layout of KIND's proof module at the registry ADDRESS."""
    c, address = _registry_at(chain, address, reg.KINDS[kind])
    out = reg.layout_of(c, address, reg.KINDS[kind])
    emit(out, json.dumps(out, indent=2))


@registry.command("set-policy")
@click.argument("address")
@click.option("--haircuts", required=True,
              help="Per collateral, H (fixed, bps) or BASE:K:CAP (bps).")
@click.option("--min-ratio", type=INT, required=True, help="Minimum collateral ratio, bps.")
@chain_options(write=True)
@JSON_OPTION
def set_policy_cmd(address, haircuts, min_ratio, chain: ChainContext) -> None:
    """Admin: a new policy version at the registry ADDRESS. A tightening applies from the
    next epoch, a loosening after the timelock."""
    cuts = _haircuts(haircuts)
    reg.haircut_params(cuts)
    c, address = _registry_at(chain, address)
    reg.set_policy(c, address, cuts, min_ratio)
    p = reg.policy(c, address)
    emit(p, f"policy v{p['version']} active from {p['active_from']} (unix s; the first "
            "epoch opened from then on uses it)")


@registry.command("set-freshness")
@click.argument("address")
@click.option("--grace", type=INT, required=True,
              help="Seconds a proof of the previous epoch still counts in a new one.")
@click.option("--max-attestation-age", type=INT, required=True,
              help="Oldest as_of accepted, seconds before submission.")
@chain_options(write=True)
@JSON_OPTION
def set_freshness_cmd(address, grace, max_attestation_age, chain: ChainContext) -> None:
    """Admin: set the freshness parameters of the registry at ADDRESS (seconds)."""
    c, address = _registry_at(chain, address)
    reg.set_freshness(c, address, grace, max_attestation_age)
    emit({"grace": grace, "max_attestation_age": max_attestation_age}, "freshness set")


@registry.command("queue-module")
@click.argument("address")
@click.argument("verifier")
@click.argument("vk_json", type=click.Path(exists=True, dir_okay=False))
@KIND_OPTION
@click.option("--statement", "statement_json", default=None,
              type=click.Path(exists=True, dir_okay=False),
              help="Statement JSON (default: the one embedded in VK_JSON).")
@click.option("--dev-keys", is_flag=True,
              help="Allow a key from a development setup (test deployments only).")
@chain_options(write=True)
@JSON_OPTION
def queue_module_cmd(address, verifier, vk_json, kind, statement_json, dev_keys,
                     chain: ChainContext) -> None:
    """Admin: deploy the proof module of a new circuit version (VERIFIER, VK_JSON) for KIND
    and queue it; `registry activate-module` switches to it after the timelock."""
    c, address = _registry_at(chain, address)
    vk = atomic.read_json(vk_json)
    st = _statement(vk_json, statement_json)
    module = reg.deploy_module(c, chain.address(verifier, "VERIFIER"), vk, st,
                                mode=int(reg.read(c, address, "mode")),
                                kind=reg.KINDS[kind], dev_keys=dev_keys)
    reg.queue_module(c, address, reg.KINDS[kind], module)
    eta = reg.module_of(c, address, reg.KINDS[kind])["eta"]
    emit({"kind": kind, "module": module, "eta": eta},
         f"{kind} module {module} queued; `registry activate-module` from {eta} (unix s)")


@registry.command("activate-module")
@click.argument("address")
@KIND_OPTION
@chain_options(write=True)
@JSON_OPTION
def activate_module_cmd(address, kind, chain: ChainContext) -> None:
    """Anyone: switch KIND to its queued module once the timelock has passed."""
    c, address = _registry_at(chain, address)
    reg.activate_module(c, address, reg.KINDS[kind])
    module = reg.module_of(c, address, reg.KINDS[kind])["module"]
    emit({"kind": kind, "module": module}, f"{kind} module is now {module}")


@registry.command("submit")
@click.argument("address")
@click.argument("proof_json", type=click.Path(exists=True, dir_okay=False))
@click.argument("public_json", type=click.Path(exists=True, dir_okay=False))
@KIND_OPTION
@click.option("--gas", type=INT, default=None, help="Gas limit (default: generous fixed).")
@chain_options(write=True)
@JSON_OPTION
def submit_cmd(address, proof_json, public_json, kind, gas, chain: ChainContext) -> None:
    """Submit a proof of KIND to the registry at ADDRESS (from the prover's account)."""
    proof, public = atomic.read_json(proof_json), atomic.read_json(public_json)
    address = chain.address(address, "ADDRESS")
    c = chain.connect()
    info = expect_registry(c, address, reg.KINDS[kind])
    named = proof.get("key_id") if isinstance(proof, dict) else None
    if isinstance(named, str) and named.lower() != info["key_id"]:
        raise WrongKey(f"{proof_json}: proof is for key id {named[:14]}..., the {kind} "
                       f"module of the registry at {address} checks "
                       f"{info['key_id'][:14]}...")
    if isinstance(public, list) and len(public) != info["num_public"]:
        raise MalformedInput(f"{public_json}: {len(public)} public inputs, the registry's "
                             f"{kind} module takes {info['num_public']}")
    receipt = reg.submit(c, address, proof, public, kind=reg.KINDS[kind], gas=gas)
    emit({"accepted": True, "kind": kind, "account": c.address,
          "block": receipt["blockNumber"]},
         f"accepted in block {receipt['blockNumber']} (gas used {receipt['gasUsed']})")


def _breaker_text(st: dict) -> str:
    b = st["breaker"]
    if not st["tripped"]:
        return "not tripped"
    return f"TRIPPED: {CAUSES[b['cause']]} (asset {b['asset']}, since {b['tripped_at']})"


@registry.command("status")
@click.argument("address")
@click.argument("account")
@chain_options(write=False)
@JSON_OPTION
def status_cmd(address, account, chain: ChainContext) -> None:
    """Print whether ACCOUNT is solvent at the registry ADDRESS, what it proved and the
    registry's state (epoch, breaker, haircuts, policy). Exit 0 solvent, 1 not solvent."""
    account = chain.address(account, "ACCOUNT")
    c, address = _registry_at(chain, address)
    st = reg.status(c, address, account)
    st["breaker"]["cause_name"] = CAUSES[st["breaker"]["cause"]]
    st["oracle"] = to_checksum(int(st["oracle"], 16))
    word = "solvent" if st["solvent"] else "NOT solvent"
    p, pc = st["proven"], st["proven_credit"]
    breaker = " BREAKER TRIPPED;" if st["tripped"] else ""
    emit(st, f"{st['account']}: {word} (proven epoch {p['epoch']} as of {p['as_of']}, "
             f"valid until {p['valid_until']}; credit {st['credit']};{breaker} current "
             f"epoch {st['current_epoch']}, policy v{st['epoch_policy_version']}, "
             f"now {st['block_timestamp']})")
    if not json_mode():
        from prover.tables import table

        cuts = ",".join(map(str, st["haircuts_bps"])) or "-"
        table(["", "proven", "registry now"],
              [["epoch (solvency)", p["epoch"], st["current_epoch"]],
               ["epoch (credit)", pc["epoch"], st["current_epoch"]],
               ["credit", pc["credit"], f"creditOf = {st['credit']}"],
               ["time (unix s)", f"as of {p['as_of']}, valid until {p['valid_until']}",
                st["block_timestamp"]],
               ["haircuts (bps)", "-", f"at least {cuts} (epoch {st['current_epoch']})"],
               ["min ratio (bps)", "-", st["min_ratio_bps"]],
               ["policy", "-", f"v{st['epoch_policy_version']} for this epoch (newest "
                               f"v{st['policy_version']})"],
               ["breaker", "-", _breaker_text(st)],
               ["oracle", "-", st["oracle"]]])
    if not st["solvent"]:
        raise SystemExit(EXIT_CLAIM)


def _registry_at(chain: ChainContext, address: str, kind: int = reg.SOLVENCY):
    """(connected chain, checksummed ADDRESS) after checking a SolvencyRegistry is there,
    with a proof module for `kind`."""
    address = chain.address(address, "ADDRESS")
    c = chain.connect()
    expect_registry(c, address, kind)
    return c, address
