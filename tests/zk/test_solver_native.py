"""The native witness solver against the Python specification (zk.witness).

Every shipped circuit is compiled small and its program replayed by both backends
(the reference backend leaves every step to the pure-Python replay); the witnesses must
be equal, and the R1CS check must report the same first failing row (index and label),
on satisfying inputs and on random ones. Declarative hint kinds are checked one by one
at their edges against plain Python integer arithmetic."""
from __future__ import annotations

import random

import pytest

from circuits.collateral import AttestedCollateralRatio, CollateralRatio
from circuits.examples import MulChain, RangeHeavy, ReserveCheck, SolvencyShape
from circuits.reserves import ProofOfReserves
from zk import compile_circuit
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import CircuitDefinitionError, UnsatisfiedConstraint
from zk.field import R
from zk.std import merkle_sum
from zk.witness import HINT_KINDS, flatten, run_program, solve

NATIVE, REF = NativeBackend(), ReferenceBackend()

SHIPPED = {
    "ReserveCheck": lambda: ReserveCheck(4),
    "MulChain": lambda: MulChain(20),
    "RangeHeavy": lambda: RangeHeavy(3),
    "SolvencyShape": lambda: SolvencyShape(3),
    "CollateralRatio": lambda: CollateralRatio(2, 2, (18, 6), (6, 8)),
    "AttestedCollateralRatio": lambda: AttestedCollateralRatio(1, 1),
    "ProofOfReserves": lambda: ProofOfReserves(4, 2),
}


def _split(cs, values: dict) -> tuple[list[int], list[int]]:
    public, private = [], []
    for inp in cs.inputs:
        vals = [0] * inp.size if inp.kind == "output" else flatten(values[inp.name], inp.shape,
                                                                    inp.name)
        (private if inp.kind == "private" else public).extend(vals)
    return public, private


def _random_inputs(cs, rng: random.Random) -> dict:
    def value():
        return rng.choice([0, 1, rng.randrange(1 << 16), rng.randrange(1 << 64),
                           rng.randrange(R), R - 1])

    def build(shape):
        return value() if not shape else [build(shape[1:]) for _ in range(shape[0])]
    return {i.name: build(i.shape) for i in cs.inputs if i.kind != "output"}


def _outcome(cs, values: dict, backend):
    public, private = _split(cs, values)
    w = [1, *public, *private] + [0] * cs.num_internal
    for o in cs.output_wires:
        w[o] = None
    run_program(cs.program, w, backend)
    try:
        cs.check(w, backend)
        failure = None
    except UnsatisfiedConstraint as exc:
        failure = (exc.index, exc.label)
    return w, failure


@pytest.fixture(scope="module", params=sorted(SHIPPED))
def shipped(request):
    return request.param, compile_circuit(SHIPPED[request.param]())


def test_every_shipped_program_is_plain_data(shipped):
    """No Python callable is left in a shipped circuit's program: all hints are kinds."""
    _, cs = shipped
    hints = [s for s in cs.program if s[0] == "hint"]
    assert all(isinstance(s[2], str) and s[2] in HINT_KINDS for s in hints)


def test_native_and_python_solvers_agree_on_random_inputs(shipped):
    name, cs = shipped
    rng = random.Random(name)
    for _ in range(4):
        values = _random_inputs(cs, rng)
        w_c, fail_c = _outcome(cs, values, NATIVE)
        w_py, fail_py = _outcome(cs, values, REF)
        assert w_c == w_py
        assert fail_c == fail_py
        # a forged witness: one internal wire changed; both checks name the same row
        k = rng.randrange(1 + cs.num_public + cs.num_private, cs.num_wires)
        w_py[k] = (w_py[k] + 1) % R
        reports = []
        for be in (NATIVE, REF):
            with pytest.raises(UnsatisfiedConstraint) as info:
                cs.check(w_py, be)
            reports.append((info.value.index, info.value.label))
        assert reports[0] == reports[1]
        # the one-pass solve-and-check (zk.witness.solve) against the Python replay
        public, private = _split(cs, values)
        assert _solved(cs, public, private, NATIVE) == _solved(cs, public, private, REF)


def _solved(cs, public, private, backend):
    try:
        return solve(cs, cs.program, public, private, cs.output_wires, backend)
    except UnsatisfiedConstraint as exc:
        return exc.index, exc.label


@pytest.mark.parametrize("rewrite", [1, 2])
def test_rows_of_a_mul_step_are_checked_after_a_rewrite(rewrite):
    """solve_and_check trusts a row a "mul" step computed only while the values it
    used are final: rewriting an input (wire 1) or the product (wire 2) afterwards
    makes it evaluate the row, which then fails, as in Python."""
    a, b = {1: 1}, {1: 1}
    program = [("mul", 2, a, b), ("lc", rewrite, {0: 5})]
    constraints = [(a, b, {2: 1})]
    for be in (NATIVE, REF):
        w = [1, 3, 0]
        done, row = be.solve_and_check(program, constraints, w)
        if done < len(program):
            run_program(program, w, be, done)
            row = 0
        assert row == 0
        assert w == ([1, 5, 9] if rewrite == 1 else [1, 3, 5])
    w = [1, 3, 0]
    assert NATIVE.solve_and_check(program[:1], constraints, w) == (1, 1) and w == [1, 3, 9]


def _reserves_inputs(n_users: int, n_assets: int) -> dict:
    rng = random.Random(5)
    bal = [[rng.randrange(10**9) for _ in range(n_assets)] for _ in range(n_users)]
    ids = [rng.randrange(R) for _ in range(n_users)]
    salts = [rng.randrange(R) for _ in range(n_users)]
    leaves = [merkle_sum.leaf(i, s, b) for i, s, b in zip(ids, salts, bal, strict=True)]
    root = merkle_sum.build_levels(leaves)[-1][0]
    return {"root": root.hash, "liabilities": list(root.sums), "reserves": list(root.sums),
            "min_ratio_bps": 10000, "id_hashes": ids, "salts": salts, "balances": bal}


def test_both_solvers_prove_and_refuse_the_same_reserves():
    cs = compile_circuit(ProofOfReserves(4, 2))
    good = _reserves_inputs(4, 2)
    public, private = _split(cs, good)
    w_c = solve(cs, cs.program, public, private, cs.output_wires, NATIVE)
    w_py = solve(cs, cs.program, public, private, cs.output_wires, REF)
    assert w_c == w_py
    bad = dict(good, balances=[[R - 1, 0]] + good["balances"][1:])   # a "negative" balance
    errors = []
    for be in (NATIVE, REF):
        public, private = _split(cs, bad)
        with pytest.raises(UnsatisfiedConstraint) as info:
            solve(cs, cs.program, public, private, cs.output_wires, be)
        errors.append((info.value.index, info.value.label))
    assert errors[0] == errors[1]
    assert errors[0][1].startswith("leaves/leaf/range_check/to_bits/")


def _run_one(step: tuple, inputs: list, n_out: int, backend) -> list:
    w = [1, *inputs] + [0] * n_out
    run_program([step], w, backend)
    return w[1 + len(inputs):]


EDGE = [0, 1, 2, 3, 7, (1 << 64) - 1, 1 << 200, R - 2, R - 1]


@pytest.mark.parametrize("x", EDGE)
def test_hint_kinds_match_integer_arithmetic(x):
    n_in = 2
    for d in EDGE:
        cases = {
            "bits": ([{1: 1}], 254, [(x >> i) & 1 for i in range(254)]),
            "divmod": ([{1: 1}, {2: 1}], 2, [x // d, x % d] if d else [0, 0]),
            "inverse": ([{1: 1}], 1, [pow(x, R - 2, R) if x else 0]),
            "div": ([{1: 1}, {2: 1}], 1, [x * pow(d, R - 2, R) % R if d else 0]),
            "copy": ([{1: 1}], 1, [x]),
        }
        for kind, (ins, n_out, expected) in cases.items():
            outs = list(range(1 + n_in, 1 + n_in + n_out))
            step = ("hint", outs, kind, ins, f"t/hint:{kind}")
            got_c = _run_one(step, [x, d], n_out, NATIVE)
            got_py = _run_one(step, [x, d], n_out, REF)
            assert got_c == got_py == expected, (kind, x, d)


def test_lc_coefficients_and_python_hints_interleave():
    """A Python-callable hint between native steps; LCs with repeated dict objects."""
    big = {1: R - 3, 2: 5, 0: 7}
    program = [("mul", 3, big, big), ("hint", [4], lambda v: v + 1, [{3: 1}], "t/hint:py"),
               ("mul", 5, {4: 1}, big), ("lc", 6, {5: 2, 3: R - 1}),
               ("hint", [7, 8], "divmod", [{6: 1}, {1: 1}], "t/hint:dm")]
    ws = []
    for be in (NATIVE, REF):
        w = [1, 11, 13] + [0] * 6
        run_program(program, w, be)
        ws.append(w)
    assert ws[0] == ws[1]
    a = ((R - 3) * 11 + 5 * 13 + 7) % R
    assert ws[1][3] == a * a % R and ws[1][4] == ws[1][3] + 1


def test_reading_an_unassigned_output_is_the_same_error():
    program = [("mul", 3, {2: 1}, {1: 1})]
    for be in (NATIVE, REF):
        w = [1, 5, None, 0]
        with pytest.raises(CircuitDefinitionError, match="reads an output"):
            run_program(program, w, be)
