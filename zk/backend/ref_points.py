"""The reference backend's element-wise G1 arithmetic over plain integers.

The pure-Python twin of ``zk/_native/group_sub_tmpl.h``: affine chord (or tangent)
additions whose denominators share one inversion (Montgomery's trick).
"""
from __future__ import annotations

from zk.errors import MalformedInput
from zk.field import Q


def _point(data: bytes, i: int, what: str) -> tuple[int, int]:
    """(x, y) of point i, (0, 0) for infinity; coordinates < q and on-curve checked."""
    x = int.from_bytes(data[64 * i:64 * i + 32], "little")
    y = int.from_bytes(data[64 * i + 32:64 * i + 64], "little")
    if x >= Q or y >= Q:
        raise MalformedInput(f"g1_sub_many ({what}): point #{i} has a coordinate >= q")
    if (x or y) and (y * y - x * x * x - 3) % Q:
        raise MalformedInput(f"g1_sub_many ({what}): point #{i} is not on the curve")
    return x, y


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
