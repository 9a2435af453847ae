"""Start-up time of the command line and of ``import zk``, as a user feels it.

    python benchmarks/bench_startup.py               # 5 warm runs each (after 1 warm-up)
    python benchmarks/bench_startup.py --runs 11

Each case is a fresh process, timed by wall clock; the figure is the median over the runs
minus the median of a bare ``python -c pass`` (the interpreter's own start-up, site
included). The commands run alternately, so a load spike hits all of them alike.
Targets: ``zksolvency --help`` within 0.3 s, ``import zk`` within 0.2 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._measure import cli_path, user_env  # noqa: E402

TARGETS = {"import zk": 0.2, "zksolvency --help": 0.3}


def cases() -> dict[str, list[str]]:
    py = sys.executable
    return {"python -c pass": [py, "-c", "pass"],
            "import zk": [py, "-c", "import zk"],
            "import prover.cli": [py, "-c", "import prover.cli"],
            "zksolvency --help": [cli_path(), "--help"],
            "zksolvency prove --help": [cli_path(), "prove", "--help"]}


def wall(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=user_env())
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (median)")
    args = ap.parse_args()
    todo = cases()
    for argv in todo.values():  # warm the page cache and the bytecode caches
        wall(argv)
    times: dict[str, list[float]] = {name: [] for name in todo}
    for _ in range(args.runs):
        for name, argv in todo.items():
            times[name].append(wall(argv))
    base = statistics.median(times["python -c pass"])
    print("| command | median s | minus `python -c pass` s | target s | held |")
    print("|---|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        extra = med - base
        target = TARGETS.get(name)
        held = "-" if target is None else ("yes" if extra <= target else "NO")
        print(f"| `{name}` | {med:.3f} | {extra:+.3f} | {target or '-'} | {held} |")
    load = os.getloadavg()[0]
    print(f"\nmedian of {args.runs} warm runs each, {os.cpu_count()} cores, "
          f"1-min load {load:.2f} at the end; Python {sys.version.split()[0]}.")


if __name__ == "__main__":
    main()
