"""prover.service.Prover: keys in memory, proofs from several threads, ZK_THREADS.

Every proof is checked by our verifier and by `snarkjs groth16 verify` (the oracle); the
thread test observes the kernels' worker threads from Python while a kernel runs, which
is possible only when the kernel has released the GIL.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from circuits.examples import ReserveCheck
from prover import workflow
from prover.service import Prover, kernel_threads
from tests.formats import iden3_env as env
from zk import compile_circuit, groth16
from zk.errors import MalformedInput, UnsatisfiedConstraint, ZkError
from zk.formats.iden3 import write_zkey

EXAMPLE = "circuits.examples:ReserveCheck"


def _inputs(seed: int) -> dict:
    rng = random.Random(seed)
    balances = [rng.randrange(1 << 40) for _ in range(4)]
    total = sum(balances)
    return {"total": str(total), "reserves": str(total + rng.randrange(1 << 30)),
            "ratio_bps": "10000", "balances": [str(b) for b in balances]}


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("service") / "keys"
    workflow.setup_to_dir(compile_circuit(ReserveCheck()), d)
    return d


def _snapshot(*folders: Path) -> dict:
    return {str(p): p.stat().st_mtime_ns for f in folders for p in f.rglob("*")}


def test_prove_returns_proof_and_public_values_by_name(keys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    prover = Prover.load(keys, EXAMPLE)
    before = _snapshot(keys, tmp_path)
    res = prover.prove(_inputs(1))
    assert _snapshot(keys, tmp_path) == before          # nothing written anywhere
    inp = _inputs(1)
    assert res.values == {"total": int(inp["total"]), "reserves": int(inp["reserves"]),
                          "ratio_bps": 10000}
    assert res.public == [int(inp["total"]), int(inp["reserves"]), 10000]
    assert groth16.verify(prover.vk, res.proof, res.public)
    assert env.snarkjs_verify(tmp_path / "sj", prover.vk, res.proof, res.public)
    assert not groth16.verify(prover.vk, res.proof, [res.public[0] + 1, *res.public[1:]])


def test_four_threads_prove_at_once_and_every_proof_verifies(keys, tmp_path):
    prover = Prover.load(keys, ReserveCheck())
    seeds = list(range(10, 18))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: prover.prove(_inputs(s)), seeds))
    assert len({r.proof.a for r in results}) == len(seeds)     # fresh randomness each
    for seed, res in zip(seeds, results):
        assert res.values["total"] == int(_inputs(seed)["total"])
        assert groth16.verify(prover.vk, res.proof, res.public)
        assert env.snarkjs_verify(tmp_path / str(seed), prover.vk, res.proof, res.public)
    # a proof is bound to its own public values, not to another thread's
    assert not groth16.verify(prover.vk, results[0].proof, results[1].public)


def test_unsatisfiable_inputs_raise_and_the_prover_stays_usable(keys):
    prover = Prover.load(keys, EXAMPLE)
    bad = _inputs(2)
    bad["reserves"] = "1"                          # below the required coverage
    with pytest.raises(UnsatisfiedConstraint):
        prover.prove(bad)
    res = prover.prove(_inputs(3))
    assert groth16.verify(prover.vk, res.proof, res.public)


def test_key_for_another_circuit_is_refused_at_load(keys):
    with pytest.raises(MalformedInput, match="another circuit"):
        Prover.load(keys, EXAMPLE, {"n": 3})
    with pytest.raises(MalformedInput, match="another circuit"):
        Prover.load(keys, EXAMPLE, ("n=5",))


def test_key_folder_for_another_statement_is_refused_at_load(keys, tmp_path):
    """Same matrices, relabelled public inputs: values by name would be mislabelled."""
    import shutil
    from dataclasses import replace

    other = tmp_path / "relabelled"
    shutil.copytree(keys, other)
    vk, st = workflow.read_vk(other / workflow.VK_NAME)
    a, b = st.inputs[0], st.inputs[1]
    swapped = (replace(a, name=b.name), replace(b, name=a.name), *st.inputs[2:])
    workflow.write_vk(other / workflow.VK_NAME, vk, replace(st, inputs=swapped))
    with pytest.raises(MalformedInput, match="another statement"):
        Prover.load(other, EXAMPLE)
    assert Prover.load(keys, EXAMPLE).statement == st


def test_from_zkey_proves_a_full_witness_and_refuses_a_wrong_one(keys, tmp_path):
    cs = compile_circuit(ReserveCheck())
    pk = workflow.load_proving_key(keys)
    write_zkey(pk, tmp_path / "c.zkey")
    prover = Prover.from_zkey(tmp_path / "c.zkey")
    witness = cs.solve(_inputs(4))
    res = prover.prove_witness(witness)
    assert res.values == {} and res.key_id is None and res.public == witness[1:4]
    assert groth16.verify(prover.vk, res.proof, res.public)
    assert env.snarkjs_verify(tmp_path / "sj", prover.vk, res.proof, res.public)
    forged = list(witness)
    forged[1] += 1                                 # total no longer the sum of balances
    with pytest.raises(MalformedInput, match="does not satisfy"):
        prover.prove_witness(forged)
    with pytest.raises(ZkError, match="prove_witness"):
        prover.prove(_inputs(4))


def test_malformed_zk_threads_is_refused(monkeypatch, keys):
    for bad in ("0", "-2", "two", "1.5", "999"):
        monkeypatch.setenv("ZK_THREADS", bad)
        with pytest.raises(ZkError, match="ZK_THREADS"):
            Prover.load(keys, EXAMPLE)
    monkeypatch.setenv("ZK_THREADS", "3")
    assert kernel_threads() == 3
    monkeypatch.delenv("ZK_THREADS")
    assert kernel_threads() is None


# Runs one G1 MSM in the main thread while a Python thread counts this process's threads;
# prints [extra threads seen during the kernel, polls made during it].
_PROBE = """
import os, secrets, threading, json
from zk import curve
from zk.backend import get_backend
from zk.field import scalars_to_bytes
be = get_backend("native")
n = 1 << 15
pts = be.batch_mul_g1(curve.G1_GEN, scalars_to_bytes([secrets.randbelow(1 << 250)
                                                      for _ in range(n)]))
sc = scalars_to_bytes([secrets.randbelow(1 << 250) for _ in range(n)])
state = {"run": True, "in_kernel": False, "max": 0, "polls": 0}
def poll():
    while state["run"]:
        k = len(os.listdir("/proc/self/task"))
        if state["in_kernel"]:
            state["max"] = max(state["max"], k)
            state["polls"] += 1
t = threading.Thread(target=poll); t.start()
base = len(os.listdir("/proc/self/task"))
state["in_kernel"] = True
be.msm_g1(pts, sc)
state["in_kernel"] = False
state["run"] = False; t.join()
print(json.dumps([state["max"] - base, state["polls"]]))
"""


@pytest.mark.parametrize("setting, extra", [("3", 2), ("1", 0), ("", os.cpu_count() - 1)])
def test_zk_threads_sets_the_kernel_worker_count_and_the_gil_is_released(setting, extra):
    environ = {**os.environ, "ZK_THREADS": setting}
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         env=environ, timeout=600)
    assert out.returncode == 0, out.stderr
    seen, polls = json.loads(out.stdout)
    assert polls > 0        # Python ran during the kernel: the GIL was released
    assert seen == extra    # the calling thread works too: ZK_THREADS - 1 more threads


def test_compiled_circuit_cache_is_filled_once_then_loaded(keys, tmp_path):
    cache = tmp_path / "cc"
    first = Prover.load(keys, EXAMPLE, cache_dir=cache)
    entries = list(cache.iterdir())
    assert len(entries) == 1
    stamp = entries[0].stat().st_mtime_ns
    second = Prover.load(keys, EXAMPLE, cache_dir=cache)
    assert entries[0].stat().st_mtime_ns == stamp          # loaded, not rewritten
    assert second.cs.digest() == first.cs.digest() == workflow.load_proving_key(
        keys).circuit_digest
    res = second.prove(_inputs(5))
    assert groth16.verify(second.vk, res.proof, res.public)
    assert res.values["total"] == int(_inputs(5)["total"])
