"""CreditCapacity / AttestedCreditCapacity: public inputs, cost, and soundness (solver
refuses AND a witness forged past the solver fails the R1CS)."""
from __future__ import annotations

import pytest

from circuits.attestation import TAG_POSITION, sign_attestation
from circuits.credit import AttestedCreditCapacity, CreditCapacity
from zk import compile_circuit, groth16
from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.std.poseidon import poseidon_hash_many
from zk.testing import assert_unprovable

PROVER, CHAIN, REGISTRY, AS_OF = 0x70997970C51812DC3A010C7D01B50E0D17DC79C8, 31337, 0x5FBDB2, 17
KEY = 424242
POSITION_PUBLIC = ["collateral_prices[0]", "collateral_prices[1]", "haircuts_bps[0]",
                   "haircuts_bps[1]", "debt_prices[0]", "min_ratio_bps", "epoch", "prover",
                   "chain_id", "registry", "commitment", "credit"]
ATTESTED_PUBLIC = POSITION_PUBLIC + ["attester_ax", "attester_ay", "as_of"]
SHAPE = (2, 1, (18, 8), (6,))
CAP = "ratio/assert_le"
CREDIT_RANGE = "debt_value/credit/range_check"


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(CreditCapacity(*SHAPE))


@pytest.fixture(scope="module")
def attested_cs():
    return compile_circuit(AttestedCreditCapacity(*SHAPE))


def make(credit: int, amounts=(10**18, 5 * 10**7), debts=(1000 * 10**6,), salt=5) -> dict:
    return {"collateral_prices": [3000 * 10**8, 60000 * 10**8], "haircuts_bps": [2000, 1000],
            "debt_prices": [10**8], "min_ratio_bps": 15000, "epoch": 7, "prover": PROVER,
            "chain_id": CHAIN, "registry": REGISTRY,
            "commitment": poseidon_hash_many([*amounts, *debts, salt]),
            "amounts": list(amounts), "debts": list(debts), "salt": salt, "credit": credit}


def capacity(inputs: dict, circuit: CreditCapacity) -> int:
    """The statement's capacity computed independently of the circuit (plain integers)."""
    lhs = sum(a * p * (10000 - h) * s for a, p, h, s in zip(
        inputs["amounts"], inputs["collateral_prices"], inputs["haircuts_bps"],
        circuit.collateral_scales, strict=True))
    debt = sum(d * p * s for d, p, s in zip(inputs["debts"], inputs["debt_prices"],
                                             circuit.debt_scales, strict=True))
    return lhs // inputs["min_ratio_bps"] - debt


def test_public_inputs_exactly(cs, attested_cs):
    assert cs.public_names == POSITION_PUBLIC
    assert attested_cs.public_names == ATTESTED_PUBLIC


def test_constraint_counts_as_documented(cs, attested_cs):
    assert (cs.num_constraints, attested_cs.num_constraints) == (1253, 6650)


def test_credit_up_to_capacity_and_not_one_unit_more(cs):
    circuit = CreditCapacity(*SHAPE)
    top = capacity(make(0), circuit)
    # 1 ETH*3000*0.8 + 0.5 BTC*60000*0.9 = 29400 USD; /1.5 = 19600; minus 1000 debt
    assert top == 18600 * 10**8 * 10**18
    assert circuit.max_credit(top * 15000, 0, 15000) == top
    cs.solve(make(top))
    assert_unprovable(cs, make(top + 1), CAP)


def test_negative_and_oversized_credit_refused(cs):
    assert_unprovable(cs, make(R - 1), CREDIT_RANGE)             # "-1"
    assert_unprovable(cs, make(2**160), CREDIT_RANGE)
    # -(debt value) would cancel the debt: refused by the range check, not the ratio
    assert_unprovable(cs, make(R - 1000 * 10**6 * 10**8 * 10**12), CREDIT_RANGE)


def test_headroom_counts_the_credit():
    bits = CreditCapacity(1, 1, (0,), (0,), 64, 64, 20, credit_bits=160).compare_bits
    assert bits == ((2**20 - 1) * ((2**64 - 1) ** 2 + 2**160 - 1)).bit_length() == 180
    with pytest.raises(CircuitDefinitionError, match="headroom"):
        CreditCapacity(1, 1, (0,), (0,), credit_bits=240)
    with pytest.raises(CircuitDefinitionError, match="credit_bits"):
        CreditCapacity(credit_bits=0)


def test_attested_credit_inherits_the_anchoring(attested_cs):
    inputs = make(10**20)
    good = sign_attestation(KEY, TAG_POSITION, CHAIN, REGISTRY, PROVER, inputs["commitment"],
                            AS_OF)
    attested_cs.solve({**inputs, **good.circuit_inputs()})
    other = sign_attestation(KEY, TAG_POSITION, CHAIN, REGISTRY, PROVER + 1,
                             inputs["commitment"], AS_OF)
    assert_unprovable(attested_cs, {**inputs, **other.circuit_inputs()}, "attestation/eddsa")


@pytest.fixture(scope="module")
def unit():
    cs = compile_circuit(CreditCapacity(1, 1, (0,), (0,), 8, 8, 16, credit_bits=8))
    return cs, groth16.setup(cs)


def unit_inputs(credit: int) -> dict:
    # 10 * 1 * (10000 - 0) >= 12500 * (2 * 1 + credit)  <=>  credit <= 6
    return {"collateral_prices": [1], "haircuts_bps": [0], "debt_prices": [1],
            "min_ratio_bps": 12500, "epoch": 1, "prover": PROVER, "chain_id": CHAIN,
            "registry": REGISTRY, "commitment": poseidon_hash_many([10, 2, 9]),
            "amounts": [10], "debts": [2], "salt": 9, "credit": credit}


def test_proof_binds_the_credit(unit, forge):
    """A real proof of credit 6 does not verify for credit 7; credit 7 is unprovable."""
    cs, keys = unit
    w = cs.solve(unit_inputs(6))
    proof, public = groth16.prove(keys, w), cs.public_values(w)
    assert groth16.verify(keys.vk, proof, public)
    at = cs.public_names.index("credit")
    assert not groth16.verify(keys.vk, proof, public[:at] + [7] + public[at + 1:])
    assert_unprovable(cs, unit_inputs(7), CAP)
    assert not cs.is_satisfied(forge(cs, unit_inputs(7)))
