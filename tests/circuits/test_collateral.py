"""CollateralRatio: the canned attack suite (solver rejects AND a forced witness fails)."""
from __future__ import annotations

import pytest

from circuits.collateral import CollateralRatio
from zk import compile_circuit, groth16
from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.std.poseidon import poseidon_hash_many
from zk.testing import assert_unprovable

PROVER, CHAIN, REGISTRY = 0x70997970C51812DC3A010C7D01B50E0D17DC79C8, 31337, 0x5FBDB2
PUBLIC_ORDER = ["collateral_prices[0]", "collateral_prices[1]", "haircuts_bps[0]",
                "haircuts_bps[1]", "debt_prices[0]", "min_ratio_bps", "epoch", "prover",
                "chain_id", "registry", "commitment"]


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(CollateralRatio(2, 1, (18, 8), (6,)))


def make(amounts, debts, prices=(3000 * 10**8, 60000 * 10**8), haircuts=(2000, 1000),
         debt_prices=(10**8,), ratio=15000, salt=987654321, commit_to=None) -> dict:
    committed = commit_to or (list(amounts), list(debts))
    return {
        "collateral_prices": list(prices), "haircuts_bps": list(haircuts),
        "debt_prices": list(debt_prices), "min_ratio_bps": ratio, "epoch": 7,
        "prover": PROVER, "chain_id": CHAIN, "registry": REGISTRY,
        "commitment": poseidon_hash_many([*committed[0], *committed[1], salt]),
        "amounts": list(amounts), "debts": list(debts), "salt": salt,
    }


HEALTHY = make([10**18, 5 * 10**7], [1000 * 10**6])     # 1 ETH + 0.5 BTC vs 1000 USDC


def test_public_input_order(cs):
    assert cs.public_names == PUBLIC_ORDER
    assert cs.num_public == 11


def test_healthy_position_is_provable(cs):
    cs.solve(HEALTHY)


def test_negative_amount_r_minus_1(cs, forge, failure):
    assert_unprovable(cs, make([R - 1, 5 * 10**7], [10**6]), "ranges/range_check")


def test_amount_at_bound(cs, forge, failure):
    assert_unprovable(cs, make([2**96, 0], [10**6]), "ranges/range_check")
    cs.solve(make([2**96 - 1, 0], [10**6]))


def test_debt_hidden_as_negative_collateral(cs, forge, failure):
    """Move 20000 USDC-worth of debt into collateral slot 1 as a negative BTC amount."""
    btc = 10**8 // 3                                     # 1/3 BTC, about 20000 USDC
    inputs = make([10**18, R - btc], [0])
    assert_unprovable(cs, inputs, "ranges/range_check")


def test_haircut_out_of_range(cs, forge, failure):
    assert_unprovable(cs, make([10**18, 0], [10**6], haircuts=(10000, 0)),
             "ranges/range_check")


def test_price_out_of_range(cs, forge, failure):
    assert_unprovable(cs, make([10**18, 0], [10**6], prices=(2**64, 1)),
             "ranges/range_check")


@pytest.fixture(scope="module")
def unit_cs():
    # decimals equal -> scales 1: lhs = a*p*(10000-h), rhs = ratio * d * q
    return compile_circuit(CollateralRatio(1, 1, (0,), (0,)))


def unit(h: int, debt: int = 1) -> dict:
    return make([1], [debt], prices=(1,), haircuts=(h,), debt_prices=(1,), ratio=5000)


def test_exactly_at_threshold_passes(unit_cs):
    unit_cs.solve(unit(5000))                  # 1*1*(10000-5000) == 5000 * 1 * 1


def test_one_unit_below_threshold(unit_cs, forge, failure):
    assert_unprovable(unit_cs, unit(5001), "ratio/assert_le")  # 4999 < 5000


def test_one_debt_unit_more_fails(cs, forge, failure):
    # 3 * 10**8 * 10000 == 15000 * 2 * 10**8 exactly; one more debt base unit fails
    at = make([3, 0], [2], prices=(10**8, 1), haircuts=(0, 0), debt_prices=(10**8,))
    c = compile_circuit(CollateralRatio(2, 1, (0, 0), (0,)))
    c.solve(at)
    over = make([3, 0], [3], prices=(10**8, 1), haircuts=(0, 0), debt_prices=(10**8,))
    assert_unprovable(c, over, "ratio/assert_le")


def test_zero_debt_and_zero_collateral(cs, forge, failure):
    cs.solve(make([0, 0], [0]))
    assert_unprovable(cs, make([0, 0], [1]), "ratio/assert_le")


def test_commitment_of_a_different_position(cs, forge, failure):
    """The published commitment is of a weak position; proving a healthier one fails."""
    weak = ([10**15, 0], [10**12])
    inputs = make([10**18, 5 * 10**7], [10**6], commit_to=weak)
    assert_unprovable(cs, inputs, "commitment/assert_equal")


def test_salt_is_bound(cs, forge, failure):
    inputs = dict(HEALTHY, salt=HEALTHY["salt"] + 1)
    assert_unprovable(cs, inputs, "commitment/assert_equal")


def test_headroom_check_at_build_time():
    with pytest.raises(CircuitDefinitionError, match="headroom"):
        CollateralRatio(64, 64, amount_bits=170)
    with pytest.raises(CircuitDefinitionError, match="headroom"):
        CollateralRatio(2, 1, (36, 0), (0,))
    c = CollateralRatio(64, 64, (18,) * 32 + (6,) * 32, (6,) * 64)
    assert c.compare_bits <= 252


@pytest.fixture(scope="module")
def keys(unit_cs):
    return groth16.setup(unit_cs)


@pytest.mark.slow
def test_proofs_bind_prices_haircuts_and_statement(unit_cs, keys):
    """A valid proof fails verification when any public input is altered afterwards."""
    w = unit_cs.solve(unit(4000))
    proof = groth16.prove(keys, w)
    public = unit_cs.public_values(w)
    assert groth16.verify(keys.vk, proof, public)
    for i, name in enumerate(unit_cs.public_names):    # price, haircut, ratio, epoch, ...
        altered = list(public)
        altered[i] = (altered[i] + 1) % R
        assert not groth16.verify(keys.vk, proof, altered), name


@pytest.mark.slow
def test_forced_witness_proofs_fail_verification(unit_cs, keys, forge):
    for bad in (unit(5001), make([R - 1], [1], prices=(1,), haircuts=(0,), debt_prices=(1,),
                                 ratio=5000)):
        w = forge(unit_cs, bad)
        assert not unit_cs.is_satisfied(w)
        proof = groth16.prove(keys, w)
        assert not groth16.verify(keys.vk, proof, unit_cs.public_values(w))
