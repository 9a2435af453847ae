"""The .pyi stub documents exactly the extension's functions, with matching arities."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from zk.backend import native  # noqa: F401  (fails loudly if the extension is not built)

STUB = Path(__file__).resolve().parents[2] / "zk" / "_native" / "_bn254.pyi"


def _stub_functions() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(STUB.read_text())
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _module():
    import importlib
    return importlib.import_module("zk._native._bn254")


def test_stub_lists_every_function_of_the_extension():
    mod = _module()
    actual = {n for n in dir(mod) if not n.startswith("_") and callable(getattr(mod, n))}
    assert set(_stub_functions()) == actual


@pytest.mark.parametrize("name", sorted(_stub_functions()))
def test_stub_signature_matches_the_docstring_of_the_function(name):
    """Each C function's docstring starts with its call form; the stub's required and
    optional parameters must agree with it, and every stub function is documented."""
    fn, mod = _stub_functions()[name], _module()
    assert ast.get_docstring(fn), f"{name} has no docstring in the stub"
    doc = inspect.getdoc(getattr(mod, name)) or ""
    m = re.match(rf"{name}\((.*?)\)", doc)
    if m is None:  # no call form in the C docstring: no parameters
        assert not fn.args.args, name
        return
    params = m.group(1).replace("[", ",").replace("]", "").split(",")
    params = [p.strip() for p in params if p.strip()]
    required = len(fn.args.args) - len(fn.args.defaults)
    assert len(fn.args.args) == len(params), (name, params)
    assert required == len([p for p in m.group(1).split("[")[0].split(",") if p.strip()])
