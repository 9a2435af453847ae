"""Real Ray (2 workers, ZK_THREADS=1 each): a worker is SIGKILLed while it proves a
batch; the run completes, only that batch is proven twice, and a re-run proves nothing.

The ledger is 2^8 users in 8 batches of 2^5 (26k constraints each), so Ray's cost is
mostly its start.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from prover import reserves as lib
from tests.prover.reserves_data import make

pytestmark = pytest.mark.slow

RAY_USERS, RAY_BITS = 1 << 8, 5
CTX = lib.Context(31337, "0x" + "ab" * 20, "0x" + "cd" * 20, 1)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return make(tmp_path_factory.mktemp("reserves256"), RAY_USERS, RAY_BITS)


def kill_first_prover(log: Path, killed: list, stop: threading.Event) -> None:
    """SIGKILL the worker process of the first batch proof that starts."""
    while not stop.is_set():
        for f in log.iterdir():
            if f.name.startswith("prove-"):
                _, index, pid = f.name.split("-")
                os.kill(int(pid), signal.SIGKILL)
                killed.append((int(index), int(pid)))
                return
        time.sleep(0.01)


def test_killed_worker_batch_is_retried_and_only_it(small, tmp_path):
    d, assets = small
    n = RAY_USERS >> RAY_BITS
    log = tmp_path / "log"
    log.mkdir()
    killed: list = []
    stop = threading.Event()
    killer = threading.Thread(target=kill_first_prover, args=(log, killed, stop))
    killer.start()
    try:
        res = lib.run(assets, d / "ledger.csv", d / "keys", tmp_path / "out", CTX,
                      batch_bits=RAY_BITS, workers=2, threads=1, task_log=str(log))
    finally:
        stop.set()
        killer.join()
    assert killed, "no batch proof was seen starting"
    assert res.ok, res.failed
    assert sorted(res.proven) == list(range(n))
    proofs = Counter(int(f.name.split("-")[1]) for f in log.iterdir()
                     if f.name.startswith("prove-"))
    index, pid = killed[0]
    assert proofs[index] == 2                                 # the killed one, retried
    assert all(c == 1 for k, c in proofs.items() if k != index) and len(proofs) == n
    retry = [f for f in log.iterdir() if f.name.startswith(f"prove-{index}-")]
    assert {int(f.name.split("-")[2]) for f in retry} - {pid}  # on another worker process
    loads = Counter(f.name.split("-")[2] for f in log.iterdir() if f.name.startswith("load-"))
    provers = {f.name.split("-")[2] for f in log.iterdir() if f.name.startswith("prove-")}
    assert set(loads.values()) == {1}                  # each process loads once ...
    assert provers - {str(pid)} <= set(loads) <= provers   # (the killed one may not have)
    out = tmp_path / "out"
    assert lib.verify_run(out, out / "batch_vk.json", out / "top" / "verification_key.json")[0]
    # a re-run over the same folder (through Ray again) proves nothing
    again = lib.run(assets, d / "ledger.csv", d / "keys", out, CTX, batch_bits=RAY_BITS,
                    workers=2, threads=1)
    assert again.ok and again.proven == [] and len(again.skipped) == n

