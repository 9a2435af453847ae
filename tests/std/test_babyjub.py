"""Baby Jubjub: curve constants, Python arithmetic against circomlibjs, gadgets against the
Python arithmetic, exact constraint counts, and refusal of off-curve / small-order points."""
from __future__ import annotations

import random

import pytest
import sympy

from tests.std.circomlibjs_oracle import point
from zk import Circuit, Output, Private, compile_circuit
from zk.errors import UnsatisfiedConstraint
from zk.field import R
from zk.std import babyjub as bj
from zk.testing import first_failure, forge_witness

RNG = random.Random(99)
# an order-8 point: l * GENERATOR (GENERATOR has order 8l)
T8 = bj.mul(bj.GENERATOR, bj.SUBORDER)
SMALL = [bj.IDENTITY, T8, bj.mul(T8, 2), bj.mul(T8, 4), bj.mul(T8, 3)]


def rand_point() -> tuple[int, int]:
    return bj.mul(bj.GENERATOR, RNG.randrange(1, bj.ORDER))


def off_curve() -> tuple[int, int]:
    x, y = rand_point()
    return x, (y + 1) % R


def test_curve_constants():
    assert pow(bj.A_COEF, (R - 1) // 2, R) == 1            # a square
    assert pow(bj.D_COEF, (R - 1) // 2, R) == R - 1        # d not a square: complete law
    assert sympy.isprime(bj.SUBORDER) and bj.ORDER == 8 * bj.SUBORDER
    assert bj.mul(bj.GENERATOR, 8) == bj.BASE8
    assert bj.mul(bj.BASE8, bj.SUBORDER) == bj.IDENTITY and bj.BASE8 != bj.IDENTITY
    assert bj.in_subgroup(bj.BASE8) and not bj.in_subgroup(bj.GENERATOR)
    assert bj.SCALAR_BITS == 251
    assert T8 != bj.IDENTITY and bj.mul(T8, 4) != bj.IDENTITY and bj.mul(T8, 8) == bj.IDENTITY
    assert all(bj.is_small_order(p) for p in SMALL)
    assert not bj.is_small_order(bj.BASE8) and not bj.is_small_order(bj.add(bj.BASE8, T8))


def test_python_arithmetic_matches_circomlibjs(circomlibjs):
    pts = [rand_point() for _ in range(6)] + [bj.BASE8, T8, bj.IDENTITY]
    scalars = [0, 1, 2, 7, 8, bj.SUBORDER - 1, bj.SUBORDER, bj.SUBORDER + 1, 2**253 + 5,
               R - 1, RNG.randrange(R)]
    ops, want = [], []
    for p in pts:
        q = RNG.choice(pts)
        ops.append({"op": "add", "p": p, "q": q})
        want.append(bj.add(p, q))
        ops.append({"op": "add", "p": p, "q": p})
        want.append(bj.add(p, p))
    for k in scalars:
        p = RNG.choice(pts)
        ops.append({"op": "mul", "p": p, "k": k})
        want.append(bj.mul(p, k))
    probes = [*pts, off_curve(), (0, 0), (1, 1)]
    ops += [{"op": "in_curve", "p": p} for p in probes]
    ops += [{"op": "in_subgroup", "p": p} for p in probes]
    got = circomlibjs(ops)
    n = len(want)
    assert [point(g) for g in got[:n]] == want
    assert got[n:] == [bj.on_curve(p) for p in probes] + [bj.in_subgroup(p) for p in probes]


# --- gadgets -----------------------------------------------------------------------------

class _Gadget(Circuit):
    p: Private[2]
    q: Private[2]
    out: Output[2]

    def __init__(self, which: str, n_bits: int = 0):
        super().__init__()
        self.which, self.n_bits = which, n_bits

    def define(self, api):
        p, q = tuple(self.p), tuple(self.q)
        with api.scope("curve"):
            bj.assert_on_curve(api, p)
            if self.which in ("add", "double", "not_small"):
                bj.assert_on_curve(api, q)     # q is a point; else q[0] is a scalar
        base = len(api.constraints)
        if self.which == "add":
            r = bj.point_add(api, p, q)
        elif self.which == "double":
            r = bj.point_double(api, p)      # q is only curve-checked
        elif self.which == "not_small":
            r = bj.assert_not_small_order(api, p)
        elif self.which == "mul":
            bits = api.to_bits(q[0], self.n_bits)
            base = len(api.constraints)
            r = bj.scalar_mul(api, bits, p)
        else:
            bits = api.to_bits(q[0], self.n_bits)
            base = len(api.constraints)
            r = bj.fixed_base_mul(api, bits)
        self.cost = len(api.constraints) - base
        if self.which in ("mul", "fixed"):
            api.assert_equal(q[1], 1)
        api.output(self.out[0], r[0])
        api.output(self.out[1], r[1])


def _run(which: str, p, q, n_bits: int = 0):
    circuit = _Gadget(which, n_bits)
    cs = compile_circuit(circuit)
    w = cs.solve({"p": list(p), "q": list(q)})
    return (w[1], w[2]), circuit.cost, cs


def test_point_add_and_double_gadgets():
    for _ in range(3):
        p, q = rand_point(), rand_point()
        out, cost, _ = _run("add", p, q)
        assert out == bj.add(p, q) and cost == 6
        out, cost, _ = _run("double", p, q)
        assert out == bj.add(p, p) and cost == 5
    # complete law: identity, inverse, doubling of small-order points
    assert _run("add", T8, bj.neg(T8))[0] == bj.IDENTITY
    assert _run("add", bj.IDENTITY, T8)[0] == T8
    assert _run("double", bj.mul(T8, 4), T8)[0] == bj.IDENTITY


@pytest.mark.parametrize("k", [0, 1, 5, (1 << 20) - 1, 987654])
def test_scalar_mul_gadget(k):
    p = rand_point()
    out, cost, _ = _run("mul", p, (k, 1), n_bits=20)
    assert out == bj.mul(p, k)
    # table (O, p, 2p, 3p) 11, top window 6, 9 windows of 22
    assert cost == bj.scalar_mul_cost(20) == 11 + 6 + 9 * 22


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_scalar_mul_every_value_of_short_scalars(n):
    p = bj.add(rand_point(), T8)                   # full order: exercises the cofactor too
    for k in range(1 << n) if n <= 4 else (0, 1, 63, 64, 127, 85):
        out, cost, _ = _run("mul", p, (k, 1), n_bits=n)
        assert out == bj.mul(p, k), (n, k)
        assert cost == bj.scalar_mul_cost(n)


def test_scalar_mul_cost_at_254_bits():
    assert bj.scalar_mul_cost(254) == 11 * 254 - 5 == 2789


@pytest.mark.parametrize("k", [0, 1, bj.SUBORDER - 1, (1 << 251) - 1, 123456789 << 100])
def test_fixed_base_mul_gadget(k):
    out, cost, _ = _run("fixed", rand_point(), (k, 1), n_bits=251)
    assert out == bj.mul(bj.BASE8, k)
    # 83 full 3-bit windows (4 products each) + a 2-bit one (1), 83 additions of 6
    assert cost == bj.fixed_base_mul_cost(251) == 83 * 4 + 1 + 83 * 6 == 831


def test_fixed_base_mul_partial_windows():
    for n in (1, 2, 4, 5):
        k = (1 << n) - 2 if n > 1 else 1
        out, cost, _ = _run("fixed", rand_point(), (k, 1), n_bits=n)
        assert out == bj.mul(bj.BASE8, k) and cost == bj.fixed_base_mul_cost(n)


def test_not_small_order_gadget():
    p = bj.add(bj.BASE8, T8)                   # order 8l: not small
    out, cost, _ = _run("not_small", p, p)
    assert out == bj.mul(p, 8) and cost == 16
    for s in SMALL:
        with pytest.raises(UnsatisfiedConstraint) as exc:
            _run("not_small", s, s)
        assert exc.value.label == "inverse"
        cs = compile_circuit(_Gadget("not_small"))
        w = forge_witness(cs, {"p": list(s), "q": list(s)},
                          hints={"hint:inverse": lambda x: 1})
        assert first_failure(cs, w) == "inverse"


def test_on_curve_refuses_off_curve_points():
    for bad in (off_curve(), (0, 0), (1, 1), (R - 1, 5)):
        with pytest.raises(UnsatisfiedConstraint) as exc:
            _run("add", bad, rand_point())
        assert exc.value.label == "curve/on_curve"


def test_forged_division_outputs_fail():
    """A prover who sets an addition's or doubling's output freely breaks its row."""
    p, q = rand_point(), rand_point()
    for which, label in (("add", "add/x"), ("double", "double/x")):
        cs = compile_circuit(_Gadget(which))
        honest = forge_witness(cs, {"p": list(p), "q": list(q)})
        assert first_failure(cs, honest) is None
        w = forge_witness(cs, {"p": list(p), "q": list(q)},
                          hints={f"hint:{label}": lambda n, d: 7})
        assert first_failure(cs, w) == label


def test_scalar_mul_forged_bit_fails():
    cs = compile_circuit(_Gadget("mul", 8))
    p = rand_point()
    w = forge_witness(cs, {"p": list(p), "q": [77, 1]},
                      hints={"hint:bits": lambda v: [2] + [0] * 7})
    assert first_failure(cs, w) == "to_bits/bit 0"
