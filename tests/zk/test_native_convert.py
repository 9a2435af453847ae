"""The format-conversion, batched-scaling and point-vector kernels: native against the
pure-Python reference and against py-ecc's group law (independent formulas)."""
from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import MalformedInput
from zk.field import Q, R, scalars_to_bytes

NATIVE, NATIVE_1, REF = NativeBackend(), NativeBackend(threads=1), ReferenceBackend()
RNG = random.Random(7)
MONT = pow(2, 256, Q)


def _g1(ks):
    return b"".join(curve.g1_mul(curve.G1_GEN, k) for k in ks)


def _g2(ks):
    return b"".join(curve.g2_mul(curve.G2_GEN, k) for k in ks)


def _lem_by_hand(data: bytes) -> bytes:
    """Montgomery form of every coordinate, by plain integer arithmetic."""
    words = [int.from_bytes(data[i:i + 32], "little") for i in range(0, len(data), 32)]
    return b"".join((w * MONT % Q).to_bytes(32, "little") for w in words)


@pytest.mark.parametrize("g2", [False, True])
def test_lem_roundtrip_matches_integer_arithmetic(g2):
    ks = [RNG.randrange(R) for _ in range(9)] + [0]
    pts = (_g2 if g2 else _g1)(ks)
    lem = _lem_by_hand(pts)
    for be in (NATIVE, NATIVE_1, REF):
        assert be.points_to_lem(pts, g2) == lem
        assert be.points_from_lem(lem, g2) == pts
        assert be.points_from_lem(lem, g2, check=False) == pts


def test_lem_large_buffer_is_converted_in_parallel_identically():
    base = _g1([RNG.randrange(R) for _ in range(16)])
    pts = base * 1024                               # 16384 points: the threaded path
    lem = NATIVE.points_to_lem(pts, False)
    assert lem == _lem_by_hand(base) * 1024
    assert NATIVE.points_from_lem(lem, False) == pts
    bad = bytearray(lem)
    bad[64 * 9000 + 40] ^= 1                       # y of point 9000 off the curve
    bad[64 * 12000] ^= 1
    for be in (NATIVE, NATIVE_1):
        with pytest.raises(MalformedInput, match="point #9000 is not on the curve"):
            be.points_from_lem(bytes(bad), False)


@pytest.mark.parametrize("g2", [False, True])
def test_lem_rejects_the_first_bad_point_like_the_reference(g2):
    size = 128 if g2 else 64
    lem = _lem_by_hand((_g2 if g2 else _g1)([RNG.randrange(R) for _ in range(6)]))
    off = bytearray(lem)
    off[3 * size + 33] ^= 4
    alias = bytearray(lem)
    x = int.from_bytes(lem[4 * size:4 * size + 32], "little") + Q
    if x < 1 << 256:
        alias[4 * size:4 * size + 32] = x.to_bytes(32, "little")
    else:
        alias[4 * size:4 * size + 32] = Q.to_bytes(32, "little")
    for be in (NATIVE, REF):
        with pytest.raises(MalformedInput, match="point #3 is not on the curve"):
            be.points_from_lem(bytes(off), g2)
        assert be.points_from_lem(bytes(off), g2, check=False)  # unchecked: converted
        with pytest.raises(MalformedInput, match="point #4 has a coordinate >= q"):
            be.points_from_lem(bytes(alias), g2)
        with pytest.raises(MalformedInput, match="whole number"):
            be.points_from_lem(lem[:-1], g2)


def _entries(rng, n, domain, nvars):
    out, mats = [], ([], [])
    for _ in range(n):
        m, row, wire, c = rng.randrange(2), rng.randrange(domain), rng.randrange(nvars), \
            rng.randrange(R)
        out.append(m.to_bytes(4, "little") + row.to_bytes(4, "little")
                   + wire.to_bytes(4, "little") + (c * pow(2, 512, R) % R).to_bytes(32, "little"))
        mats[m].append((row, wire, c))
    return b"".join(out), mats


def test_zkey_coefficients_split_and_join():
    raw, mats = _entries(RNG, 300, 64, 50)
    want = tuple((b"".join(r.to_bytes(4, "little") for r, _, _ in es),
                  b"".join(w.to_bytes(4, "little") for _, w, _ in es),
                  scalars_to_bytes(c for _, _, c in es)) for es in mats)
    for be in (NATIVE, REF):
        a, b = be.zkey_coefs_split(raw, 64, 50)
        assert (a, b) == want
        joined = be.zkey_coefs_join(a, b)
        assert be.zkey_coefs_split(joined, 64, 50) == want
        assert sorted(joined[i:i + 44] for i in range(0, len(joined), 44)) == \
            sorted(raw[i:i + 44] for i in range(0, len(raw), 44))


@pytest.mark.parametrize("field,value", [(0, 2), (4, 64), (8, 50), (12, R)])
def test_zkey_coefficients_out_of_range(field, value):
    raw, _ = _entries(RNG, 20, 64, 50)
    bad = bytearray(raw)
    width = 32 if field == 12 else 4
    bad[44 * 17 + field:44 * 17 + field + width] = value.to_bytes(width, "little")
    for be in (NATIVE, REF):
        with pytest.raises(MalformedInput, match="coefficient #17 is out of range"):
            be.zkey_coefs_split(bytes(bad), 64, 50)


def test_fr_vectors():
    vals = [0, 1, R - 1, 1 << 200]
    words = scalars_to_bytes(vals)
    for be in (NATIVE, REF):
        assert be.fr_unpack(words) == vals
        assert be.fr_pack(vals) == words
        assert be.fr_first_unreduced(words) == -1
        assert be.fr_first_unreduced(words + (R).to_bytes(32, "little") + bytes(32)) == 4
        for bad in ([1, R], [1, -1], [True]):
            with pytest.raises(MalformedInput, match="value #"):
                be.fr_pack(bad)


@pytest.mark.parametrize("g2", [False, True])
def test_scale_by_power_sequence_matches_py_ecc(g2):
    n = 70 if not g2 else 9                         # > one 64-point chunk for G1
    ks = [RNG.randrange(R) for _ in range(n)]
    ks[3] = 0                                        # infinity stays infinity
    pts = (_g2 if g2 else _g1)(ks)
    first, step = RNG.randrange(R), RNG.randrange(R)
    gen, enc = (ob.G2, curve.g2_from_py) if g2 else (ob.G1, curve.g1_from_py)
    want = b"".join(enc(ob.multiply(gen, k * first * pow(step, i, R) % R))
                    for i, k in enumerate(ks))
    scale = "scale_g2" if g2 else "scale_g1"
    for be in (NATIVE, NATIVE_1, REF):
        assert getattr(be, scale)(pts, first, step) == want
    const = b"".join(enc(ob.multiply(gen, k * first % R)) for k in ks)
    assert getattr(NATIVE, scale)(pts, first) == const
    assert getattr(NATIVE, scale)(pts, 0) == bytes(len(pts))
    assert getattr(NATIVE, scale)(pts, 1) == pts


def test_scale_rejects_bad_points():
    pts = bytearray(_g1([5, 6, 7]))
    pts[64 + 40] ^= 1
    for be in (NATIVE, REF):
        with pytest.raises(MalformedInput, match="point #1 is not on the curve"):
            be.scale_g1(bytes(pts), 3)


def _py_sub(a: bytes, b: bytes) -> bytes:
    """a[i] - b[i] by py-ecc's Jacobian group law (the independent oracle)."""
    return b"".join(curve.g1_from_py(ob.add(curve.g1_to_py(a[i:i + 64]),
                                            ob.neg(curve.g1_to_py(b[i:i + 64]))))
                    for i in range(0, len(a), 64))


def test_g1_sub_many_edge_cases_match_py_ecc():
    ks = [RNG.randrange(R) for _ in range(12)]
    a, b = _g1(ks), _g1([RNG.randrange(R) for _ in ks])
    p5, p9 = a[5 * 64:6 * 64], a[9 * 64:10 * 64]
    cases = [(a[:64], curve.G1_ZERO), (curve.G1_ZERO, b[:64]),      # infinity either side
             (curve.G1_ZERO, curve.G1_ZERO), (p5, p5),              # both; a == b
             (p9, curve.g1_neg(p9)), (curve.G1_GEN, curve.g1_neg(curve.G1_GEN))]  # a == -b
    a += b"".join(x for x, _ in cases)
    b += b"".join(y for _, y in cases)
    want = _py_sub(a, b)
    assert want[-4 * 64:-3 * 64] == curve.G1_ZERO and want[-64:] == curve.g1_mul(curve.G1_GEN, 2)
    for be in (NATIVE, NATIVE_1, REF):
        assert be.g1_sub_many(a, b) == want
        assert be.g1_sub_many(b"", b"") == b""


def test_g1_sub_many_large_threaded_matches_the_reference():
    n = 3000                                          # several chunks, several workers
    ka, kb = [RNG.randrange(R) for _ in range(n)], [RNG.randrange(R) for _ in range(n)]
    for i in (255, 256, 1499):                       # equal points at chunk edges
        kb[i] = ka[i]
    for i in (0, 511, 2999):                         # opposite points
        kb[i] = R - ka[i]
    ka[700] = kb[701] = 0                            # infinity
    a = NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(ka))
    b = NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(kb))
    out = NATIVE.g1_sub_many(a, b)
    assert out == NATIVE_1.g1_sub_many(a, b) == REF.g1_sub_many(a, b)
    for i in (0, 255, 700, 701, 1234, 2999):
        assert out[64 * i:64 * i + 64] == _py_sub(a[64 * i:64 * i + 64], b[64 * i:64 * i + 64])


def test_g1_sub_many_rejects_bad_points_naming_operand_and_index():
    a, b = _g1([RNG.randrange(R) for _ in range(5)]), _g1([RNG.randrange(R) for _ in range(5)])
    off_a, off_b = bytearray(a), bytearray(b)
    off_a[3 * 64 + 40] ^= 1
    off_b[2 * 64 + 40] ^= 1
    big = bytearray(b)
    big[4 * 64:4 * 64 + 32] = Q.to_bytes(32, "little")
    for be in (NATIVE, NATIVE_1, REF):
        with pytest.raises(MalformedInput, match=r"\(a\): point #3 is not on the curve"):
            be.g1_sub_many(bytes(off_a), b)
        with pytest.raises(MalformedInput, match=r"\(b\): point #2 is not on the curve"):
            be.g1_sub_many(bytes(off_a), bytes(off_b))
        with pytest.raises(MalformedInput, match=r"\(b\): point #4 has a coordinate >= q"):
            be.g1_sub_many(a, bytes(big))
        with pytest.raises(MalformedInput, match="equal whole numbers of points"):
            be.g1_sub_many(a, b[:-64])
    many = NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(range(1, 2049)))
    bad = bytearray(many)
    bad[64 * 1500 + 40] ^= 1
    bad[64 * 1900 + 40] ^= 1
    with pytest.raises(MalformedInput, match=r"\(a\): point #1500 is not on the curve"):
        NATIVE.g1_sub_many(bytes(bad), many)        # threaded: still the first bad point


def _matrix(entries) -> tuple[bytes, bytes, bytes]:
    return (b"".join(r.to_bytes(4, "little") for r, _, _ in entries),
            b"".join(c.to_bytes(4, "little") for _, c, _ in entries),
            scalars_to_bytes(v for _, _, v in entries))


@pytest.mark.parametrize("g2", [False, True])
def test_sparse_msm_matches_py_ecc(g2):
    """Coefficients 0, 1, r - 1, small and random; infinity among the points and the
    accumulators; repeated entries; columns with no entry keep their accumulator."""
    npts, nout = 9, 6
    pts = (_g2 if g2 else _g1)([RNG.randrange(R) for _ in range(npts - 1)] + [0])
    acc = (_g2 if g2 else _g1)([RNG.randrange(R) for _ in range(nout - 2)] + [0, 5])
    entries = [(RNG.randrange(npts), RNG.randrange(nout - 1),
                RNG.choice([0, 1, 1, R - 1, R - 1, 2, RNG.randrange(R)])) for _ in range(30)]
    entries += [(2, 0, 1), (2, 0, R - 1), (4, 4, 3), (4, 4, 3), (8, 1, 7)]
    size, add, mul = (128, curve.g2_add, curve.g2_mul) if g2 else (64, curve.g1_add, curve.g1_mul)
    want = [acc[size * c:size * c + size] for c in range(nout)]
    for r, c, v in entries:
        want[c] = add(want[c], mul(pts[size * r:size * r + size], v))
    fn = "sparse_msm_g2" if g2 else "sparse_msm_g1"
    for be in (NATIVE, NATIVE_1, REF):
        assert getattr(be, fn)(acc, pts, _matrix(entries)) == b"".join(want)
        assert getattr(be, fn)(acc, pts, (b"", b"", b"")) == acc


def test_sparse_msm_large_threaded_matches_scalar_arithmetic():
    """Points k_r G: every column must be (acc_c + sum v k_r) G, computed over the
    scalars and multiplied out by the fixed-base kernel (an independent path)."""
    npts, nout = 300, 700                            # several column chunks and workers
    ks = [RNG.randrange(1, R) for _ in range(npts)]
    ka = [RNG.randrange(R) for _ in range(nout)]
    pts = NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(ks))
    acc = NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(ka))
    entries = [(RNG.randrange(npts), RNG.randrange(nout),
                RNG.choice([1, 1, 1, R - 1, RNG.randrange(R)])) for _ in range(3000)]
    entries += [(0, 9, 1), (0, 9, R - 1)] + [(5, 650, 1)] * 40   # cancel; a long column
    sums = list(ka)
    for r, c, v in entries:
        sums[c] = (sums[c] + v * ks[r]) % R
    out = NATIVE.sparse_msm_g1(acc, pts, _matrix(entries))
    assert out == NATIVE.batch_mul_g1(curve.G1_GEN, scalars_to_bytes(sums))
    assert out == NATIVE_1.sparse_msm_g1(acc, pts, _matrix(entries))


def test_sparse_msm_rejects_bad_entries_and_points():
    pts, acc = _g1([3, 4, 5]), _g1([6, 7])
    ok = [(0, 0, 1), (2, 1, 9), (1, 1, R - 1)]
    off = bytearray(pts)
    off[64 + 40] ^= 1
    off_acc = bytearray(acc)
    off_acc[64:96] = Q.to_bytes(32, "little")
    for be in (NATIVE, NATIVE_1, REF):
        for bad in ((3, 0, 1), (0, 2, 1)):
            with pytest.raises(MalformedInput, match="entry #3 is out of range"):
                be.sparse_msm_g1(acc, pts, _matrix(ok + [bad]))
        with pytest.raises(MalformedInput, match="coefficient #1 is not reduced mod r"):
            be.sparse_msm_g1(acc, pts, _matrix([ok[0], (1, 1, R)]))
        with pytest.raises(MalformedInput, match="point #1 is not on the curve"):
            be.sparse_msm_g1(acc, bytes(off), _matrix(ok))
        with pytest.raises(MalformedInput, match="accumulator point #1 has a coordinate >= q"):
            be.sparse_msm_g1(bytes(off_acc), pts, _matrix(ok))
        with pytest.raises(MalformedInput, match="arrays disagree"):
            be.sparse_msm_g1(acc, pts, (b"\0" * 4, b"", bytes(32)))
        with pytest.raises(MalformedInput, match="whole number"):
            be.sparse_msm_g1(acc[:-1], pts, _matrix(ok))
    g2 = bytearray(_g2([3]))
    g2[100] ^= 1
    for be in (NATIVE, REF):
        with pytest.raises(MalformedInput, match="point #0 is not on the curve"):
            be.sparse_msm_g2(bytes(128), bytes(g2), _matrix([(0, 0, 2)]))


def _r1cs_section(rows) -> bytes:
    out = []
    for row in rows:
        for lc in row:
            out.append(len(lc).to_bytes(4, "little"))
            for w, v in lc.items():
                out.append(w.to_bytes(4, "little") + v.to_bytes(32, "little"))
    return b"".join(out)


def test_r1cs_constraints_parse_like_the_reference():
    rows = [tuple({RNG.randrange(30): RNG.randrange(R) for _ in range(RNG.randrange(5))}
                  for _ in range(3)) for _ in range(40)]
    data = _r1cs_section(rows)
    for be in (NATIVE, REF):
        assert be.r1cs_constraints(data, 40, 30) == rows


@pytest.mark.parametrize("case,match", [
    ("cut", "offset 1240: linear combination of 1 terms runs past"),
    ("wire", "offset 1124: bad term"), ("coeff", "offset 1124: bad term"),
    ("dup", "offset 1160: bad term"), ("trailing", "offset 1276: 3 trailing bytes"),
    ("long", "offset 1124: linear combination of 1000 terms runs past")])
def test_r1cs_constraints_refuse_bad_sections(case, match):
    rows = [({1: 5, 2: 7}, {3: 1}, {}), ({4: 2, 5: 3}, {0: 1}, {2: 9})]
    data = bytearray(_r1cs_section(rows))     # row 1's A starts at byte 120
    assert len(data) == 276
    if case == "cut":
        data = data[:-10]
    elif case == "wire":                      # row 1, A, first term: wire 4 -> 99
        data[124:128] = (99).to_bytes(4, "little")
    elif case == "coeff":
        data[128:160] = R.to_bytes(32, "little")
    elif case == "dup":                       # row 1, A, second term: wire 5 -> 4
        data[160:164] = (4).to_bytes(4, "little")
    elif case == "trailing":
        data += b"\0\0\0"
    elif case == "long":
        data[120:124] = (1000).to_bytes(4, "little")
    for be in (NATIVE, REF):
        with pytest.raises(MalformedInput, match=match):
            be.r1cs_constraints(bytes(data), 2, 10, 1000)


def test_r1cs_rows_encoded_as_the_reference_and_read_back():
    """.r1cs section 2 and .zkey section-4 entries from R1CS rows: native == reference
    (the old Python writer), read back by the section parsers; negative or >= r
    coefficients reduced the same way (the native pass hands those to the reference)."""
    rows = [tuple({RNG.randrange(40): RNG.randrange(R) for _ in range(RNG.randrange(4))}
                  for _ in range(3)) for _ in range(60)]
    odd = rows + [({0: -1, 3: R + 2}, {1: 1}, {})]
    for cons in (rows, odd):
        enc = NATIVE.r1cs_encode(cons)
        assert enc == REF.r1cs_encode(cons)
        assert NATIVE.zkey_coef_entries(cons) == REF.zkey_coef_entries(cons)
    assert NATIVE.r1cs_constraints(NATIVE.r1cs_encode(rows), len(rows), 40) == rows
    split = NATIVE.zkey_coefs_split(NATIVE.zkey_coef_entries(rows), 64, 40)
    for m, got in enumerate(split):
        assert _triples(got) == _triples(NATIVE.pack_matrix(rows, m))


def _triples(mat):
    rows, wires, coeffs = mat
    return sorted((rows[i:i + 4], wires[i:i + 4], coeffs[8 * i:8 * i + 32])
                  for i in range(0, len(rows), 4))
