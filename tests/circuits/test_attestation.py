"""Attestations: message format, Python sign/verify, and AttestedCollateralRatio refusing
every forged or tampered attestation (solver AND a witness forged past the solver)."""
from __future__ import annotations

import pytest

from circuits.attestation import (
    TAG_POSITION,
    TAG_RESERVE,
    Attestation,
    attestation_message,
    sign_attestation,
)
from circuits.collateral import AttestedCollateralRatio, CollateralRatio
from zk import compile_circuit, groth16
from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import R
from zk.std import babyjub as bj
from zk.std import eddsa
from zk.std.eddsa import Signature
from zk.std.poseidon import poseidon_hash, poseidon_hash_many
from zk.testing import assert_unprovable

PROVER, CHAIN, REGISTRY = 0x70997970C51812DC3A010C7D01B50E0D17DC79C8, 31337, 0x5FBDB2
AS_OF = 1_764_460_800
KEY = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDE % bj.SUBORDER
ATTESTER = eddsa.public_key(KEY)
T8 = bj.mul(bj.GENERATOR, bj.SUBORDER)
SIG = "attestation/eddsa"


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(AttestedCollateralRatio(2, 1, (18, 8), (6,)))


def position(amounts=(10**18, 5 * 10**7), debts=(1000 * 10**6,), salt=987654321) -> dict:
    return {
        "collateral_prices": [3000 * 10**8, 60000 * 10**8], "haircuts_bps": [2000, 1000],
        "debt_prices": [10**8], "min_ratio_bps": 15000, "epoch": 7, "prover": PROVER,
        "chain_id": CHAIN, "registry": REGISTRY,
        "commitment": poseidon_hash_many([*amounts, *debts, salt]),
        "amounts": list(amounts), "debts": list(debts), "salt": salt,
    }


def attested(att: Attestation, base: dict | None = None) -> dict:
    return {**(base or position()), **att.circuit_inputs()}


def honest(**over) -> Attestation:
    p = position()
    fields = {"tag": TAG_POSITION, "chain_id": CHAIN, "registry": REGISTRY,
              "subject": PROVER, "commitment": p["commitment"], "as_of": AS_OF}
    fields.update(over)
    return sign_attestation(KEY, **fields)


def test_tags_are_documented_constants():
    assert TAG_POSITION == int.from_bytes(b"zksolvency/attest/position/v1", "big")
    assert TAG_RESERVE == int.from_bytes(b"zksolvency/attest/reserve/v1", "big")
    assert TAG_POSITION != TAG_RESERVE and max(TAG_POSITION, TAG_RESERVE) < R


def test_message_layout():
    assert attestation_message(TAG_POSITION, 1, 2, 3, 4, 5) == \
        poseidon_hash([TAG_POSITION, 1, 2, 3, 4, 5])
    for bad in ({"tag": 5}, {"chain_id": 1 << 64}, {"registry": 1 << 160},
                {"subject": -1}, {"commitment": R}, {"as_of": 1 << 64}, {"as_of": True}):
        args = {"tag": TAG_POSITION, "chain_id": 1, "registry": 2, "subject": 3,
                "commitment": 4, "as_of": 5, **bad}
        with pytest.raises(MalformedInput):
            attestation_message(**args)


def test_python_verify_detects_every_tampered_field():
    att = honest()
    assert att.verify()
    for field, value in (("tag", TAG_RESERVE), ("chain_id", 1), ("registry", REGISTRY + 1),
                         ("subject", PROVER + 1), ("commitment", 5), ("as_of", AS_OF + 1),
                         ("attester", eddsa.public_key(KEY + 1))):
        assert not Attestation(**{**att.__dict__, field: value}).verify(), field


def test_public_inputs_are_collateral_ratio_then_attester_and_as_of(cs):
    base = compile_circuit(CollateralRatio(2, 1, (18, 8), (6,)))
    assert cs.public_names == [*base.public_names, "attester_ax", "attester_ay", "as_of"]
    assert cs.private_names == [*base.private_names, "sig_r8x", "sig_r8y", "sig_s"]
    # the attestation adds exactly the gadget's documented cost
    assert cs.num_constraints - base.num_constraints == 5397
    assert cs.num_constraints == 6489


def test_honest_attestation_solves(cs):
    w = cs.solve(attested(honest()))
    public = cs.public_values(w)
    assert public[-3:] == [ATTESTER[0], ATTESTER[1], AS_OF]


def test_groth16_attested_collateral(cs):
    be = get_backend("native")
    w = cs.solve(attested(honest()))
    pk = groth16.setup(cs, be)
    proof = groth16.prove(pk, w, be)
    public = cs.public_values(w)
    assert groth16.verify(pk.vk, proof, public, be)
    assert not groth16.verify(pk.vk, proof, [*public[:-1], AS_OF + 1], be)


# --- forged / tampered attestations: unprovable -------------------------------------------------

def test_wrong_key(cs):
    forged = sign_attestation(KEY + 1, TAG_POSITION, CHAIN, REGISTRY, PROVER,
                              position()["commitment"], AS_OF)
    inputs = attested(forged)
    inputs["attester_ax"], inputs["attester_ay"] = ATTESTER     # the allow-listed key
    assert_unprovable(cs, inputs, f"{SIG}/equation")


def test_wrong_message_other_position(cs):
    """The attester vouched for the real position; the prover proves a made-up one."""
    real = honest()
    made_up = position(amounts=(10**18, 5 * 10**7), debts=(0,), salt=1)
    assert_unprovable(cs, attested(real, made_up), f"{SIG}/equation")


@pytest.mark.parametrize("field,value", [
    ("chain_id", 1), ("registry", REGISTRY + 1), ("tag", TAG_RESERVE),
    ("subject", PROVER + 1), ("as_of", AS_OF - 86400)])
def test_signed_for_another_context(cs, field, value):
    att = honest(**{field: value})
    inputs = attested(att)
    inputs["as_of"] = AS_OF              # the statement's as_of is the one proven
    assert_unprovable(cs, inputs, f"{SIG}/equation")


def test_as_of_changed_after_signing(cs):
    inputs = attested(honest())
    inputs["as_of"] = AS_OF + 3600
    assert_unprovable(cs, inputs, f"{SIG}/equation")


def test_s_plus_l_alias(cs):
    for k in range(AS_OF, AS_OF + 50):
        att = honest(as_of=k)
        if att.signature.s + bj.SUBORDER < 1 << bj.SCALAR_BITS:
            break
    inputs = attested(att)
    assert bj.mul(bj.BASE8, att.signature.s + bj.SUBORDER) == \
        bj.mul(bj.BASE8, att.signature.s)
    inputs["sig_s"] += bj.SUBORDER
    assert_unprovable(cs, inputs, f"{SIG}/s_range/bits_le")


def test_r8_off_curve(cs):
    inputs = attested(honest())
    inputs["sig_r8y"] = (inputs["sig_r8y"] + 1) % R
    assert_unprovable(cs, inputs, f"{SIG}/on_curve_r8")


def test_attester_of_small_order(cs):
    """With 8A = O, R8 = S*B8 'signs' anything: refused because A has small order."""
    s = 31337
    r8 = bj.mul(bj.BASE8, s)
    for a in (T8, bj.mul(T8, 2), bj.IDENTITY):
        forged = Attestation(TAG_POSITION, CHAIN, REGISTRY, PROVER, position()["commitment"],
                             AS_OF, a, Signature(r8[0], r8[1], s))
        assert not forged.verify()
        assert_unprovable(cs, attested(forged), f"{SIG}/a_not_small_order")


def test_as_of_out_of_range(cs):
    inputs = attested(honest())
    inputs["as_of"] = 1 << 64
    assert_unprovable(cs, inputs, "attestation/range_check")
