"""Poseidon parameters for BN254, regenerated from the Grain LFSR as in the Poseidon paper.

The parameters are those of circomlib / circomlibjs: x^5 S-box, 8 full rounds, the
partial-round counts of ``PARTIAL_ROUNDS`` (paper tables 2 and 8, rounded up), widths
t = 2..17 (1..16 inputs). Round constants and the Cauchy MDS matrix come from the
self-shrinking Grain LFSR of the reference script ``generate_parameters_grain.sage``
(arguments ``1 0 254 t 8 R_P p``): 80-bit state seeded with the parameters, 160 warm-up
clocks, bits drawn in (control, output) pairs; round constants are 254-bit big-endian
draws rejected when >= p; the MDS matrix is M[i][j] = 1 / (x_i + y_j) with x, y the next
2t draws reduced mod p. For every t here the first candidate passes the reference
script's invariant-subspace checks (the test suite compares with circomlibjs's tables).

The generated tables are stored in ``poseidon_constants.json`` so that import is fast;
``generate(t)`` regenerates them and the tests check that it reproduces the file.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from zk.field import R

FULL_ROUNDS = 8
#: Partial rounds for t = 2..17 (index t - 2), as in circomlib.
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MIN_T, MAX_T = 2, 17
FIELD_BITS = 254
_JSON_PATH = Path(__file__).with_name("poseidon_constants.json")
_TAPS = (0, 13, 23, 38, 51, 62)
_CHUNK = 18  # new bits computable at once: 80 - 62


class _Grain:
    """Self-shrinking Grain LFSR of the Poseidon reference parameter script."""

    def __init__(self, t: int, r_f: int, r_p: int):
        seed = (f"{1:02b}{0:04b}{FIELD_BITS:012b}{t:012b}{r_f:010b}{r_p:010b}" + "1" * 30)
        # bit i of the integer state is sequence bit i (bit 0 is the oldest)
        self._state = int(seed[::-1], 2)
        self._raw_skip = 160
        self._out = ""
        self._pos = 0

    def _raw_chunk(self) -> str:
        s = self._state
        new = 0
        for tap in _TAPS:
            new ^= s >> tap
        new &= (1 << _CHUNK) - 1
        self._state = (s >> _CHUNK) | (new << (80 - _CHUNK))
        return format(new, f"0{_CHUNK}b")[::-1]

    def _refill(self, need: int) -> None:
        raw = []
        while self._raw_skip > 0:
            chunk = self._raw_chunk()
            take = min(self._raw_skip, _CHUNK)
            self._raw_skip -= take
            if take < _CHUNK:
                raw.append(chunk[take:])
        total = sum(len(c) for c in raw)
        while total < 4 * need + 64 or total % 2:
            chunk = self._raw_chunk()
            raw.append(chunk)
            total += len(chunk)
        bits = "".join(raw)
        kept = "".join(b for a, b in zip(bits[0::2], bits[1::2], strict=False) if a == "1")
        self._out = self._out[self._pos:] + kept
        self._pos = 0

    def bits(self, n: int) -> int:
        """Next n output bits as a big-endian integer."""
        while len(self._out) - self._pos < n:
            self._refill(n)
        value = int(self._out[self._pos:self._pos + n], 2)
        self._pos += n
        return value


def generate(t: int) -> dict:
    """Regenerate {"C": [...], "M": [[...]]} for width t (ints, C flat by round)."""
    if not MIN_T <= t <= MAX_T:
        raise ValueError(f"Poseidon width t={t} outside {MIN_T}..{MAX_T}")
    r_p = PARTIAL_ROUNDS[t - 2]
    grain = _Grain(t, FULL_ROUNDS, r_p)
    constants = []
    for _ in range((FULL_ROUNDS + r_p) * t):
        c = grain.bits(FIELD_BITS)
        while c >= R:
            c = grain.bits(FIELD_BITS)
        constants.append(c)
    while True:
        draws = [grain.bits(FIELD_BITS) % R for _ in range(2 * t)]
        if len(set(draws)) != 2 * t:
            continue
        xs, ys = draws[:t], draws[t:]
        if any((x + y) % R == 0 for x in xs for y in ys):
            continue
        mds = [[pow((x + y) % R, R - 2, R) for y in ys] for x in xs]
        return {"C": constants, "M": mds}


def _to_json(params: dict) -> dict:
    return {"C": [hex(c) for c in params["C"]], "M": [[hex(v) for v in row] for row in params["M"]]}


def write_json(path: Path = _JSON_PATH) -> None:
    """Regenerate every width and write the JSON table atomically."""
    table = {str(t): _to_json(generate(t)) for t in range(MIN_T, MAX_T + 1)}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="ascii") as fh:
        json.dump(table, fh, indent=0)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@lru_cache(maxsize=None)
def _table() -> dict:
    with open(_JSON_PATH, encoding="ascii") as fh:
        return json.load(fh)


@lru_cache(maxsize=None)
def params(t: int) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...], int, int]:
    """(round constants flat, MDS rows, full rounds, partial rounds) for width t."""
    if not MIN_T <= t <= MAX_T:
        raise ValueError(f"Poseidon width t={t} outside {MIN_T}..{MAX_T} (1..16 inputs)")
    entry = _table()[str(t)]
    constants = tuple(int(c, 16) for c in entry["C"])
    mds = tuple(tuple(int(v, 16) for v in row) for row in entry["M"])
    return constants, mds, FULL_ROUNDS, PARTIAL_ROUNDS[t - 2]


if __name__ == "__main__":
    write_json()
