"""SolvencyRegistry from Python: deploy from a Statement, roles, policy, prices, submit, status.

Every public-input index the contract uses is derived here from the circuit's
`zk.statement.Statement` (`registry_layout`) and stored in the contract as immutables,
exposed by getters (`layout_of` reads them back). The constructor checks
`keyId == keccak256(verifier.vkHash() || statementHash)`.

Binding modes: ATTESTED (the proof's attester key must be allowed in an AttesterRegistry,
its `as_of` recent) or REGISTERED (its commitment must equal the one the position manager
recorded for the account).
"""
from __future__ import annotations

from eth_utils import to_checksum_address

from verifier_contracts.abi import deploy_code, encode_fn, read_fn, role_id, send_fn
from verifier_contracts.calldata import Proof, proof_args
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState, deploy_step
from verifier_contracts.verifier import check_verifier
from verifier_contracts.vk import key_id, production_key
from zk.errors import MalformedInput
from zk.statement import Statement

CONTRACT = "SolvencyRegistry"
ATTESTED, REGISTERED = 0, 1
MODES = {"attested": ATTESTED, "registered": REGISTERED}
ABSENT = 2**256 - 1
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
DEFAULT_GRACE = 15 * 60
DEFAULT_MAX_VALIDITY = 24 * 3600
DEFAULT_MAX_ATTESTATION_AGE = 24 * 3600
SUBMIT_GAS_BASE = 450_000
SUBMIT_GAS_PER_INPUT = 12_000

#: Layout field of the contract -> Statement input name (None: a count, not an index).
LAYOUT_FIELDS: dict[str, str | None] = {
    "numPublic": None, "nCollateral": None, "nDebt": None,
    "collateralPrices": "collateral_prices", "haircutsBps": "haircuts_bps",
    "debtPrices": "debt_prices", "minRatioBps": "min_ratio_bps", "epoch": "epoch",
    "prover": "prover", "chainId": "chain_id", "registry": "registry",
    "commitment": "commitment", "attesterAx": "attester_ax", "attesterAy": "attester_ay",
    "asOf": "as_of",
}
#: Statement input name -> the contract's index getter.
INDEX_GETTERS = {name: f"{field}Index" for field, name in LAYOUT_FIELDS.items() if name}
_REQUIRED = {
    ATTESTED: ("collateral_prices", "haircuts_bps", "debt_prices", "min_ratio_bps", "epoch",
               "prover", "chain_id", "registry", "attester_ax", "attester_ay", "as_of"),
    REGISTERED: ("collateral_prices", "haircuts_bps", "debt_prices", "min_ratio_bps",
                 "epoch", "prover", "chain_id", "registry", "commitment"),
}


def registry_layout(statement: Statement, mode: int = REGISTERED) -> dict[str, int]:
    """The contract's Layout struct (field -> first index, ABSENT if missing) for a
    statement; MalformedInput if the statement lacks an input the mode needs or if the
    collateral arrays disagree in size."""
    if not isinstance(statement, Statement):
        raise MalformedInput("registry layout: expected a zk.statement.Statement")
    if mode not in _REQUIRED:
        raise MalformedInput(f"registry layout: unknown binding mode {mode!r}")
    have = {i.name: i for i in statement.inputs}
    missing = [n for n in _REQUIRED[mode] if n not in have]
    if missing:
        raise MalformedInput(f"statement of {statement.circuit} lacks public input(s) "
                             f"{', '.join(missing)} needed by a "
                             f"{'ATTESTED' if mode == ATTESTED else 'REGISTERED'} registry")
    for name in _REQUIRED[mode]:
        want = (1,) if name in ("collateral_prices", "haircuts_bps", "debt_prices") else ()
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


def deploy_registry(chain: Chain, verifier: str, vk, statement: Statement, *,
                    mode: int, haircuts_bps: list[int], min_ratio_bps: int,
                    attester_registry: str | None = None, admin: str | None = None,
                    oracle: str | None = None, position_manager: str | None = None,
                    admin_delay: int = DEFAULT_ADMIN_DELAY, grace: int = DEFAULT_GRACE,
                    max_validity: int = DEFAULT_MAX_VALIDITY,
                    max_attestation_age: int = DEFAULT_MAX_ATTESTATION_AGE,
                    dev_keys: bool = False, state: DeployState | None = None) -> str:
    """Deploy a SolvencyRegistry bound to `verifier` and `statement`; return its address.

    The layout, key id and statement hash all come from `statement` and `vk`; the
    verifier's code is checked against `vk`. A key from a development setup is refused
    unless `dev_keys` (whoever ran that setup can forge proofs). `oracle` defaults to the
    admin, and so does `position_manager` in REGISTERED mode; the admin is the sender
    unless given.
    """
    key = production_key(vk, dev_keys)
    layout = registry_layout(statement, mode)
    if key.n_public != statement.num_public:
        raise MalformedInput(f"verification key has {key.n_public} public inputs; the "
                             f"statement of {statement.circuit} has {statement.num_public}")
    if mode == ATTESTED and not attester_registry:
        raise MalformedInput("an ATTESTED registry needs the AttesterRegistry address")
    check_verifier(chain, verifier, key)
    admin = to_checksum_address(admin or chain.address)
    zero = "0x" + "00" * 20
    setup = (mode, to_checksum_address(attester_registry or zero), admin_delay, admin,
             to_checksum_address(oracle or admin),
             to_checksum_address(position_manager or (admin if mode == REGISTERED else zero)),
             (grace, max_validity, max_attestation_age), list(haircuts_bps), min_ratio_bps)
    args = [to_checksum_address(verifier), key_id(key, statement), statement.hash(),
            tuple(layout[f] for f in LAYOUT_FIELDS), setup]
    code = deploy_code(CONTRACT, args)
    return deploy_step(chain, "registry", code, state)


def encode_call(name: str, args: list) -> bytes:
    """ABI calldata for SolvencyRegistry.<name>(args)."""
    return encode_fn(CONTRACT, name, args)


def read(chain: Chain, registry: str, name: str, *args):
    """Call a SolvencyRegistry view; a single output is returned unwrapped."""
    return read_fn(chain, CONTRACT, registry, name, *args)


def layout_of(chain: Chain, registry: str) -> dict[str, int]:
    """{statement input name: first index} of the inputs the registry uses, plus the counts
    `numPublic`, `nCollateral`, `nDebt`, read from its getters."""
    out = {k: int(read(chain, registry, k)) for k in ("numPublic", "nCollateral", "nDebt")}
    for name, getter in INDEX_GETTERS.items():
        idx = int(read(chain, registry, getter))
        if idx != ABSENT:
            out[name] = idx
    return out


def grant_role(chain: Chain, registry: str, role: str, account: str) -> dict:
    """Default admin: grant ORACLE_ROLE or POSITION_MANAGER_ROLE to `account`."""
    return send_fn(chain, CONTRACT, registry, "grantRole", role_id(role),
                   to_checksum_address(account))


def has_role(chain: Chain, registry: str, role: str, account: str) -> bool:
    return bool(read(chain, registry, "hasRole", role_id(role), to_checksum_address(account)))


def post_prices(chain: Chain, registry: str, epoch: int, collateral_prices: list[int],
                debt_prices: list[int], valid_until: int) -> dict:
    """Oracle: open `epoch` with its price snapshot (valid at most maxValidity seconds)."""
    return send_fn(chain, CONTRACT, registry, "postPrices", epoch, list(collateral_prices),
                   list(debt_prices), valid_until)


def set_policy(chain: Chain, registry: str, haircuts_bps: list[int], min_ratio_bps: int) -> dict:
    """Admin: set the per-asset minimum haircuts and the minimum collateral ratio."""
    return send_fn(chain, CONTRACT, registry, "setPolicy", list(haircuts_bps), min_ratio_bps)


def set_freshness(chain: Chain, registry: str, grace: int, max_validity: int,
                  max_attestation_age: int) -> dict:
    """Admin: grace period, snapshot validity cap and maximum attestation age (seconds)."""
    return send_fn(chain, CONTRACT, registry, "setFreshness",
                   (grace, max_validity, max_attestation_age))


def record_position(chain: Chain, registry: str, account: str, commitment: int) -> dict:
    """Position manager (REGISTERED mode): record `account`'s position commitment."""
    return send_fn(chain, CONTRACT, registry, "recordPosition", to_checksum_address(account),
                   commitment)


def encode_submit(proof: dict | Proof, public: list) -> bytes:
    a, b, c, pub = proof_args(proof, public)
    return encode_call("submit", [a, b, c, pub])


def submit(chain: Chain, registry: str, proof: dict | Proof, public: list, *,
           gas: int | None = None) -> dict:
    """Submit a proof from this account; preflighted with eth_call, explicit gas limit.

    A revert raises ContractRevert with the registry's error and its arguments, e.g.
    WrongChain(expected, got), PriceMismatch(index, expected, got), UnknownAttester(ax, ay),
    CommitmentMismatch(expected, got), AsOfNotLater(provenAsOf, got), InvalidProof().
    """
    data = encode_submit(proof, public)
    gas = gas or SUBMIT_GAS_BASE + SUBMIT_GAS_PER_INPUT * len(public)
    return chain.send(registry, data, gas=gas, action="submit")


def is_solvent(chain: Chain, registry: str, account: str) -> bool:
    return bool(read(chain, registry, "isSolvent", to_checksum_address(account)))


def solvency_of(chain: Chain, registry: str, account: str) -> dict:
    """What `account`'s accepted proof established (zeros if it has none)."""
    epoch, valid_until, ax, ay, commitment, version, as_of = read(
        chain, registry, "solvencyOf", to_checksum_address(account))
    return {"epoch": epoch, "valid_until": valid_until, "attester_ax": ax,
            "attester_ay": ay, "commitment": commitment, "policy_version": version,
            "as_of": as_of}


def status(chain: Chain, registry: str, account: str) -> dict:
    """Solvency of `account` with what it was proven under, and the registry's state."""
    account = to_checksum_address(account)
    epoch = int(read(chain, registry, "currentEpoch"))
    _, _, valid_until, _ = read(chain, registry, "snapshot", epoch)
    version = int(read(chain, registry, "policyVersion"))
    haircuts, ratio = read(chain, registry, "policy", version)
    grace, max_validity, max_age = read(chain, registry, "freshness")
    mode = int(read(chain, registry, "mode"))
    return {
        "account": account,
        "solvent": is_solvent(chain, registry, account),
        "proven": solvency_of(chain, registry, account),
        "mode": "attested" if mode == ATTESTED else "registered",
        "current_epoch": epoch,
        "prices_valid_until": int(valid_until),
        "policy_version": version,
        "min_ratio_bps": int(ratio),
        "haircuts_bps": [int(h) for h in haircuts],
        "grace": int(grace), "max_validity": int(max_validity),
        "max_attestation_age": int(max_age),
        "verifier": read(chain, registry, "verifier"),
        "key_id": "0x" + bytes(read(chain, registry, "keyId")).hex(),
        "block_timestamp": chain.timestamp(),
    }
