"""Differential tests of the C backend against the py-ecc reference, py-ecc itself,
naive transforms and galois. Sizes stay small so the file runs in well under a minute;
a few cases are large enough to exercise the multi-threaded code paths."""
from __future__ import annotations

import random
import re

import galois
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import MalformedInput
from zk.field import Q, R, bytes_to_scalars, root_of_unity, scalars_to_bytes

NATIVE = NativeBackend()
NATIVE_1 = NativeBackend(threads=1)
REF = ReferenceBackend()
RNG = random.Random(20240607)
G1, G2 = curve.G1_GEN, curve.G2_GEN
SCALAR = st.integers(min_value=0, max_value=R - 1)


def _rand_scalars(n: int) -> list[int]:
    return [RNG.randrange(R) for _ in range(n)]


def _g1_points(ks: list[int]) -> bytes:
    return b"".join(curve.g1_mul(G1, k) for k in ks)


def _g2_points(ks: list[int]) -> bytes:
    return b"".join(curve.g2_mul(G2, k) for k in ks)


def _tricky(n: int, make) -> tuple[bytes, list[int]]:
    """n points with infinity, duplicates and P/-P (all sharing scalar digits)."""
    ks = _rand_scalars(n)
    for i in range(n):
        if i % 5 == 1:
            ks[i] = 0  # point at infinity
        elif i % 5 == 2:
            ks[i] = ks[i - 2]  # duplicate point
        elif i % 5 == 3:
            ks[i] = (R - ks[i - 3]) % R  # the negation of an earlier point
    pts = make(ks)
    scalars = _rand_scalars(n)
    specials = [0, 1, R - 1]
    for i in range(min(n, 3)):
        scalars[i] = specials[i]
    for i in range(3, n):
        if i % 5 in (2, 3):
            scalars[i] = scalars[i - (i % 5)]  # same digits -> same buckets
    return pts, scalars


# ---- MSM ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 17, 100])
def test_msm_g1_matches_reference(n):
    pts, scalars = _tricky(n, _g1_points)
    sb = scalars_to_bytes(scalars)
    got = NATIVE.msm_g1(pts, sb)
    assert got == REF.msm_g1(pts, sb)
    assert NATIVE_1.msm_g1(pts, sb) == got
    if n <= 17:
        acc = ob.Z1
        for i, s in enumerate(scalars):
            acc = ob.add(acc, ob.multiply(curve.g1_to_py(pts[64 * i:64 * i + 64]), s))
        assert got == curve.g1_from_py(acc)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 17, 40])
def test_msm_g2_matches_reference(n):
    pts, scalars = _tricky(n, _g2_points)
    sb = scalars_to_bytes(scalars)
    got = NATIVE.msm_g2(pts, sb)
    assert got == REF.msm_g2(pts, sb)
    if n <= 5:
        acc = ob.Z2
        for i, s in enumerate(scalars):
            acc = ob.add(acc, ob.multiply(curve.g2_to_py(pts[128 * i:128 * i + 128]), s))
        assert got == curve.g2_from_py(acc)


def test_msm_cancelling_and_doubling_buckets():
    p = curve.g1_mul(G1, 7)
    neg = curve.g1_neg(p)
    s = scalars_to_bytes([5, 5])
    assert NATIVE.msm_g1(p + neg, s) == curve.G1_ZERO
    assert NATIVE.msm_g1(p + p, s) == curve.g1_mul(G1, 70)
    q = curve.g2_mul(G2, 7)
    assert NATIVE.msm_g2(q + curve.g2_from_py(ob.neg(curve.g2_to_py(q))), s) == curve.G2_ZERO
    assert NATIVE.msm_g2(q + q, s) == curve.g2_mul(G2, 70)


@pytest.mark.parametrize("n", [4097, 9000])
def test_msm_g1_large_known_logs(n):
    """Points k_i G from batch_mul, so sum s_i P_i = (sum s_i k_i) G (threaded paths)."""
    ks, ss = _rand_scalars(n), _rand_scalars(n)
    ks[10] = 0
    pts = NATIVE.batch_mul_g1(G1, scalars_to_bytes(ks))
    want = curve.g1_mul(G1, sum(k * s for k, s in zip(ks, ss)) % R)
    assert NATIVE.msm_g1(pts, scalars_to_bytes(ss)) == want
    assert NATIVE_1.msm_g1(pts, scalars_to_bytes(ss)) == want


def test_msm_g2_large_known_logs():
    n = 4500
    ks, ss = _rand_scalars(n), _rand_scalars(n)
    pts = NATIVE.batch_mul_g2(G2, scalars_to_bytes(ks))
    want = curve.g2_mul(G2, sum(k * s for k, s in zip(ks, ss)) % R)
    assert NATIVE.msm_g2(pts, scalars_to_bytes(ss)) == want


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), SCALAR), max_size=12))
def test_msm_g1_hypothesis(entries):
    pool = [curve.G1_ZERO] + [curve.g1_mul(G1, k) for k in (1, 2, 3, R - 1, R - 2, 5, 5)]
    pts = b"".join(pool[i] for i, _ in entries)
    sb = scalars_to_bytes(s for _, s in entries)
    acc = ob.Z1
    for i, s in entries:
        acc = ob.add(acc, ob.multiply(curve.g1_to_py(pool[i]), s))
    assert NATIVE.msm_g1(pts, sb) == curve.g1_from_py(acc)


# ---- MSM fast paths: zero/one scalars, small scalars, batch-affine buckets -----------

def _known_log_points(n: int, g2: bool = False) -> tuple[bytes, list[int]]:
    """n points k_i G (a few at infinity and repeated) with their discrete logs."""
    ks = _rand_scalars(n)
    for i in range(0, n, 97):
        ks[i] = 0
    for i in range(5, n, 89):
        ks[i] = ks[i - 5]
    for i in range(7, n, 83):
        ks[i] = (R - ks[i - 7]) % R
    be = NATIVE.batch_mul_g2 if g2 else NATIVE.batch_mul_g1
    return be(G2 if g2 else G1, scalars_to_bytes(ks)), ks


def _expect(ks: list[int], ss: list[int], g2: bool = False) -> bytes:
    k = sum(a * b for a, b in zip(ks, ss)) % R
    return curve.g2_mul(G2, k) if g2 else curve.g1_mul(G1, k)


def _scalar_mix(n: int, kind: str) -> list[int]:
    if kind == "bits":
        return [RNG.randrange(2) for _ in range(n)]
    if kind == "zeros":
        return [0] * n
    if kind == "ones":
        return [1] * n
    if kind == "small":   # 0/1 with a few 64-bit values (range-check witnesses)
        return [RNG.randrange(1 << 64) if RNG.random() < 0.05 else RNG.randrange(2)
                for _ in range(n)]
    if kind == "mixed":   # every bit length, plus r - 1 and 2
        out = [RNG.randrange(1 << RNG.randrange(1, 255)) % R for _ in range(n)]
        out[0], out[-1] = R - 1, 2
        return out
    return _rand_scalars(n)


@pytest.mark.parametrize("kind", ["bits", "zeros", "ones", "small", "mixed", "dense"])
@pytest.mark.parametrize("n", [1, 33, 700, 5000])
def test_msm_g1_scalar_classes(kind, n):
    """0/1 fast path, windows from the largest bit length, batch-affine buckets."""
    pts, ks = _known_log_points(n)
    ss = _scalar_mix(n, kind)
    sb = scalars_to_bytes(ss)
    want = _expect(ks, ss)
    assert NATIVE.msm_g1(pts, sb) == want
    assert NATIVE_1.msm_g1(pts, sb) == want
    if n <= 33:
        assert REF.msm_g1(pts, sb) == want


@pytest.mark.parametrize("kind", ["bits", "small", "dense"])
def test_msm_g2_scalar_classes(kind):
    pts, ks = _known_log_points(1500, g2=True)
    ss = _scalar_mix(1500, kind)
    want = _expect(ks, ss, g2=True)
    assert NATIVE.msm_g2(pts, scalars_to_bytes(ss)) == want
    assert NATIVE_1.msm_g2(pts, scalars_to_bytes(ss)) == want


def test_msm_zero_and_one_scalars_on_infinity_and_duplicates():
    """0 and 1 scalars on infinity points, duplicates and P/-P, against py-ecc."""
    p, q = curve.g1_mul(G1, 11), curve.g1_mul(G1, 12345)
    inf, neg = curve.G1_ZERO, curve.g1_neg(p)
    pts = [inf, p, p, neg, q, inf, q, p, neg, q]
    ss = [1, 1, 0, 1, 1, 0, 5, 1, 1, R - 1]
    acc = ob.Z1
    for pt, s in zip(pts, ss):
        acc = ob.add(acc, ob.multiply(curve.g1_to_py(pt), s))
    assert NATIVE.msm_g1(b"".join(pts), scalars_to_bytes(ss)) == curve.g1_from_py(acc)
    assert REF.msm_g1(b"".join(pts), scalars_to_bytes(ss)) == curve.g1_from_py(acc)
    assert NATIVE.msm_g1(inf * 4, scalars_to_bytes([1, 0, 1, 7])) == curve.G1_ZERO
    assert NATIVE.msm_g1(p + neg, scalars_to_bytes([1, 1])) == curve.G1_ZERO
    assert NATIVE.msm_g1(p + p, scalars_to_bytes([1, 1])) == curve.g1_mul(G1, 22)


def test_msm_many_duplicates_hit_the_same_buckets():
    """Thousands of copies of few points: conflicts, doublings and cancellations in the
    batch-affine buckets (deferred and Jacobian side paths)."""
    base = [curve.g1_mul(G1, k) for k in (3, 5, R - 3)]
    idx = [RNG.randrange(3) for _ in range(6000)]
    pts = b"".join(base[i] for i in idx)
    logs = [(3, 5, R - 3)[i] for i in idx]
    for ss in ([RNG.choice([7, 7, R - 7, 1 << 200, 0, 1]) for _ in idx], _rand_scalars(6000),
               [RNG.randrange(1 << 64) for _ in idx]):
        want = _expect(logs, ss)
        assert NATIVE.msm_g1(pts, scalars_to_bytes(ss)) == want
        assert NATIVE_1.msm_g1(pts, scalars_to_bytes(ss)) == want


def test_msm_rejects_bad_points_even_with_zero_scalars():
    pts = bytearray(_g1_points([1, 2, 3]))
    pts[64 * 2 + 5] ^= 1
    with pytest.raises(MalformedInput, match="point #2 is not on the curve"):
        NATIVE.msm_g1(bytes(pts), scalars_to_bytes([1, 0, 0]))
    with pytest.raises(MalformedInput, match="scalar #1"):
        NATIVE.msm_g1(bytes(pts), scalars_to_bytes([0, R, 0]))


# ---- fixed-base batch multiplication -------------------------------------------------

def test_batch_mul_g1_matches_py_ecc():
    scalars = [0, 1, 2, R - 1, R - 2] + _rand_scalars(40)
    out = NATIVE.batch_mul_g1(G1, scalars_to_bytes(scalars))
    base = curve.g1_mul(G1, 12345)
    out2 = NATIVE.batch_mul_g1(base, scalars_to_bytes(scalars))
    for i, s in enumerate(scalars):
        assert out[64 * i:64 * i + 64] == curve.g1_from_py(ob.multiply(ob.G1, s))
        assert out2[64 * i:64 * i + 64] == curve.g1_mul(base, s)
    assert NATIVE.batch_mul_g1(curve.G1_ZERO, scalars_to_bytes([3, 4])) == bytes(128)
    assert NATIVE.batch_mul_g1(G1, b"") == b""


def test_batch_mul_g2_matches_py_ecc():
    scalars = [0, 1, 2, R - 1] + _rand_scalars(12)
    out = NATIVE.batch_mul_g2(G2, scalars_to_bytes(scalars))
    assert out == REF.batch_mul_g2(G2, scalars_to_bytes(scalars))
    for i, s in enumerate(scalars[:6]):
        assert out[128 * i:128 * i + 128] == curve.g2_from_py(ob.multiply(ob.G2, s))


def test_batch_mul_large_threaded():
    scalars = _rand_scalars(5000)
    out = NATIVE.batch_mul_g1(G1, scalars_to_bytes(scalars))
    assert out == NATIVE_1.batch_mul_g1(G1, scalars_to_bytes(scalars))
    for i in (0, 1234, 4999):
        assert out[64 * i:64 * i + 64] == curve.g1_mul(G1, scalars[i])


# ---- NTT -------------------------------------------------------------------------------

def _naive_dft(coeffs: list[int], shift: int = 1) -> list[int]:
    n = len(coeffs)
    w = root_of_unity(n)
    out = []
    for j in range(n):
        x = shift * pow(w, j, R) % R
        out.append(sum(c * pow(x, i, R) for i, c in enumerate(coeffs)) % R)
    return out


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 64])
@pytest.mark.parametrize("shift", [1, 5, 7, R - 1])
def test_ntt_vs_naive_dft(n, shift):
    c = _rand_scalars(n)
    evals = NATIVE.ntt(scalars_to_bytes(c), False, shift)
    assert bytes_to_scalars(evals) == _naive_dft(c, shift)
    assert bytes_to_scalars(NATIVE.ntt(evals, True, shift)) == c


@pytest.mark.parametrize("n", [2, 8, 32, 128])
def test_ntt_vs_galois(n):
    """galois.ntt() factors r - 1 to find a primitive root (minutes), so the same
    transform is taken from numpy's fft over GF(r) with the generator 5 given."""
    field = galois.GF(R, primitive_element=5, verify=False)
    c = _rand_scalars(n)
    want = [int(v) for v in np.fft.fft(field(c))]
    assert bytes_to_scalars(NATIVE.ntt(scalars_to_bytes(c))) == want
    back = [int(v) for v in np.fft.ifft(field(want))]
    assert bytes_to_scalars(NATIVE.ntt(scalars_to_bytes(want), True)) == back == c


@pytest.mark.parametrize("log_n", range(0, 11))
def test_ntt_round_trips(log_n):
    n = 1 << log_n
    vals = scalars_to_bytes(_rand_scalars(n))
    assert NATIVE.ntt(NATIVE.ntt(vals), True) == vals
    assert NATIVE.ntt(NATIVE.ntt(vals, False, 5), True, 5) == vals
    assert NATIVE.ntt(NATIVE.ntt(vals, True, 7), False, 7) == vals
    if n <= 64:
        assert NATIVE.ntt(vals, False, 5) == REF.ntt(vals, False, 5)
        assert NATIVE.ntt(vals, True, 5) == REF.ntt(vals, True, 5)


@pytest.mark.parametrize("log_n", [13, 15, 16, 17])
def test_ntt_large_spot_checks(log_n):
    """Threaded and cache-blocked sizes: compare a few outputs with Horner evaluation."""
    n = 1 << log_n
    c = _rand_scalars(n)
    shift = 5
    out = bytes_to_scalars(NATIVE.ntt(scalars_to_bytes(c), False, shift))
    w = root_of_unity(n)
    for j in (0, 1, n // 2 + 3, n - 1):
        x, acc = shift * pow(w, j, R) % R, 0
        for coef in reversed(c):
            acc = (acc * x + coef) % R
        assert out[j] == acc
    assert NATIVE_1.ntt(scalars_to_bytes(c), False, shift) == scalars_to_bytes(out)
    assert bytes_to_scalars(NATIVE.ntt(scalars_to_bytes(out), True, shift)) == c


# ---- scalar kernels ---------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(SCALAR, SCALAR, SCALAR), max_size=20))
def test_fr_mul_sub(triples):
    a, b, c = (scalars_to_bytes(t[i] for t in triples) for i in range(3))
    want = [(x * y - z) % R for x, y, z in triples]
    assert bytes_to_scalars(NATIVE.fr_mul_sub(a, b, c)) == want


def test_fr_mul_sub_large():
    a, b, c = (_rand_scalars(20000) for _ in range(3))
    got = NATIVE.fr_mul_sub(*(scalars_to_bytes(v) for v in (a, b, c)))
    assert bytes_to_scalars(got) == [(x * y - z) % R for x, y, z in zip(a, b, c)]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.data())
def test_sparse_matvec(n_rows, n_wit, data):
    m = data.draw(st.integers(0, 15))
    rows = [data.draw(st.integers(0, n_rows - 1)) for _ in range(m)]
    cols = [data.draw(st.integers(0, n_wit - 1)) for _ in range(m)]
    coeffs = [data.draw(SCALAR) for _ in range(m)]
    wit = [data.draw(SCALAR) for _ in range(n_wit)]
    args = (n_rows, np.array(rows, "<u4").tobytes(), np.array(cols, "<u4").tobytes(),
            scalars_to_bytes(coeffs), scalars_to_bytes(wit))
    want = [0] * n_rows
    for r_, c_, k in zip(rows, cols, coeffs):
        want[r_] = (want[r_] + k * wit[c_]) % R
    assert bytes_to_scalars(NATIVE.sparse_matvec(*args)) == want
    assert NATIVE.sparse_matvec(*args) == REF.sparse_matvec(*args)



@pytest.mark.parametrize("threads", ["1", "3"])
def test_sparse_matvec_large_row_chunks(threads, monkeypatch):
    """Row-sorted input big enough for per-worker chunks (rows spanning chunk cuts),
    an unsorted one (serial path), and the first bad entry reported across chunks."""
    monkeypatch.setenv("ZK_THREADS", threads)
    rng = np.random.default_rng(7)
    m, n_rows, n_wit = 70000, 900, 50
    rows = np.sort(rng.integers(0, n_rows, m)).astype("<u4")
    cols = rng.integers(0, n_wit, m).astype("<u4")
    coeffs = [int(x) for x in rng.integers(0, 2**62, m)]
    coeffs[::97] = [R - 1] * len(coeffs[::97])
    wit = _rand_scalars(n_wit)
    cb, wb = scalars_to_bytes(coeffs), scalars_to_bytes(wit)
    want = [0] * n_rows
    for r_, c_, k in zip(rows.tolist(), cols.tolist(), coeffs):
        want[r_] = (want[r_] + k * wit[c_]) % R
    got = NATIVE.sparse_matvec(n_rows, rows.tobytes(), cols.tobytes(), cb, wb)
    assert bytes_to_scalars(got) == want
    perm = rng.permutation(m)
    shuffled = (n_rows, rows[perm].tobytes(), cols[perm].tobytes(),
                b"".join(cb[32 * i:32 * i + 32] for i in perm.tolist()), wb)
    assert NATIVE.sparse_matvec(*shuffled) == got
    late, early = bytearray(cb), bytearray(cols.tobytes())
    late[32 * 60000:32 * 60001] = R.to_bytes(32, "little")
    with pytest.raises(MalformedInput, match="coefficient #60000"):
        NATIVE.sparse_matvec(n_rows, rows.tobytes(), cols.tobytes(), bytes(late), wb)
    early[4 * 30000:4 * 30001] = np.array([n_wit], "<u4").tobytes()
    with pytest.raises(MalformedInput, match="entry #30000 is out of range"):
        NATIVE.sparse_matvec(n_rows, rows.tobytes(), bytes(early), bytes(late), wb)

# ---- point checks --------------------------------------------------------------------------

def _fq2_sqrt(a: ob.FQ2):
    """A square root in Fq2 (q = 3 mod 4), or None (Adj & Rodriguez-Henriquez, alg. 9)."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    minus_one = ob.FQ2([Q - 1, 0])
    if alpha == minus_one:
        x = ob.FQ2([0, 1]) * x0
    else:
        x = (ob.FQ2.one() + alpha) ** ((Q - 1) // 2) * x0
    return x if x * x == a else None


def _twist_point_outside_subgroup() -> bytes:
    while True:
        x = ob.FQ2([RNG.randrange(Q), RNG.randrange(Q)])
        y = _fq2_sqrt(x ** 3 + curve.B2)
        if y is not None:
            p = (x, y, ob.FQ2.one())
            assert ob.is_on_curve(p, curve.B2)
            assert not ob.is_inf(ob.multiply(p, R))  # not in the r-torsion
            return curve.g2_from_py(p)


def test_check_g1():
    good = _g1_points([1, 2, 99])
    assert NATIVE.check_g1(good, False) == -1
    x, y = curve.g1_coords(G1)
    bad_coord = curve.g1_from_coords(Q, y)
    off = curve.g1_from_coords(x, (y + 1) % Q)
    y_plus_q = curve.G1_GEN[:32] + (y + Q).to_bytes(32, "little")
    for bad in (bad_coord, off, y_plus_q):
        assert NATIVE.check_g1(good + bad + good, False) == 3
        assert NATIVE.check_g1(good + bad, False) == REF.check_g1(good + bad, False)
    assert NATIVE.check_g1(good + curve.G1_ZERO, False) == 3
    assert NATIVE.check_g1(good + curve.G1_ZERO, True) == -1
    assert NATIVE.check_g1(good + b"\x01", True) == 3  # trailing partial point
    many = NATIVE.batch_mul_g1(G1, scalars_to_bytes(range(1, 9001)))
    assert NATIVE.check_g1(many, False) == -1
    assert NATIVE.check_g1(many[:64 * 8000] + off + many, False) == 8000


def test_check_g2():
    good = _g2_points([1, 2, 99])
    assert NATIVE.check_g2(good, False) == -1
    (x0, x1), (y0, y1) = curve.g2_coords(G2)
    cases = {
        "coordinate = q": curve.g2_from_coords((x0, Q), (y0, y1)),
        "off the twist": curve.g2_from_coords((x0, x1), (y0, (y1 + 1) % Q)),
        "outside the subgroup": _twist_point_outside_subgroup(),
    }
    for bad in cases.values():
        assert NATIVE.check_g2(good + bad, False) == 3
        assert REF.check_g2(good + bad, False) == 3
    assert NATIVE.check_g2(curve.G2_ZERO + good, False) == 0
    assert NATIVE.check_g2(curve.G2_ZERO + good, True) == -1


def test_check_g2_cleared_cofactor_is_accepted():
    """[h] P for the G2 cofactor h = 2q - r lands in the subgroup."""
    p = curve.g2_to_py(_twist_point_outside_subgroup())
    cleared = curve.g2_from_py(ob.multiply(p, 2 * Q - R))
    assert NATIVE.check_g2(cleared, False) == -1
    many = NATIVE.batch_mul_g2(G2, scalars_to_bytes(range(1, 40)))
    assert NATIVE.check_g2(many + cleared, False) == -1
    assert NATIVE.check_g2(many + _twist_point_outside_subgroup(), False) == 39


# ---- pairing ---------------------------------------------------------------------------------

def test_pairing_bilinearity():
    a, b = RNG.randrange(1, R), RNG.randrange(1, R)
    pa, qb = curve.g1_mul(G1, a), curve.g2_mul(G2, b)
    neg_ab = curve.g1_mul(G1, R - a * b % R)
    assert NATIVE.pairing_check(pa + neg_ab, qb + G2)
    assert not NATIVE.pairing_check(pa + neg_ab, curve.g2_mul(G2, b + 1) + G2)
    assert not NATIVE.pairing_check(pa + curve.g1_mul(G1, R - a * b % R + 1), qb + G2)
    assert NATIVE.pairing_check(b"", b"")
    assert not NATIVE.pairing_check(G1, G2)


def test_pairing_matches_py_ecc():
    a, b, c = (RNG.randrange(1, 1000) for _ in range(3))
    g1 = curve.g1_mul(G1, a) + curve.g1_mul(G1, c)
    for g2 in (curve.g2_mul(G2, b) + curve.g2_mul(G2, R - a * b * pow(c, -1, R) % R),
               curve.g2_mul(G2, b) + curve.g2_mul(G2, 3)):
        acc = ob.FQ12.one()
        for i in range(2):
            acc *= ob.pairing(curve.g2_to_py(g2[128 * i:128 * i + 128]),
                              curve.g1_to_py(g1[64 * i:64 * i + 64]), final_exponentiate=False)
        assert NATIVE.pairing_check(g1, g2) == (ob.final_exponentiate(acc) == ob.FQ12.one())


def test_pairing_groth16_shape_and_infinity():
    """Four pairs as in a Groth16 verification; a pair with infinity contributes 1."""
    a, b, c, x, d = (RNG.randrange(1, R) for _ in range(5))
    rest = (a * b - x * c) % R  # a*b - x*c - rest = 0
    g1 = b"".join(curve.g1_mul(G1, k) for k in (a, R - x, R - rest, d))
    g2 = curve.g2_mul(G2, b) + curve.g2_mul(G2, c) + G2 + curve.G2_ZERO
    assert NATIVE.pairing_check(g1, g2)
    assert not NATIVE.pairing_check(g1, g2[:-128] + G2)
    assert NATIVE.pairing_check(g1 + curve.G1_ZERO, g2 + G2)


# ---- malformed input ---------------------------------------------------------------------------

def test_malformed_scalars_name_the_index():
    pts = _g1_points([1, 2, 3, 4, 5])
    sc = [1, 2, 3, R, 5]
    with pytest.raises(MalformedInput, match="scalar #3 is not reduced mod r"):
        NATIVE.msm_g1(pts, scalars_to_bytes(sc))
    with pytest.raises(MalformedInput, match="scalar #3"):
        NATIVE.msm_g2(_g2_points([1] * 5), scalars_to_bytes(sc))
    with pytest.raises(MalformedInput, match="scalar #3"):
        NATIVE.batch_mul_g1(G1, scalars_to_bytes(sc))
    with pytest.raises(MalformedInput, match="scalar #3"):
        NATIVE.batch_mul_g2(G2, scalars_to_bytes(sc))
    with pytest.raises(MalformedInput, match="#1"):
        NATIVE.ntt(scalars_to_bytes([0, R + 5, 0, 0]))
    with pytest.raises(MalformedInput, match="#2"):
        NATIVE.fr_mul_sub(*(scalars_to_bytes([1, 1, 2 ** 256 - 1]),) * 3)


def test_malformed_points_name_the_index():
    pts = bytearray(_g1_points([1, 2, 3, 4, 5, 6, 7, 8]))
    pts[64 * 7 + 40] ^= 1
    with pytest.raises(MalformedInput, match="point #7 is not on the curve"):
        NATIVE.msm_g1(bytes(pts), scalars_to_bytes([1] * 8))
    big = curve.g1_from_coords(Q + 1, 2)
    with pytest.raises(MalformedInput, match="point #1 has a coordinate >= q"):
        NATIVE.msm_g1(G1 + big, scalars_to_bytes([1, 1]))
    g2 = bytearray(_g2_points([1, 2]))
    g2[128 + 100] ^= 1
    with pytest.raises(MalformedInput, match="point #1 is not on the curve"):
        NATIVE.msm_g2(bytes(g2), scalars_to_bytes([1, 1]))
    with pytest.raises(MalformedInput, match="base point"):
        NATIVE.batch_mul_g1(bytes(pts[64 * 7:]), scalars_to_bytes([1]))
    with pytest.raises(MalformedInput, match="pair #1"):
        NATIVE.pairing_check(G1 + bytes(pts[64 * 7:]), G2 + G2)


def test_malformed_lengths():
    with pytest.raises(MalformedInput):
        NATIVE.msm_g1(G1, scalars_to_bytes([1, 2]))
    with pytest.raises(MalformedInput):
        NATIVE.msm_g1(G1, b"\x01" * 31)
    with pytest.raises(MalformedInput):
        NATIVE.msm_g2(G2[:-1], scalars_to_bytes([1]))
    with pytest.raises(MalformedInput):
        NATIVE.batch_mul_g1(G1[:63], scalars_to_bytes([1]))
    with pytest.raises(MalformedInput):
        NATIVE.batch_mul_g2(G2, b"\x00" * 33)
    with pytest.raises(MalformedInput, match="power of two"):
        NATIVE.ntt(scalars_to_bytes([1, 2, 3]))
    with pytest.raises(MalformedInput):
        NATIVE.ntt(b"\x00" * 40)
    with pytest.raises(MalformedInput):
        NATIVE.ntt(scalars_to_bytes([1, 2]), True, R)
    with pytest.raises(MalformedInput):
        NATIVE.fr_mul_sub(b"\x00" * 32, b"\x00" * 64, b"\x00" * 32)
    with pytest.raises(MalformedInput):
        NATIVE.pairing_check(G1 + G1, G2)
    one = np.array([0], "<u4").tobytes()
    with pytest.raises(MalformedInput, match="entry #0 is out of range"):
        NATIVE.sparse_matvec(1, one, np.array([3], "<u4").tobytes(),
                             scalars_to_bytes([1]), scalars_to_bytes([1]))
    with pytest.raises(MalformedInput):
        NATIVE.sparse_matvec(1, one, one + one, scalars_to_bytes([1]), scalars_to_bytes([1]))
    with pytest.raises(MalformedInput, match="coefficient #0"):
        NATIVE.sparse_matvec(1, one, one, scalars_to_bytes([R]), scalars_to_bytes([1]))


def test_threads_argument():
    with pytest.raises(ValueError):
        NativeBackend(threads=0)
    assert NativeBackend(threads=3).msm_g1(G1, scalars_to_bytes([2])) == curve.g1_mul(G1, 2)


# ---- witness kernels (C fast paths of run_program, R1CS.check, witness packing) -----------

def _compiled(circuit):
    from zk import compile_circuit
    return compile_circuit(circuit)


def _shapes():
    from circuits.examples import MulChain, RangeHeavy, ReserveCheck
    vals = [RNG.randrange(1 << 64) for _ in range(3)]
    return [(MulChain(50), {"x": 7}), (RangeHeavy(3), {"values": vals, "total": sum(vals)}),
            (ReserveCheck(2), {"total": 30, "reserves": 40, "ratio_bps": 10000,
                               "balances": [10, 20]})]


@pytest.mark.parametrize("case", range(3))
def test_witness_fast_path_matches_python(case):
    import zk.witness
    circuit, inputs = _shapes()[case]
    cs = _compiled(circuit)
    fast = cs.solve(inputs)
    public = fast[1:1 + cs.num_public]
    private = fast[1 + cs.num_public:1 + cs.num_public + cs.num_private]
    assert zk.witness.solve(cs, cs.program, public, private, cs.output_wires, REF) == fast


def test_r1cs_check_fast_path_reports_the_first_failing_row():
    from zk.errors import UnsatisfiedConstraint
    circuit, inputs = _shapes()[0]
    cs = _compiled(circuit)
    w = cs.solve(inputs)
    assert NATIVE.check_rows(cs.constraints, w, 0) == cs.num_constraints
    for bad_wire in (5, 30):
        w2 = list(w)
        w2[bad_wire] = (w2[bad_wire] + 1) % R
        first = next(i for i, (a, b, cc) in enumerate(cs.constraints)
                     if bad_wire in a or bad_wire in b or bad_wire in cc)
        assert NATIVE.check_rows(cs.constraints, w2, 0) == first
        with pytest.raises(UnsatisfiedConstraint) as exc:
            cs.check(w2)
        assert exc.value.index == first and exc.value.label == cs.labels[first]
    # values the C path does not take (>= r, bools) are left to the Python loop
    w3 = list(w)
    w3[1] = w3[1] + R
    assert NATIVE.check_rows(cs.constraints, w3, 0) < cs.num_constraints
    cs.check(w3)  # the Python specification reduces mod r: still satisfied


def test_run_program_fast_path_hands_odd_steps_to_python():
    from zk.witness import run_program
    prog = [("lc", 2, {0: 3, 1: 2}), ("mul", 3, {2: 1}, {1: R - 1}),
            ("hint", [4], lambda v: v + 1, [{3: 1}], "h"), ("mul", 5, {4: 1}, {4: 1})]
    w = [1, 10, 0, 0, 0, 0]
    assert NATIVE.solve_steps(prog, w, 0) == 2 and w[:4] == [1, 10, 23, (-230) % R]
    run_program(prog, w)
    assert w == [1, 10, 23, (-230) % R, (-229) % R, 229 * 229 % R]
    w = [1, None, 0, 0, 0, 0]
    assert NATIVE.solve_steps(prog, w, 0) == 0     # None: Python raises its own error
    from zk.errors import CircuitDefinitionError
    with pytest.raises(CircuitDefinitionError, match="reads an output"):
        run_program(prog, w)


def test_fr_pack():
    from zk._native import _bn254 as c
    vals = [0, 1, R - 1, 1 << 200]
    assert c.fr_pack(vals) == scalars_to_bytes(vals)
    assert c.fr_pack([1, R]) is None and c.fr_pack([1, -1]) is None
    assert c.fr_pack([True]) is None and c.fr_pack([1 << 300]) is None
    assert c.fr_pack([]) == b""


# ---- fused Groth16 quotient ---------------------------------------------------------------

@pytest.mark.parametrize("log_n", [1, 2, 5, 13])
def test_coset_quotient_matches_the_ntt_composition(log_n):
    n = 1 << log_n
    a, b = scalars_to_bytes(_rand_scalars(n)), scalars_to_bytes(_rand_scalars(n))
    shift = root_of_unity(2 * n)
    want = []
    for be in ((NATIVE, REF) if n <= 32 else (NATIVE,)):
        c = be.fr_mul_sub(a, b, bytes(32 * n))
        want.append(be.fr_mul_sub(*(be.ntt(be.ntt(v, inverse=True), shift=shift)
                                    for v in (a, b, c))))
    assert all(w == want[0] for w in want)
    assert NATIVE.coset_quotient(a, b, shift) == want[0]
    assert NATIVE_1.coset_quotient(a, b, shift) == want[0]


def test_coset_quotient_rejects_bad_input():
    a = scalars_to_bytes([1, 2, R, 4])
    with pytest.raises(MalformedInput, match="#2"):
        NATIVE.coset_quotient(a, scalars_to_bytes([1] * 4), 7)
    with pytest.raises(MalformedInput, match="power of two"):
        NATIVE.coset_quotient(scalars_to_bytes([1] * 3), scalars_to_bytes([1] * 3), 7)
    with pytest.raises(MalformedInput):
        NATIVE.coset_quotient(scalars_to_bytes([1] * 4), scalars_to_bytes([1] * 2), 7)
    with pytest.raises(MalformedInput):
        NATIVE.coset_quotient(scalars_to_bytes([1] * 4), scalars_to_bytes([1] * 4), 0)


def test_reader_g2_check_words_errors_as_the_reference():
    """zk.backend.check_g2 (what the key and proof readers call) refuses exactly what
    zk.curve.check_g2 refuses, with the same message, and accepts subgroup points."""
    from zk.backend import check_g2
    (x0, x1), (y0, y1) = curve.g2_coords(G2)
    check_g2(_g2_points([5]), "p")
    for bad in (curve.g2_from_coords((x0, Q), (y0, y1)),
                curve.g2_from_coords((x0, x1), (y0, (y1 + 1) % Q)),
                _twist_point_outside_subgroup(), curve.G2_ZERO, b"\x00" * 127):
        with pytest.raises(MalformedInput) as ref:
            curve.check_g2(bad, "p")
        with pytest.raises(MalformedInput, match=re.escape(str(ref.value))):
            check_g2(bad, "p")
