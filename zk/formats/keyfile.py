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
from collections.abc import Callable

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


_HASH_CHUNK = 8 << 20


def _map(path: str | os.PathLike, where: str) -> tuple[mmap.mmap, bytes, str]:
    """The file mapped read-only, the SHA-256 of all but its last 32 bytes, and the SHA-256
    of the whole file (what a key set's manifest records), from one pass of reads through
    the descriptor (so hashing leaves no page of the mapping resident)."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < _HEAD.size + 32:
                raise MalformedInput(f"{where}: too short to be a proving key")
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            h = hashlib.sha256()
            pos = 0
            while pos < size - 32:
                chunk = os.pread(f.fileno(), min(_HASH_CHUNK, size - 32 - pos), pos)
                if not chunk:
                    raise MalformedInput(f"{where}: file shrank while it was read")
                h.update(chunk)
                pos += len(chunk)
            whole = h.copy()
            whole.update(os.pread(f.fileno(), 32, size - 32))
            return mm, h.digest(), whole.hexdigest()
    except OSError as exc:
        raise MalformedInput(f"{where}: cannot open proving key ({exc.strerror})") from exc


def _releaser(mm: mmap.mmap, start: int, end: int):
    """Drops the mapping's pages over [start, end) from this process's resident memory
    (they are re-read from the file on next use)."""
    page = mmap.PAGESIZE
    start -= start % page

    def release() -> None:
        advice = getattr(mmap, "MADV_DONTNEED", None)
        if advice is not None and not mm.closed and end > start:
            mm.madvise(advice, start, end - start)
    return release


def load(path: str | os.PathLike,
         check_sha256: Callable[[str], None] | None = None) -> ProvingKey:
    """Read and verify a proving key; any corruption raises MalformedInput naming the file.

    The file is memory-mapped: the point and matrix arrays of the key are read-only
    views into the mapping (no copies; the MSMs read them in place), the small
    sections are bytes. Keys are replaced atomically (zk.atomic), so a mapping never
    sees a half-written file. The checksum is computed from reads of the file, and
    ``ProvingKey.release_matrices`` drops the matrices' pages once the prover is done
    with them, so the process never holds the whole key resident at once.

    ``check_sha256``, if given, receives the SHA-256 (hex) of the whole file, as a key
    set's manifest records it, from the same pass of reads, before anything is parsed.
    """
    where = str(path)
    mm, digest, whole = _map(path, where)
    if check_sha256 is not None:
        try:
            check_sha256(whole)
        except BaseException:
            mm.close()
            raise
    pk = from_buffer(memoryview(mm), where, digest)
    pk.__dict__["_release_matrices"] = _releaser(mm, _matrices_start(mm), len(mm) - 32)
    return pk


def _matrices_start(mm: mmap.mmap) -> int:
    """Offset of the a_rows payload (the matrices run from there to the checksum);
    the layout was validated by from_buffer."""
    pos = _HEAD.size
    for name in SECTIONS:
        _, length = _SEC.unpack_from(mm, pos)
        pos += _SEC.size
        if name == "a_rows":
            break
        pos += length
    return pos


def from_buffer(buf: memoryview, where: str = "proving key",
                body_sha256: bytes | None = None) -> ProvingKey:
    """:func:`load` over bytes already in memory (e.g. a numpy buffer shared by Ray's
    object store): the key's arrays are views into ``buf``, nothing is copied.
    ``body_sha256``: the checksum of the body, when the caller already computed it
    over the same bytes."""
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
    if body_sha256 is None:
        body_sha256 = hashlib.sha256(buf[:size - 32]).digest()
    if body_sha256 != buf[size - 32:]:
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
