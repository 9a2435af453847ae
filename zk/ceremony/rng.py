"""Deterministic sampling exactly as snarkjs/ffjavascript does it, for interop.

Phase-2 transcripts are checked against points derived from a ChaCha20 stream: the G2
point ``hashToG2(transcript)`` of every contribution, and the whole key of a random
beacon. To verify snarkjs's transcripts and to write ones snarkjs accepts we reproduce:
ffjavascript's ChaCha (seed = 8 big-endian u32 words, 20 rounds, 64-bit counter in
words 12..15), ``F.fromRng`` (four u64 draws, masked to 254 bits, rejection-sampled, and
then *read as a Montgomery form*, so the value is v / 2^256), and ``G.fromRng`` (x from
the field, a sign bit, y = the root with that sign, times the cofactor for G2).
"""
from __future__ import annotations

import hashlib
import struct

from py_ecc import optimized_bn128 as ob

from zk import curve
from zk.field import R

Q = curve.Q
_MASK = (1 << 254) - 1
_INV_MONT_Q = pow(2, -256, Q)
_INV_MONT_R = pow(2, -256, R)
_G2_COFACTOR = 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D
_B2 = tuple(int(c) for c in curve.B2.coeffs)
_M32 = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _M32


def _quarter(s: list[int], a: int, b: int, c: int, d: int) -> None:
    s[a] = (s[a] + s[b]) & _M32
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & _M32
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _M32
    s[b] = _rotl(s[b] ^ s[c], 7)


class ChaCha:
    """ffjavascript's ChaCha stream of u32 words."""

    def __init__(self, seed: list[int]):
        if len(seed) != 8:
            raise ValueError("ChaCha seed must be 8 u32 words")
        self.state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574, *seed, 0, 0, 0, 0]
        self.buf: list[int] = []
        self.idx = 16

    @classmethod
    def from_hash(cls, digest: bytes) -> "ChaCha":
        """Seeded with the first 32 bytes of a hash read as 8 big-endian words."""
        return cls(list(struct.unpack(">8I", digest[:32])))

    def _update(self) -> None:
        s = list(self.state)
        for _ in range(10):
            _quarter(s, 0, 4, 8, 12)
            _quarter(s, 1, 5, 9, 13)
            _quarter(s, 2, 6, 10, 14)
            _quarter(s, 3, 7, 11, 15)
            _quarter(s, 0, 5, 10, 15)
            _quarter(s, 1, 6, 11, 12)
            _quarter(s, 2, 7, 8, 13)
            _quarter(s, 3, 4, 9, 14)
        self.buf = [(x + y) & _M32 for x, y in zip(s, self.state)]
        self.idx = 0
        for i in range(12, 16):
            self.state[i] = (self.state[i] + 1) & _M32
            if self.state[i]:
                break

    def u32(self) -> int:
        if self.idx == 16:
            self._update()
        self.idx += 1
        return self.buf[self.idx - 1]

    def u64(self) -> int:
        hi = self.u32()
        return (hi << 32) | self.u32()


def _raw_from_rng(rng: ChaCha, p: int) -> int:
    while True:
        v = 0
        for i in range(4):
            v |= rng.u64() << (64 * i)
        v &= _MASK
        if v < p:
            return v


def fr_from_rng(rng: ChaCha) -> int:
    """snarkjs's ``Fr.fromRng``: the scalar a private key is drawn as."""
    return _raw_from_rng(rng, R) * _INV_MONT_R % R


def _fq_from_rng(rng: ChaCha) -> int:
    return _raw_from_rng(rng, Q) * _INV_MONT_Q % Q


def _negative(x: int) -> bool:
    return x > (Q - 1) // 2


def _f2mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def _f2pow(a, e: int):
    out, base = (1, 0), a
    while e:
        if e & 1:
            out = _f2mul(out, base)
        base = _f2mul(base, base)
        e >>= 1
    return out


def _f2sqrt(a):
    """A square root in Fq2 (u^2 = -1, q = 3 mod 4), or None."""
    a1 = _f2pow(a, (Q - 3) // 4)
    alpha = _f2mul(_f2mul(a1, a1), a)
    a0 = _f2mul((alpha[0], -alpha[1] % Q), alpha)
    if a0 == (Q - 1, 0):
        return None
    x0 = _f2mul(a1, a)
    if alpha == (Q - 1, 0):
        x = _f2mul((0, 1), x0)
    else:
        x = _f2mul(_f2pow(((1 + alpha[0]) % Q, alpha[1]), (Q - 1) // 2), x0)
    return x if _f2mul(x, x) == (a[0] % Q, a[1] % Q) else None


def g1_from_rng(rng: ChaCha) -> bytes:
    """snarkjs's ``G1.fromRng`` (encoded as in zk.curve)."""
    while True:
        x = _fq_from_rng(rng)
        greatest = rng.u32() & 1 == 1
        rhs = (x * x * x + 3) % Q
        y = pow(rhs, (Q + 1) // 4, Q)
        if y * y % Q == rhs:
            break
    if greatest != _negative(y):
        y = (Q - y) % Q
    return curve.g1_from_coords(x, y)


def g2_from_rng(rng: ChaCha) -> bytes:
    """snarkjs's ``G2.fromRng``: a point on the twist, multiplied by the cofactor."""
    while True:
        x = (_fq_from_rng(rng), _fq_from_rng(rng))
        greatest = rng.u32() & 1 == 1
        x3 = _f2mul(_f2mul(x, x), x)
        y = _f2sqrt(((x3[0] + _B2[0]) % Q, (x3[1] + _B2[1]) % Q))
        if y is not None:
            break
    neg = _negative(y[0]) if y[1] == 0 else _negative(y[1])
    if greatest != neg:
        y = ((Q - y[0]) % Q, (Q - y[1]) % Q)
    p = (ob.FQ2(list(x)), ob.FQ2(list(y)), ob.FQ2.one())
    return curve.g2_from_py(ob.multiply(p, _G2_COFACTOR))


def hash_to_g2(transcript: bytes) -> bytes:
    """snarkjs's ``hashToG2``: the G2 base a contribution's public key is checked on."""
    return g2_from_rng(ChaCha.from_hash(transcript))


def beacon_rng(beacon_hash: bytes, num_iterations_exp: int) -> ChaCha:
    """2^num_iterations_exp SHA-256 iterations of the beacon, then ChaCha (as snarkjs)."""
    h = bytes(beacon_hash)
    for _ in range(1 << num_iterations_exp):
        h = hashlib.sha256(h).digest()
    return ChaCha.from_hash(h)
