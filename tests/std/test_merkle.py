"""Poseidon Merkle trees and Merkle sum trees: plain Python and gadgets, with attacks."""
from __future__ import annotations

import pytest

from zk import Circuit, Param, Private, Public, compile_circuit
from zk.errors import CircuitDefinitionError, MalformedInput, UnsatisfiedConstraint
from zk.field import R
from zk.std import merkle, merkle_sum
from zk.std.merkle_sum import SumNode
from zk.std.poseidon import poseidon_hash

DEPTH = Param("depth")

LEAVES = [poseidon_hash([i]) for i in range(8)]


class _Inclusion(Circuit):
    root: Public
    leaf: Private
    bits: Private[DEPTH]
    siblings: Private[DEPTH]

    def __init__(self, depth: int = 3):
        super().__init__(depth=depth)

    def define(self, api):
        merkle.assert_inclusion(api, self.leaf, self.bits, self.siblings, self.root)


def _inputs(index: int) -> dict:
    levels = merkle.tree_levels(LEAVES)
    return {"root": levels[-1][0], "leaf": LEAVES[index],
            "bits": [(index >> k) & 1 for k in range(3)],
            "siblings": merkle.merkle_path(levels, index)}


def test_plain_paths_recompute_root():
    levels = merkle.tree_levels(LEAVES)
    for i in range(8):
        path = merkle.merkle_path(levels, i)
        assert merkle.root_from_path(LEAVES[i], i, path) == merkle.merkle_root(LEAVES)
    assert merkle.pad_leaves([1, 2, 3]) == [1, 2, 3, 0]
    with pytest.raises(MalformedInput):
        merkle.tree_levels([1, 2, 3])


@pytest.mark.parametrize("index", [0, 5, 7])
def test_inclusion_gadget(index):
    cs = compile_circuit(_Inclusion())
    cs.solve(_inputs(index))


def test_swapped_siblings_rejected(forge, failure):
    cs = compile_circuit(_Inclusion())
    bad = _inputs(5)
    bad["siblings"] = bad["siblings"][::-1]
    with pytest.raises(UnsatisfiedConstraint):
        cs.solve(bad)
    assert failure(cs, forge(cs, bad)) == "merkle/root"
    flipped = _inputs(5)
    flipped["bits"] = [1 - b for b in flipped["bits"]]       # left/right swapped
    assert failure(cs, forge(cs, flipped)) == "merkle/root"
    levels = merkle.tree_levels(LEAVES)
    assert merkle.root_from_path(LEAVES[5], 5, merkle.merkle_path(levels, 5)[::-1]) \
        != levels[-1][0]


def test_non_boolean_index_bit_rejected(forge, failure):
    cs = compile_circuit(_Inclusion())
    bad = _inputs(1)
    bad["bits"][0] = 2
    assert failure(cs, forge(cs, bad)).startswith("merkle/assert_bool")


# --- Merkle sum trees --------------------------------------------------------------------
BAL = [(5, 0), (1, 2), (0, 7), (3, 3)]
SUM_BITS = 66


def _sum_tree():
    leaves = [merkle_sum.leaf(100 + i, 1000 + i, b) for i, b in enumerate(BAL)]
    return merkle_sum.build_levels(leaves)


class _SumPath(Circuit):
    root: Public
    totals: Public[2]
    id_hash: Private
    salt: Private
    balances: Private[2]
    bits: Private[2]
    sib_hashes: Private[2]
    sib_sums: Private[2, 2]

    def define(self, api):
        leaf = merkle_sum.leaf_gadget(api, self.id_hash, self.salt, self.balances, 64)
        sibs = list(zip(self.sib_hashes, self.sib_sums, strict=False))
        h, sums = merkle_sum.root_from_path_gadget(api, leaf, self.bits, sibs, SUM_BITS)
        api.assert_equal(h, self.root)
        for s, t in zip(sums, self.totals, strict=False):
            api.assert_equal(s, t)


def _path_inputs(index: int) -> dict:
    levels = _sum_tree()
    sibs = merkle_sum.sibling_path(levels, index)
    return {"root": levels[-1][0].hash, "totals": list(levels[-1][0].sums),
            "id_hash": 100 + index, "salt": 1000 + index, "balances": list(BAL[index]),
            "bits": [(index >> k) & 1 for k in range(2)],
            "sib_hashes": [s.hash for s in sibs], "sib_sums": [list(s.sums) for s in sibs]}


def test_sum_tree_plain():
    levels = _sum_tree()
    assert levels[-1][0].sums == (9, 12)
    for i in range(4):
        node = merkle_sum.root_from_path(levels[0][i], i, merkle_sum.sibling_path(levels, i),
                                         SUM_BITS)
        assert node == levels[-1][0]


@pytest.mark.parametrize("index", range(4))
def test_sum_path_gadget(index):
    compile_circuit(_SumPath()).solve(_path_inputs(index))


def test_sum_path_overflowing_sibling_sums_rejected(forge, failure):
    """A sibling sum of r - 5 would cancel the leaf's 5: every sum is range-checked."""
    cs = compile_circuit(_SumPath())
    bad = _path_inputs(0)
    bad["sib_sums"][0][0] = R - 5
    assert failure(cs, forge(cs, bad)).startswith("merkle_sum_path/range_check")
    with pytest.raises(MalformedInput):
        merkle_sum.root_from_path(SumNode(1, (5, 0)), 0,
                                  [SumNode(2, (R - 5, 0)), SumNode(3, (0, 0))], SUM_BITS)


def test_sum_path_parent_overflow_rejected(forge, failure):
    cs = compile_circuit(_SumPath())
    bad = _path_inputs(0)
    bad["sib_sums"][0][0] = (1 << SUM_BITS) - 1              # in range, but parent is not
    assert "range_check" in failure(cs, forge(cs, bad))


def test_negative_leaf_balance_rejected(forge, failure):
    cs = compile_circuit(_SumPath())
    bad = _path_inputs(1)
    bad["balances"][0] = R - 1
    with pytest.raises(UnsatisfiedConstraint):
        cs.solve(bad)
    assert failure(cs, forge(cs, bad)).startswith("leaf/range_check")


def test_sum_tree_swapped_siblings_rejected():
    levels = _sum_tree()
    sibs = merkle_sum.sibling_path(levels, 2)
    assert merkle_sum.root_from_path(levels[0][2], 2, sibs[::-1], SUM_BITS) != levels[-1][0]
    assert merkle_sum.root_from_path(levels[0][2], 3, sibs, SUM_BITS) != levels[-1][0]


def test_headroom_and_asset_limits():
    assert merkle_sum.check_headroom(64, 14) == 78
    with pytest.raises(CircuitDefinitionError):
        merkle_sum.check_headroom(250, 14)
    with pytest.raises(CircuitDefinitionError):
        merkle_sum.leaf(1, 2, [0] * 8)
