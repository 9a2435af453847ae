"""Compiled-circuit cache: a packed CompiledCircuit on disk, loaded instead of re-running
``define``.

    cs = zk.cache.load_or_compile(ProofOfReserves(1024, 3), "~/.cache/zk-solvency")

The file name is the cache key: SHA-256 over the circuit's class (module and qualified
name), its parameters (``describe()``) and a fingerprint of the code that shapes the
circuit (the class's source file, zk/frontend, zk/std, zk/witness.py, zk/r1cs.py), so a
changed gadget or circuit never loads a stale entry. The file holds the constraints,
labels, solver program, inputs and the circuit digest. It is written atomically and ends
with a SHA-256 checksum over everything before it; a file that is truncated, corrupted,
or inconsistent in any way is refused with MalformedInput by :func:`load`, and
:func:`load_or_compile` then compiles and rewrites it (it never trusts it). The checksum
detects accidents, not an attacker who can write the cache directory.

Circuits whose program holds a Python-callable hint (``api.hint`` with a function) are
compiled every time: their program is not data.

Layout (integers little-endian): MAGIC; u64 length + header JSON; then five sections,
each u64 length + bytes: the coefficient pool and LC table of :mod:`zk.lc_table`, the
rows (u32 LC index of A, B, C per constraint), the program (u32 words per step: mul
``0 out a b``, lc ``1 out a``, hint ``2 kind label n_out outs... n_in ins...``), the
row labels (u32 index into the header's label list); finally the 32-byte checksum.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import struct
import sys
from array import array
from pathlib import Path

from zk import atomic
from zk.errors import MalformedInput
from zk.frontend.circuit import Circuit
from zk.frontend.compile import CompiledCircuit, Input, compile_circuit
from zk.witness import HINT_KINDS

MAGIC = b"zk-solvency/compiled-circuit/v1\n"
_U32 = "I" if array("I").itemsize == 4 else "L"
_ZK = Path(__file__).resolve().parent
_CODE = [_ZK / "frontend", _ZK / "std", _ZK / "witness.py", _ZK / "r1cs.py", _ZK / "cache.py",
         _ZK / "lc_table.py"]
MAX_CACHE_BYTES = 1 << 36
MAX_WIRES = 1 << 28          # far beyond what fits in memory on the reference hardware


def _u32s(words: bytes) -> array:
    a = array(_U32)
    a.frombytes(words)
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        a.byteswap()
    return a


def _bytes(a: array) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover
        a = array(_U32, a)
        a.byteswap()
    return a.tobytes()


def code_fingerprint(circuit: Circuit) -> str:
    """SHA-256 over the source files that determine the compiled circuit."""
    h = hashlib.sha256()
    files: list[Path] = []
    for p in _CODE:
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    src = inspect.getsourcefile(type(circuit))
    if src:
        files.append(Path(src).resolve())
    for f in files:
        h.update(str(f.name).encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def cache_key(circuit: Circuit) -> str:
    """Hex key of a circuit instance: class, parameters and code fingerprint."""
    cls = type(circuit)
    ident = f"{cls.__module__}.{cls.__qualname__}|{circuit.describe()}|{code_fingerprint(circuit)}"
    return hashlib.sha256(ident.encode()).hexdigest()


def cache_path(circuit: Circuit, cache_dir: str | os.PathLike) -> Path:
    """Where the cache entry of ``circuit`` lives under cache_dir."""
    return Path(cache_dir) / f"{type(circuit).__name__}-{cache_key(circuit)[:32]}.zkcc"


def _backend():
    from zk.backend import get_backend
    return get_backend()


def encode(cs: CompiledCircuit, key: str) -> bytes | None:
    """The cache file of cs, or None if its program is not plain data."""
    lc_ids: dict[int, int] = {}
    lcs: list[dict] = []

    def ref(lc: dict) -> int:
        k = lc_ids.get(id(lc))
        if k is None:
            k = lc_ids[id(lc)] = len(lcs)
            lcs.append(lc)
        return k

    rows = array(_U32)
    for a, b, c in cs.constraints:
        rows.extend((ref(a), ref(b), ref(c)))
    label_ids: dict[str, int] = {}

    def lab(s: str) -> int:
        return label_ids.setdefault(s, len(label_ids))

    kinds = sorted(HINT_KINDS)
    prog = array(_U32)
    for step in cs.program:
        if step[0] == "mul":
            prog.extend((0, step[1], ref(step[2]), ref(step[3])))
        elif step[0] == "lc":
            prog.extend((1, step[1], ref(step[2])))
        else:
            _, outs, fn, ins, label = step
            if not isinstance(fn, str) or fn not in HINT_KINDS:
                return None
            prog.extend((2, kinds.index(fn), lab(label), len(outs), *outs, len(ins)))
            prog.extend(ref(lc) for lc in ins)
    packed = _backend().pack_lc_table(lcs)
    if packed is None:
        return None
    labels = array(_U32, (lab(s) for s in cs.labels))
    header = {
        "key": key, "name": cs.name, "digest": cs.digest(), "num_public": cs.num_public,
        "num_private": cs.num_private, "num_wires": cs.num_wires,
        "num_constraints": cs.num_constraints, "num_lcs": len(lcs),
        "num_steps": len(cs.program), "public_names": cs.public_names,
        "private_names": cs.private_names, "public_bits": cs.public_bits,
        "inputs": [[i.name, i.kind, list(i.shape), i.first_wire] for i in cs.inputs],
        "hint_kinds": kinds, "labels": list(label_ids),
    }
    parts = [MAGIC]
    for blob in (json.dumps(header, separators=(",", ":")).encode(), packed[0], packed[1],
                 _bytes(rows), _bytes(prog), _bytes(labels)):
        parts += [struct.pack("<Q", len(blob)), blob]
    body = b"".join(parts)
    return body + hashlib.sha256(body).digest()


def _sections(data: bytes, src: str) -> list[bytes]:
    if len(data) < len(MAGIC) + 32 or not data.startswith(MAGIC):
        raise MalformedInput(f"{src}: not a compiled-circuit cache file")
    body, trailer = data[:-32], data[-32:]
    if hashlib.sha256(body).digest() != trailer:
        raise MalformedInput(f"{src}: checksum mismatch (corrupted or truncated)")
    out, pos = [], len(MAGIC)
    for _ in range(6):
        if len(body) - pos < 8:
            raise MalformedInput(f"{src}: truncated section table at byte {pos}")
        (n,) = struct.unpack_from("<Q", body, pos)
        pos += 8
        if n > len(body) - pos:
            raise MalformedInput(f"{src}: section at byte {pos} runs past the end")
        out.append(body[pos:pos + n])
        pos += n
    if pos != len(body):
        raise MalformedInput(f"{src}: {len(body) - pos} trailing bytes")
    return out


def decode(data: bytes, key: str, src: str = "cache") -> CompiledCircuit:
    """The CompiledCircuit of a cache file; MalformedInput unless it is intact and for key."""
    head, pool, table, rows_b, prog_b, labels_b = _sections(data, src)
    try:
        h = atomic.loads_strict(head, src)
        if h["key"] != key:
            raise MalformedInput(f"{src}: entry for another circuit or code version")
        nw, n_lcs, m = h["num_wires"], h["num_lcs"], h["num_constraints"]
        # counts bounded by the bytes that hold them before anything is allocated
        if not (0 <= n_lcs <= len(table) // 4 and 0 <= nw <= MAX_WIRES
                and 0 <= m <= len(rows_b) // 12):
            raise MalformedInput(f"{src}: {n_lcs} linear combinations, {nw} wires or {m} "
                                 "constraints do not fit the entry")
        lcs = _backend().unpack_lc_table(pool, table, n_lcs, nw)
        rows = _u32s(rows_b)
        if len(rows) != 3 * m:
            raise MalformedInput(f"{src}: {len(rows)} row entries for {m} constraints")
        constraints = [(lcs[rows[i]], lcs[rows[i + 1]], lcs[rows[i + 2]])
                       for i in range(0, 3 * m, 3)]
        names = h["labels"]
        labels = [names[k] for k in _u32s(labels_b)]
        if len(labels) != m:
            raise MalformedInput(f"{src}: {len(labels)} labels for {m} constraints")
        program = _decode_program(_u32s(prog_b), lcs, h["hint_kinds"], names, nw)
        if len(program) != h["num_steps"]:
            raise MalformedInput(f"{src}: program length mismatch")
        cs = CompiledCircuit(
            constraints=constraints, labels=labels, num_public=h["num_public"],
            num_private=h["num_private"], num_wires=nw, public_names=h["public_names"],
            private_names=h["private_names"], program=program,
            inputs=[Input(n, k, tuple(s), f) for n, k, s, f in h["inputs"]],
            name=h["name"], public_bits=h["public_bits"])
        digest = h["digest"]
        if not isinstance(digest, str):
            raise TypeError("digest is not a string")
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise MalformedInput(f"{src}: inconsistent cache entry ({type(exc).__name__}: "
                             f"{exc})") from None
    cs.__dict__["_digest_of"] = (cs.constraints, digest)
    return cs


def _decode_program(words: array, lcs: list, kinds: list, labels: list, nw: int) -> list:
    program: list[tuple] = []
    i, n = 0, len(words)
    for k in kinds:
        if k not in HINT_KINDS:
            raise ValueError(f"unknown hint kind {k!r}")
    while i < n:
        op = words[i]
        if op == 0:
            out, a, b = words[i + 1], words[i + 2], words[i + 3]
            if out >= nw:
                raise ValueError("wire out of range")
            program.append(("mul", out, lcs[a], lcs[b]))
            i += 4
        elif op == 1:
            out = words[i + 1]
            if out >= nw:
                raise ValueError("wire out of range")
            program.append(("lc", out, lcs[words[i + 2]]))
            i += 3
        elif op == 2:
            kind, label, n_out = kinds[words[i + 1]], labels[words[i + 2]], words[i + 3]
            outs = list(words[i + 4:i + 4 + n_out])
            i += 4 + n_out
            n_in = words[i]
            ins = [lcs[k] for k in words[i + 1:i + 1 + n_in]]
            i += 1 + n_in
            if len(outs) != n_out or len(ins) != n_in or any(o >= nw for o in outs):
                raise ValueError("hint step out of range")
            program.append(("hint", outs, kind, ins, label))
        else:
            raise ValueError(f"unknown step code {op}")
    return program


def save(cs: CompiledCircuit, path: str | os.PathLike, key: str) -> bool:
    """Write the cache entry atomically; False (nothing written) if cs is not cacheable."""
    data = encode(cs, key)
    if data is None:
        return False
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic.write_bytes(path, data)
    return True


def load(path: str | os.PathLike, key: str) -> CompiledCircuit:
    """Read a cache entry; MalformedInput if it is not intact or not for key."""
    return decode(atomic.read_bytes(path, MAX_CACHE_BYTES), key, str(path))


def load_or_compile(circuit: Circuit, cache_dir: str | os.PathLike) -> CompiledCircuit:
    """The compiled circuit from cache_dir when a valid entry exists, else compile it and
    store the entry (a missing, stale or corrupted entry is rebuilt, never trusted)."""
    key = cache_key(circuit)
    path = cache_path(circuit, cache_dir)
    if path.exists():
        try:
            return load(path, key)
        except MalformedInput:
            pass
    cs = compile_circuit(circuit)
    save(cs, path, key)
    return cs


__all__ = ["load_or_compile", "load", "save", "cache_key", "cache_path", "encode", "decode"]
