"""Backend kernels against independent oracles: galois for the NTT, py-ecc for curve math."""
from __future__ import annotations

import random

import galois
import pytest
from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.field import R, bytes_to_scalars, root_of_unity, scalars_to_bytes

GF = galois.GF(R, primitive_element=5, verify=False)  # 5 generates Fr* (skip search)


def galois_eval(coeffs: list[int], points: list[int]) -> list[int]:
    poly = galois.Poly(GF(coeffs[::-1]))
    return [int(v) for v in poly(GF(points))]


@pytest.mark.parametrize("n", [1, 2, 4, 8, 64])
@pytest.mark.parametrize("shift", [1, 7])
def test_ntt_matches_galois_polynomial_evaluation(backend, n, shift):
    rng = random.Random(n * 31 + shift)
    coeffs = [rng.randrange(R) for _ in range(n - 1)] + [R - 1]
    w = root_of_unity(n)
    points = [shift * pow(w, j, R) % R for j in range(n)]
    got = bytes_to_scalars(backend.ntt(scalars_to_bytes(coeffs), shift=shift))
    assert got == galois_eval(coeffs, points)
    back = backend.ntt(scalars_to_bytes(got), inverse=True, shift=shift)
    assert bytes_to_scalars(back) == coeffs


def test_ntt_matches_naive_dft(backend):
    """O(n^2) DFT written from the definition, for a non-trivial size."""
    n = 32
    vals = [(i * i * 7919 + 3) % R for i in range(n)]
    w = root_of_unity(n)
    naive = [sum(c * pow(w, i * j, R) for i, c in enumerate(vals)) % R for j in range(n)]
    assert bytes_to_scalars(backend.ntt(scalars_to_bytes(vals))) == naive


def test_generators_and_twist_coefficient_are_py_eccs():
    """zk.curve spells the generators out (py-ecc loads only when needed): they are
    py-ecc's, and the lazily loaded twist coefficient is 3 / (9 + u)."""
    assert curve.G1_GEN == curve.g1_from_py(ob.G1)
    assert curve.G2_GEN == curve.g2_from_py(ob.G2)
    assert curve.B2 == ob.FQ2([3, 0]) / ob.FQ2([9, 1])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 13])
def test_msm_g1_matches_py_ecc(backend, n):
    rng = random.Random(n)
    pts = [curve.g1_mul(curve.G1_GEN, rng.randrange(1, R)) for _ in range(n)]
    if n >= 3:
        pts[1] = curve.G1_ZERO                 # infinity among the points
        pts[2] = curve.g1_neg(pts[0])          # P and -P
    scalars = [rng.randrange(R) for _ in range(n)]
    if n >= 3:
        scalars[0:3] = [R - 1, 1, R - 1]        # same bucket for P and -P
    got = backend.msm_g1(b"".join(pts), scalars_to_bytes(scalars))
    acc = ob.Z1
    for p, s in zip(pts, scalars):                 # naive sum of products in py-ecc
        acc = ob.add(acc, ob.multiply(curve.g1_to_py(p), s))
    assert got == curve.g1_from_py(acc)


def test_msm_g2_and_batch_mul_match_py_ecc(backend):
    ks = [0, 1, 2, R - 1, 123456789]
    g2s = backend.batch_mul_g2(curve.G2_GEN, scalars_to_bytes(ks))
    for i, k in enumerate(ks):
        assert g2s[128 * i:128 * i + 128] == curve.g2_mul(curve.G2_GEN, k)
    got = backend.msm_g2(g2s, scalars_to_bytes([5, 6, 7, 8, 9]))
    total = sum(k * s for k, s in zip(ks, [5, 6, 7, 8, 9])) % R
    assert got == curve.g2_mul(curve.G2_GEN, total)
    g1s = backend.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(ks))
    for i, k in enumerate(ks):
        assert g1s[64 * i:64 * i + 64] == curve.g1_from_py(ob.multiply(ob.G1, k))


def test_pairing_check_bilinearity(backend):
    a, b = 1234567, 7654321
    pa = curve.g1_mul(curve.G1_GEN, a)
    qb = curve.g2_mul(curve.G2_GEN, b)
    minus_ab = curve.g1_mul(curve.G1_GEN, R - a * b % R)
    assert backend.pairing_check(pa + minus_ab, qb + curve.G2_GEN)
    assert not backend.pairing_check(pa + minus_ab, qb + curve.g2_mul(curve.G2_GEN, 2))
    assert ob.pairing(ob.multiply(ob.G2, b), ob.multiply(ob.G1, a)) == \
        ob.pairing(ob.G2, ob.multiply(ob.G1, a * b % R))   # the oracle agrees
