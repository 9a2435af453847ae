"""Atomic file writes (temp file in the same folder, fsync, os.replace) and bounded reads."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from zk.errors import MalformedInput

DEFAULT_MAX_BYTES = 64 << 20


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write data so that path holds either the old content or all of the new, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())     # as a plain open() would
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (a rename or link in it) to disk; best effort."""
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomic write of UTF-8 text."""
    write_bytes(path, text.encode())


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Atomic write of pretty-printed JSON."""
    write_text(path, json.dumps(obj, indent=1) + "\n")


def read_bytes(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read a whole file, refusing files larger than max_bytes before reading them."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise MalformedInput(f"{path}: file is {size} bytes, more than the {max_bytes} "
                                 "allowed for this kind of file")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise MalformedInput(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise MalformedInput(f"{path}: is a directory") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _no_float(s: str):
    raise ValueError(f"non-integer number {s[:20]!r} (write numbers as decimal strings)")


def _bounded_int(s: str) -> int:
    if len(s) > 80:
        raise ValueError("integer literal longer than 80 digits")
    return int(s)


def _no_constant(s: str):
    raise ValueError(f"{s} is not allowed")


def loads_strict(text: str | bytes, source: str) -> Any:
    """json.loads refusing duplicate keys, floats, NaN/Infinity; errors name the source."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                          parse_constant=_no_constant, parse_int=_bounded_int)
    except MalformedInput as exc:
        raise MalformedInput(f"{source}: {exc}") from exc
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise MalformedInput(f"{source}: invalid JSON: {exc}") from exc


def read_json(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Strict, size-capped JSON file read."""
    return loads_strict(read_bytes(path, max_bytes), str(path))


def write_any(path: str | os.PathLike, data: bytes | str) -> None:
    """Atomic write of bytes or text."""
    write_bytes(path, data.encode() if isinstance(data, str) else data)
