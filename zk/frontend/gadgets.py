"""Bit decomposition, range checks and comparators (mixed into :class:`Api`)."""
from __future__ import annotations

from typing import Sequence

from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.frontend.variable import Operand, Var, lc_add, lc_scale

MAX_COMPARE_BITS = 252   # 2^(bits+1) < r keeps b - a from wrapping into range
MAX_DECOMPOSE_BITS = 253  # 2^253 < r: a 253-bit decomposition is unique (no alias)


def _check_bits(bits: object, limit: int, what: str) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int):
        raise CircuitDefinitionError(f"{what}: bits= must be an int, got {bits!r}")
    if not 0 <= bits <= limit:
        raise CircuitDefinitionError(f"{what}: bits={bits} is outside 0..{limit}")
    return bits


def _lc_key(lc: dict) -> tuple:
    return tuple(sorted(lc.items()))


class GadgetsMixin:
    """Gadgets built from the core operations of Api."""

    def to_bits(self, x: Operand, n: int) -> list[Var]:
        """Little-endian bits of x, which is constrained to be < 2^n.

        Costs n + 1 constraints (n booleanity, 1 recomposition). Sound for n <= 253,
        where the decomposition is unique; larger n is refused (alias x + r).
        """
        n = _check_bits(n, MAX_DECOMPOSE_BITS, self.label("to_bits"))
        lx = self.lc_of(x)
        bits = self.hint("bits", "bits", x, n_out=n) if n > 1 else \
            ([self.hint("bits", "bits", x)] if n == 1 else [])
        with self.scope("to_bits"):
            for i, b in enumerate(bits):
                self.add_constraint(b.lc, lc_add(b.lc, {0: R - 1}), {}, f"bit {i}")
                (w,) = b.lc
                self.booleans.add(w)
            total = self.from_bits(bits)
            self.assert_equal(total, Var(lx, self), "recompose")
        key = _lc_key(lx)
        self.range_checked[key] = min(n, self.range_checked.get(key, n))
        return bits

    def from_bits(self, bits: Sequence[Operand]) -> Var:
        """sum_i bits[i] * 2^i. Costs 0 constraints. Sound only if every bit is boolean."""
        acc: dict = {}
        for i, b in enumerate(bits):
            for w, c in self.lc_of(b).items():
                acc[w] = acc.get(w, 0) + (c << i)
        return Var({w: v % R for w, v in acc.items() if v % R}, self)

    def range_check(self, x: Operand, bits: int) -> None:
        """Constrain 0 <= x < 2^bits (as an integer, no wrap-around).

        Costs bits + 1 constraints, or 0 if x was already checked to at most bits.
        Sound for bits <= 253.
        """
        bits = _check_bits(bits, MAX_DECOMPOSE_BITS, self.label("range_check"))
        lx = self.lc_of(x)
        k = _const_value(lx)
        if k is not None:
            if k >= 1 << bits:
                raise CircuitDefinitionError(f"{self.label('range_check')}: constant does "
                                             f"not fit in {bits} bits")
            return
        done = self.range_checked.get(_lc_key(lx))
        if done is not None and done <= bits:
            return
        if bits == 0:
            self.assert_zero(x)
            return
        with self.scope("range_check"):
            self.to_bits(x, bits)

    # --- comparators ------------------------------------------------------------------
    def _cmp_bits(self, bits: object, what: str) -> int:
        if bits is None:
            raise CircuitDefinitionError(f"{self.label(what)}: bits= is mandatory")
        return _check_bits(bits, MAX_COMPARE_BITS, self.label(what))

    def assert_le_unchecked(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a <= b. Costs bits + 1 constraints.

        Sound only if a and b are already constrained to [0, 2^bits), bits <= 252.
        """
        bits = self._cmp_bits(bits, "assert_le")
        with self.scope("assert_le"):
            self.range_check(Var(lc_add(self.lc_of(b), lc_scale(self.lc_of(a), R - 1)), self),
                             bits)

    def assert_lt_unchecked(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a < b. Costs bits + 1 constraints.

        Sound only if a and b are already constrained to [0, 2^bits), bits <= 252.
        """
        bits = self._cmp_bits(bits, "assert_lt")
        diff = lc_add(lc_add(self.lc_of(b), lc_scale(self.lc_of(a), R - 1)), {0: R - 1})
        with self.scope("assert_lt"):
            self.range_check(Var(diff, self), bits)

    def assert_le(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a <= b, range-checking both to [0, 2^bits) first.

        Costs up to 3 * (bits + 1) constraints (range checks already done are free).
        Sound for bits <= 252: no wrap-around can pass.
        """
        bits = self._cmp_bits(bits, "assert_le")
        with self.scope("assert_le"):
            self.range_check(a, bits)
            self.range_check(b, bits)
        self.assert_le_unchecked(a, b, bits)

    def assert_lt(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a < b, range-checking both to [0, 2^bits) first.

        Costs up to 3 * (bits + 1) constraints. Sound for bits <= 252.
        """
        bits = self._cmp_bits(bits, "assert_lt")
        with self.scope("assert_lt"):
            self.range_check(a, bits)
            self.range_check(b, bits)
        self.assert_lt_unchecked(a, b, bits)

    def assert_ge(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a >= b (see assert_le). Costs up to 3 * (bits + 1) constraints."""
        with self.scope("assert_ge"):
            self.assert_le(b, a, bits)

    def assert_gt(self, a: Operand, b: Operand, bits: int) -> None:
        """Constrain a > b (see assert_lt). Costs up to 3 * (bits + 1) constraints."""
        with self.scope("assert_gt"):
            self.assert_lt(b, a, bits)

    def is_lt(self, a: Operand, b: Operand, bits: int) -> Var:
        """1 if a < b else 0, constrained boolean; a, b range-checked to bits.

        Costs up to 2 * (bits + 1) + bits + 2 constraints. Sound for bits <= 252.
        """
        bits = self._cmp_bits(bits, "is_lt")
        with self.scope("is_lt"):
            self.range_check(a, bits)
            self.range_check(b, bits)
            shifted = Var(lc_add(lc_add({0: 1 << bits}, self.lc_of(a)),
                                 lc_scale(self.lc_of(b), R - 1)), self)
            top = self.to_bits(shifted, bits + 1)[bits]   # 1 iff a >= b
        return 1 - top

    def is_le(self, a: Operand, b: Operand, bits: int) -> Var:
        """1 if a <= b else 0 (is_lt with b + 1). Sound for bits <= 251."""
        if bits > MAX_COMPARE_BITS - 1:
            raise CircuitDefinitionError(f"{self.label('is_le')}: bits must be <= 251")
        with self.scope("is_le"):
            self.range_check(b, bits)
            return self.is_lt(a, Var(lc_add(self.lc_of(b), {0: 1}), self), bits + 1)


def _const_value(lc: dict) -> int | None:
    if not lc:
        return 0
    if len(lc) == 1 and 0 in lc:
        return lc[0]
    return None
