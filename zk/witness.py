"""Witness computation: strict input parsing and replay of the solver program."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from zk.errors import CircuitDefinitionError, UnsatisfiedConstraint, WitnessError
from zk.field import R
from zk.parse import IntRuleError, canonical_int
from zk.r1cs import R1CS, eval_lc

if TYPE_CHECKING:
    from zk.backend import Backend



def parse_field_element(value: Any, name: str) -> int:
    """A canonical field element from an int, a decimal string or a 0x-hex string.

    Negative numbers, floats, bools, padding, separators and values >= r are refused.
    """
    try:
        return canonical_int(value, f"input '{name}'", R)
    except IntRuleError as exc:
        detail = {"negative": " (no silent reduction mod r)",
                  "bound": " (the BN254 scalar field modulus)"}.get(exc.kind, "")
        raise WitnessError(f"{exc}{detail}") from None


def flatten(value: Any, shape: tuple[int, ...], name: str) -> list[int]:
    """Flatten a nested list of the declared shape into field elements."""
    if not shape:
        return [parse_field_element(value, name)]
    if not isinstance(value, list):
        raise WitnessError(f"input '{name}': expected a list of {shape[0]} values")
    if len(value) != shape[0]:
        raise WitnessError(f"input '{name}': expected {shape[0]} values, got {len(value)}")
    out: list[int] = []
    for i, v in enumerate(value):
        out.extend(flatten(v, shape[1:], f"{name}[{i}]"))
    return out


def _hint_bits(n: int, x: int) -> list[int]:
    return [(x >> i) & 1 for i in range(n)]


def _hint_divmod(n: int, x: int, d: int) -> list[int]:
    return [x // d, x % d] if d else [0, 0]


def _hint_inverse(n: int, x: int) -> list[int]:
    return [pow(x, -1, R) if x else 0]


def _hint_div(n: int, x: int, d: int) -> list[int]:
    return [x * pow(d, -1, R) % R if d else 0]


def _hint_copy(n: int, x: int) -> list[int]:
    return [x]


#: Declarative hint kinds: name -> (number of inputs, number of outputs or None for any,
#: function of (n_out, *input values) -> output values). The compiled program names the
#: kind, so it is plain data; the native solver implements the same kinds (differential
#: tests compare them on every shipped circuit).
HINT_KINDS: dict[str, tuple[int, int | None, Callable[..., list[int]]]] = {
    "bits": (1, None, _hint_bits),        # little-endian bits of x (integer value)
    "divmod": (2, 2, _hint_divmod),       # x // d, x % d as integers; (0, 0) if d == 0
    "inverse": (1, 1, _hint_inverse),     # 1 / x in Fr; 0 if x == 0
    "div": (2, 1, _hint_div),             # x / d in Fr; 0 if d == 0
    "copy": (1, 1, _hint_copy),           # x itself (a fresh wire equal to an expression)
}


def _run_step(step: tuple, w: list) -> None:
    """One solver step in Python: the specification of the native solver."""
    kind = step[0]
    try:
        if kind == "mul":
            _, out, a, b = step
            w[out] = eval_lc(a, w) * eval_lc(b, w) % R
        elif kind == "lc":
            w[step[1]] = eval_lc(step[2], w)
        else:
            _, outs, fn, ins, label = step
            args = [eval_lc(lc, w) for lc in ins]
            if isinstance(fn, str):
                vals = HINT_KINDS[fn][2](len(outs), *args)
            else:
                vals = fn(*args)
            vals = vals if isinstance(vals, (list, tuple)) else [vals]
            if len(vals) != len(outs):
                raise CircuitDefinitionError(f"{label}: returned {len(vals)} values, "
                                             f"expected {len(outs)}")
            for o, v in zip(outs, vals):
                w[o] = int(v) % R
    except TypeError as exc:
        raise CircuitDefinitionError(f"solver step {kind} reads an output before "
                                     f"api.output assigned it ({exc})") from exc


def run_program(program: list[tuple], w: list, backend: Backend | None = None,
                start: int = 0) -> None:
    """Fill internal wires of w in place by replaying the recorded solver steps.

    The backend's ``solve_steps`` runs what it can (the native one: arithmetic steps
    and declarative hints, in C); Python-callable hints, and any step it declines, run
    here (same results and errors).
    """
    if backend is None:
        from zk.backend import get_backend  # imported on first use: `import zk` stays light
        backend = get_backend()
    be = backend
    n = len(program)
    i = start
    while i < n:
        i = be.solve_steps(program, w, i)
        if i >= n:
            break
        _run_step(program[i], w)
        i += 1


def solve(cs: R1CS, program: list[tuple], public: list[int], private: list[int],
          output_wires: list[int], backend: Backend | None = None) -> list[int]:
    """Full witness for the given flattened inputs; raises on any unsatisfied row.

    The backend replays the program and checks the rows in one pass where it can
    (``solve_and_check``); steps and rows it leaves run here, with the same errors."""
    if backend is None:
        from zk.backend import get_backend  # imported on first use: `import zk` stays light
        backend = get_backend()
    w: list = [1, *public, *private] + [0] * cs.num_internal
    for o in output_wires:
        w[o] = None
    done, row = backend.solve_and_check(program, cs.constraints, w)
    if done < len(program):
        run_program(program, w, backend, done)
        row = 0
    if None in w:
        raise CircuitDefinitionError("an Output was never assigned with api.output")
    cs.check(w, backend, row)
    return w


__all__ = ["parse_field_element", "flatten", "solve", "run_program", "HINT_KINDS",
           "UnsatisfiedConstraint"]
