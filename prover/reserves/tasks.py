"""What runs for one batch, in the driver (``--workers 1``) or in a Ray worker.

Phase 1, :func:`batch_root`: solve the batch witness and read its root and sums (they do
not depend on the chain). Phase 2, :func:`prove_batch`: solve again with the batch's
place in the chain, prove, and build every user's inclusion file from the witness (which
holds the whole batch tree). Results are returned, not written, so workers need no
shared file system; the driver writes them atomically.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circuits.inclusion import inclusion_file_name, inclusion_v2, user_id_hash
from circuits.reserves_batch import ReservesBatch, tree_wires
from prover.reserves.users import salt_of, user_secret_of
from zk import CompiledCircuit, groth16
from zk.errors import MalformedInput

_CIRCUITS: dict[tuple, CompiledCircuit] = {}
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
    key = (batch_bits, n_assets, cache_dir)
    if key not in _CIRCUITS:
        from zk.cache import load_or_compile
        _CIRCUITS[key] = load_or_compile(ReservesBatch(batch_bits, n_assets),
                                         Path(cache_dir))
    return _CIRCUITS[key]


def _inputs(job: BatchJob) -> dict:
    pad = (1 << job.batch_bits) - len(job.ids)
    return {"index": job.index, "prev_link": job.prev_link,
            "id_hashes": [user_id_hash(u) for u in job.ids] + [0] * pad,
            "salts": [salt_of(job.secret, u) for u in job.ids] + [0] * pad,
            "balances": [list(b) for b in job.balances] + [[0] * job.n_assets] * pad}


def _log(job: BatchJob, phase: str) -> None:
    """Append ``phase index pid`` to the task log (a folder), if one was asked for."""
    if job.task_log:
        with open(Path(job.task_log) / f"{phase}-{job.index}-{os.getpid()}", "w") as fh:
            fh.write(f"{time.time()}\n")


def batch_root(job: BatchJob) -> tuple[int, list[int]]:
    """(batch_root, sums) of a batch: phase 1."""
    _log(job, "root")
    cs = circuit(job.batch_bits, job.n_assets, job.cache_dir)
    values = cs.statement.values(cs.public_values(cs.solve(_inputs(job))))
    return values["batch_root"], values["sums"]


def proving_key(key_id: str, source: Any):
    """The proving key, parsed once per process: ``source`` is a key folder/file or a
    buffer (a numpy array from Ray's object store; the key's arrays stay views of it)."""
    on_disk = isinstance(source, (str, Path))
    cache_key = f"{key_id} {source}" if on_disk else key_id
    if cache_key not in _KEYS:
        from zk.formats import keyfile
        if on_disk:
            from prover.workflow import load_proving_key
            _KEYS[cache_key] = load_proving_key(source)
        else:
            _KEYS[cache_key] = keyfile.from_buffer(memoryview(source),
                                                   f"proving key {key_id}")
    return _KEYS[cache_key]


def prove_batch(job: BatchJob, key_id: str, key_source: Any) -> dict:
    """Phase 2: witness, proof and inclusion files of one batch (nothing written)."""
    _log(job, "prove")
    if job.threads:
        os.environ["ZK_THREADS"] = str(job.threads)
    from zk.backend import get_backend
    backend = get_backend()
    if job.threads and backend.name == "native":
        from zk.backend.native import NativeBackend
        backend = NativeBackend(job.threads)
    cs = circuit(job.batch_bits, job.n_assets, job.cache_dir)
    pk = proving_key(key_id, key_source)
    if pk.circuit_digest and pk.circuit_digest != cs.digest():
        raise MalformedInput("the batch proving key was made for another circuit")
    t0 = time.perf_counter()
    witness = cs.solve(_inputs(job))
    t1 = time.perf_counter()
    proof = groth16.prove(pk, witness, backend)
    t2 = time.perf_counter()
    public = cs.public_values(witness)
    levels = [[witness[w] for w in level] for level in tree_wires(cs)]
    files = {}
    for i, uid in enumerate(job.ids):
        user_secret = user_secret_of(job.secret, uid)
        name = inclusion_file_name(user_secret)
        files[name] = (uid, user_secret.hex(), inclusion_v2(
            uid, salt_of(job.secret, uid), job.balances[i], job.assets, job.decimals,
            job.index, i, levels, job.top_levels, job.statement))
    return {"index": job.index, "proof": proof, "public": public, "files": files,
            "seconds": {"witness": t1 - t0, "prove": t2 - t1,
                        "inclusion": time.perf_counter() - t2}}
