"""Point and scalar encodings of the iden3 files, to and from the ones of zk.curve.

snarkjs stores curve points as "LEM": affine coordinates in Montgomery form
(x * 2^256 mod q), 32-byte little-endian, G2 as x.c0 || x.c1 || y.c0 || y.c1, the point
at infinity as zeros. Matrix coefficients in a .zkey are stored as c * 2^512 mod r.
Hashes (csHash, transcripts) are taken over the "uncompressed" form: big-endian,
canonical, G2 coordinates as c1 || c0.
"""
from __future__ import annotations

from zk.curve import B2, Q
from zk.errors import MalformedInput
from zk.field import R

MONT = pow(2, 256, Q)
MONT_INV = pow(MONT, -1, Q)
MONT_R2 = pow(2, 512, R)
MONT_R2_INV = pow(MONT_R2, -1, R)
_B2 = tuple(int(c) for c in B2.coeffs)


def _ints(data: bytes, k: int) -> list[int]:
    return [int.from_bytes(data[i:i + 32], "little") for i in range(0, k * 32, 32)]


def _conv(data: bytes, size: int, factor: int, what: str, check) -> bytes:
    if len(data) % size:
        raise MalformedInput(f"{what}: {len(data)} bytes is not a whole number of points")
    words = size // 32
    out = bytearray(len(data))
    zero = bytes(size)
    for i in range(0, len(data), size):
        chunk = data[i:i + size]
        if chunk == zero:
            continue
        cs = _ints(chunk, words)
        if any(c >= Q for c in cs):
            raise MalformedInput(f"{what}: point #{i // size} has a coordinate >= q")
        cs = [c * factor % Q for c in cs]
        if check is not None and not check(cs):
            raise MalformedInput(f"{what}: point #{i // size} is not on the curve")
        out[i:i + size] = b"".join(c.to_bytes(32, "little") for c in cs)
    return bytes(out)


def _on_g1(c: list[int]) -> bool:
    x, y = c
    return (y * y - x * x * x - 3) % Q == 0


def _f2mul(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int]:
    return (a0 * b0 - a1 * b1) % Q, (a0 * b1 + a1 * b0) % Q


def _on_g2(c: list[int]) -> bool:
    x0, x1, y0, y1 = c
    xx = _f2mul(x0, x1, x0, x1)
    xxx = _f2mul(*xx, x0, x1)
    yy = _f2mul(y0, y1, y0, y1)
    return (yy[0] - xxx[0] - _B2[0]) % Q == 0 and (yy[1] - xxx[1] - _B2[1]) % Q == 0


def g1_from_lem(data: bytes, what: str, check: bool = True) -> bytes:
    """LEM G1 points -> zk.curve encoding; coordinates < q and on-curve checked."""
    return _conv(data, 64, MONT_INV, what, _on_g1 if check else None)


def g2_from_lem(data: bytes, what: str, check: bool = True) -> bytes:
    """LEM G2 points -> zk.curve encoding; coordinates < q and on the twist checked.

    Subgroup membership is not checked here (costly); keys check their vk points.
    """
    return _conv(data, 128, MONT_INV, what, _on_g2 if check else None)


def g1_to_lem(data: bytes) -> bytes:
    """zk.curve G1 points -> LEM."""
    return _conv(data, 64, MONT, "G1 points", None)


def g2_to_lem(data: bytes) -> bytes:
    """zk.curve G2 points -> LEM."""
    return _conv(data, 128, MONT, "G2 points", None)


def g1_uncompressed(p: bytes) -> bytes:
    """Big-endian x || y (zeros for infinity), the form snarkjs hashes."""
    return p[31::-1] + p[63:31:-1]


def g2_uncompressed(p: bytes) -> bytes:
    """Big-endian x.c1 || x.c0 || y.c1 || y.c0 (zeros for infinity)."""
    w = [p[i:i + 32][::-1] for i in range(0, 128, 32)]
    return w[1] + w[0] + w[3] + w[2]


def coef_from_file(v: int) -> int:
    """A .zkey matrix coefficient (c * 2^512 mod r, so Montgomery of c) -> c."""
    return v * MONT_R2_INV % R


def coef_to_file(c: int) -> int:
    """c -> c * 2^512 mod r, as snarkjs writes matrix coefficients."""
    return c * MONT_R2 % R
