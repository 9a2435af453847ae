"""Poseidon hash over BN254, compatible with circomlib / circomlibjs (1..16 inputs).

``poseidon_hash(values)`` is the plain Python function, ``poseidon(api, *xs)`` the gadget.
Both compute circomlib's ``Poseidon(n)``: state = [0, x_1..x_n] (t = n + 1), 8 full and
R_P partial rounds, each round adds constants, applies x^5 (to every element in full
rounds, to element 0 in partial rounds) and multiplies by the MDS matrix; the hash is
state[0]. Constants: :mod:`zk.std.poseidon_constants`.

In-circuit, linear layers are free; each S-box costs 3 constraints. The linear map from
the last first-half full round through the partial rounds is precomputed once per width
so the linear combinations are built in O(t + rounds) per round instead of O(t^2 * terms).
"""
from __future__ import annotations

from functools import lru_cache
from operator import mul
from typing import Sequence

from zk.errors import MalformedInput
from zk.field import R
from zk.frontend.variable import Var
from zk.std.poseidon_constants import MAX_T, params

MAX_INPUTS = MAX_T - 1


def _pow5(x: int) -> int:
    x2 = x * x % R
    return x2 * x2 % R * x % R


def _mix(mds: Sequence[Sequence[int]], state: list[int]) -> list[int]:
    return [sum(map(mul, row, state)) % R for row in mds]


def _width(n: int) -> int:
    if not 1 <= n <= MAX_INPUTS:
        raise MalformedInput(f"Poseidon takes 1..{MAX_INPUTS} inputs, got {n}")
    return n + 1


def poseidon_hash(values: Sequence[int]) -> int:
    """circomlib Poseidon of 1..16 field elements (plain Python, each 0 <= v < r)."""
    t = _width(len(values))
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < R:
            raise MalformedInput(f"Poseidon input #{i} is not a field element in [0, r)")
    constants, mds, r_f, r_p = params(t)
    state = [0, *values]
    half = r_f // 2
    for rnd in range(r_f + r_p):
        state = [(s + constants[rnd * t + i]) % R for i, s in enumerate(state)]
        if rnd < half or rnd >= half + r_p:
            state = [_pow5(s) for s in state]
        else:
            state[0] = _pow5(state[0])
        state = _mix(mds, state)
    return state[0]


def poseidon_cost(n_inputs: int) -> int:
    """Constraints of ``poseidon(api, ...)`` with n_inputs (non-constant) inputs."""
    t = _width(n_inputs)
    _, _, r_f, r_p = params(t)
    return 3 * (r_f * t + r_p) - 3      # the capacity S-box of round 0 is a constant


@lru_cache(maxsize=None)
def _partial_plan(t: int) -> tuple[list[list[int]], list[list[int]]]:
    """Affine plan of the partial rounds over basis [1, y_1..y_t, w_1..w_RP].

    y are the S-box outputs of the last first-half full round, w the partial S-box
    outputs. Returns (sbox_inputs[k] for each partial round, final state rows), each a
    coefficient vector over the basis (length 1 + t + R_P).
    """
    constants, mds, r_f, r_p = params(t)
    size = 1 + t + r_p
    # state after the mix of the last first-half full round: M * y
    state = [[0] + list(row) + [0] * r_p for row in mds]
    sbox_inputs = []
    for k in range(r_p):
        rnd = r_f // 2 + k
        for i in range(t):
            state[i][0] = (state[i][0] + constants[rnd * t + i]) % R
        sbox_inputs.append(state[0])
        w = [0] * size
        w[1 + t + k] = 1
        state = [w] + state[1:]
        state = [[sum(mds[i][j] * state[j][b] for j in range(t)) % R for b in range(size)]
                 for i in range(t)]
    return sbox_inputs, state


def _sbox(api, x: Var) -> Var:
    x2 = api.mul(x, x, "poseidon/sbox_x2")
    x4 = api.mul(x2, x2, "poseidon/sbox_x4")
    return api.mul(x4, x, "poseidon/sbox_x5")


def _combine(api, coeffs: Sequence[int], basis: Sequence[Var],
             wires: Sequence[int | None] | None = None) -> Var:
    """sum coeffs[i] * basis[i] built in one pass (api.sum copies per term).

    coeffs are reduced mod r. wires[i], when given, is the wire of basis[i] if that is a
    single wire with coefficient 1 (else None); when all are, and distinct, the sum is
    built directly."""
    if wires is None:
        wires = [_unit_wire(b) for b in basis]
    if None not in wires and len(set(wires)) == len(wires):
        cs = coeffs[:len(wires)]
        if 0 not in cs:
            return Var(dict(zip(wires, cs)), api)
        return Var({w: c for c, w in zip(cs, wires) if c}, api)
    acc: dict[int, int] = {}
    for c, b in zip(coeffs, basis, strict=False):
        if c:
            for w, v in b.lc.items():
                acc[w] = acc.get(w, 0) + c * v
    return Var({w: v % R for w, v in acc.items() if v % R}, api)


def _unit_wire(v: Var) -> int | None:
    lc = v.lc
    if len(lc) == 1:
        for w, c in lc.items():
            return w if c == 1 else None
    return None


def _full_round(api, state: list[Var], rnd: int, t: int) -> list[Var]:
    constants, mds, _, _ = params(t)
    ys = [_sbox(api, s + constants[rnd * t + i]) for i, s in enumerate(state)]
    wires = [_unit_wire(y) for y in ys]
    return [_combine(api, row, ys, wires) for row in mds]


def poseidon(api, *inputs) -> Var:
    """circomlib Poseidon of 1..16 variables. Costs 3*(8t + R_P) - 3 constraints (t = n+1).

    Sound for any field-element inputs (collision resistance of Poseidon); the caller
    range-checks inputs whose integer meaning matters.
    """
    t = _width(len(inputs))
    constants, mds, r_f, r_p = params(t)
    half = r_f // 2
    state = [api.constant(0), *(api.constant(0) + x for x in inputs)]
    for rnd in range(half - 1):
        state = _full_round(api, state, rnd, t)
    rnd = half - 1
    ys = [_sbox(api, s + constants[rnd * t + i]) for i, s in enumerate(state)]
    sbox_inputs, final = _partial_plan(t)
    basis = [api.constant(1), *ys]
    wires = [_unit_wire(b) for b in basis]
    for k in range(r_p):
        basis.append(_sbox(api, _combine(api, sbox_inputs[k], basis, wires)))
        wires.append(_unit_wire(basis[-1]))
    state = [_combine(api, row, basis, wires) for row in final]
    for rnd in range(half + r_p, r_f + r_p):
        state = _full_round(api, state, rnd, t)
    return state[0]


def _chunks(n: int) -> list[tuple[int, int]]:
    """Input ranges of the chained hash: 16 first, then 15 per call (plus the chain value)."""
    spans = [(0, min(n, MAX_INPUTS))]
    while spans[-1][1] < n:
        start = spans[-1][1]
        spans.append((start, min(n, start + MAX_INPUTS - 1)))
    return spans


def poseidon_hash_many(values: Sequence[int]) -> int:
    """Poseidon of any number of elements: circomlib Poseidon for <= 16, else a chain.

    For n > 16: h = Poseidon(x_1..x_16), then h = Poseidon(h, next <= 15 elements) until
    all are absorbed. Collision resistant for a fixed n (circuit shapes fix n).
    """
    if not values:
        raise MalformedInput("poseidon_hash_many needs at least one input")
    spans = _chunks(len(values))
    acc = poseidon_hash(list(values[spans[0][0]:spans[0][1]]))
    for start, end in spans[1:]:
        acc = poseidon_hash([acc, *values[start:end]])
    return acc


def poseidon_many(api, *inputs) -> Var:
    """Gadget twin of poseidon_hash_many. Costs the sum of its Poseidon calls.

    Sound under Poseidon collision resistance for a fixed number of inputs.
    """
    if not inputs:
        raise MalformedInput("poseidon_many needs at least one input")
    spans = _chunks(len(inputs))
    acc = poseidon(api, *inputs[spans[0][0]:spans[0][1]])
    for start, end in spans[1:]:
        acc = poseidon(api, acc, *inputs[start:end])
    return acc


def poseidon_many_cost(n_inputs: int) -> int:
    """Constraints of poseidon_many with n_inputs variable inputs."""
    spans = _chunks(n_inputs)
    return sum(poseidon_cost(end - start + (i > 0)) for i, (start, end) in enumerate(spans))
