"""Helpers for tests that use external oracles (snarkjs, circomlibjs, anvil, solc)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def node_bin(tool: str) -> str:
    """Path of an npm-installed tool: $ZK_NODE_BIN/<tool>, else the test peers' folder."""
    base = os.environ.get("ZK_NODE_BIN") or str(REPO / ".ci" / "npm" / "node_modules" / ".bin")
    path = Path(base) / tool
    if path.exists():
        return str(path)
    found = shutil.which(tool)
    if found:
        return found
    raise FileNotFoundError(f"{tool} not found in {base} or on PATH; run `bash .ci/run` "
                            "or `npm install --prefix .ci/npm` first")


def forge_witness(cs, inputs: dict, hints: dict | None = None) -> list[int]:
    """A full witness built by BYPASSING the solver's checks (an attacker's view).

    Replays the solver program without checking constraints; ``hints`` maps a substring
    of a hint label to a replacement function (the attacker's choice of hint values).
    """
    from zk.witness import flatten, run_program
    public: list[int] = []
    private: list[int] = []
    for inp in cs.inputs:
        vals = [0] * inp.size if inp.kind == "output" else \
            flatten(inputs[inp.name], inp.shape, inp.name)
        (private if inp.kind == "private" else public).extend(vals)
    program = []
    for step in cs.program:
        if step[0] == "hint" and hints:
            for key, fn in hints.items():
                if key in step[4]:
                    step = (step[0], step[1], fn, step[3], step[4])
                    break
        program.append(step)
    w = [1, *public, *private] + [0] * cs.num_internal
    run_program(program, w)
    return w


def first_failure(cs, w: list[int]) -> str | None:
    """Label of the first unsatisfied constraint, or None if w satisfies them all."""
    from zk.errors import UnsatisfiedConstraint
    try:
        cs.check(w)
    except UnsatisfiedConstraint as exc:
        return exc.label
    return None


def g2_point_off_subgroup(seed: int = 1) -> bytes:
    """A point on the BN254 twist that is NOT in the r-torsion subgroup (for negative tests)."""
    from py_ecc import optimized_bn128 as ob

    from zk import curve
    from zk.field import Q, R
    x0 = seed
    while True:
        x = ob.FQ2([x0, 1])
        a = x ** 3 + curve.B2
        a1 = a ** ((Q - 3) // 4)
        alpha = a1 * a1 * a
        if alpha == ob.FQ2([Q - 1, 0]):
            y = ob.FQ2([0, 1]) * a1 * a
        else:
            y = (ob.FQ2.one() + alpha) ** ((Q - 1) // 2) * a1 * a
        if y * y == a:
            p = (x, y, ob.FQ2.one())
            if not ob.is_inf(ob.multiply(p, R)):
                return curve.g2_from_py(p)
        x0 += 1


def assert_unprovable(cs, inputs: dict, where: str) -> None:
    """The solver refuses ``inputs`` at a constraint labelled ``where...``, and so does the
    R1CS for a witness forged by bypassing the solver (the attacker's view)."""
    from zk.errors import UnsatisfiedConstraint
    try:
        cs.solve(inputs)
    except UnsatisfiedConstraint as exc:
        if not exc.label.startswith(where):
            raise AssertionError(f"solver refused at {exc.label!r}, expected {where!r}") from exc
    else:
        raise AssertionError("the solver accepted inputs that must be unprovable")
    label = first_failure(cs, forge_witness(cs, inputs))
    if label is None or not label.startswith(where):
        raise AssertionError(f"forged witness: first failure {label!r}, expected {where!r}")
