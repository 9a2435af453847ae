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


TIME_BIN = "/usr/bin/time"


def user_env() -> dict[str, str]:
    """The environment for a measured process, as on a user's machine: Python may cache
    bytecode (``pip install`` compiles it; an editable install writes it on first run), so
    ``PYTHONDONTWRITEBYTECODE`` is dropped and the untimed warm-up run fills the cache."""
    import os
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_measured(argv: list[str], cwd, timeout: float = 7200) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one whole process; raises with its output on failure.

    Peak memory comes from GNU time's %M, so it is the child's own high-water mark (a
    child forked straight from a big parent may report the parent's); without
    /usr/bin/time, from the child's rusage.
    """
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = os.path.join(tmp, "rss")
        log_file = os.path.join(tmp, "log")
        full = [TIME_BIN, "-f", "%M", "-o", rss_file, *argv] if os.path.exists(TIME_BIN) \
            else list(argv)
        with open(log_file, "w") as log:
            t0 = time.perf_counter()
            proc = subprocess.Popen(full, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                    env=user_env())
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                proc.kill()
                raise
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            with open(log_file) as fh:
                raise RuntimeError(f"{' '.join(map(str, argv[:4]))} failed "
                                   f"({proc.returncode}):\n{fh.read()[-3000:]}")
        peak_kib = usage.ru_maxrss
        if os.path.exists(rss_file):
            with open(rss_file) as fh:
                peak_kib = int(fh.read().split()[-1])
    return wall, peak_kib / 1024


def cli_path() -> str:
    """The `zksolvency` console script next to this interpreter, else the one on PATH."""
    import os
    import shutil
    here = os.path.join(os.path.dirname(sys.executable), "zksolvency")
    found = here if os.path.exists(here) else shutil.which("zksolvency")
    if not found:
        raise SystemExit("zksolvency is not installed (pip install -e .)")
    return found
