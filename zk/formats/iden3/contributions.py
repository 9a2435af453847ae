"""Section 10 of a Groth16 .zkey: the circuit hash and the phase-2 contributions.

Layout (snarkjs): csHash (64 bytes), u32 count, then per contribution deltaAfter (G1),
g1_s (G1), g1_sx (G1), g2_spx (G2), all LEM, transcript (64 bytes), u32 type
(0 contribution, 1 beacon), u32 parameter length and the parameters, sorted by tag:
1 name (u8 length + UTF-8), 2 beacon iterations exponent (u8), 3 beacon hash (u8 length +
bytes).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from zk.formats.iden3 import points as P
from zk.formats.iden3.binfile import BinFile, u32

SECTION = 10
_FIXED = 64 * 3 + 128 + 64 + 4 + 4
MAX_NAME_BYTES = 64


@dataclass
class Contribution:
    """One phase-2 update of delta: public key, transcript and its parameters."""

    delta_after: bytes          # delta in G1 after this contribution
    g1_s: bytes
    g1_sx: bytes
    g2_spx: bytes
    transcript: bytes           # 64-byte BLAKE2b chaining value
    type: int = 0               # 0 = contribution, 1 = random beacon
    name: str = ""
    num_iterations_exp: int = 0
    beacon_hash: bytes = b""


def _params(bf: BinFile, data: bytes, base: int) -> dict:
    out, pos, last = {}, 0, 0
    while pos < len(data):
        tag = data[pos]
        if tag <= last or tag > 3:
            raise bf.error(f"contribution parameter tag {tag} unknown or out of order",
                           SECTION, base + pos)
        last = tag
        if tag == 2:
            if pos + 2 > len(data):
                raise bf.error("truncated parameter", SECTION, base + pos)
            out["num_iterations_exp"] = data[pos + 1]
            pos += 2
            continue
        if pos + 2 > len(data) or pos + 2 + data[pos + 1] > len(data):
            raise bf.error("truncated parameter", SECTION, base + pos)
        value = data[pos + 2:pos + 2 + data[pos + 1]]
        pos += 2 + data[pos + 1]
        if tag == 1:
            out["name"] = value.decode("utf-8", errors="replace")
        else:
            out["beacon_hash"] = value
    return out


def read_contributions(bf: BinFile) -> tuple[bytes, list[Contribution]]:
    """(csHash, contributions) from section 10, every point decoded and on-curve checked."""
    c = bf.cursor(SECTION)
    cs_hash = c.take(64)
    n = c.u32()
    if n > c.remaining() // _FIXED:
        raise bf.error(f"{n} contributions cannot fit in the section", SECTION, c.base + 4)
    out = []
    for i in range(n):
        what = f"{bf.path}: contribution #{i + 1}"
        g1s = P.g1_from_lem(c.take(64 * 3), what)
        g2 = P.g2_from_lem(c.take(128), what)
        transcript = c.take(64)
        ctype, plen = c.u32(), c.u32()
        pos = c.base + c.pos
        params = _params(bf, c.take(plen), pos)
        if ctype not in (0, 1):
            raise bf.error(f"contribution #{i + 1} has unknown type {ctype}", SECTION, pos)
        out.append(Contribution(g1s[:64], g1s[64:128], g1s[128:], g2, transcript, ctype,
                                **params))
    c.end()
    return cs_hash, out


def encode_contribution(k: Contribution) -> bytes:
    """Bytes of one contribution record, as snarkjs writes it."""
    params = b""
    if k.name:
        name = k.name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").encode()
        params += bytes([1, len(name)]) + name
    if k.type == 1:
        params += bytes([2, k.num_iterations_exp, 3, len(k.beacon_hash)]) + k.beacon_hash
    return (P.g1_to_lem(k.delta_after + k.g1_s + k.g1_sx) + P.g2_to_lem(k.g2_spx)
            + k.transcript + u32(k.type) + u32(len(params)) + params)


def encode_contributions(cs_hash: bytes, contributions: list[Contribution]) -> bytes:
    """Section 10 payload."""
    return (cs_hash + struct.pack("<I", len(contributions))
            + b"".join(encode_contribution(k) for k in contributions))


def public_key_bytes(k: Contribution) -> bytes:
    """What snarkjs hashes for a contribution (hashPubKey): uncompressed points + transcript."""
    return (P.g1_uncompressed(k.delta_after) + P.g1_uncompressed(k.g1_s)
            + P.g1_uncompressed(k.g1_sx) + P.g2_uncompressed(k.g2_spx) + k.transcript)
