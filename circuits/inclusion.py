"""The ledger's Merkle sum tree off-circuit and per-user inclusion proofs.

User id hash: the UTF-8 bytes of the id (1..465 bytes) split into 31-byte big-endian
chunks; id_hash = Poseidon(byte length, chunk_1, ...). Leaf and node hashes are those of
:mod:`zk.std.merkle_sum`. An inclusion proof gives a user their own leaf data (id, salt,
balances, index) and, per level, the sibling's hash and sums: nothing else about other
users. The user recomputes the root and its sums and compares them with the public
inputs of the reserves proof (root, liabilities).
"""
from __future__ import annotations

from typing import Any, Sequence

from zk.errors import MalformedInput
from zk.field import R
from zk.std import merkle_sum
from zk.std.merkle_sum import SumNode
from zk.std.poseidon import poseidon_hash

FORMAT = "zk-solvency/inclusion-proof/v1"
MAX_ID_BYTES = 31 * 15
MAX_DECIMALS = 63           # the reserves file's decimals are 6-bit integers


def user_id_hash(user_id: str) -> int:
    """Field element identifying a user: Poseidon(len, 31-byte chunks of UTF-8 id)."""
    if not isinstance(user_id, str):
        raise MalformedInput("user id must be a string")
    try:
        data = user_id.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput("user id is not valid Unicode text (it contains a lone "
                             "surrogate)") from None
    if not 1 <= len(data) <= MAX_ID_BYTES:
        raise MalformedInput(f"user id must be 1..{MAX_ID_BYTES} bytes of UTF-8")
    chunks = [int.from_bytes(data[i:i + 31], "big") for i in range(0, len(data), 31)]
    return poseidon_hash([len(data), *chunks])


def inclusion_proof(levels: list[list[SumNode]], index: int, user_id: str, salt: int,
                    assets: Sequence[str], decimals: Sequence[int], sum_bits: int) -> dict:
    """The JSON inclusion proof of the user at leaf ``index`` (contains their salt)."""
    leaf = levels[0][index]
    root = levels[-1][0]
    return {
        "format": FORMAT, "user_id": user_id, "salt": str(salt), "index": index,
        "assets": list(assets), "decimals": list(decimals),
        "balances": [str(b) for b in leaf.sums], "sum_bits": sum_bits,
        "siblings": [{"hash": str(s.hash), "sums": [str(v) for v in s.sums]}
                     for s in merkle_sum.sibling_path(levels, index)],
        "root": str(root.hash), "liabilities": [str(v) for v in root.sums],
    }


def _num(obj: Any, where: str, bound: int = R) -> int:
    if not isinstance(obj, str) or not obj.isdigit() or not obj.isascii() or \
            (len(obj) > 1 and obj[0] == "0") or len(obj) > 78:
        raise MalformedInput(f"inclusion proof: {where} is not a canonical decimal string")
    v = int(obj)
    if v >= bound:
        raise MalformedInput(f"inclusion proof: {where} is out of range")
    return v


def _list(obj: Any, where: str, n: int | None = None) -> list:
    if not isinstance(obj, list) or (n is not None and len(obj) != n):
        raise MalformedInput(f"inclusion proof: {where} must be a list"
                             + (f" of {n} items" if n is not None else ""))
    return obj


def check_inclusion(proof: Any) -> SumNode:
    """Recompute the root (hash, sums) of an inclusion proof; MalformedInput if invalid.

    Refuses sums that are negative or reach 2^sum_bits at any level and any root or
    liabilities field that differs from the recomputed one.
    """
    keys = {"format", "user_id", "salt", "index", "assets", "decimals", "balances",
            "sum_bits", "siblings", "root", "liabilities"}
    if not isinstance(proof, dict) or set(proof) != keys or proof["format"] != FORMAT:
        raise MalformedInput(f"inclusion proof: expected a {FORMAT} object")
    assets = _list(proof["assets"], "assets")
    n = len(assets)
    if not 1 <= n <= merkle_sum.MAX_ASSETS or len(set(map(repr, assets))) != n or not all(
            isinstance(a, str) and 1 <= len(a) <= 32 for a in assets):
        raise MalformedInput(f"inclusion proof: assets must be 1..{merkle_sum.MAX_ASSETS} "
                             "distinct names of 1..32 characters")
    for i, d in enumerate(_list(proof["decimals"], "decimals", n)):
        if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= MAX_DECIMALS:
            raise MalformedInput(f"inclusion proof: decimals[{i}] must be an integer in "
                                 f"0..{MAX_DECIMALS}")
    sum_bits = proof["sum_bits"]
    if not isinstance(sum_bits, int) or isinstance(sum_bits, bool) or not 1 <= sum_bits <= 252:
        raise MalformedInput("inclusion proof: sum_bits must be an integer in 1..252")
    balances = [_num(v, f"balances[{i}]", 1 << sum_bits)
                for i, v in enumerate(_list(proof["balances"], "balances", n))]
    sibs = []
    for k, s in enumerate(_list(proof["siblings"], "siblings")):
        if not isinstance(s, dict) or set(s) != {"hash", "sums"}:
            raise MalformedInput(f"inclusion proof: siblings[{k}] must be {{hash, sums}}")
        sums = [_num(v, f"siblings[{k}].sums", 1 << sum_bits)
                for v in _list(s["sums"], f"siblings[{k}].sums", n)]
        sibs.append(SumNode(_num(s["hash"], f"siblings[{k}].hash"), tuple(sums)))
    index = proof["index"]
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise MalformedInput("inclusion proof: index must be a non-negative integer")
    leaf = merkle_sum.leaf(user_id_hash(proof["user_id"]), _num(proof["salt"], "salt"),
                           balances)
    root = merkle_sum.root_from_path(leaf, index, sibs, sum_bits)
    if root.hash != _num(proof["root"], "root") or list(root.sums) != \
            [_num(v, "liabilities") for v in _list(proof["liabilities"], "liabilities", n)]:
        raise MalformedInput("inclusion proof: the path does not lead to the stated root "
                             "and liabilities")
    return root
