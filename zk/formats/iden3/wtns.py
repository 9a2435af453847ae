"""Witness files (.wtns, as written by circom's witness calculators and snarkjs).

Sections: 1 header (u32 n8, prime, u32 count), 2 the values (n8-byte little-endian,
canonical). Values >= r are refused, never reduced.
"""
from __future__ import annotations

import os

from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import R
from zk.formats.iden3.binfile import open_binfile, u32, write_binfile

MAGIC = "wtns"


def read_wtns(path: str | os.PathLike) -> list[int]:
    """The full witness [1, public..., private..., internal...] stored in path."""
    with open_binfile(path, MAGIC, 2) as bf:
        c = bf.cursor(1)
        n8 = c.u32()
        if n8 != 32:
            raise bf.error(f"field size {n8} bytes; only BN254 (32) is supported", 1)
        if c.big(n8) != R:
            raise bf.error("prime is not the BN254 scalar field (wrong curve)", 1)
        count = c.u32()
        c.end()
        data = bf.read_section(2, expected=32 * count)
    be = get_backend()
    bad = be.fr_first_unreduced(data)
    if bad >= 0:
        raise MalformedInput(f"{path}: witness value #{bad} is >= r")
    values = be.fr_unpack(data)
    if not values or values[0] != 1:
        raise MalformedInput(f"{path}: witness must start with the constant 1")
    return values


def write_wtns(witness: list[int], path: str | os.PathLike) -> None:
    """Atomic write of a .wtns (version 2) readable by snarkjs."""
    try:
        values = get_backend().fr_pack(witness)
    except MalformedInput as exc:
        raise MalformedInput(f"{path}: witness {exc}") from None
    header = u32(32) + R.to_bytes(32, "little") + u32(len(witness))
    write_binfile(path, MAGIC, 2, [(1, header), (2, values)])
