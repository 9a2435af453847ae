"""Key folders as one unit: versioned key sets behind an atomically replaced pointer.

A key folder (from ``setup``, ``collateral setup``, ``ceremony export``)::

    keys/
        current -> v0002                  the commit point: a symlink, replaced atomically
        v0002/proving_key.zkpk
        v0002/verification_key.json
        v0002/manifest.json               SHA-256 of both files and the statement hash
        v0001/...                         the previous set (kept; older ones are pruned)
        proving_key.zkpk -> current/proving_key.zkpk          stable paths for other tools
        verification_key.json -> current/verification_key.json

A new set is written completely into a staging folder, renamed to the next version and
only then made ``current``: a process killed at any moment leaves either the old set or
the new one. Loads resolve ``current`` once and check the manifest, so a proving key is
never used beside another set's verification key. A folder of the older flat layout (the
two files side by side, no ``current``) is still read; the next ``--force`` setup
converts it.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from zk import atomic
from zk.errors import MalformedInput, SetupError

PK_NAME = "proving_key.zkpk"
VK_NAME = "verification_key.json"
MANIFEST = "manifest.json"
CURRENT = "current"
FORMAT = "zksolvency-keys/1"
_VERSION = re.compile(r"v([0-9]{4,9})\Z")
_STAGING = re.compile(r"\.(staging|current)-([0-9]+)-[0-9a-f]{8}\Z")


@dataclass(frozen=True)
class KeySet:
    """One committed key set: its folder, and its manifest (None for the flat layout)."""

    folder: Path
    manifest: dict | None

    @property
    def pk(self) -> Path:
        return self.folder / PK_NAME

    @property
    def vk(self) -> Path:
        return self.folder / VK_NAME

    @property
    def version(self) -> str:
        return self.folder.name if self.manifest is not None else "flat layout"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve(folder: str | Path) -> KeySet | None:
    """The committed key set of a key folder (``current`` read once), None if it has none."""
    root = Path(folder)
    link = root / CURRENT
    if link.is_symlink():
        target = os.readlink(link)
        if not _VERSION.match(target) or not (root / target).is_dir():
            raise MalformedInput(f"{link}: points to {target!r}, not a version folder here")
        manifest = atomic.read_json(root / target / MANIFEST, 1 << 16)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise MalformedInput(f"{root / target / MANIFEST}: not a key-set manifest")
        return KeySet(root / target, manifest)
    pk, vk = root / PK_NAME, root / VK_NAME
    if pk.is_file() and vk.is_file() and not pk.is_symlink() and not vk.is_symlink():
        return KeySet(root, None)
    return None


def is_key_folder(folder: str | Path) -> bool:
    """True when the folder holds a key set (committed, or of the flat layout)."""
    root = Path(folder)
    return (root / CURRENT).is_symlink() or (root / VK_NAME).is_file()


def check(ks: KeySet, proving_key: bool = True) -> None:
    """The files are the ones the manifest names (the proving key too unless told not)."""
    if ks.manifest is None:
        return
    names = [(VK_NAME, "vk_sha256")] + ([(PK_NAME, "pk_sha256")] if proving_key else [])
    for name, field in names:
        check_file(ks, name, field, file_sha256(present(ks, name)))


def check_file(ks: KeySet, name: str, field: str, sha256: str) -> None:
    """The file `name` of the set, whose SHA-256 is `sha256`, is the one its manifest names
    under `field` (a no-op for the flat layout)."""
    if ks.manifest is not None and sha256 != ks.manifest.get(field):
        raise MalformedInput(f"{ks.folder / name}: does not match {ks.folder / MANIFEST} (the "
                             "key set was altered; run the setup again with --force)")


def present(ks: KeySet, name: str) -> Path:
    """The path of the set's file `name`; MalformedInput if it is missing."""
    path = ks.folder / name
    if not path.is_file():
        raise MalformedInput(f"{path}: missing from the key set")
    return path


def load(folder: str | Path, proving_key: bool = True) -> KeySet:
    """The checked committed key set of ``folder``; MalformedInput when there is none."""
    ks = resolve(folder)
    if ks is None:
        raise MalformedInput(f"{folder}: no keys here (run a setup or `ceremony export`)")
    check(ks, proving_key)
    return ks


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_leftovers(root: Path) -> None:
    """Remove staging folders and pointer temp links left by killed writers."""
    for entry in root.iterdir():
        m = _STAGING.match(entry.name)
        if m and not _alive(int(m.group(2))):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _versions(root: Path) -> list[int]:
    return sorted(int(m.group(1)) for e in root.iterdir() if (m := _VERSION.match(e.name)))


def _link(root: Path, name: str, target: str) -> None:
    """Atomically make root/name a symlink to target."""
    tmp = root / f".current-{os.getpid()}-{secrets.token_hex(4)}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, root / name)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _promote(root: Path, staging: Path) -> str:
    """Rename the complete staging folder to the next free version name."""
    n = (_versions(root) or [0])[-1] + 1
    while True:
        name = f"v{n:04d}"
        try:
            os.rename(staging, root / name)
            return name
        except OSError:
            if not (root / name).exists():
                raise
            n += 1


def _prune(root: Path, keep: set[str]) -> None:
    for n in _versions(root):
        name = f"v{n:04d}"
        if name not in keep:
            shutil.rmtree(root / name, ignore_errors=True)


def commit(folder: str | Path, write: Callable[[Path], None],
           statement_hash: str | None) -> KeySet:
    """Write a new key set with ``write(staging_folder)`` (it must write PK_NAME and
    VK_NAME there), record their hashes, and make it current atomically."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(root)
    previous = resolve(root)
    staging = root / f".staging-{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        write(staging)
        manifest = {"format": FORMAT, "pk_sha256": file_sha256(staging / PK_NAME),
                    "vk_sha256": file_sha256(staging / VK_NAME),
                    "statement_hash": statement_hash}
        atomic.write_json(staging / MANIFEST, manifest)
        atomic.fsync_dir(staging)
        name = _promote(root, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    atomic.fsync_dir(root)
    _link(root, CURRENT, name)                      # the commit point
    atomic.fsync_dir(root)
    for file in (PK_NAME, VK_NAME):                 # stable paths (replaces flat files)
        _link(root, file, f"{CURRENT}/{file}")
    keep = {name} | ({previous.folder.name} if previous and previous.manifest else set())
    _prune(root, keep)
    return KeySet(root / name, manifest)


def refuse_replace(folder: str | Path, force: bool) -> None:
    """SetupError unless the folder holds no keys yet or ``force`` is given."""
    if not force and is_key_folder(folder):
        raise SetupError(f"{folder} already holds keys; --force replaces them (proofs made "
                         "with the old keys will no longer verify against the new ones)")
