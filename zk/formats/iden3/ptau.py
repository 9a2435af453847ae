"""Powers of Tau files (.ptau, snarkjs), read lazily section by section.

Sections for power p (N = 2^p): 1 header (n8, q, power, ceremonyPower); 2 tau^i G1,
i < 2N - 1; 3 tau^i G2, i < N; 4 alpha tau^i G1; 5 beta tau^i G1; 6 beta G2;
7 phase-1 contributions. A file prepared for phase 2 also has 12 (tau G1), 13 (tau G2),
14 (alpha tau G1), 15 (beta tau G1) in the Lagrange basis: for each k = 0..p (and p + 1
for section 12) the 2^k values L_i(tau) over the 2^k-th roots of unity, so the block
for domain n starts at point n - 1. Points are LEM; every slice read is converted and
checked on-curve.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from zk import curve
from zk.errors import MalformedInput, SetupError
from zk.formats.iden3 import points as P
from zk.formats.iden3.binfile import BinFile, open_binfile

MAGIC = "ptau"
TAU_G1, TAU_G2, ALPHA_G1, BETA_G1, BETA_G2, CONTRIBUTIONS = 2, 3, 4, 5, 6, 7
LAGRANGE = {TAU_G1: 12, TAU_G2: 13, ALPHA_G1: 14, BETA_G1: 15}
_G2_SECTIONS = (TAU_G2, BETA_G2, 13)
MAX_POWER = 27


@dataclass
class Ptau:
    """An open .ptau; use as a context manager or call close()."""

    bf: BinFile
    power: int
    ceremony_power: int

    def close(self) -> None:
        self.bf.close()

    def __enter__(self) -> "Ptau":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def path(self) -> str:
        return self.bf.path

    @property
    def prepared(self) -> bool:
        return all(self.bf.has(s) for s in LAGRANGE.values())

    def _points(self, sid: int, start: int, count: int) -> bytes:
        size = 128 if sid in _G2_SECTIONS else 64
        raw = self.bf.read_at(sid, start * size, count * size)
        what = f"{self.path}: section {sid} points {start}..{start + count - 1}"
        return (P.g2_from_lem if size == 128 else P.g1_from_lem)(raw, what)

    def monomial(self, sid: int, start: int, count: int) -> bytes:
        """Points start..start+count-1 of a monomial section (2..5)."""
        return self._points(sid, start, count)

    def lagrange(self, sid: int, n: int) -> bytes:
        """L_i(tau) * base for i < n over the n-th roots of unity (sid one of 2..5)."""
        if not self.prepared:
            raise SetupError(f"{self.path}: not prepared for phase 2 (run `snarkjs "
                             "powersoftau prepare phase2` first)")
        limit = 1 << (self.power + (1 if sid == TAU_G1 else 0))
        if n < 1 or n & (n - 1) or n > limit:
            raise SetupError(f"{self.path}: domain {n} exceeds what power {self.power} "
                             "supports")
        return self._points(LAGRANGE[sid], n - 1, n)

    def alpha_g1(self) -> bytes:
        return self._points(ALPHA_G1, 0, 1)

    def beta_g1(self) -> bytes:
        return self._points(BETA_G1, 0, 1)

    def beta_g2(self) -> bytes:
        return self._points(BETA_G2, 0, 1)

    def num_contributions(self) -> int:
        if not self.bf.has(CONTRIBUTIONS):
            return 0
        return int.from_bytes(self.bf.read_at(CONTRIBUTIONS, 0, 4), "little")


def _expected_sizes(power: int) -> dict[int, int]:
    n = 1 << power
    sizes = {TAU_G1: 64 * (2 * n - 1), TAU_G2: 128 * n, ALPHA_G1: 64 * n,
             BETA_G1: 64 * n, BETA_G2: 128}
    sizes.update({12: 64 * (4 * n - 1), 13: 128 * (2 * n - 1), 14: 64 * (2 * n - 1),
                  15: 64 * (2 * n - 1)})
    return sizes


def open_ptau(path: str | os.PathLike) -> Ptau:
    """Open a .ptau, validating the header and every section's size against the power."""
    bf = open_binfile(path, MAGIC, 1)
    try:
        c = bf.cursor(1)
        n8 = c.u32()
        if n8 != 32 or c.big(32) != curve.Q:
            raise bf.error("not a BN254 powers of tau (wrong field size or prime)", 1)
        power, ceremony_power = c.u32(), c.u32()
        c.end()
        if not 1 <= power <= MAX_POWER:
            raise bf.error(f"power {power} is out of range", 1)
        for sid, size in _expected_sizes(power).items():
            if sid < 12 or bf.has(sid):
                off, got = bf.section(sid)
                if got != size:
                    raise bf.error(f"section has {got} bytes, expected {size} for power "
                                   f"{power}", sid, off)
        return Ptau(bf, power, ceremony_power)
    except BaseException:
        bf.close()
        raise


def check_generators(pt: Ptau) -> None:
    """tau^0 in sections 2 and 3 must be the generators (a cheap sanity check)."""
    if pt.monomial(TAU_G1, 0, 1) != curve.G1_GEN or pt.monomial(TAU_G2, 0, 1) != curve.G2_GEN:
        raise MalformedInput(f"{pt.path}: tau^0 is not the generator")
