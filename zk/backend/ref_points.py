"""The reference backend's point-vector kernels in pure Python.

Twins of ``zk/_native/group_sub_tmpl.h`` (element-wise G1 subtraction: affine chord or
tangent additions whose denominators share one inversion, over plain integers) and
``group_sparse_tmpl.h`` (sparse matrix times point vector, entry by entry with py-ecc).
"""
from __future__ import annotations

from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.backend import ref_convert
from zk.backend.ref_scale import affine_point
from zk.errors import MalformedInput
from zk.field import Q, R


def _point(data: bytes, i: int, what: str) -> tuple[int, int]:
    return affine_point(data, i, f"g1_sub_many ({what}): ")


def g1_sub_many(a: bytes, b: bytes) -> bytes:
    """[a[i] - b[i]] over two equal-length buffers of canonical G1 points."""
    if len(a) % 64 or len(b) != len(a):
        raise MalformedInput(f"g1_sub_many: {len(a)} and {len(b)} bytes are not two equal "
                             "whole numbers of points")
    out = bytearray(len(a))
    todo = []                                      # (index, p, q, denominator)
    for i in range(len(a) // 64):
        p, (qx, qy) = _point(a, i, "a"), _point(b, i, "b")
        q = (qx, (Q - qy) % Q)                     # -b
        if q == (0, 0) or p == (0, 0):
            out[64 * i:64 * i + 64] = a[64 * i:64 * i + 64] if q == (0, 0) else \
                q[0].to_bytes(32, "little") + q[1].to_bytes(32, "little")
        elif p[0] != q[0]:
            todo.append((i, p, q, (q[0] - p[0]) % Q))
        elif p[1] == q[1]:                         # a == -b: the tangent at a
            todo.append((i, p, q, 2 * p[1] % Q))
        # else a == b: infinity (already zeros)
    invs, acc = [], 1
    for *_, d in todo:
        invs.append(acc)
        acc = acc * d % Q
    acc = pow(acc, -1, Q)
    for j in range(len(todo) - 1, -1, -1):
        i, (x1, y1), (x2, y2), d = todo[j]
        inv_d, acc = acc * invs[j] % Q, acc * d % Q
        num = 3 * x1 * x1 if x1 == x2 else y2 - y1
        lam = num * inv_d % Q
        x3 = (lam * lam - x1 - x2) % Q
        y3 = (lam * (x1 - x3) - y1) % Q
        out[64 * i:64 * i + 64] = x3.to_bytes(32, "little") + y3.to_bytes(32, "little")
    return bytes(out)


def _checked(data: bytes, size: int, what: str) -> list:
    """py-ecc points of a buffer, coordinates < q and on the curve (or twist) checked."""
    dec = curve.g2_to_py if size == 128 else curve.g1_to_py
    out = []
    for i in range(0, len(data), size):
        p = data[i:i + size]
        cs = [int.from_bytes(p[j:j + 32], "little") for j in range(0, size, 32)]
        if any(c >= Q for c in cs):
            raise MalformedInput(f"sparse_msm: {what} #{i // size} has a coordinate >= q")
        if any(cs) and not ref_convert.on_curve(cs):
            raise MalformedInput(f"sparse_msm: {what} #{i // size} is not on the curve")
        out.append(dec(p))
    return out


def sparse_msm(acc: bytes, points: bytes, matrix: tuple[bytes, bytes, bytes], g2: bool) -> bytes:
    """acc[c] + sum over entries (r, c, v) of v * points[r] with py-ecc, entry by entry."""
    size = 128 if g2 else 64
    rows, cols, coeffs = matrix
    m = len(rows) // 4
    if len(acc) % size or len(points) % size:
        raise MalformedInput(f"sparse_msm: {len(acc)} and {len(points)} bytes are not whole "
                             "numbers of points")
    if len(rows) % 4 or len(cols) != len(rows) or len(coeffs) != 32 * m:
        raise MalformedInput("sparse_msm: row, column and coefficient arrays disagree")
    entries = []
    for e in range(m):
        r, c = (int.from_bytes(x[4 * e:4 * e + 4], "little") for x in (rows, cols))
        v = int.from_bytes(coeffs[32 * e:32 * e + 32], "little")
        if r >= len(points) // size or c >= len(acc) // size:
            raise MalformedInput(f"sparse_msm: entry #{e} is out of range")
        if v >= R:
            raise MalformedInput(f"sparse_msm: coefficient #{e} is not reduced mod r")
        entries.append((r, c, v))
    sums, pts = _checked(acc, size, "accumulator point"), _checked(points, size, "point")
    for r, c, v in entries:
        sums[c] = ob.add(sums[c], ob.multiply(pts[r], v))
    enc = curve.g2_from_py if g2 else curve.g1_from_py
    return b"".join(enc(p) for p in sums)
