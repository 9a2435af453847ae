"""ABI calls to the shipped contracts by function name (types read from the artifacts)."""
from __future__ import annotations

from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak

from verifier_contracts.artifacts import creation_code, load_artifact
from verifier_contracts.chain import Chain
from zk.errors import MalformedInput, WrongContract


def abi_type(param: dict) -> str:
    """Canonical ABI type of a parameter, tuples spelled out: `(uint256,address)[]`."""
    t = param["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in param["components"]) + ")" + t[5:]
    return t


@lru_cache(maxsize=None)
def _item(contract: str, kind: str, name: str | None) -> dict:
    for item in load_artifact(contract)["abi"]:
        if item.get("type") == kind and (name is None or item.get("name") == name):
            return item
    raise MalformedInput(f"{contract} has no {kind} {name or ''}".rstrip())


def encode_fn(contract: str, name: str, args: list) -> bytes:
    """Calldata for `contract.name(args)`."""
    types = [abi_type(p) for p in _item(contract, "function", name)["inputs"]]
    return keccak(text=f"{name}({','.join(types)})")[:4] + abi_encode(types, args)


def read_fn(chain: Chain, contract: str, address: str, name: str, *args):
    """Call a view function; a single output is returned unwrapped."""
    outs = [abi_type(p) for p in _item(contract, "function", name)["outputs"]]
    raw = chain.call(address, encode_fn(contract, name, list(args)), action=f"read {name}")
    try:
        out = abi_decode(outs, raw)
    except Exception:  # noqa: BLE001 - no code, or another contract's answer
        raise WrongContract(f"{address}: {name}() answered {len(raw)} bytes, not what "
                            f"{contract}.{name} returns (is it a {contract}?)") from None
    return out[0] if len(out) == 1 else out


def send_fn(chain: Chain, contract: str, address: str, name: str, *args,
            gas: int | None = None) -> dict:
    """Send `contract.name(args)` from chain's account; returns the receipt."""
    return chain.send(address, encode_fn(contract, name, list(args)), gas=gas, action=name)


def deploy_code(contract: str, args: list) -> bytes:
    """Creation code of a shipped contract with its ABI-encoded constructor arguments."""
    types = [abi_type(p) for p in _item(contract, "constructor", None)["inputs"]]
    return creation_code(contract) + abi_encode(types, args)


def role_id(name: str) -> bytes:
    """bytes32 of an AccessControl role: zero for DEFAULT_ADMIN_ROLE, else keccak(name)."""
    return bytes(32) if name == "DEFAULT_ADMIN_ROLE" else keccak(text=name)
