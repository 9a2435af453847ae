"""ProofOfReserves (the single-circuit proof kept as a library circuit): the canned attack
suite. Inclusion files are tested in test_inclusion_v3.py."""
from __future__ import annotations

import pytest

from circuits.inclusion import user_id_hash
from circuits.reserves import ProofOfReserves
from zk import compile_circuit
from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.std import merkle_sum
from zk.std.poseidon import poseidon_hash
from zk.testing import assert_unprovable

IDS = ["alice", "bob", "carol"]
BALANCES = [[150, 7], [0, 30], [25, 0]]
SALTS = [11, 22, 33]
CAP, K = 4, 2


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(ProofOfReserves(CAP, K))


def tree(balances):
    leaves = [merkle_sum.leaf(user_id_hash(u), s, b) for u, s, b in
              zip(IDS, SALTS, balances, strict=False)]
    leaves += [merkle_sum.zero_leaf(K)] * (CAP - len(leaves))
    return merkle_sum.build_levels(leaves)


def wrapped_root(balances) -> merkle_sum.SumNode:
    """The root an attacker computes with field (wrapping) arithmetic."""
    level = [merkle_sum.leaf(user_id_hash(u), s, b) for u, s, b in
              zip(IDS, SALTS, balances, strict=False)]
    level += [merkle_sum.zero_leaf(K)] * (CAP - len(level))
    while len(level) > 1:
        nxt = []
        for left, right in zip(level[0::2], level[1::2], strict=False):
            h = poseidon_hash([left.hash, *left.sums, right.hash, *right.sums])
            nxt.append(merkle_sum.SumNode(h, tuple((a + b) % R for a, b in
                                                   zip(left.sums, right.sums, strict=False))))
        level = nxt
    return level[0]


def make(balances=BALANCES, reserves=None, ratio=10000, liabilities=None) -> dict:
    """Inputs with root and liabilities computed from the (possibly wrapped) balances."""
    wrapped = [[b % R for b in row] for row in balances]
    root = wrapped_root(wrapped)
    liab = [s % R for s in root.sums] if liabilities is None else liabilities
    return {"root": root.hash, "liabilities": liab,
            "reserves": list(reserves) if reserves else [s % R for s in root.sums],
            "min_ratio_bps": ratio,
            "id_hashes": [user_id_hash(u) for u in IDS] + [0],
            "salts": SALTS + [0], "balances": wrapped + [[0] * K]}


def test_public_input_order(cs):
    assert cs.public_names == ["root", "liabilities[0]", "liabilities[1]", "reserves[0]",
                               "reserves[1]", "min_ratio_bps"]


def test_constraint_estimate_matches_compiled(cs):
    assert cs.num_constraints == ProofOfReserves.estimate_constraints(CAP, K)


def test_exact_coverage_passes_one_unit_short_fails(cs, forge, failure):
    cs.solve(make())                                         # reserves == liabilities
    assert_unprovable(cs, make(reserves=[174, 37]), "coverage/assert_le")
    cs.solve(make(reserves=[350, 74], ratio=20000))          # 200 % exactly
    assert_unprovable(cs, make(reserves=[350, 73], ratio=20000), "coverage/assert_le")


def test_negative_balance_hides_liabilities(cs, forge, failure):
    """bob's -100 (r - 100) would cut the BTC total from 175 to 75."""
    bad = [[150, 7], [R - 100, 30], [25, 0]]
    assert_unprovable(cs, make(bad, reserves=[75, 37]), "leaves/leaf/range_check")


def test_balance_at_bound(cs, forge, failure):
    bad = [[2**64, 7], [0, 30], [25, 0]]
    assert_unprovable(cs, make(bad, reserves=[2**65, 37]), "leaves/leaf/range_check")


def test_understated_liabilities(cs, forge, failure):
    assert_unprovable(cs, make(liabilities=[174, 37], reserves=[174, 37]),
             "root/assert_equal")


def test_root_of_another_ledger(cs, forge, failure):
    inputs = make()
    inputs["balances"] = [[150, 7], [0, 30], [24, 0], [0, 0]]   # carol's balance altered
    assert_unprovable(cs, inputs, "root/assert_equal")


def test_swapped_leaves(cs, forge, failure):
    inputs = make()
    for key in ("id_hashes", "salts", "balances"):
        inputs[key][0], inputs[key][1] = inputs[key][1], inputs[key][0]
    assert_unprovable(cs, inputs, "root/assert_equal")


def test_dummy_user_cannot_net_assets(cs, forge, failure):
    """Plenty of asset 0 does not make up for a shortfall in asset 1 (per-asset totals)."""
    assert_unprovable(cs, make(reserves=[10**6, 36]), "coverage/assert_le")


def test_build_time_checks():
    with pytest.raises(CircuitDefinitionError):
        ProofOfReserves(6, 2)
    with pytest.raises(CircuitDefinitionError):
        ProofOfReserves(4, 8)
    with pytest.raises(CircuitDefinitionError):
        ProofOfReserves(4, 1, balance_bits=240)
    assert ProofOfReserves(2**14, 4).compare_bits <= 252
