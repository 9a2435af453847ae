"""Bit gadgets beyond the builder API: comparison of bits with a constant, and the full
254-bit decomposition of a field element with its alias check (circomlib Num2Bits_strict).
"""
from __future__ import annotations

from typing import Sequence

from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.frontend.variable import Operand, Var

FIELD_BITS = R.bit_length()   # 254


def assert_bits_le_constant(api, bits: Sequence[Var], c: int) -> None:
    """Constrain sum bits[i] * 2^i <= c (as integers) for a constant c >= 0.

    Scans from the most significant bit keeping run = prod of bits where c has a 1
    (run = 1 while the bits equal c so far); where c has a 0, run * bit = 0.
    Costs at most len(bits) constraints: one per 0 bit of c (and per bit above c's
    length), one per 1 bit of c that has a 0 bit of c below it.
    Sound only if every bit is constrained boolean.
    """
    if isinstance(c, bool) or not isinstance(c, int) or c < 0:
        raise CircuitDefinitionError(f"{api.label('bits_le')}: constant must be an int >= 0")
    n = len(bits)
    if c >= (1 << n) - 1:
        return                         # every n-bit value is <= c
    lowest_zero = next(i for i in range(n) if not c >> i & 1)
    run: Var | None = None             # None stands for the constant 1
    with api.scope("bits_le"):
        for i in range(n - 1, -1, -1):
            b = bits[i]
            if c >> i & 1:
                if i > lowest_zero:
                    run = b if run is None else api.mul(run, b, f"run {i}")
            elif run is None:
                api.assert_equal(b, 0, f"bit {i}")
            else:
                api.add_constraint(run.lc, api.lc_of(b), {}, f"bit {i}")


def to_bits_strict(api, x: Operand) -> list[Var]:
    """The 254 little-endian bits of a field element x, with the integer they encode < r.

    Without the alias check x + r (< 2^254) would also decompose. Costs 254 booleanity
    + 1 recomposition + 253 comparison constraints = 508. Sound for any field element.
    """
    with api.scope("to_bits_strict"):
        bits = api.hint("bits", "bits", x, n_out=FIELD_BITS)
        for i, b in enumerate(bits):
            api.assert_bool(b, f"bit {i}")
        api.assert_equal(api.from_bits(bits), x, "recompose")
        assert_bits_le_constant(api, bits, R - 1)
    return bits


def bits_le_constant_cost(n: int, c: int) -> int:
    """Constraints of assert_bits_le_constant over n bits and the constant c."""
    if c >= (1 << n) - 1:
        return 0
    lowest_zero = next(i for i in range(n) if not c >> i & 1)
    ones_above = sum(1 for i in range(lowest_zero + 1, n) if c >> i & 1)
    zeros = sum(1 for i in range(n) if not c >> i & 1)
    return zeros + max(0, ones_above - 1)   # the first 1 from the top is free


__all__ = ["FIELD_BITS", "assert_bits_le_constant", "to_bits_strict", "bits_le_constant_cost"]
