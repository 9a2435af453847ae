"""Rank-1 constraint systems: sparse rows A * B = C over Fr, with labels."""
from __future__ import annotations

import hashlib
import struct
import sys
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zk.errors import UnsatisfiedConstraint
from zk.field import R

if TYPE_CHECKING:
    from zk.backend import Backend

LC = dict  # {wire: coeff}
PackedMatrix = tuple[bytes, bytes, bytes]  # rows (u32 LE), wires (u32 LE), coeffs (32-byte LE)

DIGEST_MAGIC = b"zk-solvency/r1cs-digest/v1"
_U32 = "I" if array("I").itemsize == 4 else "L"


def eval_lc(lc: LC, w: list[int]) -> int:
    """Value of a linear combination under witness w (mod r)."""
    return sum(c * w[i] for i, c in lc.items()) % R


@dataclass
class R1CS:
    """Wire layout: 0 is the constant 1, then public inputs, private inputs, internal wires."""

    constraints: list[tuple[LC, LC, LC]]
    labels: list[str]
    num_public: int
    num_private: int
    num_wires: int
    public_names: list[str] = field(default_factory=list)
    private_names: list[str] = field(default_factory=list)

    @property
    def num_constraints(self) -> int:
        return len(self.constraints)

    @property
    def num_internal(self) -> int:
        return self.num_wires - 1 - self.num_public - self.num_private

    def check(self, w: list[int], backend: Backend | None = None, start: int = 0) -> None:
        """Raise UnsatisfiedConstraint for the first row that fails (values not shown).

        The backend's ``check_rows`` skips rows it shows to hold; every other row is
        evaluated here, so the reported index and label never depend on the backend.
        ``start``: rows before it are already known to hold (``solve_and_check``)."""
        if len(w) != self.num_wires or w[0] != 1:
            raise UnsatisfiedConstraint(-1, "witness", f"expected {self.num_wires} wires "
                                        "starting with 1")
        if backend is None:
            from zk.backend import get_backend  # the native row check when built
            backend = get_backend()
        be = backend
        cons = self.constraints
        i, n = start, len(cons)
        while i < n:
            i = be.check_rows(cons, w, i)  # first row it could not show to hold
            if i >= n:
                break
            a, b, c = cons[i]
            if eval_lc(a, w) * eval_lc(b, w) % R != eval_lc(c, w):
                raise UnsatisfiedConstraint(i, self.labels[i])
            i += 1

    def is_satisfied(self, w: list[int]) -> bool:
        try:
            self.check(w)
        except UnsatisfiedConstraint:
            return False
        return True

    def packed(self) -> tuple[PackedMatrix, PackedMatrix, PackedMatrix]:
        """A, B and C as sorted sparse triples; see :func:`pack_matrix`."""
        from zk.backend import get_backend  # the native packer when built
        be = get_backend()
        return tuple(be.pack_matrix(self.constraints, m) for m in range(3))  # type: ignore

    def digest(self) -> str:
        """SHA-256 (hex) over the packed constraint system (identifies a circuit shape).

        Hashed, in order: ``DIGEST_MAGIC``; num_public, num_private, num_wires and
        num_constraints as u32 LE; then for A, B and C: the entry count as u64 LE and the
        matrix as packed by :func:`pack_matrix` (rows, then wires, then coefficients).
        Labels and names are not hashed: they do not change what a proof shows.
        """
        known = self.__dict__.get("_digest_of")   # set by zk.cache for a loaded circuit
        if known is not None and known[0] is self.constraints:
            return known[1]
        h = hashlib.sha256(DIGEST_MAGIC)
        h.update(struct.pack("<4I", self.num_public, self.num_private, self.num_wires,
                             self.num_constraints))
        for rows, wires, coeffs in self.packed():
            h.update(struct.pack("<Q", len(rows) // 4))
            h.update(rows)
            h.update(wires)
            h.update(coeffs)
        return h.hexdigest()

    def info(self) -> dict:
        """Sizes and the public-input order, as printed by ``circuit info``."""
        return {
            "num_constraints": self.num_constraints,
            "num_public": self.num_public,
            "num_private": self.num_private,
            "num_wires": self.num_wires,
            "public_inputs": list(self.public_names),
        }


def pack_matrix(constraints: list[tuple[LC, LC, LC]], m: int) -> PackedMatrix:
    """Matrix m (0 = A, 1 = B, 2 = C) as (rows, wires, coeffs) byte arrays.

    One entry per non-zero coefficient, sorted by row, then by wire: rows and wires are
    u32 little-endian, coefficients 32-byte little-endian words reduced mod r (the
    layout of ``Backend.sparse_matvec``). Equal matrices pack to equal bytes, whatever
    the insertion order of their linear combinations.
    """
    rows, wires, coeffs = array(_U32), array(_U32), []
    to_bytes = int.to_bytes
    for k, row in enumerate(constraints):
        lc = row[m]
        if not lc:
            continue
        for w, c in sorted(lc.items()):
            c %= R
            if c:
                rows.append(k)
                wires.append(w)
                coeffs.append(to_bytes(c, 32, "little"))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        rows.byteswap()
        wires.byteswap()
    return rows.tobytes(), wires.tobytes(), b"".join(coeffs)
