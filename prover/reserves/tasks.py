"""What runs for one batch, in the driver (``--workers 1``) or in a Ray worker.

Phase 1, :func:`batch_root`: the batch root and sums, hashed natively
(:mod:`prover.reserves.hashing`; they do not depend on the chain, and no circuit is
loaded). Phase 2, :func:`prove_batch`: solve the witness with the batch's place in the
chain, prove, and build every user's inclusion file (JSON text) from the witness (which
holds the whole batch tree). The compiled circuit and the proving key are loaded once per
process. Results are returned, not written, so workers need no shared file system; the
driver writes them atomically.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circuits.inclusion import inclusion_file_name, inclusion_v3
from circuits.reserves_batch import ReservesBatch, tree_wires
from prover.reserves import hashing
from prover.reserves.users import salt_of, user_secret_of
from zk import CompiledCircuit, groth16
from zk.errors import MalformedInput

_CIRCUITS: dict[tuple, tuple[CompiledCircuit, list[list[int]]]] = {}
_KEYS: dict[str, Any] = {}


@dataclass
class BatchJob:
    """PRIVATE: one batch's rows and what the worker needs to prove it."""

    index: int
    batch_bits: int
    n_assets: int
    ids: list[str]
    balances: list[tuple[int, ...]]
    secret: bytes
    cache_dir: str
    prev_link: int = 0
    top_levels: list[list[int]] = field(default_factory=list)
    assets: tuple[str, ...] = ()
    decimals: tuple[int, ...] = ()
    statement: dict = field(default_factory=dict)
    threads: int = 0
    task_log: str | None = None

    def __repr__(self) -> str:
        return f"BatchJob(index={self.index}, {len(self.ids)} users, hidden)"


def circuit(batch_bits: int, n_assets: int, cache_dir: str) -> CompiledCircuit:
    """The compiled batch circuit, from zk.cache, kept for the life of the process."""
    return _circuit(batch_bits, n_assets, cache_dir)[0]


def _circuit(batch_bits: int, n_assets: int,
             cache_dir: str) -> tuple[CompiledCircuit, list[list[int]]]:
    """(compiled circuit, its tree wires), loaded once per process."""
    key = (batch_bits, n_assets, cache_dir)
    if key not in _CIRCUITS:
        from zk.cache import load_or_compile
        cs = load_or_compile(ReservesBatch(batch_bits, n_assets), Path(cache_dir))
        _CIRCUITS.clear()                       # one batch shape per process at a time
        _CIRCUITS[key] = (cs, tree_wires(cs))
    return _CIRCUITS[key]


def _salts(job: BatchJob) -> list[int]:
    return [salt_of(job.secret, u) for u in job.ids]


def _inputs(job: BatchJob, commitments: list[int]) -> dict:
    pad = (1 << job.batch_bits) - len(job.ids)
    return {"index": job.index, "prev_link": job.prev_link,
            "user_commitments": commitments + [0] * pad,
            "balances": [list(b) for b in job.balances] + [[0] * job.n_assets] * pad}


def _log(job: BatchJob, phase: str) -> None:
    """Record ``<phase>-<index>-<pid>`` in the task log (a folder), if one was asked for
    (phases: root, prove, load = this process loaded the circuit or the key)."""
    if job.task_log:
        with open(Path(job.task_log) / f"{phase}-{job.index}-{os.getpid()}", "w") as fh:
            fh.write(f"{time.time()}\n")


def batch_root(job: BatchJob) -> tuple[int, list[int]]:
    """(batch_root, sums) of a batch: phase 1, hashed natively (no circuit, no witness)."""
    _log(job, "root")
    _, levels = hashing.batch_tree(job.ids, _salts(job), job.balances, job.batch_bits,
                                   job.n_assets)
    return levels[-1][0], hashing.sums(job.balances, job.n_assets)


def proving_key(key_id: str, source: Any):
    """The proving key, parsed once per process: ``source`` is a key folder/file or a
    buffer (a numpy array from Ray's object store; the key's arrays stay views of it)."""
    on_disk = isinstance(source, (str, Path))
    cache_key = _key_name(key_id, source)
    if cache_key not in _KEYS:
        from zk.formats import keyfile
        if on_disk:
            from prover.workflow import load_proving_key
            pk = load_proving_key(source)
        else:
            pk = keyfile.from_buffer(memoryview(source), f"proving key {key_id}")
        _KEYS.clear()                           # one proving key per process at a time
        _KEYS[cache_key] = pk
    return _KEYS[cache_key]


def _key_name(key_id: str, source: Any) -> str:
    return f"{key_id} {source}" if isinstance(source, (str, Path)) else key_id


def _load(job: BatchJob, key_id: str, key_source: Any):
    """(circuit, tree wires, proving key) of this batch shape, loaded once per process.
    The key (its file hash releases the GIL) loads in a thread beside the circuit."""
    ckey = (job.batch_bits, job.n_assets, job.cache_dir)
    if ckey in _CIRCUITS and _key_name(key_id, key_source) in _KEYS:
        return (*_CIRCUITS[ckey], _KEYS[_key_name(key_id, key_source)])
    _log(job, "load")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        key = pool.submit(proving_key, key_id, key_source)
        cs, wires = _circuit(job.batch_bits, job.n_assets, job.cache_dir)
        return cs, wires, key.result()


def prove_batch(job: BatchJob, key_id: str, key_source: Any) -> dict:
    """Phase 2: witness, proof and inclusion files of one batch (nothing written).

    ``seconds``: load (circuit and key; 0 once this process has them), witness, prove,
    inclusion (the files' JSON text); the driver adds the time it takes to write them."""
    _log(job, "prove")
    if job.threads:
        os.environ["ZK_THREADS"] = str(job.threads)
    from zk.backend import get_backend
    backend = get_backend()
    if job.threads and backend.name == "native":
        from zk.backend.native import NativeBackend
        backend = NativeBackend(job.threads)
    t0 = time.perf_counter()
    cs, wires, pk = _load(job, key_id, key_source)
    if pk.circuit_digest and pk.circuit_digest != cs.digest():
        raise MalformedInput("the batch proving key was made for another circuit")
    t1 = time.perf_counter()
    salts = _salts(job)
    commitments = hashing.user_commitments(hashing.id_hashes(job.ids), salts)
    witness = cs.solve(_inputs(job, commitments))
    t2 = time.perf_counter()
    proof = groth16.prove(pk, witness, backend)
    t3 = time.perf_counter()
    public = cs.public_values(witness)
    levels = [[witness[w] for w in level] for level in wires]
    files = {}
    for i, uid in enumerate(job.ids):
        user_secret = user_secret_of(job.secret, uid)
        files[inclusion_file_name(user_secret)] = (uid, user_secret.hex(), json.dumps(
            inclusion_v3(uid, salts[i], job.balances[i], job.assets, job.decimals,
                         job.index, i, levels, job.top_levels, job.statement), indent=1))
    return {"index": job.index, "proof": proof, "public": public, "files": files,
            "seconds": {"load": t1 - t0, "witness": t2 - t1, "prove": t3 - t2,
                        "inclusion": time.perf_counter() - t3}}
