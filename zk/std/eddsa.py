"""EdDSA over Baby Jubjub with Poseidon, as circomlibjs ``eddsa.signPoseidon`` /
``verifyPoseidon`` and circomlib ``EdDSAPoseidonVerifier`` define it.

A signature on a field element ``msg`` under the public key A is (R8, S) with

    hm = Poseidon(R8x, R8y, Ax, Ay, msg)        (circomlib Poseidon, 5 inputs)
    S * B8 == R8 + (8 * hm) * A                 (hm taken as the integer in [0, r))

and 0 <= S < l. Keys here hold the *signing scalar* k in [1, l) with A = k * B8;
circomlibjs derives its scalar from a 32-byte seed with BLAKE-512 and uses k = s >> 3,
so the signatures are interchangeable. Signing computes S = r + 8*hm*k mod l with the
nonce r derived deterministically from k and msg by SHA-512 (RFC 8032 style), so no
randomness source can leak the key.

The verifier (Python and gadget) also rejects A of small order: with 8*A = O every
message would verify under S*B8 == R8. circomlibjs verifyPoseidon does not check this,
and circomlib's template only asserts x(8A) != 0 (checking neither curve membership of
A and R8 nor, beyond 253 bits, S < l); the gadget here checks all of them.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from zk.errors import MalformedInput
from zk.field import R
from zk.frontend.variable import Operand
from zk.std import babyjub as bj
from zk.std.bits import assert_bits_le_constant, bits_le_constant_cost, to_bits_strict
from zk.std.poseidon import poseidon, poseidon_cost, poseidon_hash

_NONCE_DOMAIN = b"zk-solvency/eddsa-poseidon/nonce/v1"


@dataclass(frozen=True)
class Signature:
    """An EdDSA-Poseidon signature: the point R8 and the scalar S."""

    r8x: int
    r8y: int
    s: int


def _check_field(v: object, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
        raise MalformedInput(f"{name} must be a field element in [0, r)")
    return v


def _check_scalar(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k < bj.SUBORDER:
        raise MalformedInput("signing scalar must be an integer in [1, l)")
    return k


def new_secret() -> int:
    """A fresh signing scalar, uniform in [1, l), from the ``secrets`` module."""
    return 1 + secrets.randbelow(bj.SUBORDER - 1)


def public_key(k: int) -> bj.Point:
    """A = k * B8 for the signing scalar k."""
    return bj.mul(bj.BASE8, _check_scalar(k))


def challenge(r8: bj.Point, a: bj.Point, msg: int) -> int:
    """hm = Poseidon(R8x, R8y, Ax, Ay, msg)."""
    return poseidon_hash([r8[0], r8[1], a[0], a[1], msg])


def _nonce(k: int, msg: int) -> int:
    h = hashlib.sha512(_NONCE_DOMAIN + k.to_bytes(32, "little") + msg.to_bytes(32, "little"))
    r = int.from_bytes(h.digest(), "little") % bj.SUBORDER
    return r or 1


def sign(k: int, msg: int) -> Signature:
    """Sign the field element msg with the signing scalar k (deterministic nonce)."""
    _check_scalar(k)
    _check_field(msg, "message")
    a = public_key(k)
    r = _nonce(k, msg)
    r8 = bj.mul(bj.BASE8, r)
    hm = challenge(r8, a, msg)
    s = (r + 8 * hm * k) % bj.SUBORDER
    return Signature(r8[0], r8[1], s)


def verify(a: bj.Point, msg: int, sig: Signature) -> bool:
    """True iff sig is a valid signature of msg under A (circomlibjs verifyPoseidon plus
    the small-order check on A). Malformed values give False, never an exception."""
    try:
        a = (int(a[0]), int(a[1]))
        _check_field(msg, "message")
        r8 = (sig.r8x, sig.r8y)
        s = sig.s
    except (TypeError, ValueError, IndexError, AttributeError, MalformedInput):
        return False
    if not (bj.on_curve(r8) and bj.on_curve(a)) or bj.is_small_order(a):
        return False
    if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < bj.SUBORDER:
        return False
    left = bj.mul(bj.BASE8, s)
    right = bj.add(r8, bj.mul(a, 8 * challenge(r8, a, msg)))
    return left == right


def eddsa_poseidon_verify(api, ax: Operand, ay: Operand, s: Operand, r8x: Operand,
                          r8y: Operand, msg: Operand) -> None:
    """Constrain (R8, S) to be a valid EdDSA-Poseidon signature of msg under A.

    Checks, under the label prefix ``eddsa/``: A and R8 on the curve (``on_curve_a``,
    ``on_curve_r8``), A not of small order (``a_not_small_order``), S < l by a 251-bit
    decomposition and a comparison with l - 1 (``s_range``), hm = Poseidon(R8, A, msg)
    decomposed into 254 bits with the alias check (``hm_bits``), and
    S * B8 == R8 + hm * (8A) (``fixed_mul``, ``scalar_mul``, ``equation``).
    Costs 4981 constraints (``eddsa_poseidon_verify_cost()``; a test asserts it).
    Sound for any field-element inputs: no precondition on the caller.
    """
    with api.scope("eddsa"):
        a, r8 = (ax, ay), (r8x, r8y)
        with api.scope("on_curve_a"):
            bj.assert_on_curve(api, a)
        with api.scope("on_curve_r8"):
            bj.assert_on_curve(api, r8)
        with api.scope("a_not_small_order"):
            a8 = bj.assert_not_small_order(api, a)
        with api.scope("s_range"):
            s_bits = api.to_bits(s, bj.SCALAR_BITS)
            assert_bits_le_constant(api, s_bits, bj.SUBORDER - 1)
        with api.scope("hash"):
            hm = poseidon(api, r8x, r8y, ax, ay, msg)
        with api.scope("hm_bits"):
            h_bits = to_bits_strict(api, hm)
        left = bj.fixed_base_mul(api, s_bits, bj.BASE8)
        right = bj.point_add(api, r8, bj.scalar_mul(api, h_bits, a8))
        with api.scope("equation"):
            api.assert_equal(left[0], right[0], "x")
            api.assert_equal(left[1], right[1], "y")


def eddsa_poseidon_verify_cost() -> int:
    """Constraints of eddsa_poseidon_verify, from the parts' costs."""
    field_bits = R.bit_length()
    return (2 * 3                                              # on-curve A, R8
            + 16                                               # 8A != O
            + bj.SCALAR_BITS + 1                               # S bits
            + bits_le_constant_cost(bj.SCALAR_BITS, bj.SUBORDER - 1)
            + poseidon_cost(5)
            + field_bits + 1 + bits_le_constant_cost(field_bits, R - 1)
            + bj.fixed_base_mul_cost(bj.SCALAR_BITS)
            + bj.scalar_mul_cost(field_bits) + 6               # hm * 8A, + R8
            + 2)


__all__ = ["Signature", "new_secret", "public_key", "challenge", "sign", "verify",
           "eddsa_poseidon_verify", "eddsa_poseidon_verify_cost"]
