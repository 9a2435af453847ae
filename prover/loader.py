"""Load a circuit class from ``module:Name`` or ``path/to/file.py:Name`` with parameters."""
from __future__ import annotations

import importlib
import importlib.util
import inspect
from pathlib import Path

from zk import Circuit
from zk.errors import CircuitDefinitionError, MalformedInput
from zk.parse import canonical_int


def parse_params(pairs: tuple[str, ...] | list[str]) -> dict[str, int]:
    """``("n=4", "m=2")`` -> ``{"n": 4, "m": 2}`` (integers only)."""
    out: dict[str, int] = {}
    for p in pairs:
        key, sep, val = p.partition("=")
        if not sep or not key.isidentifier():
            raise CircuitDefinitionError(f"--param {p!r}: expected NAME=INTEGER")
        try:
            out[key] = canonical_int(val, f"--param {key}", 1 << 32, hex_ok=False)
        except MalformedInput as exc:
            raise CircuitDefinitionError(f"{exc} (--param {p!r})") from None
    return out


def _module(ref: str):
    if ref.endswith(".py") or "/" in ref:
        path = Path(ref)
        if not path.is_file():
            raise CircuitDefinitionError(f"circuit file {ref} does not exist")
        spec = importlib.util.spec_from_file_location(f"_zk_user_{path.stem}", path)
        if spec is None or spec.loader is None:
            raise CircuitDefinitionError(f"cannot load {ref} as Python")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    try:
        return importlib.import_module(ref)
    except ImportError as exc:
        raise CircuitDefinitionError(f"cannot import module {ref!r}: {exc}") from exc


def load_circuit(spec: str, params: dict[str, int] | None = None) -> Circuit:
    """Instantiate the circuit class named by ``module:Name`` / ``file.py:Name``."""
    ref, sep, name = spec.rpartition(":")
    if not sep or not ref or not name:
        raise CircuitDefinitionError(f"circuit {spec!r}: expected module:Name or file.py:Name")
    cls = getattr(_module(ref), name, None)
    if not (inspect.isclass(cls) and issubclass(cls, Circuit)):
        raise CircuitDefinitionError(f"{spec}: {name} is not a Circuit class")
    try:
        return cls(**(params or {}))
    except TypeError as exc:
        raise CircuitDefinitionError(f"{spec}: bad parameters: {exc}") from exc
