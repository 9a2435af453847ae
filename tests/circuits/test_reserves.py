"""ProofOfReserves and inclusion proofs: the canned attack suite."""
from __future__ import annotations

import copy

import pytest

from circuits.inclusion import check_inclusion, inclusion_proof, user_id_hash
from circuits.reserves import ProofOfReserves
from zk import compile_circuit
from zk.errors import CircuitDefinitionError, MalformedInput
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


# --- inclusion proofs ----------------------------------------------------------------------
def proof_for(index: int) -> dict:
    return inclusion_proof(tree(BALANCES), index, IDS[index], SALTS[index], ["BTC", "ETH"],
                           [8, 8], 64 + 2)


@pytest.mark.parametrize("index", range(3))
def test_inclusion_proof_valid(index):
    root = check_inclusion(proof_for(index))
    assert root == tree(BALANCES)[-1][0] and root.sums == (175, 37)


def test_inclusion_proof_altered_balance():
    p = proof_for(1)
    p["balances"][1] = "29"
    with pytest.raises(MalformedInput, match="does not lead"):
        check_inclusion(p)


def test_inclusion_proof_swapped_siblings():
    p = proof_for(2)
    p["siblings"] = p["siblings"][::-1]
    with pytest.raises(MalformedInput):
        check_inclusion(p)
    q = proof_for(2)
    q["index"] = 3                                          # claims to be a right child
    with pytest.raises(MalformedInput):
        check_inclusion(q)


def test_inclusion_proof_overflowing_sibling_sum():
    p = proof_for(0)
    p["siblings"][0]["sums"][0] = str(R - 100)
    with pytest.raises(MalformedInput):
        check_inclusion(p)


def test_inclusion_proof_other_user_or_salt():
    for key, value in (("user_id", "mallory"), ("salt", "12")):
        p = copy.deepcopy(proof_for(0))
        p[key] = value
        with pytest.raises(MalformedInput):
            check_inclusion(p)


def test_inclusion_proof_reveals_only_siblings():
    p = proof_for(0)
    assert set(p) == {"format", "user_id", "salt", "index", "assets", "decimals", "balances",
                      "sum_bits", "siblings", "root", "liabilities"}
    assert len(p["siblings"]) == 2 and all(set(s) == {"hash", "sums"} for s in p["siblings"])


@pytest.mark.parametrize("field,value", [("decimals", ["8", "18"]), ("decimals", [8]),
                                         ("decimals", [8, 64]), ("decimals", [True, 8]),
                                         ("assets", ["BTC", 7]), ("assets", ["BTC", "BTC"])])
def test_inclusion_proof_bad_assets_or_decimals(field, value):
    """A string or out-of-range decimals used to reach parse_decimal as a TypeError."""
    p = proof_for(0)
    p[field] = value
    with pytest.raises(MalformedInput, match=f"inclusion proof: {field}"):
        check_inclusion(p)
