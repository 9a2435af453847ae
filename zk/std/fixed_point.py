"""Fixed-point helpers: decimal scaling and floor/ceil division with a checked remainder.

Conventions for valuations: a collateral value rounds DOWN (``div_floor``), a debt value
rounds UP (``div_ceil``), so rounding never makes a position look healthier than it is.
Plain Python twins (``floor_div``, ``ceil_div``, ``scale_factor``) compute the same values
off-circuit. Circuits that can compare exact cross-multiplied integers (no division at
all) should do so; these helpers are for normalising to a coarser unit.
"""
from __future__ import annotations

from zk.errors import CircuitDefinitionError
from zk.frontend.variable import Operand, Var

MAX_BITS = 252


def scale_factor(from_decimals: int, to_decimals: int) -> int:
    """10^(to - from) for to >= from: multiplies a from-decimals amount into to-decimals."""
    if from_decimals < 0 or to_decimals < from_decimals:
        raise CircuitDefinitionError(f"cannot scale {from_decimals} decimals up to "
                                     f"{to_decimals} without dividing")
    return 10 ** (to_decimals - from_decimals)


def scale(api, x: Operand, from_decimals: int, to_decimals: int) -> Var:
    """x * 10^(to - from). Costs 0 constraints (constant multiplication).

    Sound only if the caller's headroom bound covers the scaled value (no wrap mod r).
    """
    return api.constant(0) + x * scale_factor(from_decimals, to_decimals)


def floor_div(x: int, d: int) -> int:
    """floor(x / d) for integers x >= 0, d > 0 (plain Python)."""
    if x < 0 or d <= 0:
        raise ValueError("floor_div needs x >= 0 and d > 0")
    return x // d


def ceil_div(x: int, d: int) -> int:
    """ceil(x / d) for integers x >= 0, d > 0 (plain Python)."""
    if x < 0 or d <= 0:
        raise ValueError("ceil_div needs x >= 0 and d > 0")
    return -(-x // d)


def _check_widths(x_bits: int, d_bits: int, what: str) -> None:
    for name, b in (("x_bits", x_bits), ("d_bits", d_bits)):
        if isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= MAX_BITS:
            raise CircuitDefinitionError(f"{what}: {name}={b!r} outside 1..{MAX_BITS}")
    if x_bits + 1 >= MAX_BITS:
        raise CircuitDefinitionError(f"{what}: x_bits={x_bits} leaves no headroom below r")


def _divmod(api, x: Operand, d: Operand, x_bits: int, d_bits: int) -> tuple[Var, Var]:
    """q, rem with x == q*d + rem, rem < d, q < 2^x_bits (all range-checked)."""
    q, rem = api.hint("divmod", "divmod", x, d, n_out=2)
    api.range_check(q, bits=x_bits)
    api.range_check(rem, bits=d_bits)
    api.assert_lt_unchecked(rem, d, bits=d_bits)
    api.assert_equal(api.mul(q, d, "divmod/q_times_d") + rem, x, "divmod/recompose")
    return q, rem


def div_floor(api, x: Operand, d: Operand, x_bits: int, d_bits: int) -> Var:
    """floor(x / d) with the remainder checked (0 <= rem < d); d = 0 is unsatisfiable.

    Costs (x_bits + 1) + 2 * (d_bits + 1) + 2 constraints (1 fewer if d is a constant).
    Sound only if x < 2^x_bits and 0 < d < 2^d_bits are already constrained, and
    x_bits + d_bits < 252 so q*d + rem cannot wrap mod r.
    """
    _check_widths(x_bits, d_bits, api.label("div_floor"))
    if x_bits + d_bits >= MAX_BITS:
        raise CircuitDefinitionError(f"{api.label('div_floor')}: x_bits + d_bits >= 252")
    with api.scope("div_floor"):
        q, _ = _divmod(api, x, d, x_bits, d_bits)
    return q


def div_ceil(api, x: Operand, d: Operand, x_bits: int, d_bits: int) -> Var:
    """ceil(x / d) = floor((x + d - 1) / d) with the remainder checked.

    Costs as div_floor with x_bits + 1. Sound only if x < 2^x_bits, 0 < d < 2^d_bits are
    already constrained and x_bits + d_bits + 1 < 252.
    """
    _check_widths(x_bits + 1, d_bits, api.label("div_ceil"))
    if x_bits + 1 + d_bits >= MAX_BITS:
        raise CircuitDefinitionError(f"{api.label('div_ceil')}: x_bits + d_bits >= 251")
    shifted = api.constant(0) + x + d - 1
    with api.scope("div_ceil"):
        q, _ = _divmod(api, shifted, d, x_bits + 1, d_bits)
    return q


def value_floor(api, amount: Operand, price: Operand, token_decimals: int,
                amount_bits: int, price_bits: int) -> Var:
    """floor(amount * price / 10^decimals): a collateral value in price units (rounds down).

    Costs 1 + div_floor constraints. Sound only if amount < 2^amount_bits and
    price < 2^price_bits are already constrained.
    """
    product = api.mul(amount, price, "value/product")
    d = 10 ** token_decimals
    return div_floor(api, product, d, amount_bits + price_bits, d.bit_length())


def value_ceil(api, amount: Operand, price: Operand, token_decimals: int,
               amount_bits: int, price_bits: int) -> Var:
    """ceil(amount * price / 10^decimals): a debt value in price units (rounds up).

    Costs 1 + div_ceil constraints. Sound only if amount < 2^amount_bits and
    price < 2^price_bits are already constrained.
    """
    product = api.mul(amount, price, "value/product")
    d = 10 ** token_decimals
    return div_ceil(api, product, d, amount_bits + price_bits, d.bit_length())


__all__ = ["scale_factor", "scale", "floor_div", "ceil_div", "div_floor", "div_ceil",
           "value_floor", "value_ceil"]
