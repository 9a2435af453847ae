"""Witness computation: strict input parsing and replay of the solver program."""
from __future__ import annotations

import re
from typing import Any

from zk.errors import CircuitDefinitionError, UnsatisfiedConstraint, WitnessError
from zk.field import R
from zk.r1cs import R1CS, eval_lc

try:  # optional C fast path (zk/_native); the Python code below is the specification
    from zk._native._bn254 import witness_run as _native_run
except ImportError:  # pragma: no cover - extension not built
    _native_run = None

_DEC = re.compile(r"(0|[1-9][0-9]*)\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]{1,64}\Z")
MAX_DIGITS = 78  # r has 77 decimal digits


def parse_field_element(value: Any, name: str) -> int:
    """A canonical field element from an int, a decimal string or a 0x-hex string.

    Negative numbers, floats, bools, padding, separators and values >= r are refused.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise WitnessError(f"input '{name}': expected an integer or a decimal string, "
                           f"got {type(value).__name__}")
    if isinstance(value, str):
        if len(value) > MAX_DIGITS + 2:
            raise WitnessError(f"input '{name}': number string too long")
        if _DEC.match(value):
            value = int(value)
        elif _HEX.match(value):
            value = int(value, 16)
        else:
            raise WitnessError(f"input '{name}': not a canonical non-negative decimal or "
                               "0x-hex integer")
    if value < 0:
        raise WitnessError(f"input '{name}': negative values are not field elements "
                           "(no silent reduction mod r)")
    if value >= R:
        raise WitnessError(f"input '{name}': value >= r (the BN254 scalar field modulus)")
    return value


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


def _run_step(step: tuple, w: list) -> None:
    """One solver step in Python (hints, and anything the native fast path leaves)."""
    kind = step[0]
    try:
        if kind == "mul":
            _, out, a, b = step
            w[out] = eval_lc(a, w) * eval_lc(b, w) % R
        elif kind == "lc":
            w[step[1]] = eval_lc(step[2], w)
        else:
            _, outs, fn, ins, label = step
            vals = fn(*[eval_lc(lc, w) for lc in ins])
            vals = vals if isinstance(vals, (list, tuple)) else [vals]
            if len(vals) != len(outs):
                raise CircuitDefinitionError(f"{label}: returned {len(vals)} values, "
                                             f"expected {len(outs)}")
            for o, v in zip(outs, vals):
                w[o] = int(v) % R
    except TypeError as exc:
        raise CircuitDefinitionError(f"solver step {kind} reads an output before "
                                     f"api.output assigned it ({exc})") from exc


def run_program(program: list[tuple], w: list) -> None:
    """Fill internal wires of w in place by replaying the recorded solver steps.

    "mul" and "lc" steps over canonical values run in the C extension when it is
    built; hints, and any step it declines, run here (same results and errors).
    """
    n = len(program)
    fast = _native_run if type(program) is list and type(w) is list else None
    i = 0
    while i < n:
        if fast is not None:
            i = fast(program, w, i)
            if i >= n:
                break
        _run_step(program[i], w)
        i += 1


def solve(cs: R1CS, program: list[tuple], public: list[int], private: list[int],
          output_wires: list[int]) -> list[int]:
    """Full witness for the given flattened inputs; raises on any unsatisfied row."""
    w: list = [1, *public, *private] + [0] * cs.num_internal
    for o in output_wires:
        w[o] = None
    run_program(program, w)
    if any(v is None for v in w):
        raise CircuitDefinitionError("an Output was never assigned with api.output")
    cs.check(w)
    return w


__all__ = ["parse_field_element", "flatten", "solve", "run_program", "UnsatisfiedConstraint"]
