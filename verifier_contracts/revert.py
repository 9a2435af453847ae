"""Decode revert data into a custom error's name and arguments."""
from __future__ import annotations

from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_utils import keccak

from verifier_contracts.artifacts import CONTRACTS, load_artifact
from zk.errors import EXIT_CLAIM, ChainError

#: Errors raised from the verifier's assembly (not in any compiled ABI).
VERIFIER_ERRORS = ("PrecompileFailed(uint256)", "BadCalldataLength(uint256,uint256)",
                   "UnknownSelector(bytes4)")
_BUILTIN = ("Error(string)", "Panic(uint256)")
PRECOMPILES = {6: "ecAdd", 7: "ecMul", 8: "ecPairing"}
#: Reverts that mean the claim itself does not hold (exit 1); any other revert is exit 3.
CLAIM_ERRORS = frozenset({"InvalidProof"})


class ContractRevert(ChainError):
    """A call or transaction reverted; `.name` and `.args_` hold the decoded custom error."""

    def __init__(self, action: str, name: str | None, args: tuple = (), data: bytes = b""):
        self.action, self.name, self.args_, self.data = action, name, tuple(args), data
        if name in CLAIM_ERRORS:
            self.exit_code = EXIT_CLAIM
        if name is None:
            detail = f"reverted without a known error (data 0x{data.hex()[:80]})"
        else:
            shown = ", ".join(_show(a) for a in self.args_)
            detail = f"reverted with {name}({shown})"
        super().__init__(f"{action}: {detail}")


def _show(a) -> str:
    return "0x" + a.hex() if isinstance(a, bytes) else str(a)


def _split(signature: str) -> tuple[str, list[str]]:
    name, rest = signature.split("(", 1)
    inner = rest[:-1]
    return name, [t for t in inner.split(",") if t]


@lru_cache(maxsize=1)
def error_table() -> dict[bytes, tuple[str, list[str]]]:
    """selector -> (name, argument types) for every error our contracts can raise."""
    sigs = list(VERIFIER_ERRORS + _BUILTIN)
    for contract in CONTRACTS:
        for item in load_artifact(contract)["abi"]:
            if item.get("type") == "error":
                types = ",".join(i["type"] for i in item["inputs"])
                sigs.append(f"{item['name']}({types})")
    return {keccak(text=s)[:4]: _split(s) for s in sigs}


def decode_revert(data: bytes) -> tuple[str | None, tuple]:
    """(name, args) of revert data; (None, ()) if empty or unknown."""
    if len(data) < 4:
        return None, ()
    entry = error_table().get(bytes(data[:4]))
    if entry is None:
        return None, ()
    name, types = entry
    try:
        return name, tuple(abi_decode(types, bytes(data[4:])))
    except Exception:  # noqa: BLE001 - malformed args: keep the name
        return name, ()
