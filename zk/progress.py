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
