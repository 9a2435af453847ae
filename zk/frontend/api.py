"""The constraint-building API handed to ``Circuit.define`` (core operations).

Comparison and bit gadgets live in :mod:`zk.frontend.gadgets` and are mixed in.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from zk.errors import CircuitDefinitionError
from zk.field import R
from zk.frontend.gadgets import GadgetsMixin
from zk.frontend.variable import LC, Operand, Var, lc_add, lc_scale
from zk.witness import HINT_KINDS


class Api(GadgetsMixin):
    """Records constraints, labels and the witness-solving program while define() runs."""

    def __init__(self, num_inputs: int):
        self.num_wires = num_inputs + 1          # wire 0 is the constant one
        self.constraints: list[tuple[LC, LC, LC]] = []
        self.labels: list[str] = []
        self.program: list[tuple] = []           # solver steps, replayed per witness
        self._scopes: list[str] = []
        self._prefix = ""                        # "/".join(scopes) + "/" (or "")
        self.booleans: set[int] = set()          # wires known to be constrained boolean
        self.range_checked: dict[tuple, int] = {}  # lc key -> bits already enforced
        self.bound_publics: set[int] = set()
        self.hint_wires: dict[int, str] = {}
        self.outputs: dict[int, bool] = {}       # output wire -> assigned?

    # --- wires and linear combinations ----------------------------------------------------
    def lc_of(self, x: Operand) -> LC:
        """Linear combination of a Var or an integer constant."""
        if isinstance(x, Var):
            if x.api is not self:
                raise CircuitDefinitionError("variable belongs to another circuit")
            return x.lc
        if isinstance(x, bool) or not isinstance(x, int):
            raise CircuitDefinitionError(f"cannot use {type(x).__name__} in a circuit "
                                         "(only Var and int)")
        v = x % R
        return {0: v} if v else {}

    def constant(self, value: int) -> Var:
        """A constant as a variable. Costs 0 constraints."""
        return Var(self.lc_of(value), self)

    def _new_wire(self) -> int:
        self.num_wires += 1
        return self.num_wires - 1

    def wire_var(self, wire: int) -> Var:
        return Var({wire: 1}, self)

    # --- labels and scopes --------------------------------------------------------------
    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Prefix the labels of constraints added inside with ``name/``."""
        self._scopes.append(str(name))
        self._prefix = "/".join(self._scopes) + "/"
        try:
            yield
        finally:
            self._scopes.pop()
            self._prefix = "/".join(self._scopes) + "/" if self._scopes else ""

    def label(self, gadget: str) -> str:
        return self._prefix + gadget

    def add_constraint(self, a: LC, b: LC, c: LC, gadget: str) -> None:
        """Append the rank-1 constraint a * b = c with a label."""
        self.constraints.append((a, b, c))
        self.labels.append(self._prefix + gadget)

    # --- core operations ----------------------------------------------------------------
    def mul(self, a: Operand, b: Operand, gadget: str = "mul") -> Var:
        """a * b. Costs 1 constraint unless one side is a constant (then 0)."""
        la = a.lc if type(a) is Var and a.api is self else self.lc_of(a)
        lb = b.lc if type(b) is Var and b.api is self else self.lc_of(b)
        if len(la) < 2 and (not la or 0 in la):     # a constant side: no constraint
            return Var(lc_scale(lb, la.get(0, 0)), self)
        if len(lb) < 2 and (not lb or 0 in lb):
            return Var(lc_scale(la, lb.get(0, 0)), self)
        self.num_wires += 1
        w = self.num_wires - 1
        out = {w: 1}                  # shared by the row and the Var: LCs are never mutated
        self.program.append(("mul", w, la, lb))
        self.constraints.append((la, lb, out))
        self.labels.append(self._prefix + gadget)
        return Var(out, self)

    def sum(self, items: Iterable[Operand]) -> Var:
        """Sum of variables and constants. Costs 0 constraints."""
        lc: LC = {}
        for x in items:
            lc = lc_add(lc, self.lc_of(x))
        return Var(lc, self)

    def assert_equal(self, a: Operand, b: Operand, gadget: str = "assert_equal") -> None:
        """Constrain a == b. Costs 1 constraint."""
        diff = lc_add(self.lc_of(a), lc_scale(self.lc_of(b), R - 1))
        if not diff:
            return
        if _const(diff) is not None:
            raise CircuitDefinitionError(f"{self.label(gadget)}: asserts two different "
                                         "constants are equal (always false)")
        self.add_constraint(diff, {0: 1}, {}, gadget)

    def assert_zero(self, a: Operand) -> None:
        """Constrain a == 0. Costs 1 constraint."""
        self.assert_equal(a, 0, "assert_zero")

    def assert_bool(self, a: Operand, gadget: str = "assert_bool") -> None:
        """Constrain a in {0, 1}. Costs 1 constraint (0 if already known boolean).

        Only an expression that is exactly one wire with coefficient 1 is remembered as
        boolean (``assert_bool(-f)`` forces f in {0, -1}, so it proves nothing about f).
        """
        la = self.lc_of(a)
        w = _unit_wire(la)
        if w is not None and w in self.booleans:
            return
        self.add_constraint(la, lc_add(la, {0: R - 1}), {}, gadget)
        if w is not None:
            self.booleans.add(w)

    def hint(self, name: str, fn: Callable[..., int | list[int]] | str, *inputs: Operand,
             n_out: int = 1) -> Var | list[Var]:
        """UNCONSTRAINED new wires computed off-circuit by fn(*input values).

        fn is a Python callable, or the name of a declarative kind of
        :data:`zk.witness.HINT_KINDS` ("bits", "divmod", "inverse", "div", "copy"): those
        keep the compiled program plain data, solved natively and cacheable.
        Costs 0 constraints and proves NOTHING by itself: the caller must constrain every
        returned wire, or a malicious prover sets it freely. Compile fails if a hint
        output appears in no constraint.
        """
        if isinstance(fn, str):
            spec = HINT_KINDS.get(fn)
            if spec is None or len(inputs) != spec[0] or spec[1] not in (None, n_out):
                raise CircuitDefinitionError(
                    f"{self.label('hint:' + name)}: unknown hint kind {fn!r} or wrong arity "
                    f"({len(inputs)} in, {n_out} out)")
        elif not callable(fn):
            raise CircuitDefinitionError(f"{self.label('hint:' + name)}: fn must be callable "
                                         "or a declarative hint kind")
        ins = [self.lc_of(x) for x in inputs]
        outs = [self._new_wire() for _ in range(n_out)]
        for w in outs:
            self.hint_wires[w] = self.label(f"hint:{name}")
        self.program.append(("hint", outs, fn, ins, self.label(f"hint:{name}")))
        vs = [self.wire_var(w) for w in outs]
        return vs[0] if n_out == 1 else vs

    def inverse(self, a: Operand) -> Var:
        """1 / a. Costs 1 constraint. Sound only if a != 0 (enforced: a * inv = 1)."""
        inv = self.hint("inverse", "inverse", a)
        self.add_constraint(self.lc_of(a), inv.lc, {0: 1}, "inverse")
        return inv

    def div(self, a: Operand, b: Operand) -> Var:
        """Field division a / b. Costs 1 constraint; b != 0 is enforced (b * q = a, q unique)."""
        b_inv = self.inverse(b)
        return self.mul(a, b_inv, "div")

    def select(self, cond: Operand, a: Operand, b: Operand) -> Var:
        """cond ? a : b. Costs 1 constraint (+1 to enforce cond boolean unless cond is a
        single wire, coefficient 1, already known boolean)."""
        self.assert_bool(cond, "select/cond_bool")
        diff = Var(lc_add(self.lc_of(a), lc_scale(self.lc_of(b), R - 1)), self)
        return self.mul(cond, diff, "select") + b

    def is_zero(self, a: Operand) -> Var:
        """1 if a == 0 else 0, as a constrained boolean. Costs 2 constraints."""
        la = self.lc_of(a)
        inv = self.hint("is_zero_inverse", "inverse", a)
        out = self.mul(a, inv, "is_zero/product")
        res = 1 - out                       # res = 1 - a*inv
        self.add_constraint(la, res.lc, {}, "is_zero/a_times_result")
        w = self._materialize(res)
        self.booleans.add(w)
        return self.wire_var(w)

    def is_equal(self, a: Operand, b: Operand) -> Var:
        """1 if a == b else 0, constrained boolean. Costs 2 constraints."""
        return self.is_zero(Var(lc_add(self.lc_of(a), lc_scale(self.lc_of(b), R - 1)), self))

    def _materialize(self, v: Var) -> int:
        """A wire equal to v (v itself if it is a single wire). Costs 0 or 1 constraints."""
        w = _single_wire(v.lc)
        if w is not None and v.lc[w] == 1:
            return w
        w = self._new_wire()
        self.program.append(("lc", w, v.lc))
        self.add_constraint(v.lc, {0: 1}, {w: 1}, "materialize")
        return w

    def as_wire(self, v: Operand, gadget: str = "as_wire") -> Var:
        """v on a wire of its own (labelled ``gadget``), so every witness holds its value
        at a fixed index. Costs 1 constraint, or 0 if v already is a single wire."""
        lc = self.lc_of(v)
        w = _single_wire(lc)
        if w is not None and lc[w] == 1:
            return self.wire_var(w)
        w = self._new_wire()
        self.program.append(("lc", w, lc))
        self.add_constraint(lc, {0: 1}, {w: 1}, gadget)
        return self.wire_var(w)

    # --- public inputs and outputs --------------------------------------------------------
    def bind_public(self, *xs: Var) -> None:
        """Mark public inputs used only as statement data (epoch, chain id, address).

        Costs 0 constraints: Groth16 binds every public input through its x*0=0 row;
        this declares that leaving it out of other constraints is intended.
        """
        for x in xs:
            w = _single_wire(self.lc_of(x))
            if w is None:
                raise CircuitDefinitionError("bind_public takes public input variables")
            self.bound_publics.add(w)

    def output(self, out: Var, value: Operand) -> None:
        """Assign a declared Output its value (computed in-circuit). Costs 1 constraint."""
        w = _single_wire(self.lc_of(out))
        if w is None or w not in self.outputs:
            raise CircuitDefinitionError("api.output's first argument must be a declared Output")
        if self.outputs[w]:
            raise CircuitDefinitionError(f"{self.label('output')}: output assigned twice")
        self.outputs[w] = True
        self.program.append(("lc", w, self.lc_of(value)))
        self.assert_equal(out, value, "output")


def _const(lc: LC) -> int | None:
    if not lc:
        return 0
    if len(lc) == 1 and 0 in lc:
        return lc[0]
    return None


def _unit_wire(lc: LC) -> int | None:
    """The wire w if lc is exactly 1 * w (w != 0), else None."""
    w = _single_wire(lc)
    return w if w is not None and lc[w] == 1 else None


def _single_wire(lc: LC) -> int | None:
    if len(lc) == 1:
        (w,) = lc
        return w if w != 0 else None
    return None
