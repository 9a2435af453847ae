"""A batch's tree, hashed natively: id hashes, leaves and node levels in a few backend
calls (``Backend.poseidon_rows``, circomlib's Poseidon) instead of one Python hash each.

The values are exactly those of :mod:`circuits.reserves_batch` and
:func:`circuits.inclusion.user_id_hash` (tested against them and against circomlibjs):
the batch root and sums come from here without solving the batch circuit.
"""
from __future__ import annotations

from typing import Sequence

from circuits.inclusion import user_id_bytes
from circuits.reserves_batch import padding_leaf
from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.std.poseidon_constants import params

BALANCE_BITS = 64


_TABLES: dict[int, tuple[bytes, bytes, int, int]] = {}


def _tables(n_inputs: int) -> tuple[bytes, bytes, int, int]:
    """Poseidon parameters of this arity as words, from zk.std.poseidon_constants."""
    if n_inputs not in _TABLES:
        constants, mds, r_f, r_p = params(n_inputs + 1)
        be = get_backend()
        _TABLES[n_inputs] = (be.fr_pack(list(constants)),
                             be.fr_pack([v for row in mds for v in row]), r_f, r_p)
    return _TABLES[n_inputs]


def poseidon_words(n_inputs: int, words: bytes) -> bytes:
    """Poseidon of each row of ``n_inputs`` 32-byte words, one word per row."""
    return get_backend().poseidon_rows(*_tables(n_inputs), words)


def _rows(n_inputs: int, rows: list[list[int]]) -> list[int]:
    """Poseidon of each row (all of ``n_inputs`` elements) on the current backend."""
    if not rows:
        return []
    be = get_backend()
    return be.fr_unpack(poseidon_words(n_inputs, be.fr_pack([v for r in rows for v in r])))


def id_hashes(user_ids: Sequence[str]) -> list[int]:
    """user_id_hash of each id: Poseidon(byte length, 31-byte big-endian chunks)."""
    rows: dict[int, list[list[int]]] = {}
    where: list[tuple[int, int]] = []
    for uid in user_ids:
        data = user_id_bytes(uid)
        row = [len(data), *(int.from_bytes(data[i:i + 31], "big")
                            for i in range(0, len(data), 31))]
        group = rows.setdefault(len(row), [])
        where.append((len(row), len(group)))
        group.append(row)
    hashed = {n: _rows(n, group) for n, group in rows.items()}
    return [hashed[n][i] for n, i in where]


def leaves(ids: Sequence[int], salts: Sequence[int],
           balances: Sequence[Sequence[int]]) -> list[int]:
    """leaf_hash of each user: Poseidon(id_hash, salt, balances...), balances < 2^64."""
    rows = []
    for idh, salt, bal in zip(ids, salts, balances, strict=True):
        for b in bal:
            if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < 1 << BALANCE_BITS:
                raise MalformedInput(f"balance {b!r} is outside [0, 2^{BALANCE_BITS})")
        rows.append([idh, salt, *bal])
    return _rows(2 + len(balances[0]), rows) if rows else []


def batch_levels(leaf_values: Sequence[int], batch_bits: int,
                 n_assets: int) -> list[list[int]]:
    """Levels of the batch tree, leaves (padded to 2^batch_bits) first, root last."""
    size = 1 << batch_bits
    if len(leaf_values) > size:
        raise MalformedInput(f"{len(leaf_values)} leaves do not fit a batch of {size}")
    level = list(leaf_values) + [padding_leaf(n_assets)] * (size - len(leaf_values))
    be = get_backend()
    levels = [level]
    words = be.fr_pack(level)
    while len(levels[-1]) > 1:
        words = poseidon_words(2, words)
        levels.append(be.fr_unpack(words))
    return levels


def batch_tree(ids: Sequence[str], salts: Sequence[int], balances: Sequence[Sequence[int]],
               batch_bits: int, n_assets: int) -> tuple[list[int], list[list[int]]]:
    """(id hashes, tree levels) of one batch."""
    if len(ids) == 0 or any(len(b) != n_assets for b in balances):
        raise MalformedInput(f"a batch has 1..2^{batch_bits} users of {n_assets} balances")
    idh = id_hashes(ids)
    return idh, batch_levels(leaves(idh, salts, balances), batch_bits, n_assets)


def sums(balances: Sequence[Sequence[int]], n_assets: int) -> list[int]:
    """Per-asset sums of a batch."""
    return [sum(b[k] for b in balances) for k in range(n_assets)]
