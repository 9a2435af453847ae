"""BN254 point encodings used everywhere inside ``zk`` and conversions to py-ecc.

Encoding at every boundary (files, backends): affine coordinates, each a 32-byte
little-endian canonical integer < q.

* G1: 64 bytes ``x || y``; the point at infinity is 64 zero bytes.
* G2: 128 bytes ``x.c0 || x.c1 || y.c0 || y.c1`` (c0 real, c1 imaginary part);
  infinity is 128 zero bytes. The EVM's (c1, c0) order exists only in
  ``verifier_contracts``.
"""
from __future__ import annotations

from functools import cache
from types import ModuleType

from zk.errors import MalformedInput
from zk.field import Q, R

G1_BYTES = 64
G2_BYTES = 128
G1_ZERO = bytes(G1_BYTES)
G2_ZERO = bytes(G2_BYTES)
#: The generators, as every BN254 tool fixes them: G1 = (1, 2) and EIP-197's G2.
G1_GEN = (1).to_bytes(32, "little") + (2).to_bytes(32, "little")
G2_GEN = b"".join(c.to_bytes(32, "little") for c in (
    0x1800DEEF121F1E76426A00665E5C4479674322D4F75EDADD46DEBD5CD992F6ED,
    0x198E9393920D483A7260BFB731FB5D25F1AA493335A9E71297E485B7AEF312C2,
    0x12C85EA5DB8C6DEB4AAB71808DCB408FE3D1E7690C43D37B4CE6CC0166FA7DAA,
    0x090689D0585FF075EC9E99AD690C3395BC4B313370B38EF355ACDADCD122975B))


@cache
def _py_ecc() -> ModuleType:
    """py-ecc's optimized BN254, imported on first use (it costs ~50 ms at start-up)."""
    from py_ecc import optimized_bn128
    return optimized_bn128


def __getattr__(name: str):
    if name == "B2":        # the twist coefficient 3 / (9 + u), a py-ecc FQ2
        return _py_ecc().b2
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _int(data: bytes, i: int) -> int:
    return int.from_bytes(data[32 * i:32 * i + 32], "little")


def _le(x: int) -> bytes:
    return int(x).to_bytes(32, "little")


def g1_to_py(data: bytes):
    """Decode 64 bytes into a py-ecc optimized (Jacobian) point; no validation."""
    ob = _py_ecc()
    if data == G1_ZERO:
        return ob.Z1
    return (ob.FQ(_int(data, 0)), ob.FQ(_int(data, 1)), ob.FQ.one())


def g1_from_py(p) -> bytes:
    """Encode a py-ecc optimized G1 point as 64 bytes (affine)."""
    ob = _py_ecc()
    if ob.is_inf(p):
        return G1_ZERO
    x, y = ob.normalize(p)
    return _le(x.n) + _le(y.n)


def g2_to_py(data: bytes):
    """Decode 128 bytes into a py-ecc optimized G2 point; no validation."""
    ob = _py_ecc()
    if data == G2_ZERO:
        return ob.Z2
    c = [_int(data, i) for i in range(4)]
    return (ob.FQ2([c[0], c[1]]), ob.FQ2([c[2], c[3]]), ob.FQ2.one())


def g2_from_py(p) -> bytes:
    """Encode a py-ecc optimized G2 point as 128 bytes (affine)."""
    ob = _py_ecc()
    if ob.is_inf(p):
        return G2_ZERO
    x, y = ob.normalize(p)
    return b"".join(_le(c) for c in (*x.coeffs, *y.coeffs))


def g1_coords(data: bytes) -> tuple[int, int]:
    """Affine (x, y) integers of an encoded G1 point."""
    return _int(data, 0), _int(data, 1)


def g2_coords(data: bytes) -> tuple[tuple[int, int], tuple[int, int]]:
    """Affine ((x.c0, x.c1), (y.c0, y.c1)) integers of an encoded G2 point."""
    return (_int(data, 0), _int(data, 1)), (_int(data, 2), _int(data, 3))


def g1_from_coords(x: int, y: int) -> bytes:
    return _le(x) + _le(y)


def g2_from_coords(x: tuple[int, int], y: tuple[int, int]) -> bytes:
    return _le(x[0]) + _le(x[1]) + _le(y[0]) + _le(y[1])


def check_g1(data: bytes, what: str, allow_infinity: bool = False) -> None:
    """Raise MalformedInput unless data is a canonical G1 point (on curve, < q)."""
    if len(data) != G1_BYTES:
        raise MalformedInput(f"{what}: G1 point must be {G1_BYTES} bytes, got {len(data)}")
    x, y = g1_coords(data)
    if x >= Q or y >= Q:
        raise MalformedInput(f"{what}: coordinate >= q")
    if data == G1_ZERO:
        if allow_infinity:
            return
        raise MalformedInput(f"{what}: point at infinity is not allowed")
    if (y * y - x * x * x - 3) % Q:
        raise MalformedInput(f"{what}: point is not on the curve")


def check_g2(data: bytes, what: str, allow_infinity: bool = False) -> None:
    """Raise MalformedInput unless data is a G2 point: < q, on twist, in the r-subgroup."""
    ob = _py_ecc()
    if len(data) != G2_BYTES:
        raise MalformedInput(f"{what}: G2 point must be {G2_BYTES} bytes, got {len(data)}")
    if any(_int(data, i) >= Q for i in range(4)):
        raise MalformedInput(f"{what}: coordinate >= q")
    if data == G2_ZERO:
        if allow_infinity:
            return
        raise MalformedInput(f"{what}: point at infinity is not allowed")
    p = g2_to_py(data)
    if not ob.is_on_curve(p, ob.b2):
        raise MalformedInput(f"{what}: point is not on the twist curve")
    if not ob.is_inf(ob.multiply(p, R)):
        raise MalformedInput(f"{what}: point is not in the r-torsion subgroup")


def g1_add(a: bytes, b: bytes) -> bytes:
    ob = _py_ecc()
    return g1_from_py(ob.add(g1_to_py(a), g1_to_py(b)))


def g1_neg(a: bytes) -> bytes:
    ob = _py_ecc()
    return g1_from_py(ob.neg(g1_to_py(a)))


def g1_mul(a: bytes, k: int) -> bytes:
    ob = _py_ecc()
    return g1_from_py(ob.multiply(g1_to_py(a), k % R))


def g2_add(a: bytes, b: bytes) -> bytes:
    ob = _py_ecc()
    return g2_from_py(ob.add(g2_to_py(a), g2_to_py(b)))


def g2_mul(a: bytes, k: int) -> bytes:
    ob = _py_ecc()
    return g2_from_py(ob.multiply(g2_to_py(a), k % R))
