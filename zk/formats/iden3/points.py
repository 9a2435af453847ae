"""Point and scalar encodings of the iden3 files, to and from the ones of zk.curve.

snarkjs stores curve points as "LEM": affine coordinates in Montgomery form
(x * 2^256 mod q), 32-byte little-endian, G2 as x.c0 || x.c1 || y.c0 || y.c1, the point
at infinity as zeros. Matrix coefficients in a .zkey are stored as c * 2^512 mod r.
Hashes (csHash, transcripts) are taken over the "uncompressed" form: big-endian,
canonical, G2 coordinates as c1 || c0.
"""
from __future__ import annotations

from array import array

from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import R

MONT_R2 = pow(2, 512, R)
MONT_R2_INV = pow(MONT_R2, -1, R)


def _conv(data: bytes, g2: bool, to_lem: bool, what: str, check: bool) -> bytes:
    """One whole-buffer backend pass; errors name what and the point's index."""
    be = get_backend()
    try:
        if to_lem:
            return be.points_to_lem(data, g2)
        return be.points_from_lem(data, g2, check)
    except MalformedInput as exc:
        raise MalformedInput(f"{what}: {exc}") from None


def g1_from_lem(data: bytes, what: str, check: bool = True) -> bytes:
    """LEM G1 points -> zk.curve encoding; coordinates < q and on-curve checked."""
    return _conv(data, False, False, what, check)


def g2_from_lem(data: bytes, what: str, check: bool = True) -> bytes:
    """LEM G2 points -> zk.curve encoding; coordinates < q and on the twist checked.

    Subgroup membership is not checked here (costly); keys check their vk points.
    """
    return _conv(data, True, False, what, check)


def g1_to_lem(data: bytes) -> bytes:
    """zk.curve G1 points -> LEM."""
    return _conv(data, False, True, "G1 points", False)


def g2_to_lem(data: bytes) -> bytes:
    """zk.curve G2 points -> LEM."""
    return _conv(data, True, True, "G2 points", False)


def g1_uncompressed(p: bytes) -> bytes:
    """Big-endian x || y (zeros for infinity), the form snarkjs hashes."""
    return p[31::-1] + p[63:31:-1]


def g2_uncompressed(p: bytes) -> bytes:
    """Big-endian x.c1 || x.c0 || y.c1 || y.c0 (zeros for infinity)."""
    w = [p[i:i + 32][::-1] for i in range(0, 128, 32)]
    return w[1] + w[0] + w[3] + w[2]


def _words_be(data: bytes, order: tuple[int, ...]) -> bytes:
    """Every 32-byte word big-endian, words of each record taken in ``order``; whole
    buffer (slice assignments over 8-byte limbs, no loop per point)."""
    stride = 4 * len(order)
    if len(data) % (8 * stride):
        raise MalformedInput(f"{len(data)} bytes is not a whole number of points")
    src = array("Q", bytes(data))
    src.byteswap()                         # each limb's bytes reversed
    out = array("Q", bytes(len(data)))
    for j, w in enumerate(order):          # limbs of each word in reverse order
        for t in range(4):
            out[4 * j + t::stride] = src[4 * w + 3 - t::stride]
    return out.tobytes()


def g1_uncompressed_many(data: bytes) -> bytes:
    """:func:`g1_uncompressed` of consecutive points, in one pass."""
    return _words_be(data, (0, 1))


def g2_uncompressed_many(data: bytes) -> bytes:
    """:func:`g2_uncompressed` of consecutive points, in one pass."""
    return _words_be(data, (1, 0, 3, 2))


def every_other(data: bytes, size: int, first: int) -> bytes:
    """Records first, first + 2, ... of a buffer of size-byte records (size % 8 == 0)."""
    k = size // 8
    src = array("Q", bytes(data))
    n = (len(src) // k - first + 1) // 2
    out = array("Q", bytes(8 * k * n))
    for j in range(k):
        out[j::k] = src[k * first + j::2 * k][:n]
    return out.tobytes()


def coef_from_file(v: int) -> int:
    """A .zkey matrix coefficient (c * 2^512 mod r, so Montgomery of c) -> c."""
    return v * MONT_R2_INV % R


def coef_to_file(c: int) -> int:
    """c -> c * 2^512 mod r, as snarkjs writes matrix coefficients."""
    return c * MONT_R2 % R
