"""The iden3 binary container (.r1cs, .wtns, .zkey, .ptau): magic, version, sections.

Layout: 4-byte ASCII magic, u32 version, u32 section count, then for each section a
u32 id, a u64 byte length and the payload (all little-endian). Reading is streaming and
bounded: every section header is checked against the file size before anything is
allocated, and every read inside a section stays inside it. Problems raise
MalformedInput naming the file, the section and the offset.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable

from zk import atomic
from zk.errors import MalformedInput

HEADER_BYTES = 12
SECTION_HEADER_BYTES = 12


@dataclass
class BinFile:
    """An open iden3 binary file: its sections as {id: [(offset, size), ...]}."""

    path: str
    magic: str
    version: int
    fh: BinaryIO
    size: int
    sections: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def close(self) -> None:
        self.fh.close()

    def __enter__(self) -> "BinFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def error(self, msg: str, section: int | None = None, offset: int | None = None):
        where = self.path
        if section is not None:
            where += f", section {section}"
        if offset is not None:
            where += f", offset {offset}"
        return MalformedInput(f"{where}: {msg}")

    def has(self, sid: int) -> bool:
        return sid in self.sections

    def section(self, sid: int) -> tuple[int, int]:
        """(offset, size) of a section that must occur exactly once."""
        entries = self.sections.get(sid)
        if not entries:
            raise self.error("missing section", sid)
        if len(entries) > 1:
            raise self.error("section occurs more than once", sid)
        return entries[0]

    def read_at(self, sid: int, start: int, length: int) -> bytes:
        """length bytes from inside section sid, starting start bytes into it."""
        off, size = self.section(sid)
        if start < 0 or length < 0 or start + length > size:
            raise self.error(f"read of {length} bytes at {start} runs past the section end "
                             f"({size} bytes)", sid, off + start)
        self.fh.seek(off + start)
        data = self.fh.read(length)
        if len(data) != length:
            raise self.error("file is truncated", sid, off + start)
        return data

    def read_section(self, sid: int, expected: int | None = None) -> bytes:
        """The whole payload of a section, optionally checking its exact size first."""
        off, size = self.section(sid)
        if expected is not None and size != expected:
            raise self.error(f"section has {size} bytes, expected {expected}", sid, off)
        return self.read_at(sid, 0, size)

    def cursor(self, sid: int) -> "Cursor":
        """Bounded sequential reader over a (small) section's payload."""
        off, _ = self.section(sid)
        return Cursor(self, sid, off, self.read_section(sid))


@dataclass
class Cursor:
    """Sequential little-endian reads inside one section; never past its end."""

    bf: BinFile
    sid: int
    base: int
    data: bytes
    pos: int = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise self.bf.error(f"needs {n} more bytes but the section ends", self.sid,
                                self.base + self.pos)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def u64(self) -> int:
        return struct.unpack("<Q", self.take(8))[0]

    def big(self, n8: int) -> int:
        return int.from_bytes(self.take(n8), "little")

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def end(self) -> None:
        """Require that the whole section was consumed."""
        if self.pos != len(self.data):
            raise self.bf.error(f"{len(self.data) - self.pos} unexpected trailing bytes",
                                self.sid, self.base + self.pos)


def open_binfile(path: str | os.PathLike, magic: str, max_version: int,
                 min_version: int = 1) -> BinFile:
    """Open and scan a container; wrong magic/version or bad section sizes are refused."""
    p = str(path)
    try:
        fh = open(p, "rb")
    except FileNotFoundError as exc:
        raise MalformedInput(f"{p}: no such file") from exc
    except IsADirectoryError as exc:
        raise MalformedInput(f"{p}: is a directory") from exc
    try:
        return _scan(fh, p, magic, min_version, max_version)
    except BaseException:
        fh.close()
        raise


def _scan(fh: BinaryIO, p: str, magic: str, min_version: int, max_version: int) -> BinFile:
    size = os.fstat(fh.fileno()).st_size
    head = fh.read(HEADER_BYTES)
    if len(head) < HEADER_BYTES:
        raise MalformedInput(f"{p}: file is truncated ({size} bytes, no {magic} header)")
    if head[:4] != magic.encode():
        raise MalformedInput(f"{p}: not a .{magic} file (magic {head[:4]!r})")
    version, nsec = struct.unpack("<II", head[4:])
    if not min_version <= version <= max_version:
        raise MalformedInput(f"{p}: unsupported {magic} version {version}")
    bf = BinFile(p, magic, version, fh, size)
    pos = HEADER_BYTES
    for i in range(nsec):
        if pos + SECTION_HEADER_BYTES > size:
            raise bf.error(f"section header #{i} of {nsec} is past the end of the file",
                           offset=pos)
        fh.seek(pos)
        sid, length = struct.unpack("<IQ", fh.read(SECTION_HEADER_BYTES))
        pos += SECTION_HEADER_BYTES
        if length > size - pos:
            raise bf.error(f"section length {length} is larger than the rest of the file "
                           f"({size - pos} bytes)", sid, pos)
        bf.sections.setdefault(sid, []).append((pos, length))
        pos += length
    if pos != size:
        raise bf.error(f"{size - pos} trailing bytes after the last section", offset=pos)
    return bf


def encode_binfile(magic: str, version: int,
                   sections: Iterable[tuple[int, bytes]]) -> bytes:
    """Container bytes for the given (id, payload) sections, in order."""
    secs = list(sections)
    parts = [magic.encode(), struct.pack("<II", version, len(secs))]
    for sid, payload in secs:
        parts.append(struct.pack("<IQ", sid, len(payload)))
        parts.append(payload)
    return b"".join(parts)


def write_binfile(path: str | os.PathLike, magic: str, version: int,
                  sections: Iterable[tuple[int, bytes]]) -> None:
    """Atomic write (temp file in the same folder, fsync, os.replace)."""
    atomic.write_bytes(Path(path), encode_binfile(magic, version, sections))


def u32(x: int) -> bytes:
    return struct.pack("<I", x)


def u64(x: int) -> bytes:
    return struct.pack("<Q", x)
