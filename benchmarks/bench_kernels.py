"""Timings of the backend kernels: prints a table of (backend, kernel, n, seconds).

    python3 benchmarks/bench_kernels.py [--quick] [--no-reference] [--threads N]

Native: msm_g1 2^12..2^18, msm_g2 2^12..2^16, ntt 2^14..2^22, batch_mul_g1 2^16 and a
4-pair pairing check; the py-ecc reference runs the small sizes for comparison.
Each time is the best of a few runs (wall clock).
"""
from __future__ import annotations

import argparse
import os
import secrets
import time
from typing import Callable

from zk import curve
from zk.backend.base import Backend
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.field import R, scalars_to_bytes


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """Smallest wall-clock time of `repeats` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def random_scalars(n: int) -> bytes:
    return scalars_to_bytes(secrets.randbelow(R) for _ in range(n))


class Inputs:
    """Random scalars and points, generated once with the native batch_mul."""

    def __init__(self, native: NativeBackend, max_g1: int, max_g2: int, max_ntt: int):
        self.scalars = random_scalars(max(max_g1, max_g2, max_ntt))
        self.g1 = native.batch_mul_g1(curve.G1_GEN, self.scalars[:32 * max_g1])
        self.g2 = native.batch_mul_g2(curve.G2_GEN, self.scalars[:32 * max_g2])

    def pairs(self) -> tuple[bytes, bytes]:
        """Four pairs whose pairing product is 1 (Groth16-verification shaped)."""
        a, b, c, x = (secrets.randbelow(R - 1) + 1 for _ in range(4))
        rest = (a * b - x * c) % R
        g1 = b"".join(curve.g1_mul(curve.G1_GEN, k) for k in (a, R - x, R - rest, 1))
        g2 = (curve.g2_mul(curve.G2_GEN, b) + curve.g2_mul(curve.G2_GEN, c) + curve.G2_GEN
              + curve.G2_ZERO)
        return g1, g2


def cases(backend: Backend, inp: Inputs, logs: dict[str, range]):
    """(kernel, n, thunk) triples for one backend."""
    for lg in logs["msm_g1"]:
        n = 1 << lg
        yield "msm_g1", n, lambda n=n: backend.msm_g1(inp.g1[:64 * n], inp.scalars[:32 * n])
    for lg in logs["msm_g2"]:
        n = 1 << lg
        yield "msm_g2", n, lambda n=n: backend.msm_g2(inp.g2[:128 * n], inp.scalars[:32 * n])
    for lg in logs["ntt"]:
        n = 1 << lg
        yield "ntt", n, lambda n=n: backend.ntt(inp.scalars[:32 * n])
        yield "ntt_coset_inverse", n, lambda n=n: backend.ntt(inp.scalars[:32 * n], True, 5)
    for lg in logs["batch_mul_g1"]:
        n = 1 << lg
        yield "batch_mul_g1", n, lambda n=n: backend.batch_mul_g1(curve.G1_GEN,
                                                                  inp.scalars[:32 * n])
    if logs["pairing"]:
        g1, g2 = inp.pairs()
        yield "pairing_check", 4, lambda: backend.pairing_check(g1, g2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes only")
    ap.add_argument("--no-reference", action="store_true", help="skip the py-ecc backend")
    ap.add_argument("--threads", type=int, default=None, help="native worker threads")
    args = ap.parse_args()
    top = 0 if not args.quick else 4
    native_logs = {
        "msm_g1": range(12, 19 - top), "msm_g2": range(12, 17 - top),
        "ntt": range(14, 23 - top, 2), "batch_mul_g1": [16 - top], "pairing": True,
    }
    ref_logs = {"msm_g1": [8], "msm_g2": [6], "ntt": [12], "batch_mul_g1": [8],
                "pairing": True}
    native = NativeBackend(args.threads)
    inp = Inputs(native, 1 << max(native_logs["msm_g1"]), 1 << max(native_logs["msm_g2"]),
                 1 << max(native_logs["ntt"]))
    threads = args.threads or os.environ.get("ZK_THREADS") or os.cpu_count()
    print(f"native threads: {threads}")
    print(f"{'backend':<10} {'kernel':<18} {'n':>9} {'seconds':>10}")
    runs = [(native, native_logs, 3)]
    if not args.no_reference:
        runs.append((ReferenceBackend(), ref_logs, 1))
    for backend, logs, repeats in runs:
        for kernel, n, thunk in cases(backend, inp, logs):
            reps = repeats if kernel != "pairing_check" else 10 * repeats
            secs = best_of(thunk, reps if n <= 1 << 20 else 1)
            print(f"{backend.name:<10} {kernel:<18} {n:>9} {secs:>10.4f}", flush=True)


if __name__ == "__main__":
    main()
