"""Builder semantics and solver errors."""
from __future__ import annotations

import pytest

from zk import Circuit, CircuitDefinitionError, Private, Public, WitnessError, compile_circuit
from zk.errors import UnsatisfiedConstraint
from zk.field import R

from .circuits_for_tests import Cube, Square, Sum


def build(define, publics=("y",), privates=("x", "z")):
    """Compile an ad-hoc circuit from a define function."""
    ann = {n: Public for n in publics} | {n: Private for n in privates}
    cls = type("Adhoc", (Circuit,), {"__annotations__": ann, "define": define})
    return compile_circuit(cls())


def test_linear_operations_are_free():
    cs = build(lambda s, api: api.assert_equal(s.x * 3 + s.z - 7 + 2 * s.x, s.y))
    assert cs.num_constraints == 1


def test_variable_products_cost_one_constraint_each():
    cs = build(lambda s, api: api.assert_equal(s.x * s.z * s.x, s.y))
    assert cs.num_constraints == 3     # two products + the equality


def test_constant_products_are_free():
    cs = build(lambda s, api: api.assert_equal((s.x + 1) * 5, s.y + s.z * 7))
    assert cs.num_constraints == 1


@pytest.mark.parametrize("op", [
    lambda a, b: a == b, lambda a, b: a != b, lambda a, b: a < b, lambda a, b: a <= b,
    lambda a, b: a > b, lambda a, b: a >= b, lambda a, b: bool(a), lambda a, b: a / b,
])
def test_comparison_operators_raise_and_point_to_the_api(op):
    def define(s, api):
        op(s.x, s.z)
    with pytest.raises(CircuitDefinitionError, match="api"):
        build(define)


def test_if_on_a_variable_raises():
    def define(s, api):
        if s.x:
            pass
    with pytest.raises(CircuitDefinitionError):
        build(define)


def test_layout_and_info():
    cs = compile_circuit(Cube())
    assert cs.public_names == ["y", "epoch"]
    assert cs.private_names == ["x"]
    info = cs.info()
    assert info["num_public"] == 2 and info["num_private"] == 1
    assert info["num_wires"] == cs.num_wires == 1 + 2 + 1 + cs.num_internal
    w = cs.solve({"x": 3, "y": 35, "epoch": 9})
    assert w[:4] == [1, 35, 9, 3]


def test_unused_public_input_is_refused_unless_bound():
    with pytest.raises(CircuitDefinitionError, match="public input 'w'"):
        build(lambda s, api: api.assert_equal(s.x, s.y), publics=("y", "w"), privates=("x",))


def test_unused_private_input_is_refused():
    with pytest.raises(CircuitDefinitionError, match="private input 'z'"):
        build(lambda s, api: api.assert_equal(s.x, s.y))


def test_unconstrained_hint_is_refused():
    def define(s, api):
        api.hint("free", lambda v: v, s.x)
        api.assert_equal(s.x + s.z, s.y)
    with pytest.raises(CircuitDefinitionError, match="hint output is unconstrained"):
        build(define)


def test_outputs_are_computed():
    cs = compile_circuit(Sum(n=3))
    w = cs.solve({"xs": [1, 2, 250]})
    assert cs.public_values(w) == [253]


@pytest.mark.parametrize("inputs,match", [
    ({"x": 3}, "missing input"),
    ({"x": 3, "y": 9, "q": 1}, "unknown input"),
    ({"x": 3.0, "y": 9}, "input 'x'"),
    ({"x": True, "y": 9}, "input 'x'"),
    ({"x": -3, "y": 9}, "negative"),
    ({"x": R, "y": 9}, ">= r"),
    ({"x": str(R + 3), "y": 9}, ">= r"),
    ({"x": " 3", "y": 9}, "canonical"),
    ({"x": "1_000", "y": 9}, "canonical"),
    ({"x": "+3", "y": 9}, "canonical"),
    ({"x": "03", "y": 9}, "canonical"),
    ({"x": "٣", "y": 9}, "canonical"),
    ({"x": "0x", "y": 9}, "canonical"),
    ({"x": "9" * 5000, "y": 9}, "too long"),
])
def test_solver_rejects_bad_inputs_naming_the_input(inputs, match):
    cs = compile_circuit(Square())
    with pytest.raises(WitnessError, match=match):
        cs.solve(inputs)


def test_hex_and_decimal_strings_are_accepted():
    cs = compile_circuit(Square())
    assert cs.solve({"x": "0x3", "y": "9"})[:3] == [1, 9, 3]


def test_wrong_array_length_is_named():
    cs = compile_circuit(Sum(n=3))
    with pytest.raises(WitnessError, match="'xs': expected 3 values"):
        cs.solve({"xs": [1, 2]})


def test_unsatisfied_constraint_names_label_and_hides_values():
    cs = compile_circuit(Sum(n=3))
    secret = 123456789
    with pytest.raises(UnsatisfiedConstraint) as exc:
        cs.solve({"xs": [1, secret, 3]})
    assert "range_check" in exc.value.label and exc.value.index >= 0
    assert str(secret) not in str(exc.value)


def test_r_minus_one_is_a_negative_value_and_fails_range_checks():
    cs = compile_circuit(Sum(n=3))
    with pytest.raises(UnsatisfiedConstraint):
        cs.solve({"xs": [1, R - 1, 3]})


def test_scope_prefixes_labels():
    def define(s, api):
        with api.scope("outer"), api.scope("inner"):
            api.assert_equal(s.x * s.z, s.y)
    cs = build(define)
    assert cs.labels == ["outer/inner/mul", "outer/inner/assert_equal"]


def test_bits_argument_is_mandatory_and_bounded():
    for bits in (None, 253, -1, 1.5):
        def define(s, api, bits=bits):
            api.assert_le(s.x, s.z, bits=bits)
            api.assert_equal(s.y, s.x)
        with pytest.raises(CircuitDefinitionError):
            build(define)
