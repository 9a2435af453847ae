"""snarkjs / circom2 as external oracles: locating them, running them, cached artifacts.

Binaries come from <repo>/.ci/npm/node_modules/.bin (env ZK_NODE_BIN overrides); the
circomlib sources from the circomlib npm package next to them. Generated ptau files and
compiled circuits are cached per test session under pytest's base temp folder.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from zk.formats.snarkjs_json import proof_to_json, public_to_json, vk_to_json

REPO = Path(__file__).resolve().parents[2]
PTAU_POWER = 8

CIRCUITS = {
    "mul": """pragma circom 2.0.0;
template Mul() {
    signal input a; signal input b; signal input c; signal output out; signal t;
    t <== a * b;
    out <== t * c + a;
}
component main {public [c]} = Mul();
""",
    "cmp": """pragma circom 2.0.0;
include "comparators.circom";
include "bitify.circom";
template AtLeast() {
    signal input x; signal input limit; signal output ok;
    component rx = Num2Bits(32); rx.in <== x;
    component ge = GreaterEqThan(32); ge.in[0] <== x; ge.in[1] <== limit;
    ok <== ge.out; ok === 1;
}
component main {public [limit]} = AtLeast();
""",
    "poseidon": """pragma circom 2.0.0;
include "poseidon.circom";
template Commit() {
    signal input a; signal input b; signal output h;
    component p = Poseidon(2); p.inputs[0] <== a; p.inputs[1] <== b; h <== p.out;
}
component main = Commit();
""",
}
INPUTS = {"mul": {"a": "3", "b": "5", "c": "7"}, "cmp": {"x": "1000", "limit": "999"},
          "poseidon": {"a": "1", "b": "2"}}


def bin_dir() -> Path:
    return Path(os.environ.get("ZK_NODE_BIN", REPO / ".ci" / "npm" / "node_modules" / ".bin"))


def tool(name: str) -> str:
    """Path of a node tool, or skip the test when it is not installed."""
    p = bin_dir() / name
    if not p.exists() or shutil.which("node") is None:
        pytest.fail(f"{name} not installed (npm ci in .ci/npm, or set ZK_NODE_BIN)")
    return str(p)


def run(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                         timeout=600, check=False)
    if check and res.returncode != 0:
        raise AssertionError(f"{args[:3]} failed ({res.returncode}):\n{res.stdout[-3000:]}"
                             f"\n{res.stderr[-3000:]}")
    return res


def snarkjs(*args: str, cwd: Path | None = None, check: bool = True):
    return run(tool("snarkjs"), *args, cwd=cwd, check=check)


def cache_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.getbasetemp() / "iden3-cache"
    d.mkdir(exist_ok=True)
    return d


def ptau(tmp_path_factory, power: int = PTAU_POWER) -> Path:
    """A prepared phase-2 ptau made by snarkjs (new, one contribution, prepare phase2)."""
    d = cache_dir(tmp_path_factory)
    final = d / f"pot{power}_final.ptau"
    if not final.exists():
        snarkjs("powersoftau", "new", "bn128", str(power), "pot_0.ptau", cwd=d)
        snarkjs("powersoftau", "contribute", "pot_0.ptau", "pot_1.ptau", "--name=test",
                "-e=some entropy", cwd=d)
        snarkjs("powersoftau", "prepare", "phase2", "pot_1.ptau", final.name, cwd=d)
    return final


def circom_lib() -> Path:
    lib = bin_dir().parent / "circomlib" / "circuits"
    if not lib.is_dir():
        pytest.fail("circomlib npm package not installed")
    return lib


def compile_circuit(tmp_path_factory, name: str, optimize: str = "--O2") -> dict:
    """{'r1cs', 'wasm', 'wtns'} paths for one of CIRCUITS, compiled by circom2."""
    d = cache_dir(tmp_path_factory) / f"{name}{optimize.replace('-', '_')}"
    out = {"r1cs": d / "main.r1cs", "wasm": d / "main_js" / "main.wasm",
           "wtns": d / "main.wtns", "dir": d}
    if out["wtns"].exists():
        return out
    d.mkdir(exist_ok=True)
    (d / "main.circom").write_text(CIRCUITS[name])
    if not (d / "lib").exists():        # circom2 (WASI) only sees folders below the cwd
        shutil.copytree(circom_lib(), d / "lib")
    run(tool("circom2"), "main.circom", "--r1cs", "--wasm", optimize, "-o", ".", "-l", "lib",
        cwd=d)
    (d / "input.json").write_text(json.dumps(INPUTS[name]))
    snarkjs("wtns", "calculate", str(out["wasm"]), "input.json", "main.wtns", cwd=d)
    return out


def snarkjs_verify(folder: Path, vk, proof, public: list[int]) -> bool:
    """`snarkjs groth16 verify` on our vk/proof/public, written as snarkjs JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vk.json").write_text(json.dumps(vk_to_json(vk)))
    (folder / "proof.json").write_text(json.dumps(proof_to_json(proof)))
    (folder / "public.json").write_text(json.dumps(public_to_json(public)))
    res = snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=folder,
                  check=False)
    return res.returncode == 0 and "OK" in res.stdout
