"""Every core gadget at its edges: a == b, a = b - 1, 2^bits - 1, 2^bits, r - 1."""
from __future__ import annotations

import pytest

from zk import Circuit, Param, Private, Public, compile_circuit
from zk.errors import UnsatisfiedConstraint
from zk.field import R
from zk.testing import first_failure, forge_witness


def two_input(define, outs: int = 1):
    """Circuit with private a, b and `outs` public results y[i] computed by define."""
    class G(Circuit):
        y: Public[Param("k")]
        a: Private
        b: Private

        def __init__(self):
            super().__init__(k=outs)

        def define(self, api):
            res = define(api, self.a, self.b)
            for i, v in enumerate(res if isinstance(res, list) else [res]):
                api.assert_equal(self.y[i], v)
    return compile_circuit(G())


def ok(cs, **inputs) -> bool:
    try:
        cs.solve(inputs)
        return True
    except UnsatisfiedConstraint:
        return False


BITS = 16
TOP = (1 << BITS) - 1


@pytest.mark.parametrize("name,a,b,expect", [
    ("le", 5, 5, True), ("le", 4, 5, True), ("le", 6, 5, False), ("le", 0, TOP, True),
    ("le", TOP, TOP, True), ("le", TOP + 1, TOP + 1, False), ("le", R - 1, 5, False),
    ("le", 5, R - 1, False), ("le", 0, 0, True),
    ("lt", 5, 5, False), ("lt", 4, 5, True), ("lt", TOP - 1, TOP, True), ("lt", R - 1, 0, False),
    ("ge", 5, 5, True), ("ge", 4, 5, False), ("ge", TOP, 0, True), ("ge", 0, R - 1, False),
    ("gt", 5, 5, False), ("gt", 6, 5, True), ("gt", 0, R - 1, False), ("gt", TOP + 1, 0, False),
])
def test_comparators_at_the_edges(name, a, b, expect):
    def define(api, x, y):
        getattr(api, f"assert_{name}")(x, y, bits=BITS)
        return x + y
    cs = two_input(define)
    assert ok(cs, a=a, b=b, y=[(a + b) % R]) is expect


def test_comparator_cannot_be_fooled_by_wraparound_even_with_forged_hints():
    """a = r - 1 ('-1') <= b must fail for every choice of the prover's bit hints."""
    def define(api, x, y):
        api.assert_le(x, y, bits=BITS)
        return y
    cs = two_input(define)
    for forged in (lambda v: [0] * BITS, lambda v: [1] * BITS,
                   lambda v: [(v >> i) & 1 for i in range(BITS)]):
        w = forge_witness(cs, {"a": R - 1, "b": 5, "y": [5]}, {"hint:bits": forged})
        assert first_failure(cs, w) is not None


@pytest.mark.parametrize("value,expect", [(0, True), (TOP, True), (TOP + 1, False),
                                          (R - 1, False), (1 << 100, False)])
def test_range_check_edges(value, expect):
    def define(api, x, y):
        api.range_check(x, bits=BITS)
        return x + y
    assert ok(two_input(define), a=value, b=0, y=[value]) is expect


def test_range_check_cost_and_cache():
    def define(api, x, y):
        api.range_check(x, bits=BITS)
        api.range_check(x, bits=BITS + 4)   # already tighter: free
        return x + y
    assert two_input(define).num_constraints == BITS + 1 + 1


def test_to_bits_from_bits_roundtrip():
    def define(api, x, y):
        bits = api.to_bits(x, 8)
        return [api.from_bits(bits) + y, bits[0], bits[7]]
    cs = two_input(define, outs=3)
    assert ok(cs, a=0b10000001, b=0, y=[0b10000001, 1, 1])
    assert not ok(cs, a=256, b=0, y=[0, 0, 0])


@pytest.mark.parametrize("a,b", [(3, 3), (3, 4), (0, 0), (0, R - 1), (R - 1, R - 1)])
def test_is_equal_and_is_zero(a, b):
    cs = two_input(lambda api, x, y: [api.is_equal(x, y), api.is_zero(x)], outs=2)
    assert ok(cs, a=a, b=b, y=[int(a == b), int(a == 0)])
    assert not ok(cs, a=a, b=b, y=[int(a != b), int(a == 0)])


def test_is_zero_cannot_be_forged():
    cs = two_input(lambda api, x, y: [api.is_zero(x) + y], outs=1)
    for inv in (lambda v: 0, lambda v: 1, lambda v: 12345):
        w = forge_witness(cs, {"a": 7, "b": 0, "y": [1]}, {"is_zero_inverse": inv})
        assert first_failure(cs, w) is not None


@pytest.mark.parametrize("a,b,ok_expected", [(6, 3, True), (0, 3, True), (6, 0, False)])
def test_div_and_inverse(a, b, ok_expected):
    cs = two_input(lambda api, x, y: api.div(x, y))
    expected = a * pow(b, R - 2, R) % R if b else 0
    assert ok(cs, a=a, b=b, y=[expected]) is ok_expected


def test_inverse_of_zero_is_unprovable_whatever_the_hint():
    cs = two_input(lambda api, x, y: api.inverse(x) + y)
    for h in (lambda v: 0, lambda v: 1, lambda v: R - 1):
        w = forge_witness(cs, {"a": 0, "b": 0, "y": [0]}, {"hint:inverse": h})
        assert first_failure(cs, w) is not None


@pytest.mark.parametrize("cond,expect", [(1, 10), (0, 20)])
def test_select(cond, expect):
    cs = two_input(lambda api, c, y: [api.select(c, 10, 20), y], outs=2)
    assert ok(cs, a=cond, b=5, y=[expect, 5])
    assert not ok(cs, a=2, b=5, y=[0, 5])   # non-boolean condition


def test_assert_bool():
    cs = two_input(lambda api, x, y: (api.assert_bool(x), x + y)[1])
    assert ok(cs, a=0, b=1, y=[1]) and ok(cs, a=1, b=1, y=[2])
    assert not ok(cs, a=2, b=1, y=[3]) and not ok(cs, a=R - 1, b=1, y=[0])


@pytest.mark.parametrize("a,b", [(3, 5), (5, 5), (6, 5), (0, TOP), (TOP, 0)])
def test_is_lt_and_is_le(a, b):
    cs = two_input(lambda api, x, y: [api.is_lt(x, y, bits=BITS), api.is_le(x, y, bits=BITS)],
                   outs=2)
    assert ok(cs, a=a, b=b, y=[int(a < b), int(a <= b)])
    assert not ok(cs, a=a, b=b, y=[int(a >= b), int(a <= b)])


def test_assert_zero_and_equal():
    cs = two_input(lambda api, x, y: (api.assert_zero(x - y), x)[1])
    assert ok(cs, a=4, b=4, y=[4]) and not ok(cs, a=4, b=5, y=[4])


def test_scaled_flag_is_not_cached_as_boolean():
    """assert_bool(-flag) forces flag in {0, -1}; a later select(flag, ...) must still
    constrain flag, or flag = -1 selects a + (a - b), which is neither a nor b."""
    from zk.testing import assert_unprovable
    cs = two_input(lambda api, f, b: (api.assert_bool(-f), api.select(f, 10, b))[1])
    assert ok(cs, a=0, b=7, y=[7]) and not ok(cs, a=1, b=7, y=[10])
    assert_unprovable(cs, {"a": R - 1, "b": 0, "y": [R - 10]}, "select/cond_bool")


def test_select_on_a_scaled_boolean_constrains_its_condition():
    """eq is a known boolean, but 2*eq is not: select(2*eq, ...) adds its booleanity row."""
    from zk.testing import assert_unprovable
    cs = two_input(lambda api, x, y: api.select(2 * api.is_equal(x, y), 10, 20))
    assert ok(cs, a=3, b=4, y=[20])                           # eq = 0
    # eq = 1 would select 2 * (10 - 20) + 20 = 0
    assert_unprovable(cs, {"a": 3, "b": 3, "y": [0]}, "select/cond_bool")


def test_unit_boolean_is_still_cached():
    """The cache keeps working for exactly one wire with coefficient 1 (no extra row)."""
    base = two_input(lambda api, x, y: api.select(api.is_equal(x, y), 10, 20))
    assert "select/cond_bool" not in base.labels
    twice = two_input(lambda api, x, y: (api.assert_bool(x), api.select(x, 10, y))[1])
    assert twice.labels.count("assert_bool") == 1 and "select/cond_bool" not in twice.labels
