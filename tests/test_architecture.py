"""Repository rules: imports only go downward, and lint is clean."""
from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ALLOWED = {"zk": {"zk"}, "circuits": {"zk", "circuits"},
           "verifier_contracts": {"zk", "verifier_contracts"},
           "prover": {"zk", "circuits", "verifier_contracts", "prover"}}
OURS = set(ALLOWED)


def imported_packages(path: Path) -> set[str]:
    """Top-level names of our packages imported anywhere in a module."""
    tree = ast.parse(path.read_text(), str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_go_down(package):
    bad = [f"{p.relative_to(REPO)} imports {sorted(imported_packages(p) - ALLOWED[package])}"
           for p in (REPO / package).rglob("*.py") if imported_packages(p) - ALLOWED[package]]
    assert not bad


def test_proving_system_never_imports_the_dsl():
    """gnark's rule: groth16 and the backends see only R1CS and witnesses."""
    offenders = []
    for sub in ("groth16", "backend"):
        for p in (REPO / "zk" / sub).rglob("*.py"):
            src = p.read_text()
            if "zk.frontend" in src or "zk.std" in src:
                offenders.append(str(p.relative_to(REPO)))
    assert not offenders


def test_python_h_only_in_the_module_file():
    users = [p.name for p in (REPO / "zk" / "_native").iterdir()
             if p.suffix in (".c", ".h") and "Python.h" in p.read_text()]
    assert users == ["module.c"]


def test_ruff_is_clean():
    ruff = shutil.which("ruff")
    assert ruff, "ruff is a test dependency (pip install -e '.[test]')"
    out = subprocess.run([ruff, "check", str(REPO)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
