"""Binary Poseidon Merkle trees: plain Python builder/paths and the inclusion gadget.

node = Poseidon(left, right) (circomlib Poseidon(2)); the path of leaf ``index`` lists
siblings from the leaf level up, and bit k of ``index`` (little-endian) says whether the
node at level k is a right child (1) or a left child (0). Trees have a power-of-two
number of leaves; ``pad_leaves`` pads with a caller-chosen zero leaf.
"""
from __future__ import annotations

from typing import Sequence

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
