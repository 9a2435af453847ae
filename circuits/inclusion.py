"""Users' inclusion files (format v3, docs/reserves-format.md) and the user id hash.

User id hash: the UTF-8 bytes of the id (1..465 bytes) split into 31-byte big-endian
chunks; id_hash = Poseidon(byte length, chunk_1, ...). A v3 file gives a user their own
leaf data (id, salt, balances, batch and leaf index), the sibling HASHES of the batch
and top paths over the mixed-arity trees (per level, never another user's balances),
the asset list and the statement the root belongs to. v1 (Merkle-sum paths) and v2
(binary paths, unpacked leaves) are no longer produced or read.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from circuits.reserves_batch import (
    MAX_BATCH_BITS,
    asset_commitment,
    leaf_hash,
    merkle_path,
    user_commitment,
)
from zk.errors import MalformedInput
from zk.field import R
from zk.parse import canonical_int
from zk.std import merkle
from zk.std.poseidon import poseidon_hash

MAX_ID_BYTES = 31 * 15
BALANCE_BITS = 64
MAX_TOP_BITS = 16       # 2^16 batches (circuits.reserves_batch.MAX_BATCHES)


class InclusionRejected(MalformedInput):
    """A well-formed inclusion file that does not check out; the message is the reason."""


def user_id_hash(user_id: str) -> int:
    """Field element identifying a user: Poseidon(len, 31-byte chunks of UTF-8 id)."""
    data = user_id_bytes(user_id)
    chunks = [int.from_bytes(data[i:i + 31], "big") for i in range(0, len(data), 31)]
    return poseidon_hash([len(data), *chunks])


def user_id_bytes(user_id: str) -> bytes:
    """The UTF-8 bytes of a valid user id (1..MAX_ID_BYTES of them), else MalformedInput."""
    if not isinstance(user_id, str):
        raise MalformedInput("user id must be a string")
    try:
        data = user_id.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedInput("user id is not valid Unicode text (it contains a lone "
                             "surrogate)") from None
    if not 1 <= len(data) <= MAX_ID_BYTES:
        raise MalformedInput(f"user id must be 1..{MAX_ID_BYTES} bytes of UTF-8")
    return data


def _num(obj: Any, where: str, bound: int = R) -> int:
    """A canonical decimal string (zk.parse), < bound."""
    return canonical_int(obj, f"inclusion proof: {where}", bound, hex_ok=False,
                         int_ok=False)


def _list(obj: Any, where: str, n: int | None = None) -> list:
    if not isinstance(obj, list) or (n is not None and len(obj) != n):
        raise MalformedInput(f"inclusion proof: {where} must be a list"
                             + (f" of {n} items" if n is not None else ""))
    return obj


# --- v3: sharded mixed-arity trees (circuits.reserves_batch), per-level sibling lists -----
FORMAT_V3 = "zk-solvency/inclusion-proof/v3"
FILE_DOMAIN = b"zk-solvency/inclusion/v2"      # file names are unchanged since v2
_V3_KEYS = {"format", "user_id", "salt", "balances", "assets", "decimals", "batch_bits",
            "top_bits", "batch_index", "leaf_index", "batch_path", "top_path", "batch_root",
            "root", "asset_commitment", "statement"}
_STATEMENT_KEYS = {"chain_id", "registry", "exchange", "epoch", "key_id", "statement_hash"}
REASON_PATH = "balance/leaf does not match the path"
REASON_ASSETS = "asset labels or decimals differ from the committed asset list"
REASON_ROOT = "root is not the registered one"
REASON_COVERED = "not covered"
REASON_MALFORMED_PATH = "malformed path"


def inclusion_file_name(user_secret: bytes) -> str:
    """``hex(sha256(domain || user_secret))[:32].json``: only that user can find it."""
    if not isinstance(user_secret, bytes) or len(user_secret) != 32:
        raise MalformedInput("user secret must be 32 bytes")
    return hashlib.sha256(FILE_DOMAIN + user_secret).hexdigest()[:32] + ".json"


def inclusion_v3(user_id: str, salt: int, balances: Sequence[int], assets: Sequence[str],
                 decimals: Sequence[int], batch_index: int, leaf_index: int,
                 batch_levels: list[list[int]], top_levels: list[list[int]],
                 statement: dict) -> dict:
    """The v3 inclusion file of one user: their own leaf data and sibling HASHES only
    (``batch_levels``/``top_levels``: the mixed-arity trees, leaves first)."""
    return {
        "format": FORMAT_V3, "user_id": user_id, "salt": str(salt),
        "balances": [str(b) for b in balances], "assets": list(assets),
        "decimals": list(decimals),
        "batch_bits": len(batch_levels[0]).bit_length() - 1,
        "top_bits": len(top_levels[0]).bit_length() - 1,
        "batch_index": batch_index, "leaf_index": leaf_index,
        "batch_path": [[str(h) for h in level]
                       for level in merkle_path(batch_levels, leaf_index)],
        "top_path": [[str(h) for h in level] for level in merkle_path(top_levels, batch_index)],
        "batch_root": str(batch_levels[-1][0]), "root": str(top_levels[-1][0]),
        "asset_commitment": str(_commitment(assets, decimals)),
        "statement": dict(statement),
    }


def _commitment(assets: Sequence[str], decimals: Sequence[int]) -> int:
    """asset_commitment, computed once per asset list when writing many files (only
    plain str names and int decimals are looked up: 8.0 == 8 and True == 1)."""
    assets, decimals = tuple(assets), tuple(decimals)
    if all(type(a) is str for a in assets) and all(type(d) is int for d in decimals):
        return _cached_commitment(assets, decimals)
    return asset_commitment(assets, decimals)


@lru_cache(maxsize=16)
def _cached_commitment(assets: tuple[str, ...], decimals: tuple[int, ...]) -> int:
    return asset_commitment(assets, decimals)


@dataclass(frozen=True)
class InclusionV3:
    """A parsed v3 file whose leaf leads to its stated batch root and root."""

    user_id: str
    balances: tuple[int, ...]
    assets: tuple[str, ...]
    decimals: tuple[int, ...]
    batch_index: int
    root: int
    asset_commitment: int       # recomputed from assets + decimals
    stated_commitment: int      # what the file says
    statement: dict


def _hex(obj: Any, where: str, nbytes: int) -> str:
    if not isinstance(obj, str) or len(obj) != 2 + 2 * nbytes or obj[:2] != "0x" or \
            any(c not in "0123456789abcdefABCDEF" for c in obj[2:]):
        raise MalformedInput(f"inclusion proof: {where} must be 0x and {2 * nbytes} hex "
                             "digits")
    return obj


def _statement(obj: Any) -> dict:
    if not isinstance(obj, dict) or set(obj) != _STATEMENT_KEYS:
        raise MalformedInput("inclusion proof: statement must have exactly "
                             + ", ".join(sorted(_STATEMENT_KEYS)))
    return {"chain_id": _num(obj["chain_id"], "statement.chain_id", 1 << 64),
            "registry": _hex(obj["registry"], "statement.registry", 20),
            "exchange": _hex(obj["exchange"], "statement.exchange", 20),
            "epoch": _num(obj["epoch"], "statement.epoch", 1 << 64),
            "key_id": _hex(obj["key_id"], "statement.key_id", 32),
            "statement_hash": _hex(obj["statement_hash"], "statement.statement_hash", 32)}


def _path(obj: Any, where: str, bits: int) -> list[list[int]]:
    """Per-level sibling hashes whose level count and lengths match tree_arities(bits),
    else MalformedInput naming :data:`REASON_MALFORMED_PATH`."""
    arities = merkle.tree_arities(bits)
    want = [a - 1 for a in arities]
    if not isinstance(obj, list) or len(obj) != len(arities) or \
            any(not isinstance(lv, list) or len(lv) != n for lv, n in zip(obj, want,
                                                                          strict=False)):
        got = [len(lv) if isinstance(lv, list) else "?" for lv in obj] \
            if isinstance(obj, list) else type(obj).__name__
        raise MalformedInput(f"inclusion proof: {where}: {REASON_MALFORMED_PATH}: levels of "
                             f"{want} sibling hashes expected for {2 ** bits} leaves, got {got}")
    return [[_num(v, f"{where}[{j}][{i}]") for i, v in enumerate(lv)]
            for j, lv in enumerate(obj)]


def _bits(obj: Any, where: str, low: int, high: int) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int) or not low <= obj <= high:
        raise MalformedInput(f"inclusion proof: {where}: {REASON_MALFORMED_PATH}: must be an "
                             f"integer in {low}..{high}")
    return obj


def _position(obj: Any, where: str, bits: int) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int) or not 0 <= obj < 1 << bits:
        raise MalformedInput(f"inclusion proof: {where}: {REASON_MALFORMED_PATH}: must be an "
                             f"integer in 0..{(1 << bits) - 1}")
    return obj


def parse_inclusion_v3(proof: Any) -> InclusionV3:
    """Parse a v3 file strictly and recompute leaf -> batch root -> root.

    MalformedInput for a malformed file (:data:`REASON_MALFORMED_PATH` for a path whose
    shape or index does not fit ``batch_bits``/``top_bits``); :data:`REASON_PATH` when the
    leaf does not lead through the paths to the stated batch root and root.
    """
    if not isinstance(proof, dict) or set(proof) != _V3_KEYS or \
            proof.get("format") != FORMAT_V3:
        raise MalformedInput(f"inclusion proof: expected a {FORMAT_V3} object with exactly "
                             + ", ".join(sorted(_V3_KEYS)))
    assets = _list(proof["assets"], "assets")
    n = len(assets)
    if not all(isinstance(a, str) for a in assets):
        raise MalformedInput("inclusion proof: assets must be names")
    decimals = _list(proof["decimals"], "decimals", n)
    commitment = asset_commitment(assets, decimals)     # validates names and decimals
    balances = [_num(v, f"balances[{i}]", 1 << BALANCE_BITS)
                for i, v in enumerate(_list(proof["balances"], "balances", n))]
    batch_bits = _bits(proof["batch_bits"], "batch_bits", 0, MAX_BATCH_BITS)
    top_bits = _bits(proof["top_bits"], "top_bits", 1, MAX_TOP_BITS)
    batch_path = _path(proof["batch_path"], "batch_path", batch_bits)
    top_path = _path(proof["top_path"], "top_path", top_bits)
    leaf_index = _position(proof["leaf_index"], "leaf_index", batch_bits)
    batch_index = _position(proof["batch_index"], "batch_index", top_bits)
    salt = _num(proof["salt"], "salt")
    leaf = leaf_hash(user_commitment(user_id_hash(proof["user_id"]), salt), balances,
                     BALANCE_BITS)
    batch_root = merkle.root_from_mixed_path(leaf, leaf_index, batch_path,
                                             merkle.tree_arities(batch_bits))
    root = merkle.root_from_mixed_path(batch_root, batch_index, top_path,
                                       merkle.tree_arities(top_bits))
    if batch_root != _num(proof["batch_root"], "batch_root") or \
            root != _num(proof["root"], "root"):
        raise InclusionRejected(REASON_PATH)
    return InclusionV3(proof["user_id"], tuple(balances), tuple(assets), tuple(decimals),
                       batch_index, root, commitment,
                       _num(proof["asset_commitment"], "asset_commitment"),
                       _statement(proof["statement"]))


def check_against(inc: InclusionV3, root: int, committed_assets: int,
                  covered: bool | None = None) -> tuple[bool, str]:
    """(included, reason) against the registered root and asset-list commitment (root 0:
    nothing is registered, so only the root reason applies)."""
    if root == 0:
        return False, REASON_ROOT
    if inc.asset_commitment != committed_assets or inc.stated_commitment != committed_assets:
        return False, REASON_ASSETS
    if inc.root != root:
        return False, REASON_ROOT
    if covered is False:
        return False, REASON_COVERED
    return True, "included"
