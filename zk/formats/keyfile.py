"""Our proving-key file: magic, version, tagged length-prefixed sections, SHA-256 trailer.

Layout (little-endian): ``ZKSOLVPK`` | u32 version | u32 flags (bit 0: development
setup) | u32 domain_size | u32 num_wires | u32 num_public | 64-byte circuit digest |
sections ``u32 tag, u64 length, bytes`` | 32-byte SHA-256 of everything before it.
Every length is checked against the file size before anything is allocated; loading
maps the file and hands the key's arrays out as views (see ``load``).
"""
from __future__ import annotations

import hashlib
import mmap
import os
import struct

from zk import atomic
from zk.errors import MalformedInput
from zk.groth16.keys import ProvingKey, VerifyingKey

MAGIC = b"ZKSOLVPK"
VERSION = 1
_HEAD = struct.Struct("<8sIIIII64s")
_SEC = struct.Struct("<IQ")
SECTIONS = ["vk", "beta_g1", "delta_g1", "a_query", "b_g1_query", "b_g2_query", "h_query",
            "l_query", "a_rows", "a_cols", "a_coeffs", "b_rows", "b_cols", "b_coeffs"]


def _vk_bytes(vk: VerifyingKey) -> bytes:
    return (vk.alpha_g1 + vk.beta_g2 + vk.gamma_g2 + vk.delta_g2
            + struct.pack("<I", len(vk.gamma_abc_g1)) + b"".join(vk.gamma_abc_g1))


def _vk_parse(data: bytes, development: bool, where: str) -> VerifyingKey:
    if len(data) < 64 + 3 * 128 + 4:
        raise MalformedInput(f"{where}: section vk is too short")
    (n,) = struct.unpack_from("<I", data, 448)
    if len(data) != 452 + 64 * n:
        raise MalformedInput(f"{where}: section vk declares {n} IC points, size disagrees")
    ic = [data[452 + 64 * i:516 + 64 * i] for i in range(n)]
    return VerifyingKey(data[:64], data[64:192], data[192:320], data[320:448], ic,
                        development=development)


def encode(pk: ProvingKey) -> bytes:
    """Serialise a proving key (including its verifying key) to bytes."""
    digest = pk.circuit_digest.encode().ljust(64, b"\0")[:64]
    parts = [_HEAD.pack(MAGIC, VERSION, int(pk.development), pk.domain_size, pk.num_wires,
                        pk.num_public, digest)]
    values = [_vk_bytes(pk.vk), pk.beta_g1, pk.delta_g1, pk.a_query, pk.b_g1_query,
              pk.b_g2_query, pk.h_query, pk.l_query, *pk.a_matrix, *pk.b_matrix]
    for tag, data in enumerate(values):
        parts.append(_SEC.pack(tag, len(data)))
        parts.append(data)
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


def save(path: str | os.PathLike, pk: ProvingKey) -> None:
    """Write the key atomically."""
    atomic.write_bytes(path, encode(pk))


def _read_sections(buf: memoryview, size: int, where: str) -> dict[str, memoryview]:
    """Section name -> zero-copy view into the mapped file, every length checked first."""
    out: dict[str, memoryview] = {}
    pos = _HEAD.size
    for tag, name in enumerate(SECTIONS):
        if pos + _SEC.size > size - 32:
            raise MalformedInput(f"{where}: truncated before section {name} (offset {pos})")
        got, length = _SEC.unpack_from(buf, pos)
        if got != tag:
            raise MalformedInput(f"{where}: expected section {name} at offset {pos}, "
                                 f"found tag {got}")
        pos += _SEC.size
        if length > size - 32 - pos:
            raise MalformedInput(f"{where}: section {name} at offset {pos} claims {length} "
                                 "bytes, more than the file holds")
        out[name] = buf[pos:pos + length]
        pos += length
    if pos != size - 32:
        raise MalformedInput(f"{where}: {size - 32 - pos} unexpected bytes after the sections")
    return out


def _map(path: str | os.PathLike, where: str) -> memoryview:
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < _HEAD.size + 32:
                raise MalformedInput(f"{where}: too short to be a proving key")
            return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    except OSError as exc:
        raise MalformedInput(f"{where}: cannot open proving key ({exc.strerror})") from exc


def load(path: str | os.PathLike) -> ProvingKey:
    """Read and verify a proving key; any corruption raises MalformedInput naming the file.

    The file is memory-mapped: the point and matrix arrays of the key are read-only
    views into the mapping (no copies; the MSMs read them in place), the small
    sections are bytes. Keys are replaced atomically (zk.atomic), so a mapping never
    sees a half-written file.
    """
    where = str(path)
    return from_buffer(_map(path, where), where)


def from_buffer(buf: memoryview, where: str = "proving key") -> ProvingKey:
    """:func:`load` over bytes already in memory (e.g. a numpy buffer shared by Ray's
    object store): the key's arrays are views into ``buf``, nothing is copied."""
    buf = memoryview(buf).cast("B")
    size = len(buf)
    if size < _HEAD.size + 32:
        raise MalformedInput(f"{where}: too short to be a proving key")
    magic, version, flags, dom, nw, npub, digest = _HEAD.unpack_from(buf, 0)
    if magic != MAGIC:
        raise MalformedInput(f"{where}: not a zk-solvency proving key (bad magic)")
    if version != VERSION:
        raise MalformedInput(f"{where}: proving key version {version} is not supported "
                             f"(expected {VERSION})")
    secs = _read_sections(buf, size, where)
    if hashlib.sha256(buf[:size - 32]).digest() != buf[size - 32:]:
        raise MalformedInput(f"{where}: checksum mismatch (file corrupted)")
    for name in ("vk", "beta_g1", "delta_g1"):
        secs[name] = secs[name].tobytes()  # type: ignore[assignment]
    pk = ProvingKey(
        vk=_vk_parse(secs["vk"], bool(flags & 1), where),
        beta_g1=secs["beta_g1"], delta_g1=secs["delta_g1"], a_query=secs["a_query"],
        b_g1_query=secs["b_g1_query"], b_g2_query=secs["b_g2_query"],
        h_query=secs["h_query"], l_query=secs["l_query"], domain_size=dom, num_wires=nw,
        num_public=npub,
        a_matrix=(secs["a_rows"], secs["a_cols"], secs["a_coeffs"]),
        b_matrix=(secs["b_rows"], secs["b_cols"], secs["b_coeffs"]),
        circuit_digest=digest.rstrip(b"\0").decode("ascii", "replace"))
    try:
        pk.check_sizes()
    except MalformedInput as exc:
        raise MalformedInput(f"{where}: {exc}") from exc
    return pk
