"""The compiled-circuit cache (zk.cache): cold compile vs warm load, then the witness.

    python benchmarks/bench_cache.py                          # mulchain, solvency at 2^16
    python benchmarks/bench_cache.py --shapes mulchain,solvency --logn 20

Each row is a fresh process (benchmarks._measure.run_case). ``compile`` runs
``compile_circuit`` plus the digest (what every command paid before the cache); ``cold``
is ``zk.cache.load_or_compile`` on an empty cache directory (compile, digest, write);
``warm`` is ``load_or_compile`` on the entry ``cold`` wrote. Each then solves the
witness. Times are CPU seconds of the process (``time.process_time``, less sensitive to a
shared machine than wall time); memory is the process's peak resident set.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._cases import make_case  # noqa: E402
from benchmarks._measure import peak_rss_mib, run_case, table  # noqa: E402


def worker(mode: str, shape: str, logn: int, cache_dir: str) -> None:
    from zk import cache, compile_circuit
    case = make_case(shape, logn)
    t0 = time.process_time()
    if mode == "compile":
        cs = compile_circuit(case.circuit())
        cs.digest()
    else:
        cs = cache.load_or_compile(case.circuit(), cache_dir)
    t1 = time.process_time()
    cs.solve(case.inputs)
    t2 = time.process_time()
    print(json.dumps({"load_s": t1 - t0, "witness_s": t2 - t1, "peak_mib": peak_rss_mib(),
                      "constraints": cs.num_constraints}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default="mulchain,solvency")
    ap.add_argument("--logn", type=int, default=16)
    ap.add_argument("--worker", nargs=4, metavar=("MODE", "SHAPE", "LOGN", "DIR"))
    args = ap.parse_args()
    if args.worker:
        mode, shape, logn, d = args.worker
        worker(mode, shape, int(logn), d)
        return
    rows = []
    for shape in args.shapes.split(","):
        with tempfile.TemporaryDirectory() as d:
            for mode in ("compile", "cold", "warm"):
                r = run_case(__file__, "--worker", mode, shape, str(args.logn), d)
                rows.append([f"{shape} 2^{args.logn}", mode, r["constraints"],
                             f"{r['load_s']:.2f}", f"{r['witness_s']:.2f}",
                             f"{r['peak_mib']:.0f}"])
                print(rows[-1], file=sys.stderr)
    print(table(["case", "circuit from", "constraints", "circuit s (CPU)", "witness s (CPU)",
                 "peak MiB"], rows))


if __name__ == "__main__":
    main()
