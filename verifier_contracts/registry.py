"""SolvencyRegistry from Python: proof modules per circuit kind, deploy against an
epoch oracle, policy (haircut parameters) with its timelock, submit, solvency and credit.

SolvencyRegistry is what a protocol reads (ISolvencyRegistry: isSolvent, creditOf,
tripped, currentEpoch); its prices, volatility and breaker come from an IEpochOracle, fed
by Chainlink-compatible feeds or, on chains without feeds, by an ORACLE_ROLE that pushes
prices (`verifier_contracts.oracle`).

Every public-input index a module uses is derived here from the circuit's
`zk.statement.Statement` (`registry_layout`) and stored in a `ProofVerifierModule` as
immutables (`layout_of` reads them back). The module's constructor checks
`keyId == keccak256(verifier.vkHash() || statementHash)`. The registry holds one module
per circuit kind: SOLVENCY (the collateral-ratio circuit) and CREDIT (the credit-capacity
circuit, with the public input `credit`), and takes its prices, volatility and breaker
state from an IEpochOracle (`verifier_contracts.oracle`).

Binding modes: ATTESTED (the proof's attester key must be allowed in an AttesterRegistry,
its `as_of` recent) or REGISTERED (its commitment must equal the one the position manager
recorded for the account).

A haircut policy entry is (base_bps, k, cap_bps): the epoch's haircut of that collateral
is `risk.haircut_bps(base, k, cap, sigma)` with sigma from the oracle's snapshot.
"""
from __future__ import annotations

from collections.abc import Sequence

from eth_utils import to_checksum_address

from verifier_contracts.abi import deploy_code, encode_fn, read_fn, role_id, send_fn
from verifier_contracts.calldata import Proof, proof_args
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState
from verifier_contracts.verifier import check_verifier
from verifier_contracts.vk import key_id, production_key
from zk.errors import MalformedInput
from zk.statement import Statement

CONTRACT = "SolvencyRegistry"
MODULE = "ProofVerifierModule"
ATTESTED, REGISTERED = 0, 1
MODES = {"attested": ATTESTED, "registered": REGISTERED}
SOLVENCY, CREDIT = 0, 1
KINDS = {"solvency": SOLVENCY, "credit": CREDIT}
ABSENT = 2**256 - 1
BPS = 10_000
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
DEFAULT_GRACE = 15 * 60
DEFAULT_MAX_ATTESTATION_AGE = 24 * 3600
DEFAULT_TIMELOCK = 2 * 24 * 3600
SUBMIT_GAS_BASE = 500_000
SUBMIT_GAS_PER_INPUT = 12_000

#: Layout field of the module -> Statement input name (None: a count, not an index).
LAYOUT_FIELDS: dict[str, str | None] = {
    "numPublic": None, "nCollateral": None, "nDebt": None,
    "collateralPrices": "collateral_prices", "haircutsBps": "haircuts_bps",
    "debtPrices": "debt_prices", "minRatioBps": "min_ratio_bps", "epoch": "epoch",
    "prover": "prover", "chainId": "chain_id", "registry": "registry",
    "commitment": "commitment", "attesterAx": "attester_ax", "attesterAy": "attester_ay",
    "asOf": "as_of", "credit": "credit",
}
_COMMON = ("collateral_prices", "haircuts_bps", "debt_prices", "min_ratio_bps", "epoch",
           "prover", "chain_id", "registry")
_REQUIRED = {
    ATTESTED: _COMMON + ("attester_ax", "attester_ay", "as_of"),
    REGISTERED: _COMMON + ("commitment",),
}
_ARRAYS = ("collateral_prices", "haircuts_bps", "debt_prices")


def _mode_name(mode: int) -> str:
    return "ATTESTED" if mode == ATTESTED else "REGISTERED"


def registry_layout(statement: Statement, mode: int = REGISTERED,
                    kind: int = SOLVENCY) -> dict[str, int]:
    """The module's Layout struct (field -> first index, ABSENT if missing) for a
    statement; MalformedInput if the statement lacks an input the mode or kind needs or if
    the collateral arrays disagree in size."""
    if not isinstance(statement, Statement):
        raise MalformedInput("registry layout: expected a zk.statement.Statement")
    if mode not in _REQUIRED:
        raise MalformedInput(f"registry layout: unknown binding mode {mode!r}")
    if kind not in (SOLVENCY, CREDIT):
        raise MalformedInput(f"registry layout: unknown circuit kind {kind!r}")
    required = _REQUIRED[mode] + (("credit",) if kind == CREDIT else ())
    have = {i.name: i for i in statement.inputs}
    missing = [n for n in required if n not in have]
    if missing:
        raise MalformedInput(f"statement of {statement.circuit} lacks public input(s) "
                             f"{', '.join(missing)} needed by a {_mode_name(mode)} "
                             f"{'CREDIT' if kind == CREDIT else 'SOLVENCY'} module")
    for name in required:
        want = (1,) if name in _ARRAYS else ()
        if len(have[name].shape) != len(want):
            raise MalformedInput(f"statement of {statement.circuit}: input '{name}' must be "
                                 f"{'a 1-D array' if want else 'a scalar'}")
    n_c = have["collateral_prices"].size
    if have["haircuts_bps"].size != n_c:
        raise MalformedInput(f"statement of {statement.circuit}: haircuts_bps has "
                             f"{have['haircuts_bps'].size} elements, collateral_prices {n_c}")
    pos = statement.layout()
    out = {"numPublic": statement.num_public, "nCollateral": n_c,
           "nDebt": have["debt_prices"].size}
    for field, name in LAYOUT_FIELDS.items():
        if name is not None:
            out[field] = pos.get(name, ABSENT)
    return out


def haircut_params(items: Sequence) -> list[tuple[int, int, int]]:
    """Policy entries as (base_bps, k, cap_bps); a bare int h means the fixed haircut
    (h, 0, h). MalformedInput unless 0 <= base <= cap < 10000 and k >= 0."""
    out = []
    for i, item in enumerate(items):
        triple = (item, 0, item) if isinstance(item, int) else tuple(item)
        if len(triple) != 3 or not all(isinstance(v, int) and not isinstance(v, bool)
                                       for v in triple):
            raise MalformedInput(f"haircut {i}: expected an int or (base_bps, k, cap_bps)")
        base, k, cap = triple
        if not 0 <= base <= cap < BPS or not 0 <= k < 2**64:
            raise MalformedInput(f"haircut {i}: need 0 <= base ({base}) <= cap ({cap}) < "
                                 f"{BPS} and 0 <= k ({k}) < 2^64")
        out.append((base, k, cap))
    return out


def deploy_module(chain: Chain, verifier: str, vk, statement: Statement, *, mode: int,
                  kind: int = SOLVENCY, dev_keys: bool = False,
                  state: DeployState | None = None) -> str:
    """Deploy the ProofVerifierModule of one circuit kind; return its address.

    The layout, key id and statement hash come from `statement` and `vk`; the verifier's
    code is checked against `vk`. A development key is refused unless `dev_keys`."""
    key = production_key(vk, dev_keys)
    layout = registry_layout(statement, mode, kind)
    if key.n_public != statement.num_public:
        raise MalformedInput(f"verification key has {key.n_public} public inputs; the "
                             f"statement of {statement.circuit} has {statement.num_public}")
    check_verifier(chain, verifier, key)
    args = [to_checksum_address(verifier), key_id(key, statement), statement.hash(),
            tuple(layout[f] for f in LAYOUT_FIELDS), mode, kind]
    code = deploy_code(MODULE, args)
    if state is not None:
        return state.deploy(chain, f"module-{'credit' if kind == CREDIT else 'solvency'}",
                            code)
    address, _ = chain.deploy(code, action="deploy proof module")
    return address


def deploy_registry(chain: Chain, verifier: str, vk, statement: Statement, *, oracle: str,
                    mode: int, haircuts_bps: Sequence, min_ratio_bps: int,
                    credit: tuple[str, object, Statement] | None = None,
                    attester_registry: str | None = None, admin: str | None = None,
                    position_manager: str | None = None,
                    admin_delay: int = DEFAULT_ADMIN_DELAY, grace: int = DEFAULT_GRACE,
                    max_attestation_age: int = DEFAULT_MAX_ATTESTATION_AGE,
                    timelock_delay: int = DEFAULT_TIMELOCK, dev_keys: bool = False,
                    state: DeployState | None = None) -> str:
    """Deploy the SOLVENCY module for (`verifier`, `vk`, `statement`), the CREDIT module
    for `credit` = (verifier, vk, statement) if given, and a SolvencyRegistry reading
    `oracle` (an IEpochOracle whose asset counts match the statement); return its address.

    `haircuts_bps`: per collateral, an int (fixed haircut) or (base_bps, k, cap_bps).
    The admin is the sender unless given; the position manager defaults to the admin in
    REGISTERED mode. Loosening the policy and re-pointing a kind wait `timelock_delay`."""
    if not oracle:
        raise MalformedInput("the registry needs an epoch oracle address (deploy one with "
                             "`zksolvency oracle deploy`)")
    if mode == ATTESTED and not attester_registry:
        raise MalformedInput("an ATTESTED registry needs the AttesterRegistry address")
    if timelock_delay < 1:
        raise MalformedInput("timelock delay must be at least 1 second")
    params = haircut_params(haircuts_bps)
    solvency = deploy_module(chain, verifier, vk, statement, mode=mode, kind=SOLVENCY,
                             dev_keys=dev_keys, state=state)
    zero = "0x" + "00" * 20
    credit_module = zero
    if credit is not None:
        c_verifier, c_vk, c_statement = credit
        credit_module = deploy_module(chain, c_verifier, c_vk, c_statement, mode=mode,
                                      kind=CREDIT, dev_keys=dev_keys, state=state)
    admin = to_checksum_address(admin or chain.address)
    setup = (mode, to_checksum_address(attester_registry or zero), admin_delay, admin,
             to_checksum_address(position_manager or (admin if mode == REGISTERED else zero)),
             (grace, max_attestation_age), timelock_delay, params, min_ratio_bps)
    code = deploy_code(CONTRACT, [to_checksum_address(oracle), solvency,
                                  to_checksum_address(credit_module), setup])
    if state is not None:
        return state.deploy(chain, "registry", code)
    address, _ = chain.deploy(code, action="deploy registry")
    return address


def encode_call(name: str, args: list) -> bytes:
    """ABI calldata for SolvencyRegistry.<name>(args)."""
    return encode_fn(CONTRACT, name, args)


def read(chain: Chain, registry: str, name: str, *args):
    """Call a SolvencyRegistry view; a single output is returned unwrapped."""
    return read_fn(chain, CONTRACT, registry, name, *args)


def module_of(chain: Chain, registry: str, kind: int = SOLVENCY) -> dict:
    """{'module', 'queued', 'eta'} of a circuit kind (zero address: none)."""
    module, queued, eta = read(chain, registry, "moduleOf", kind)
    return {"module": to_checksum_address(module), "queued": to_checksum_address(queued),
            "eta": int(eta)}


def layout_of(chain: Chain, registry: str, kind: int = SOLVENCY) -> dict[str, int]:
    """{statement input name: first index} of the inputs the kind's module uses, plus the
    counts `numPublic`, `nCollateral`, `nDebt`, read from the module."""
    module = module_of(chain, registry, kind)["module"]
    if int(module, 16) == 0:
        raise MalformedInput(f"registry {registry} has no module for kind {kind}")
    values = read_fn(chain, MODULE, module, "layout")
    out: dict[str, int] = {}
    for (field, name), value in zip(LAYOUT_FIELDS.items(), values, strict=True):
        if name is None:
            out[field] = int(value)
        elif value != ABSENT:
            out[name] = int(value)
    return out


def grant_role(chain: Chain, registry: str, role: str, account: str) -> dict:
    """Default admin: grant POSITION_MANAGER_ROLE to `account`."""
    return send_fn(chain, CONTRACT, registry, "grantRole", role_id(role),
                   to_checksum_address(account))


def has_role(chain: Chain, registry: str, role: str, account: str) -> bool:
    return bool(read(chain, registry, "hasRole", role_id(role), to_checksum_address(account)))


def set_policy(chain: Chain, registry: str, haircuts_bps: Sequence, min_ratio_bps: int) -> dict:
    """Admin: a new policy version (per collateral an int or (base, k, cap), and the
    minimum ratio). A tightening is active from the next epoch, a loosening after the
    timelock."""
    return send_fn(chain, CONTRACT, registry, "setPolicy", haircut_params(haircuts_bps),
                   min_ratio_bps)


def policy(chain: Chain, registry: str, version: int | None = None) -> dict:
    """Policy `version` (default: the newest) as {'version', 'active_from', 'haircuts',
    'min_ratio_bps'}; haircuts are (base, k, cap) triples."""
    if version is None:
        version = int(read(chain, registry, "policyVersion"))
    active_from, ratio, haircuts = read(chain, registry, "policy", version)
    return {"version": version, "active_from": int(active_from),
            "haircuts": [tuple(int(v) for v in h) for h in haircuts],
            "min_ratio_bps": int(ratio)}


def requirements_for(chain: Chain, registry: str, epoch: int) -> tuple[list[int], int]:
    """(least haircut per collateral, least ratio) a proof of `epoch` must use."""
    haircuts, ratio = read(chain, registry, "requirementsFor", epoch)
    return [int(h) for h in haircuts], int(ratio)


def set_freshness(chain: Chain, registry: str, grace: int, max_attestation_age: int) -> dict:
    """Admin: grace period and maximum attestation age (seconds)."""
    return send_fn(chain, CONTRACT, registry, "setFreshness", (grace, max_attestation_age))


def queue_module(chain: Chain, registry: str, kind: int, module: str) -> dict:
    """Admin: queue a new module (circuit version) for `kind`; active after the timelock."""
    return send_fn(chain, CONTRACT, registry, "queueModule", kind, to_checksum_address(module))


def activate_module(chain: Chain, registry: str, kind: int) -> dict:
    """Anyone: switch `kind` to its queued module once the timelock has passed."""
    return send_fn(chain, CONTRACT, registry, "activateModule", kind)


def record_position(chain: Chain, registry: str, account: str, commitment: int) -> dict:
    """Position manager (REGISTERED mode): record `account`'s position commitment."""
    return send_fn(chain, CONTRACT, registry, "recordPosition", to_checksum_address(account),
                   commitment)


def encode_submit(proof: dict | Proof, public: list, kind: int = SOLVENCY) -> bytes:
    a, b, c, pub = proof_args(proof, public)
    return encode_call("submitCredit" if kind == CREDIT else "submit", [a, b, c, pub])


def submit(chain: Chain, registry: str, proof: dict | Proof, public: list, *,
           kind: int = SOLVENCY, gas: int | None = None) -> dict:
    """Submit a proof of `kind` from this account; preflighted with eth_call.

    A revert raises ContractRevert with the registry's error and its arguments, e.g.
    BreakerIsTripped(cause, asset), StaleEpoch(expected, got), PriceMismatch(asset,
    expected, got), HaircutBelowPolicy(asset, expected, got), UnknownAttester(ax, ay),
    CommitmentMismatch(expected, got), AsOfNotLater(provenAsOf, got), InvalidProof().
    """
    data = encode_submit(proof, public, kind)
    gas = gas or SUBMIT_GAS_BASE + SUBMIT_GAS_PER_INPUT * len(public)
    return chain.send(registry, data, gas=gas,
                      action="submit credit" if kind == CREDIT else "submit")


def submit_credit(chain: Chain, registry: str, proof: dict | Proof, public: list, *,
                  gas: int | None = None) -> dict:
    """Submit a credit-capacity proof (kind CREDIT) from this account."""
    return submit(chain, registry, proof, public, kind=CREDIT, gas=gas)


def is_solvent(chain: Chain, registry: str, account: str) -> bool:
    return bool(read(chain, registry, "isSolvent", to_checksum_address(account)))


def credit_of(chain: Chain, registry: str, account: str) -> int:
    return int(read(chain, registry, "creditOf", to_checksum_address(account)))


def tripped(chain: Chain, registry: str) -> bool:
    return bool(read(chain, registry, "tripped"))


def proof_of(chain: Chain, registry: str, account: str, kind: int = SOLVENCY) -> dict:
    """What `account`'s accepted proof of `kind` established (zeros if it has none)."""
    epoch, as_of, valid_until, credit, a, b = read(chain, registry, "proofOf", kind,
                                                   to_checksum_address(account))
    attested = int(read(chain, registry, "mode")) == ATTESTED
    return {"epoch": epoch, "as_of": as_of, "valid_until": valid_until, "credit": credit,
            "attester_ax": a if attested else 0, "attester_ay": b if attested else 0,
            "commitment": 0 if attested else a}


def solvency_of(chain: Chain, registry: str, account: str) -> dict:
    """What `account`'s accepted solvency proof established (zeros if it has none)."""
    return proof_of(chain, registry, account, SOLVENCY)


def status(chain: Chain, registry: str, account: str) -> dict:
    """Solvency and credit of `account` with what it was proven under, and the registry's
    state (epoch, breaker, requirements of the current epoch)."""
    account = to_checksum_address(account)
    epoch = int(read(chain, registry, "currentEpoch"))
    cause, tripped_at, asset = read(chain, registry, "breakerState")
    grace, max_age = read(chain, registry, "freshness")
    haircuts, ratio = requirements_for(chain, registry, epoch) if epoch else ([], 0)
    return {
        "account": account,
        "solvent": is_solvent(chain, registry, account),
        "credit": credit_of(chain, registry, account),
        "proven": solvency_of(chain, registry, account),
        "proven_credit": proof_of(chain, registry, account, CREDIT),
        "mode": "attested" if int(read(chain, registry, "mode")) == ATTESTED else "registered",
        "oracle": read(chain, registry, "oracle"),
        "current_epoch": epoch,
        "tripped": tripped(chain, registry),
        "breaker": {"cause": int(cause), "tripped_at": int(tripped_at), "asset": int(asset)},
        "policy_version": int(read(chain, registry, "policyVersion")),
        "epoch_policy_version": int(read(chain, registry, "policyVersionFor", epoch)),
        "min_ratio_bps": ratio,
        "haircuts_bps": haircuts,
        "grace": int(grace), "max_attestation_age": int(max_age),
        "modules": {name: module_of(chain, registry, k) for name, k in KINDS.items()},
        "block_timestamp": chain.timestamp(),
    }
