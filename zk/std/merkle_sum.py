"""Merkle SUM trees over Poseidon: every node carries a hash and per-asset sums.

Design (one tree, k assets, power-of-two leaves, levels numbered from the leaves):

    leaf  = (Poseidon(id_hash, salt, b_1..b_k), (b_1..b_k))            k <= 14
    node  = (Poseidon(hL, sL_1..sL_k, hR, sR_1..sR_k), sL + sR)         k <= 7
    zero  = leaf with id_hash = salt = 0 and zero balances (padding)

A parent's hash commits to BOTH children's sums, so a sibling's sum shown to one user
is the same for every user (the Maxwell-Todd fix). Every sum is an integer below
2^sum_bits: in the whole-tree gadget this follows from range-checked leaves and the
static bound balance_bits + depth <= sum_bits (checked at build time); in the path
gadget every sibling and parent sum is range-checked, so no sum can wrap mod r.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from zk.errors import CircuitDefinitionError, MalformedInput
from zk.frontend.variable import Operand, Var
from zk.std.merkle import swap_if
from zk.std.poseidon import poseidon, poseidon_hash

MAX_ASSETS = 7
MAX_SUM_BITS = 252


@dataclass(frozen=True)
class SumNode:
    """A node of a Merkle sum tree (plain Python): hash and per-asset sums."""

    hash: int
    sums: tuple[int, ...]


def _check_assets(k: int) -> None:
    if not 1 <= k <= MAX_ASSETS:
        raise CircuitDefinitionError(f"a Merkle sum tree supports 1..{MAX_ASSETS} assets "
                                     f"(node = Poseidon of 2 + 2k inputs), got {k}")


def check_headroom(balance_bits: int, depth: int, sum_bits: int = MAX_SUM_BITS) -> int:
    """Bits every sum fits in (balance_bits + depth); raises if that exceeds sum_bits."""
    need = balance_bits + depth
    if need > min(sum_bits, MAX_SUM_BITS):
        raise CircuitDefinitionError(f"sums of 2^{depth} balances < 2^{balance_bits} need "
                                     f"{need} bits, more than {min(sum_bits, MAX_SUM_BITS)}")
    return need


# --- plain Python ---------------------------------------------------------------------
def leaf(id_hash: int, salt: int, balances: Sequence[int]) -> SumNode:
    """The leaf of one user."""
    _check_assets(len(balances))
    return SumNode(poseidon_hash([id_hash, salt, *balances]), tuple(balances))


def zero_leaf(n_assets: int) -> SumNode:
    """The padding leaf (id_hash = salt = 0, zero balances)."""
    return leaf(0, 0, [0] * n_assets)


def parent(left: SumNode, right: SumNode) -> SumNode:
    """The parent node of two children."""
    h = poseidon_hash([left.hash, *left.sums, right.hash, *right.sums])
    return SumNode(h, tuple(a + b for a, b in zip(left.sums, right.sums, strict=False)))


def build_levels(leaves: Sequence[SumNode],
                 on_node: Callable[[int], None] | None = None) -> list[list[SumNode]]:
    """All levels of the tree, leaves first; leaves must be a power of two (>= 2)."""
    n = len(leaves)
    if n < 2 or n & (n - 1):
        raise MalformedInput(f"a Merkle sum tree needs a power-of-two number of leaves, "
                             f"got {n}")
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        cur = levels[-1]
        nxt = []
        for i in range(0, len(cur), 2):
            nxt.append(parent(cur[i], cur[i + 1]))
            if on_node:
                on_node(1)
        levels.append(nxt)
    return levels


def sibling_path(levels: list[list[SumNode]], index: int) -> list[SumNode]:
    """Siblings of leaf ``index`` from the leaf level up."""
    if not 0 <= index < len(levels[0]):
        raise MalformedInput(f"leaf index {index} outside the tree")
    return [level[(index >> k) ^ 1] for k, level in enumerate(levels[:-1])]


def root_from_path(leaf_node: SumNode, index: int, siblings: Sequence[SumNode],
                   sum_bits: int) -> SumNode:
    """Recompute the root from a leaf and its siblings, refusing any sum >= 2^sum_bits."""
    if not 0 <= index < 1 << len(siblings):
        raise MalformedInput("leaf index does not fit the path length")
    cur = leaf_node
    for k, sib in enumerate(siblings):
        if len(sib.sums) != len(cur.sums):
            raise MalformedInput(f"sibling at level {k} has {len(sib.sums)} sums, "
                                 f"expected {len(cur.sums)}")
        for s in (*cur.sums, *sib.sums):
            if not 0 <= s < 1 << sum_bits:
                raise MalformedInput(f"a sum at level {k} is negative or >= 2^{sum_bits}")
        cur = parent(sib, cur) if (index >> k) & 1 else parent(cur, sib)
    if any(not 0 <= s < 1 << sum_bits for s in cur.sums):
        raise MalformedInput(f"a root sum is >= 2^{sum_bits}")
    return cur


# --- gadgets ----------------------------------------------------------------------------
def _wire(api, v: Var) -> Var:
    """v as a single wire. Costs 1 constraint unless v already is one."""
    if len(v.lc) == 1 and next(iter(v.lc.values())) == 1 and 0 not in v.lc:
        return v
    w = api.hint("sum", "copy", v)
    api.assert_equal(w, v, "merkle_sum/sum")
    return w


def leaf_gadget(api, id_hash: Operand, salt: Operand, balances: Sequence[Operand],
                balance_bits: int) -> tuple[Var, list[Var]]:
    """(hash, sums) of a user leaf; every balance is range-checked to balance_bits.

    Costs k * (balance_bits + 1) + poseidon(k + 2) constraints.
    Sound: balances are forced into [0, 2^balance_bits) (no negative r - x balances).
    """
    _check_assets(len(balances))
    with api.scope("leaf"):
        for b in balances:
            api.range_check(b, bits=balance_bits)
        h = poseidon(api, id_hash, salt, *balances)
    return h, [api.constant(0) + b for b in balances]


def parent_gadget(api, left: tuple[Var, list[Var]],
                  right: tuple[Var, list[Var]]) -> tuple[Var, list[Var]]:
    """(hash, sums) of a parent. Costs poseidon(2k + 2) + k constraints.

    Sound only if the children's sums are already bounded so that their sum is < r
    (see check_headroom / root_from_path_gadget).
    """
    (hl, sl), (hr, sr) = left, right
    h = poseidon(api, hl, *sl, hr, *sr)
    return h, [_wire(api, a + b) for a, b in zip(sl, sr, strict=False)]


def root_gadget(api, leaves: Sequence[tuple[Var, list[Var]]]) -> tuple[Var, list[Var]]:
    """(root hash, root sums) of the whole tree over a power-of-two list of leaf nodes.

    Costs (n - 1) * (poseidon(2k + 2) + k) constraints. Sound only if the leaf sums are
    range-checked (leaf_gadget) and check_headroom(balance_bits, depth) passed.
    """
    n = len(leaves)
    if n < 2 or n & (n - 1):
        raise CircuitDefinitionError(f"a sum tree needs a power-of-two leaf count, got {n}")
    level = list(leaves)
    with api.scope("merkle_sum"):
        while len(level) > 1:
            level = [parent_gadget(api, level[i], level[i + 1])
                     for i in range(0, len(level), 2)]
    return level[0]


def root_from_path_gadget(api, leaf_node: tuple[Var, list[Var]],
                          index_bits: Sequence[Operand],
                          siblings: Sequence[tuple[Operand, Sequence[Operand]]],
                          sum_bits: int) -> tuple[Var, list[Var]]:
    """Root (hash, sums) from a leaf, boolean index bits and (hash, sums) siblings.

    Every sibling sum and every parent sum is range-checked to sum_bits, so no sum can
    overflow. Costs per level 1 + (k + 1) + 2k * (sum_bits + 1) + poseidon(2k + 2).
    Sound only if the leaf sums are already < 2^sum_bits and sum_bits <= 252.
    """
    if sum_bits > MAX_SUM_BITS:
        raise CircuitDefinitionError(f"sum_bits={sum_bits} > {MAX_SUM_BITS}")
    cur_h, cur_s = leaf_node
    with api.scope("merkle_sum_path"):
        for bit, (sib_h, sib_s) in zip(index_bits, siblings, strict=True):
            api.assert_bool(bit)
            for s in sib_s:
                api.range_check(s, bits=sum_bits)
            left_h, right_h = swap_if(api, bit, cur_h, sib_h)
            pairs = [swap_if(api, bit, a, b) for a, b in zip(cur_s, sib_s, strict=True)]
            h = poseidon(api, left_h, *(p[0] for p in pairs), right_h, *(p[1] for p in pairs))
            sums = [api.constant(0) + a + b for a, b in zip(cur_s, sib_s, strict=False)]
            for s in sums:
                api.range_check(s, bits=sum_bits)
            cur_h, cur_s = h, sums
    return cur_h, cur_s
