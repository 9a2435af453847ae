"""Development Groth16 setup time for `mulchain`: compile, then setup (QAP + key points).

    python benchmarks/bench_setup.py [--log 20] [--log 16 ...]

The setup figure covers zk.groth16.setup only (QAP evaluation at tau, the fixed-base
multiplications of every key point, the key object); compiling the circuit is timed
separately. ZK_BACKEND picks the backend (default: native if built).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circuits.examples import MulChain  # noqa: E402
from zk import compile_circuit  # noqa: E402
from zk.backend import get_backend  # noqa: E402
from zk.groth16 import setup  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", type=int, action="append", help="domain 2^log (default 20)")
    logs = ap.parse_args().log or [20]
    be = get_backend()
    print(f"backend {be.name}")
    print(f"{'domain':>8} {'constraints':>12} {'compile':>9} {'setup':>9}")
    for k in logs:
        t0 = time.perf_counter()
        cs = compile_circuit(MulChain((1 << k) - 3))
        t1 = time.perf_counter()
        pk = setup(cs, be)
        t2 = time.perf_counter()
        assert pk.domain_size == 1 << k
        print(f"{'2^%d' % k:>8} {cs.num_constraints:>12} {t1 - t0:>8.1f}s {t2 - t1:>8.1f}s")


if __name__ == "__main__":
    main()
