"""Setup / prove / verify seconds and peak memory for a multiplication chain, per backend.

Usage: python benchmarks/bench_groth16.py [--backend reference|native] [--max-log 12]
Each size runs in a fresh process so peak memory is per case.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def one_case(log_n: int, backend: str) -> dict:
    """Measure one size in this process and return the figures."""
    from benchmarks._measure import peak_rss_mib, timed
    from circuits.examples import MulChain
    from zk import compile_circuit, groth16
    from zk.backend import get_backend
    be = get_backend(backend)
    n_constraints = (1 << log_n) - 2             # + 2 public rows + 1 output row = 2^log_n
    cs, t_compile = timed(compile_circuit, MulChain(n=n_constraints - 1))
    w, t_solve = timed(cs.solve, {"x": 3})
    pk, t_setup = timed(groth16.setup, cs, be)
    proof, t_prove = timed(groth16.prove, pk, w, be)
    ok, t_verify = timed(groth16.verify, pk.vk, proof, cs.public_values(w), be)
    if not ok:
        raise SystemExit("proof did not verify")
    return {"log_n": log_n, "constraints": cs.num_constraints, "domain": pk.domain_size,
            "compile": t_compile, "witness": t_solve, "setup": t_setup, "prove": t_prove,
            "verify": t_verify, "peak_mib": peak_rss_mib()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backend", default="reference")
    ap.add_argument("--min-log", type=int, default=8)
    ap.add_argument("--max-log", type=int, default=12)
    ap.add_argument("--case", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    os.environ["ZK_PROGRESS"] = "0"
    if a.case is not None:
        print(json.dumps(one_case(a.case, a.backend)))
        return
    from benchmarks._measure import run_case, table
    rows = []
    for log_n in range(a.min_log, a.max_log + 1):
        r = run_case(__file__, "--backend", a.backend, "--case", str(log_n))
        rows.append([f"2^{log_n}", r["constraints"], f"{r['witness']:.2f}", f"{r['setup']:.2f}",
                     f"{r['prove']:.2f}", f"{r['verify'] * 1000:.1f}", f"{r['peak_mib']:.0f}"])
        print(f"  done 2^{log_n}", file=sys.stderr)
    print(f"multiplication chain, {a.backend} backend")
    print(table(["domain", "constraints", "witness s", "setup s", "prove s", "verify ms",
                 "peak MiB"], rows))


if __name__ == "__main__":
    main()
