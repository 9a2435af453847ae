"""Poseidon Merkle trees: binary trees (builder, paths, inclusion gadget) and mixed-arity
trees (arity-8 levels under one smaller top level; builder, paths, root gadget).

node = Poseidon(left, right) (circomlib Poseidon(2)); the path of leaf ``index`` lists
siblings from the leaf level up, and bit k of ``index`` (little-endian) says whether the
node at level k is a right child (1) or a left child (0). Trees have a power-of-two
number of leaves; ``pad_leaves`` pads with a caller-chosen zero leaf.

Mixed-arity trees over 2^bits leaves have the levels ``tree_arities(bits)`` (leaf level
first): ``bits // 3`` levels of arity 8, then one level of arity 2^(bits % 3) if that is
not 1. A node over children c_0..c_{a-1} is Poseidon(c_0, ..., c_{a-1}). The node's
position at level j is the mixed-radix digit ``(index // prod(arities[:j])) % arities[j]``
and a path lists, per level, the a - 1 sibling hashes in child order, the node left out.
"""
from __future__ import annotations

from math import prod
from typing import Callable, Sequence

from zk.errors import MalformedInput
from zk.frontend.variable import Operand, Var
from zk.std.poseidon import poseidon, poseidon_hash


def pad_leaves(leaves: Sequence[int], zero_leaf: int = 0) -> list[int]:
    """Leaves padded with zero_leaf to the next power of two (at least 2)."""
    n = max(2, 1 << (max(len(leaves), 1) - 1).bit_length())
    return list(leaves) + [zero_leaf] * (n - len(leaves))


def tree_levels(leaves: Sequence[int]) -> list[list[int]]:
    """All levels, leaves first, root last (a one-element list)."""
    n = len(leaves)
    if n < 2 or n & (n - 1):
        raise MalformedInput(f"a Merkle tree needs a power-of-two number of leaves, got {n}")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        cur = levels[-1]
        levels.append([poseidon_hash([cur[i], cur[i + 1]]) for i in range(0, len(cur), 2)])
    return levels


def merkle_root(leaves: Sequence[int]) -> int:
    """Root of the Poseidon tree over a power-of-two list of leaves."""
    return tree_levels(leaves)[-1][0]


def merkle_path(levels: list[list[int]], index: int) -> list[int]:
    """Siblings of leaf ``index`` from the leaf level up."""
    if not 0 <= index < len(levels[0]):
        raise MalformedInput(f"leaf index {index} outside the tree")
    return [level[(index >> k) ^ 1] for k, level in enumerate(levels[:-1])]


def root_from_path(leaf: int, index: int, siblings: Sequence[int]) -> int:
    """Recompute the root from a leaf, its index and its siblings (plain Python)."""
    if not 0 <= index < 1 << len(siblings):
        raise MalformedInput("leaf index does not fit the path length")
    cur = leaf
    for k, sib in enumerate(siblings):
        pair = [sib, cur] if (index >> k) & 1 else [cur, sib]
        cur = poseidon_hash(pair)
    return cur


def swap_if(api, bit: Operand, a: Operand, b: Operand) -> tuple[Var, Var]:
    """(b, a) if bit else (a, b). Costs 1 constraint. Sound only if bit is boolean."""
    d = api.mul(bit, api.constant(0) + b - a, "merkle/swap")
    return api.constant(0) + a + d, api.constant(0) + b - d


def root_from_path_gadget(api, leaf: Operand, index_bits: Sequence[Operand],
                          siblings: Sequence[Operand]) -> Var:
    """Root recomputed from leaf, index bits (constrained boolean here) and siblings.

    Costs depth * (2 + 240) constraints (1 booleanity, 1 swap, Poseidon(2) per level).
    Sound: index bits are forced boolean; siblings may be any field elements.
    """
    if len(index_bits) != len(siblings):
        raise MalformedInput("index_bits and siblings must have the same length")
    cur = api.constant(0) + leaf
    with api.scope("merkle"):
        for bit, sib in zip(index_bits, siblings, strict=False):
            api.assert_bool(bit)
            left, right = swap_if(api, bit, cur, sib)
            cur = poseidon(api, left, right)
    return cur


def assert_inclusion(api, leaf: Operand, index_bits: Sequence[Operand],
                     siblings: Sequence[Operand], root: Operand) -> None:
    """Constrain that leaf sits at index in the tree with this root.

    Costs depth * 242 + 1 constraints. Sound under Poseidon collision resistance.
    """
    computed = root_from_path_gadget(api, leaf, index_bits, siblings)
    api.assert_equal(computed, root, "merkle/root")


# --- mixed-arity trees ------------------------------------------------------------------
MAX_ARITY = 8


def tree_arities(bits: int) -> list[int]:
    """Arities of the levels of a tree over 2^bits leaves, leaf level first:
    2^10 -> [8, 8, 8, 2], 2^4 -> [8, 2], 2^3 -> [8], 2^1 -> [2], 2^0 -> []."""
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 0:
        raise MalformedInput(f"tree bits must be a non-negative integer, got {bits!r}")
    return [MAX_ARITY] * (bits // 3) + ([1 << (bits % 3)] if bits % 3 else [])


def positions(index: int, arities: Sequence[int]) -> list[int]:
    """The node's position among its siblings at each level (mixed-radix digits)."""
    if not 0 <= index < prod(arities):
        raise MalformedInput(f"leaf index {index} outside a tree of {prod(arities)} leaves")
    out = []
    for a in arities:
        index, pos = divmod(index, a)
        out.append(pos)
    return out


HashRows = Callable[[int, list[int]], list[int]]


def _hash_rows(arity: int, level: list[int]) -> list[int]:
    return [poseidon_hash(level[i:i + arity]) for i in range(0, len(level), arity)]


def mixed_levels(leaves: Sequence[int], arities: Sequence[int],
                 hash_rows: HashRows = _hash_rows) -> list[list[int]]:
    """All levels of the mixed-arity tree, leaves first, root last (one element).
    ``hash_rows(a, level)`` hashes consecutive groups of a (e.g. natively)."""
    if len(leaves) != prod(arities):
        raise MalformedInput(f"a tree of arities {list(arities)} has {prod(arities)} "
                             f"leaves, got {len(leaves)}")
    levels = [list(leaves)]
    for a in arities:
        levels.append(hash_rows(a, levels[-1]))
    return levels


def mixed_path(levels: list[list[int]], index: int,
               arities: Sequence[int]) -> list[list[int]]:
    """Per level (leaf level first), the siblings of the node over leaf ``index``."""
    out = []
    for level, a, pos in zip(levels, arities, positions(index, arities), strict=False):
        start = index - pos
        out.append(level[start:index] + level[index + 1:start + a])
        index //= a
    return out


def root_from_mixed_path(leaf: int, index: int, path: Sequence[Sequence[int]],
                         arities: Sequence[int]) -> int:
    """Recompute the root from a leaf, its index and its per-level siblings."""
    if len(path) != len(arities) or any(len(s) != a - 1 for s, a in zip(path, arities,
                                                                         strict=False)):
        raise MalformedInput(f"malformed path: expected levels of {[a - 1 for a in arities]} "
                             f"siblings, got {[len(s) for s in path]}")
    cur = leaf
    for sibs, pos in zip(path, positions(index, arities), strict=True):
        cur = poseidon_hash([*sibs[:pos], cur, *sibs[pos:]])
    return cur


def mixed_root_gadget(api, leaves: Sequence[Operand], arities: Sequence[int],
                      keep: str | None = None) -> Operand:
    """Root of the mixed-arity tree over ``leaves`` (positions are fixed, so no index
    bits): one Poseidon(a) per node; ``keep`` puts every node on a wire with that label
    (1 constraint each) so the witness holds the tree."""
    level = list(leaves)
    if len(level) != prod(arities):
        raise MalformedInput(f"a tree of arities {list(arities)} has {prod(arities)} leaves")
    for a in arities:
        level = [poseidon(api, *level[i:i + a]) for i in range(0, len(level), a)]
        if keep:
            level = [api.as_wire(h, keep) for h in level]
    return level[0]
