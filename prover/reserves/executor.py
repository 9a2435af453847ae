"""Where batch tasks run: in this process (``--workers 1``) or as Ray tasks.

Ray: ``ray.init()`` on this machine by default, ``address`` joins a cluster. Tasks are
plain functions with ``max_retries`` (a worker that dies is replaced and the task runs
again; no actors), each asks for ``threads`` CPUs and sets ZK_THREADS to them. At most
two tasks per worker are in flight, so the driver holds a bounded number of batches.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator

from zk.errors import ZkError

Outcome = tuple[int, Any, str | None]      # (batch index, result, error message)


class LocalExecutor:
    """Runs every task here, one after the other."""

    workers = 1

    def put(self, obj: Any) -> Any:
        return obj

    def run(self, fn: Callable, jobs: Iterable, *args: Any) -> Iterator[Outcome]:
        for job in jobs:
            try:
                yield job.index, fn(job, *args), None
            except ZkError as exc:
                yield job.index, None, str(exc)

    def close(self) -> None:
        pass


class RayExecutor:
    """Runs tasks on Ray workers; results come back as they finish."""

    def __init__(self, workers: int, threads: int = 1, address: str | None = None,
                 max_retries: int = 3) -> None:
        import ray
        self.ray = ray
        self.workers, self.threads, self.max_retries = workers, threads, max_retries
        self.started = not ray.is_initialized()
        if self.started:
            if address:
                ray.init(address=address, logging_level=logging.WARNING)
            else:
                ray.init(num_cpus=workers * threads, include_dashboard=False,
                         logging_level=logging.WARNING)

    def put(self, obj: Any) -> Any:
        return self.ray.put(obj)

    def run(self, fn: Callable, jobs: Iterable, *args: Any) -> Iterator[Outcome]:
        ray = self.ray
        remote = ray.remote(fn).options(num_cpus=self.threads, max_retries=self.max_retries)
        pending: dict[Any, int] = {}

        def finish(ref: Any) -> Outcome:
            index = pending.pop(ref)
            try:
                return index, ray.get(ref), None
            except Exception as exc:           # a task error or a worker lost for good
                return index, None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"

        for job in jobs:
            while len(pending) >= 2 * self.workers:
                ready, _ = ray.wait(list(pending), num_returns=1)
                yield finish(ready[0])
            job.threads = self.threads
            pending[remote.remote(job, *args)] = job.index
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            yield finish(ready[0])

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()


def executor(workers: int = 1, threads: int = 1, address: str | None = None,
             ray: bool = False):
    """LocalExecutor for one worker without an address (unless ``ray``), else Ray."""
    if workers < 1 or threads < 1:
        raise ZkError("workers and threads must be >= 1")
    if workers == 1 and address is None and not ray:
        return LocalExecutor()
    return RayExecutor(workers, threads, address)
