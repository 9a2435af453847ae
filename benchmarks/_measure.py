"""Shared measuring helpers for the benchmark scripts (run each case in a fresh process)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Callable


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable, *args):
    """(result, seconds) of fn(*args)."""
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def run_case(script: str, *args: str, timeout: float = 3600) -> dict:
    """Run `python script args...` in a fresh process; it prints one JSON line last."""
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
