"""Ledger ingest for the sharded proof: the asset list, streamed rows, batches of 2^b.

The asset list (public) is ``{"assets": [{"asset": "BTC", "decimals": 8}, ...]}``: asset
order is the leaf's column order, decimals the ledger's base units (balances < 2^64 of
them). The ledger (PRIVATE) is CSV ``user_id,<asset>...`` or JSON lines
``{"id", "balances": {asset: amount}}`` (or a small .json), read row by row: memory
is bounded by one batch, not the ledger. Duplicate user ids anywhere in the ledger are
caught with an on-disk SQLite index of SHA-256(user id). Errors name file, row, field.
"""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from circuits.inclusion import user_id_bytes
from circuits.reserves_batch import MAX_ASSETS, asset_commitment
from prover.inputs import (
    DuplicateUser,
    InputFileError,
    iter_ledger,
    parse_decimal,
    parse_int,
    read_object,
)
from zk.errors import MalformedInput

BALANCE_BITS = 64


@dataclass(frozen=True)
class AssetList:
    """Public: asset names in leaf order and their ledger decimals."""

    assets: tuple[str, ...]
    decimals: tuple[int, ...]

    def commitment(self) -> int:
        return asset_commitment(self.assets, self.decimals)

    def to_json(self) -> dict:
        return {"assets": [{"asset": a, "decimals": d}
                           for a, d in zip(self.assets, self.decimals, strict=True)]}


def load_assets(path: str | Path) -> AssetList:
    """Parse the public asset list file."""
    src = str(path)
    obj = read_object(path, {"assets"}, {"assets"})
    items = obj["assets"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ASSETS:
        raise InputFileError(src, "field 'assets'", f"expected 1..{MAX_ASSETS} assets")
    names, decs = [], []
    for i, it in enumerate(items):
        where = f"assets[{i}]"
        if not isinstance(it, dict) or set(it) != {"asset", "decimals"}:
            raise InputFileError(src, where, "expected fields asset, decimals")
        names.append(it["asset"])
        decs.append(parse_int(it["decimals"], src, f"{where}.decimals", bits=8))
    try:
        asset_commitment(names, decs)
    except MalformedInput as exc:
        raise InputFileError(src, "field 'assets'", str(exc)) from None
    return AssetList(tuple(names), tuple(decs))


@dataclass
class BatchRows:
    """PRIVATE: one batch of users in ledger order (at most 2^b)."""

    index: int
    ids: list[str]
    balances: list[tuple[int, ...]]

    def __repr__(self) -> str:
        return f"BatchRows(index={self.index}, {len(self.ids)} users, hidden)"


class UserIndex:
    """On-disk set of SHA-256(user id) -> first row, to refuse duplicates at any scale."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).unlink(missing_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE users (key BLOB PRIMARY KEY, row TEXT) WITHOUT ROWID")

    def add(self, user_id: str, where: str) -> str | None:
        """Record the user; return the row where it was first seen if it is a duplicate."""
        key = hashlib.sha256(user_id.encode("utf-8", "surrogatepass")).digest()
        try:
            self.db.execute("INSERT INTO users VALUES (?, ?)", (key, where))
            return None
        except sqlite3.IntegrityError:
            return self.db.execute("SELECT row FROM users WHERE key = ?",
                                   (key,)).fetchone()[0]

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def iter_users(path: str | Path, assets: AssetList,
               index_path: str | Path) -> Iterator[tuple[str, tuple[int, ...]]]:
    """(user id, balances in base units) per row, every row checked; duplicates raise."""
    src = str(path)
    index = UserIndex(index_path)
    try:
        for where, uid, row in iter_ledger(path, list(assets.assets)):
            if not isinstance(uid, str) or not uid or uid != uid.strip():
                raise InputFileError(src, f"{where} user_id", "must be a non-empty string "
                                                              "without surrounding spaces")
            try:
                user_id_bytes(uid)
            except MalformedInput as exc:
                raise InputFileError(src, f"{where} user_id", str(exc)) from None
            first = index.add(uid, where)
            if first is not None:
                raise DuplicateUser(src, f"{where} user_id",
                                    f"duplicate user (first seen at {first})")
            yield uid, tuple(
                parse_decimal(row.get(a, "0") or "0", d, src, f"{where} column '{a}'",
                              BALANCE_BITS)
                for a, d in zip(assets.assets, assets.decimals, strict=True))
    finally:
        index.close()


def count_users(path: str | Path, assets: AssetList, index_path: str | Path) -> int:
    """Validate the whole ledger (streamed) and return its number of users."""
    n = sum(1 for _ in iter_users(path, assets, index_path))
    if n == 0:
        raise InputFileError(str(path), "rows", "the ledger has no users")
    return n


def iter_batches(path: str | Path, assets: AssetList, batch_bits: int,
                 index_path: str | Path) -> Iterator[BatchRows]:
    """Consecutive batches of 2^batch_bits users (the last may be short)."""
    size = 1 << batch_bits
    batch = BatchRows(0, [], [])
    for uid, bal in iter_users(path, assets, index_path):
        batch.ids.append(uid)
        batch.balances.append(bal)
        if len(batch.ids) == size:
            yield batch
            batch = BatchRows(batch.index + 1, [], [])
    if batch.ids:
        yield batch
