"""Strict parsing of snarkjs JSON values and the EVM encodings of BN254 points.

The EVM's G2 limb order (x.c1, x.c0, y.c1, y.c0) is produced only by `g2_evm`.
"""
from __future__ import annotations

from zk import curve
from zk.field import Q, R
from zk.formats import snarkjs_json
from zk.parse import canonical_int

G1 = tuple[int, int]
G2 = tuple[tuple[int, int], tuple[int, int]]


def parse_uint(value: object, what: str, bound: int) -> int:
    """A canonical decimal string, 0x-hex string or JSON int in [0, bound) (zk.parse)."""
    return canonical_int(value, what, bound)


def bound_name(bound: int) -> str:
    return {R: "r", Q: "q"}.get(bound, str(bound))


def parse_g1(value: object, what: str) -> G1:
    """snarkjs affine G1 [x, y, "1"]: coordinates < q, on the curve, not infinity."""
    return curve.g1_coords(snarkjs_json.g1_from_json(value, what))


def parse_g2(value: object, what: str) -> G2:
    """snarkjs G2 [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]: < q, on twist, in subgroup."""
    return curve.g2_coords(snarkjs_json.g2_from_json(value, what))


def g2_evm(p: G2) -> list[int]:
    """The EVM's word order for a G2 point: [x.c1, x.c0, y.c1, y.c0]."""
    (x0, x1), (y0, y1) = p
    return [x1, x0, y1, y0]


def word(x: int) -> bytes:
    """32-byte big-endian word."""
    return int(x).to_bytes(32, "big")


def hex_word(x: int) -> str:
    return "0x%064x" % x
