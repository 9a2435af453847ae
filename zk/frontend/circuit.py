"""The Circuit base class: declared inputs plus a define(api) method (gnark style)."""
from __future__ import annotations

import inspect

from zk.errors import CircuitDefinitionError
from zk.frontend.variable import Decl


class Circuit:
    """Base class of circuits; subclasses declare inputs as annotations and write define().

    Parameters given to ``__init__`` (``super().__init__(n=4)``) become attributes and
    may size arrays: ``amounts: Private["n"]``.
    """

    def __init__(self, **params: int):
        self.params = dict(params)
        for k, v in params.items():
            setattr(self, k, v)

    def define(self, api) -> None:  # pragma: no cover - abstract
        """Add the circuit's constraints through ``api``."""
        raise CircuitDefinitionError(f"{type(self).__name__} does not implement define(api)")

    @classmethod
    def declarations(cls) -> list[tuple[str, Decl]]:
        """Declared inputs in declaration order (base classes first)."""
        out: dict[str, Decl] = {}
        for klass in reversed(cls.__mro__):
            if klass is object:
                continue
            try:
                ann = inspect.get_annotations(klass, eval_str=True)
            except Exception as exc:
                raise CircuitDefinitionError(f"cannot read declarations of {klass.__name__}: "
                                             f"{exc}") from exc
            for name, decl in ann.items():
                if isinstance(decl, Decl):
                    out[name] = decl
        if not out:
            raise CircuitDefinitionError(f"{cls.__name__} declares no inputs")
        return list(out.items())

    def describe(self) -> str:
        """Circuit name with its parameters, e.g. ``CollateralRatio(n_collateral=2)``."""
        ps = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{type(self).__name__}({ps})"
