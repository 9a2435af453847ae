"""Circuit variables (linear combinations of wires) and input declarations."""
from __future__ import annotations

from typing import TYPE_CHECKING, Union

from zk.errors import CircuitDefinitionError
from zk.field import R

if TYPE_CHECKING:
    from zk.frontend.api import Api

LC = dict  # {wire index: coefficient mod r}; wire 0 is the constant one

_COMPARE_HINT = ("comparing circuit variables with {op} would run once at compile time; "
                 "use api.assert_equal / api.is_equal or api.assert_lt/le/gt/ge(a, b, bits=...) "
                 "/ api.is_zero instead")


class Var:
    """A linear combination of wires; linear operations are free, Var * Var costs one constraint."""

    __slots__ = ("lc", "api")

    def __init__(self, lc: LC, api: Api):
        self.lc = lc
        self.api = api

    # --- arithmetic ---------------------------------------------------------------------
    def __add__(self, other: Operand) -> Var:
        return Var(lc_add(self.lc, self.api.lc_of(other)), self.api)

    __radd__ = __add__

    def __sub__(self, other: Operand) -> Var:
        return Var(lc_add(self.lc, lc_scale(self.api.lc_of(other), R - 1)), self.api)

    def __rsub__(self, other: Operand) -> Var:
        return Var(lc_add(self.api.lc_of(other), lc_scale(self.lc, R - 1)), self.api)

    def __neg__(self) -> Var:
        return Var(lc_scale(self.lc, R - 1), self.api)

    def __mul__(self, other: Operand) -> Var:
        return self.api.mul(self, other)

    __rmul__ = __mul__

    def constant_value(self) -> int | None:
        """The value if this is a constant (only the one-wire), else None."""
        if not self.lc:
            return 0
        if len(self.lc) == 1 and 0 in self.lc:
            return self.lc[0]
        return None

    # --- forbidden operators ---------------------------------------------------------------
    def _refuse(self, op: str):
        raise CircuitDefinitionError(_COMPARE_HINT.format(op=op))

    def __eq__(self, other):  # type: ignore[override]
        self._refuse("==")

    def __ne__(self, other):  # type: ignore[override]
        self._refuse("!=")

    def __lt__(self, other):
        self._refuse("<")

    def __le__(self, other):
        self._refuse("<=")

    def __gt__(self, other):
        self._refuse(">")

    def __ge__(self, other):
        self._refuse(">=")

    def __bool__(self):
        self._refuse("bool()/if")

    def __truediv__(self, other):
        raise CircuitDefinitionError("use api.div(a, b) for field division (it constrains b != 0)")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Var({len(self.lc)} terms)"


Operand = Union[Var, int]


def lc_add(a: LC, b: LC) -> LC:
    """Sum of two linear combinations, dropping zero coefficients."""
    out = dict(a)
    for w, c in b.items():
        v = (out.get(w, 0) + c) % R
        if v:
            out[w] = v
        else:
            out.pop(w, None)
    return out


def lc_scale(a: LC, k: int) -> LC:
    """k times a linear combination."""
    k %= R
    if k == 0:
        return {}
    return {w: c * k % R for w, c in a.items()}


class Param:
    """An array size taken from a circuit parameter: ``N = Param("n"); xs: Private[N]``."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class Decl:
    """Declared circuit input: kind ('public'/'private'/'output') and shape."""

    def __init__(self, kind: str, shape: tuple = ()):
        self.kind = kind
        self.shape = shape

    def __getitem__(self, shape) -> Decl:
        if self.shape:
            raise CircuitDefinitionError("declare arrays as Private[n] or Private[n, m]")
        return Decl(self.kind, shape if isinstance(shape, tuple) else (shape,))

    def __call__(self, *a, **k):  # lets typing treat declarations as annotations
        raise CircuitDefinitionError("declarations are annotations, not callables")

    def resolve(self, params: object) -> tuple[int, ...]:
        """Concrete shape, with parameter names looked up on the circuit instance."""
        dims = []
        for d in self.shape:
            if isinstance(d, Param):
                d = d.name
            n = getattr(params, d, None) if isinstance(d, str) else d
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise CircuitDefinitionError(f"array size {d!r} must be a positive integer, "
                                             f"got {n!r}")
            dims.append(n)
        return tuple(dims)

    def __repr__(self) -> str:
        return f"{self.kind.capitalize()}{list(self.shape) if self.shape else ''}"


#: A public input (part of the statement, given to the verifier).
Public = Decl("public")
#: A private input (known only to the prover).
Private = Decl("private")
#: A public output: a public wire whose value the circuit computes (api.output).
Output = Decl("output")
