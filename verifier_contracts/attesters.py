"""AttesterRegistry from Python: deploy, add and revoke attester keys, look them up.

An attester key is a Baby Jubjub point (Ax, Ay) (EdDSA-Poseidon, circomlib-compatible).
The contract checks that the point is on the curve and not the identity; `check_key`
here also refuses points of small order (which the contract cannot afford to check).
"""
from __future__ import annotations

from eth_utils import to_checksum_address

from verifier_contracts.abi import deploy_code, read_fn, role_id, send_fn
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState, deploy_step
from zk.errors import MalformedInput
from zk.field import R
from zk.std import babyjub as bj

CONTRACT = "AttesterRegistry"
#: Default delay (seconds) of the two-step transfer of the default admin role.
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600


def check_key(ax: int, ay: int) -> tuple[int, int]:
    """(ax, ay) if it is a Baby Jubjub point of large order; MalformedInput otherwise."""
    for v, name in ((ax, "Ax"), (ay, "Ay")):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"attester key: {name} is not a field element")
    if not bj.on_curve((ax, ay)):
        raise MalformedInput("attester key: (Ax, Ay) is not on Baby Jubjub")
    if bj.is_small_order((ax, ay)):
        raise MalformedInput("attester key: the point has small order (8 * A = identity)")
    return ax, ay


def deploy_attester_registry(chain: Chain, *, admin: str | None = None,
                             attester_admin: str | None = None,
                             admin_delay: int = DEFAULT_ADMIN_DELAY,
                             state: DeployState | None = None) -> str:
    """Deploy an AttesterRegistry; `admin` (default: the sender) holds the default admin
    role with a two-step transfer after `admin_delay` seconds, `attester_admin` (default:
    the admin) may add and revoke keys. Returns its address."""
    admin = to_checksum_address(admin or chain.address)
    code = deploy_code(CONTRACT, [admin_delay, admin,
                                  to_checksum_address(attester_admin or admin)])
    return deploy_step(chain, "attester_registry", code, state)


def add_attester(chain: Chain, registry: str, ax: int, ay: int) -> dict:
    """ATTESTER_ADMIN: allow the key (ax, ay); refuses small-order points before sending."""
    check_key(ax, ay)
    return send_fn(chain, CONTRACT, registry, "addAttester", ax, ay)


def revoke_attester(chain: Chain, registry: str, ax: int, ay: int) -> dict:
    """ATTESTER_ADMIN: revoke the key (ax, ay); every proof it stands behind stops counting."""
    return send_fn(chain, CONTRACT, registry, "revokeAttester", ax, ay)


def is_allowed(chain: Chain, registry: str, ax: int, ay: int) -> bool:
    return bool(read_fn(chain, CONTRACT, registry, "isAllowed", ax, ay))


def grant_attester_admin(chain: Chain, registry: str, account: str) -> dict:
    """Default admin: let `account` add and revoke attester keys."""
    return send_fn(chain, CONTRACT, registry, "grantRole", role_id("ATTESTER_ADMIN_ROLE"),
                   to_checksum_address(account))
