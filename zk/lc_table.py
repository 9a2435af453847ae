"""LC tables: many {wire: coeff} dicts as bytes (the specification of the native packer).

Layout: a coefficient pool of distinct 32-byte little-endian words (< r, in order of
first use) and a table that, per linear combination in order, holds u32 n and then n
pairs (u32 wire, u32 pool index), all little-endian, terms in dict order.
"""
from __future__ import annotations

import struct

from zk.errors import MalformedInput
from zk.field import R


def pack_lc_table(lcs: list[dict]) -> tuple[bytes, bytes] | None:
    """(pool, table) of lcs, or None if an LC is not {int wire < 2^32: int in [0, r)}."""
    index: dict[int, int] = {}
    pool: list[bytes] = []
    table = bytearray()
    for lc in lcs:
        if type(lc) is not dict:
            return None
        table += struct.pack("<I", len(lc))
        for w, c in lc.items():
            if type(w) is not int or type(c) is not int or not 0 <= w < 1 << 32 \
                    or not 0 <= c < R:
                return None
            k = index.get(c)
            if k is None:
                k = index[c] = len(pool)
                pool.append(c.to_bytes(32, "little"))
            table += struct.pack("<II", w, k)
    return b"".join(pool), bytes(table)


def unpack_lc_table(pool: bytes, table: bytes, n: int, num_wires: int) -> list[dict]:
    """The n dicts of an LC table, refusing any inconsistency (MalformedInput)."""
    if len(pool) % 32:
        raise MalformedInput("lc table: bad sizes")
    coefs = [int.from_bytes(pool[i:i + 32], "little") for i in range(0, len(pool), 32)]
    if any(c >= R for c in coefs):
        raise MalformedInput("lc table: a coefficient is not below r")
    out, pos = [], 0
    for i in range(n):
        if len(table) - pos < 4:
            raise MalformedInput(f"lc table: truncated at linear combination {i}")
        (cnt,) = struct.unpack_from("<I", table, pos)
        pos += 4
        if (len(table) - pos) // 8 < cnt:
            raise MalformedInput(f"lc table: linear combination {i} runs past the end")
        lc = {}
        for _ in range(cnt):
            w, k = struct.unpack_from("<II", table, pos)
            pos += 8
            if w >= num_wires or k >= len(coefs):
                raise MalformedInput("lc table: wire or coefficient index out of range in "
                                     f"linear combination {i}")
            lc[w] = coefs[k]
        if len(lc) != cnt:
            raise MalformedInput(f"lc table: a wire repeats in linear combination {i}")
        out.append(lc)
    if pos != len(table):
        raise MalformedInput("lc table: trailing bytes")
    return out
