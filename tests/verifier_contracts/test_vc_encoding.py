"""Strict parsing of keys, proofs and public signals; vk hash; calldata like snarkjs's."""
from __future__ import annotations

import copy
import json

import pytest

from verifier_contracts import (
    parse_proof,
    parse_public,
    parse_vk,
    solidity_calldata,
    verify_selector,
    vk_hash,
)
from verifier_contracts.encoding import g2_evm
from verifier_contracts.snarkjs import run
from verifier_contracts.vk import key_blob
from zk.atomic import loads_strict
from zk.errors import MalformedInput
from zk.field import Q, R


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}', '[1.5]', '[NaN]', '[Infinity]', '[1e400]', "[" + "9" * 100 + "]",
    "not json", '{"a": ',
])
def test_strict_json_rejects(text):
    with pytest.raises(MalformedInput):
        loads_strict(text, "test.json")


@pytest.mark.parametrize("value", [
    "-1", " 12 ", "1_000", "0x", "+5", "01", "١٢", 1.0, True, None, [], str(R), hex(R), R,
    "9" * 100,
])
def test_public_signal_values_rejected(value):
    with pytest.raises(MalformedInput):
        parse_public([value])


def test_public_signals_ok_and_length():
    assert parse_public(["0", "12", "0x1f", 7, str(R - 1)]) == [0, 12, 31, 7, R - 1]
    with pytest.raises(MalformedInput):
        parse_public(["1", "2"], n_public=3)
    with pytest.raises(MalformedInput):
        parse_public([])


def test_vk_validation(snark):
    vk = snark[5][0].vk
    key = parse_vk(vk)
    assert key.n_public == 5 and len(key_blob(vk)) == 32 * (2 * 5 + 17)
    bad = []
    v = copy.deepcopy(vk); v["vk_delta_2"] = v["vk_gamma_2"]; bad.append(v)   # noqa: E702
    v = copy.deepcopy(vk); v["IC"][2] = v["IC"][1]; bad.append(v)              # noqa: E702
    v = copy.deepcopy(vk); v["nPublic"] = 4; bad.append(v)                     # noqa: E702
    v = copy.deepcopy(vk); v["IC"] = v["IC"][:-1]; bad.append(v)               # noqa: E702
    v = copy.deepcopy(vk); v["curve"] = "bls12381"; bad.append(v)              # noqa: E702
    v = copy.deepcopy(vk); v["extra"] = 1; bad.append(v)                       # noqa: E702
    v = copy.deepcopy(vk); v["IC"][0] = ["0", "1", "0"]; bad.append(v)         # noqa: E702
    v = copy.deepcopy(vk); v["IC"][0][1] = str(int(v["IC"][0][1]) + Q); bad.append(v)  # noqa
    v = copy.deepcopy(vk); v["vk_beta_2"][0] = v["vk_beta_2"][0][::-1]; bad.append(v)  # noqa
    for v in bad:
        with pytest.raises(MalformedInput):
            parse_vk(v)


def _fq2_sqrt(a):
    """Square root in Fq2 for q = 3 mod 4 (Adj & Rodriguez-Henriquez, Alg. 9), or None."""
    from py_ecc import optimized_bn128 as ob

    q = ob.field_modulus
    a1 = a ** ((q - 3) // 4)
    alpha = a1 * a1 * a
    if alpha ** q * alpha == -ob.FQ2.one():
        return None
    x0 = a1 * a
    if alpha == -ob.FQ2.one():
        return ob.FQ2([0, 1]) * x0
    return (alpha + ob.FQ2.one()) ** ((q - 1) // 2) * x0


def test_vk_rejects_g2_outside_subgroup(snark):
    """A point on the twist but not in the r-torsion subgroup."""
    from py_ecc import optimized_bn128 as ob

    x0 = 1
    while True:
        x = ob.FQ2([x0, 0])
        y = _fq2_sqrt(x ** 3 + ob.b2)
        if y is not None and y * y == x ** 3 + ob.b2:
            break
        x0 += 1
    point = (x, y, ob.FQ2.one())
    assert ob.is_on_curve(point, ob.b2) and not ob.is_inf(ob.multiply(point, ob.curve_order))
    vk = copy.deepcopy(snark[5][0].vk)
    vk["vk_delta_2"] = [[str(x.coeffs[0]), str(x.coeffs[1])],
                        [str(y.coeffs[0]), str(y.coeffs[1])], ["1", "0"]]
    with pytest.raises(MalformedInput, match="subgroup"):
        parse_vk(vk)


def test_vk_hash_stable_and_key_sensitive(snark):
    vk = snark[5][0].vk
    assert vk_hash(vk) == vk_hash(json.loads(json.dumps(vk)))
    assert vk_hash(vk) != vk_hash(snark[11][0].vk)
    assert verify_selector(5).hex() != verify_selector(6).hex()


def test_proof_validation(snark):
    proof = snark[5][1]
    parse_proof(proof)
    for key, mutate in (("pi_a", lambda p: [p[0], str(int(p[1]) + 1), "1"]),
                        ("pi_a", lambda p: [p[0], str(int(p[1]) + Q), "1"]),
                        ("pi_c", lambda p: ["0", "1", "0"]),
                        ("pi_b", lambda p: [p[0][::-1], p[1][::-1], p[2]]),
                        ("pi_b", lambda p: p[:2])):
        bad = copy.deepcopy(proof)
        bad[key] = mutate(bad[key])
        with pytest.raises(MalformedInput):
            parse_proof(bad)
    with pytest.raises(MalformedInput):
        parse_proof({k: v for k, v in proof.items() if k != "pi_c"})


def test_g2_evm_order():
    assert g2_evm(((1, 2), (3, 4))) == [2, 1, 4, 3]


def test_calldata_matches_snarkjs(snark):
    fx, proof, public = snark[5]
    expected = run("snarkjs", "zkey", "export", "soliditycalldata", "p.public.json",
                   "p.proof.json", cwd=fx.workdir).strip()
    assert solidity_calldata(proof, public) == expected
