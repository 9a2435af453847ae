"""Fixed-point gadgets: floor/ceil with a checked remainder, conservative valuations."""
from __future__ import annotations

import pytest

from zk import Circuit, Output, Private, Public, compile_circuit
from zk.errors import CircuitDefinitionError, UnsatisfiedConstraint
from zk.field import R
from zk.std.fixed_point import (
    ceil_div,
    div_ceil,
    div_floor,
    floor_div,
    scale,
    scale_factor,
    value_ceil,
    value_floor,
)


class _Div(Circuit):
    x: Private
    d: Public
    lo: Output
    hi: Output

    def define(self, api):
        api.range_check(self.x, bits=64)
        api.range_check(self.d, bits=32)
        api.output(self.lo, div_floor(api, self.x, self.d, 64, 32))
        api.output(self.hi, div_ceil(api, self.x, self.d, 64, 32))


class _Value(Circuit):
    amount: Private
    price: Public
    low: Output
    high: Output

    def define(self, api):
        api.range_check(self.amount, bits=96)
        api.range_check(self.price, bits=64)
        api.output(self.low, value_floor(api, self.amount, self.price, 18, 96, 64))
        api.output(self.high, value_ceil(api, self.amount, self.price, 18, 96, 64))


@pytest.mark.parametrize("x,d", [(0, 1), (7, 2), (10, 5), (2**64 - 1, 3), (5, 2**32 - 1)])
def test_floor_and_ceil(x, d):
    cs = compile_circuit(_Div())
    w = cs.solve({"x": x, "d": d})
    assert w[2:4] == [floor_div(x, d), ceil_div(x, d)]


def test_division_by_zero_is_unsatisfiable():
    cs = compile_circuit(_Div())
    with pytest.raises(UnsatisfiedConstraint):
        cs.solve({"x": 5, "d": 0})


def test_forged_quotient_with_oversized_remainder_is_rejected(forge, failure):
    cs = compile_circuit(_Div())
    # attacker: q one less, remainder d larger (x == q*d + rem still holds)
    w = forge(cs, {"x": 100, "d": 7}, {"divmod": lambda x, d: [x // d - 1, x % d + d]})
    assert failure(cs, w) is not None


def test_forged_wrapped_quotient_is_rejected(forge, failure):
    cs = compile_circuit(_Div())
    # q = (x - rem)/d in the field for a "wrong" remainder: q is huge, range check fails
    inv7 = pow(7, R - 2, R)
    w = forge(cs, {"x": 100, "d": 7}, {"divmod": lambda x, d: [(x - 1) * inv7 % R, 1]})
    assert failure(cs, w) is not None


def test_value_rounds_collateral_down_and_debt_up():
    cs = compile_circuit(_Value())
    amount, price = 10**18 + 1, 3 * 10**8 + 1      # 1.000...1 token at 3.00000001
    w = cs.solve({"amount": amount, "price": price})
    exact = amount * price
    assert w[2] == exact // 10**18 and w[3] == -(-exact // 10**18) and w[3] == w[2] + 1


def test_scale_helpers():
    assert scale_factor(6, 18) == 10**12
    with pytest.raises(CircuitDefinitionError):
        scale_factor(18, 6)

    class _Scale(Circuit):
        x: Private
        y: Output

        def define(self, api):
            api.output(self.y, scale(api, self.x, 6, 8))
    assert compile_circuit(_Scale()).solve({"x": 5})[1] == 500


def test_headroom_refused():
    class _Wide(Circuit):
        x: Private
        y: Output

        def define(self, api):
            api.output(self.y, div_floor(api, self.x, 3, 250, 2))
    with pytest.raises(CircuitDefinitionError):
        compile_circuit(_Wide())
