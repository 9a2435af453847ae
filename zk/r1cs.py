"""Rank-1 constraint systems: sparse rows A * B = C over Fr, with labels."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from zk.errors import UnsatisfiedConstraint
from zk.field import R

try:  # optional C fast path (zk/_native); the Python loop below is the specification
    from zk._native._bn254 import r1cs_check as _native_check
except ImportError:  # pragma: no cover - extension not built
    _native_check = None

LC = dict  # {wire: coeff}


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

    def check(self, w: list[int]) -> None:
        """Raise UnsatisfiedConstraint for the first row that fails (values not shown)."""
        if len(w) != self.num_wires or w[0] != 1:
            raise UnsatisfiedConstraint(-1, "witness", f"expected {self.num_wires} wires "
                                        "starting with 1")
        cons = self.constraints
        fast = _native_check if type(cons) is list and type(w) is list else None
        i, n = 0, len(cons)
        while i < n:
            if fast is not None:
                i = fast(cons, w, i)  # first row it could not show to hold
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

    def digest(self) -> str:
        """SHA-256 over the constraint system (identifies a circuit shape)."""
        h = hashlib.sha256()
        h.update(f"{self.num_public},{self.num_private},{self.num_wires}".encode())
        for a, b, c in self.constraints:
            for lc in (a, b, c):
                h.update(repr(sorted(lc.items())).encode())
                h.update(b";")
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
