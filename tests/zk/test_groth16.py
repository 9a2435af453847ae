"""Groth16 completeness, soundness checks and malformed input, on every backend."""
from __future__ import annotations

import dataclasses

import pytest

from zk import compile_circuit, curve, groth16
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.groth16 import Proof
from zk.testing import g2_point_off_subgroup

from .circuits_for_tests import Cube, Square, Sum


@pytest.fixture(scope="module")
def cube_keys():
    """Keys and a valid proof for Cube, made once with the reference backend."""
    from zk.backend import get_backend
    be = get_backend("reference")
    cs = compile_circuit(Cube())
    pk = groth16.setup(cs, be)
    w = cs.solve({"x": 3, "y": 35, "epoch": 7})
    return cs, pk, groth16.prove(pk, w, be), cs.public_values(w)


def test_completeness(backend):
    for circuit, inputs in ((Square(), {"x": 5, "y": 25}), (Sum(n=3), {"xs": [0, 255, 7]})):
        cs = compile_circuit(circuit)
        pk = groth16.setup(cs, backend)
        w = cs.solve(inputs)
        proof = groth16.prove(pk, w, backend)
        assert groth16.verify(pk.vk, proof, cs.public_values(w), backend)


def test_proofs_cross_backends(backend, cube_keys):
    cs, pk, proof, public = cube_keys
    assert groth16.verify(pk.vk, proof, public, backend)
    w = cs.solve({"x": 4, "y": 73, "epoch": 7})
    other = groth16.prove(pk, w, backend)
    from zk.backend import get_backend
    assert groth16.verify(pk.vk, other, cs.public_values(w), get_backend("reference"))


def test_proofs_are_randomised(backend, cube_keys):
    cs, pk, proof, public = cube_keys
    w = cs.solve({"x": 3, "y": 35, "epoch": 7})
    assert groth16.prove(pk, w, backend) != groth16.prove(pk, w, backend)


@pytest.mark.parametrize("field", ["a", "b", "c"])
def test_tampered_proof_is_rejected(backend, cube_keys, field):
    _, pk, proof, public = cube_keys
    if field == "b":
        bad = dataclasses.replace(proof, b=curve.g2_add(proof.b, curve.G2_GEN))
    else:
        bad = dataclasses.replace(proof, **{field: curve.g1_add(getattr(proof, field),
                                                                  curve.G1_GEN)})
    assert not groth16.verify(pk.vk, bad, public, backend)


def test_swapped_a_and_c_is_rejected(backend, cube_keys):
    _, pk, proof, public = cube_keys
    assert not groth16.verify(pk.vk, Proof(proof.c, proof.b, proof.a), public, backend)


def test_wrong_public_input_is_rejected(backend, cube_keys):
    _, pk, proof, public = cube_keys
    assert not groth16.verify(pk.vk, proof, [public[0] + 1, public[1]], backend)


def test_statement_only_public_input_is_bound(backend, cube_keys):
    """epoch is in no constraint but the x*0=0 row binds it: another epoch fails."""
    _, pk, proof, public = cube_keys
    assert not groth16.verify(pk.vk, proof, [public[0], public[1] + 1], backend)


def test_proof_against_another_circuits_key_is_rejected(backend, cube_keys):
    _, pk, proof, public = cube_keys
    other = groth16.setup(compile_circuit(Cube()), backend)     # same shape, other keys
    assert not groth16.verify(other.vk, proof, public, backend)


@pytest.mark.parametrize("public", [[35], [35, 7, 0], [], [35, R], [35, R + 1], [35, -1],
                                    [35, 2 ** 256 - 1], [35, "7"], [35, True]])
def test_malformed_public_inputs_raise(backend, cube_keys, public):
    _, pk, proof, _ = cube_keys
    with pytest.raises(MalformedInput):
        groth16.verify(pk.vk, proof, public, backend)


def _alias_x(p: bytes) -> bytes:
    x, y = curve.g1_coords(p)
    return (x + Q).to_bytes(32, "little") + p[32:]


@pytest.mark.parametrize("case", ["a_alias", "c_alias", "a_off_curve", "a_infinity",
                                  "b_off_subgroup", "b_infinity", "b_coord_q", "b_short"])
def test_malformed_proof_points_raise(backend, cube_keys, case):
    _, pk, proof, public = cube_keys
    bad = {
        "a_alias": lambda: dataclasses.replace(proof, a=_alias_x(proof.a)),
        "c_alias": lambda: dataclasses.replace(proof, c=_alias_x(proof.c)),
        "a_off_curve": lambda: dataclasses.replace(proof, a=proof.a[:32] + (
            (int.from_bytes(proof.a[32:], "little") + 1) % Q).to_bytes(32, "little")),
        "a_infinity": lambda: dataclasses.replace(proof, a=curve.G1_ZERO),
        "b_off_subgroup": lambda: dataclasses.replace(proof, b=g2_point_off_subgroup()),
        "b_infinity": lambda: dataclasses.replace(proof, b=curve.G2_ZERO),
        "b_coord_q": lambda: dataclasses.replace(proof, b=Q.to_bytes(32, "little")
                                                 + proof.b[32:]),
        "b_short": lambda: dataclasses.replace(proof, b=proof.b[:64]),
    }[case]()
    with pytest.raises(MalformedInput):
        groth16.verify(pk.vk, bad, public, backend)


def test_unsafe_verifying_keys_are_refused(cube_keys):
    _, pk, _, _ = cube_keys
    vk = pk.vk
    for bad, match in ((dataclasses.replace(vk, delta_g2=vk.gamma_g2), "delta == gamma"),
                       (dataclasses.replace(vk, gamma_abc_g1=[vk.gamma_abc_g1[0]] * 3),
                        "duplicated"),
                       (dataclasses.replace(vk, gamma_abc_g1=[curve.G1_ZERO,
                                                              *vk.gamma_abc_g1[1:]]),
                        "infinity")):
        with pytest.raises(MalformedInput, match=match):
            bad.validate()
    with pytest.raises(MalformedInput, match="phase 2"):
        dataclasses.replace(vk, delta_g2=curve.G2_GEN).validate(production=True)


def test_witness_size_mismatch_raises(backend, cube_keys):
    _, pk, _, _ = cube_keys
    with pytest.raises(MalformedInput):
        groth16.prove(pk, [1, 2, 3], backend)


def test_public_rows_enlarge_the_domain():
    from zk.groth16.qap import domain_size_for
    assert domain_size_for(5, 2) == 8 and domain_size_for(6, 1) == 8
    assert domain_size_for(6, 2) == 16
