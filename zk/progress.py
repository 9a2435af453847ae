"""Progress reporting for long operations: shown on a terminal, silent otherwise."""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator


def enabled() -> bool:
    """True when stderr is a terminal (or ZK_PROGRESS=1 forces it; ZK_PROGRESS=0 hides it)."""
    forced = os.environ.get("ZK_PROGRESS")
    if forced is not None:
        return forced == "1"
    return sys.stderr.isatty()


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print ``label ...`` then the elapsed seconds when the block ends."""
    if not enabled():
        yield
        return
    t0 = time.perf_counter()
    sys.stderr.write(f"  {label} ...")
    sys.stderr.flush()
    try:
        yield
    finally:
        sys.stderr.write(f" {time.perf_counter() - t0:.2f}s\n")
        sys.stderr.flush()


class Bar:
    """Counts finished items; on a terminal shows ``label done/total, rate/s, ETA``."""

    def __init__(self, label: str, total: int, done: int = 0) -> None:
        self.label, self.total, self.done, self.start_done = label, total, done, done
        self.t0 = time.perf_counter()
        self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def rate(self) -> float:
        """Items per second since the bar started (items done before it excluded)."""
        elapsed = time.perf_counter() - self.t0
        return (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0

    def _draw(self) -> None:
        if not enabled():
            return
        r = self.rate()
        eta = f"{(self.total - self.done) / r:.0f}s" if r > 0 else "?"
        sys.stderr.write(f"\r  {self.label}: {self.done}/{self.total}, {r:.2f}/s, "
                         f"ETA {eta}   ")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def bar(label: str, total: int, done: int = 0) -> Bar:
    """A progress bar over ``total`` items (``done`` already finished)."""
    return Bar(label, total, done)
