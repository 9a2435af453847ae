"""A batch's tree, hashed natively: id hashes, user commitments, leaves and the node levels
of the mixed-arity tree in a few backend calls (``Backend.poseidon_rows``, circomlib's
Poseidon; one call per level, 8 or 2^(b % 3) children per row) instead of one Python hash
each.

The values are exactly those of :mod:`circuits.reserves_batch` and
:func:`circuits.inclusion.user_id_hash` (tested against them and against circomlibjs):
the batch root and sums come from here without solving the batch circuit.
"""
from __future__ import annotations

from typing import Sequence

from circuits.inclusion import user_id_bytes
from circuits.reserves_batch import check_balances, pack_balances, padding_leaf
from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.std.merkle import mixed_levels, tree_arities
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


def user_commitments(ids: Sequence[int], salts: Sequence[int]) -> list[int]:
    """user_commitment of each user: Poseidon(id_hash, salt)."""
    return _rows(2, [[idh, salt] for idh, salt in zip(ids, salts, strict=True)])


def leaves(commitments: Sequence[int], balances: Sequence[Sequence[int]]) -> list[int]:
    """leaf_hash of each user: Poseidon(user_commitment, packed balances...), every
    balance checked to be in [0, 2^64) before packing."""
    rows = []
    for c, bal in zip(commitments, balances, strict=True):
        check_balances(bal, BALANCE_BITS)
        rows.append([c, *pack_balances(bal, BALANCE_BITS)])
    return _rows(len(rows[0]), rows) if rows else []


def _level(arity: int, level: list[int]) -> list[int]:
    """Poseidon of each group of ``arity`` consecutive nodes: one native call."""
    be = get_backend()
    return be.fr_unpack(poseidon_words(arity, be.fr_pack(level)))


def batch_levels(leaf_values: Sequence[int], batch_bits: int,
                 n_assets: int) -> list[list[int]]:
    """Levels of the batch tree, leaves (padded to 2^batch_bits) first, root last."""
    size = 1 << batch_bits
    if len(leaf_values) > size:
        raise MalformedInput(f"{len(leaf_values)} leaves do not fit a batch of {size}")
    level = list(leaf_values) + [padding_leaf(n_assets)] * (size - len(leaf_values))
    return mixed_levels(level, tree_arities(batch_bits), _level)


def batch_tree(ids: Sequence[str], salts: Sequence[int], balances: Sequence[Sequence[int]],
               batch_bits: int, n_assets: int) -> tuple[list[int], list[list[int]]]:
    """(user commitments, tree levels) of one batch."""
    if len(ids) == 0 or any(len(b) != n_assets for b in balances):
        raise MalformedInput(f"a batch has 1..2^{batch_bits} users of {n_assets} balances")
    commitments = user_commitments(id_hashes(ids), salts)
    return commitments, batch_levels(leaves(commitments, balances), batch_bits, n_assets)


def sums(balances: Sequence[Sequence[int]], n_assets: int) -> list[int]:
    """Per-asset sums of a batch."""
    return [sum(b[k] for b in balances) for k in range(n_assets)]
