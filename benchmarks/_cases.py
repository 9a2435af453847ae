"""Benchmark circuits sized to fill a 2^k domain, and the files a user would have for them.

For each case, ``prepare`` writes (once, cached under benchmarks/.cache/<shape>-2^k/):
``keys/`` (our proving key, verification_key.json, circuit.json from a development setup),
``inputs.json``, and the same circuit, key and witness as ``circuit.r1cs``,
``circuit.zkey`` and ``witness.wtns`` for snarkjs and groth16py.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from circuits.examples import MulChain, RangeHeavy, SolvencyShape
from zk import Circuit, compile_circuit

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
SHAPES = ("mulchain", "rangeheavy", "solvency")
RANGE_ROWS = 65         # rows per 64-bit range-checked value
SOLVENCY_ROWS = 307     # rows per asset: range check, price product, Poseidon step, public
SOLVENCY_FIXED = 5


@dataclass
class Case:
    shape: str
    logn: int
    spec: str               # module:Class for `zksolvency prove`
    n: int                  # the circuit's size parameter (-p n=...)
    inputs: dict

    @property
    def dir(self) -> Path:
        return CACHE / f"{self.shape}-2^{self.logn}"

    def circuit(self) -> Circuit:
        return {"mulchain": MulChain, "rangeheavy": RangeHeavy,
                "solvency": SolvencyShape}[self.shape](self.n)


def make_case(shape: str, logn: int) -> Case:
    """The case whose rows (constraints + public rows) fill a 2^logn domain."""
    rows = 1 << logn
    rng = random.Random(logn)
    if shape == "mulchain":        # n constraints, one public output, the constant-one row
        return Case(shape, logn, "circuits.examples:MulChain", rows - 3, {"x": "3"})
    if shape == "rangeheavy":
        n = (rows - 3) // RANGE_ROWS
        values = [rng.randrange(1 << 64) for _ in range(n)]
        return Case(shape, logn, "circuits.examples:RangeHeavy", n,
                    {"values": [str(v) for v in values], "total": str(sum(values))})
    if shape == "solvency":
        n = (rows - SOLVENCY_FIXED) // SOLVENCY_ROWS
        amounts = [rng.randrange(1 << 64) for _ in range(n)]
        prices = [rng.randrange(1, 10**12) for _ in range(n)]
        return Case(shape, logn, "circuits.examples:SolvencyShape", n, {
            "amounts": [str(a) for a in amounts], "prices": [str(p) for p in prices],
            "value": str(sum(a * p for a, p in zip(amounts, prices))),
            "salt": str(rng.randrange(1 << 128))})
    raise SystemExit(f"unknown shape {shape!r} (choose from {', '.join(SHAPES)})")


def prepare(case: Case, fresh: bool = False) -> dict:
    """Compile, set up and export one case unless cached; returns its metadata."""
    from prover import workflow
    from zk.formats.iden3 import write_r1cs, write_wtns, write_zkey
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    d = case.dir
    meta_path = d / "meta.json"
    cs = compile_circuit(case.circuit())
    if meta_path.exists() and not fresh:
        meta = json.loads(meta_path.read_text())
        if meta.get("digest") == cs.digest() and meta.get("inputs") == case.inputs:
            return meta
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    t0 = time.perf_counter()
    pk = workflow.setup_to_dir(cs, d / "keys")
    setup_s = time.perf_counter() - t0
    (d / "inputs.json").write_text(json.dumps(case.inputs))
    witness = cs.solve(case.inputs)
    write_r1cs(cs, d / "circuit.r1cs")
    write_wtns(witness, d / "witness.wtns")
    write_zkey(pk, d / "circuit.zkey")
    meta = {"n": case.n, "digest": cs.digest(), "inputs": case.inputs,
            "constraints": cs.num_constraints, "public": cs.num_public,
            "wires": cs.num_wires, "domain": pk.domain_size,
            "setup_s": round(setup_s, 2), "public_values": [str(x) for x in
                                                            cs.public_values(witness)]}
    meta_path.write_text(json.dumps(meta))
    return meta
