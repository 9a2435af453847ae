"""Compile, digest and witness times of Poseidon-heavy circuits (in-process, medians).

    python benchmarks/bench_compile.py                     # both shapes, median of 3
    python benchmarks/bench_compile.py --shapes poseidon --repeat 5
    python benchmarks/bench_compile.py --shapes reserves --users 1024 --assets 3

Shapes: ``poseidon`` (PoseidonChain: a chain of 2-input Poseidon hashes, each absorbing
one private value, sized so its rows fill a 2^16 domain; --logn changes that) and
``reserves`` (circuits.reserves.ProofOfReserves, --users x --assets). Columns:
``compile`` is ``compile_circuit`` (running ``define``), ``digest`` is ``R1CS.digest``,
``witness`` is ``CompiledCircuit.solve`` (solver replay and the R1CS check).
Each case runs in this process; the figures are medians of --repeat runs, in seconds of
CPU time of this process (``time.process_time``: less sensitive than wall time to other
load on a shared machine; the kernels used here are single-threaded).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if len(sys.argv) > 2 and sys.argv[1] == "--root":  # measure another checkout (before/after)
    sys.path.insert(0, sys.argv[2])
    del sys.argv[1:3]

from benchmarks._measure import table  # noqa: E402
from circuits.reserves import ProofOfReserves  # noqa: E402
from zk import Circuit, Output, Param, Private, compile_circuit  # noqa: E402
from zk.std import merkle_sum  # noqa: E402
from zk.std.poseidon import poseidon, poseidon_cost  # noqa: E402

N = Param("n")


class PoseidonChain(Circuit):
    """h_0 = x_0, h_{i+1} = Poseidon(h_i, x_{i+1}): n - 1 Poseidon hashes of width 3."""

    xs: Private[N]
    out: Output

    def __init__(self, n: int = 2):
        super().__init__(n=n)

    def define(self, api) -> None:
        h = self.xs[0]
        for x in self.xs[1:]:
            h = poseidon(api, h, x)
        api.output(self.out, h)


def poseidon_case(logn: int):
    rows = 1 << logn
    n = (rows - 3) // poseidon_cost(2) + 1     # constraints + output row + public rows
    rng = random.Random(logn)
    xs = [rng.randrange(1 << 250) for _ in range(n)]
    return f"poseidon chain, {n - 1} hashes", PoseidonChain(n), {"xs": xs}


def reserves_case(n_users: int, n_assets: int):
    rng = random.Random(n_users)
    bal = [[rng.randrange(10**10) for _ in range(n_assets)] for _ in range(n_users)]
    ids = [rng.randrange(1 << 250) for _ in range(n_users)]
    salts = [rng.randrange(1 << 250) for _ in range(n_users)]
    leaves = [merkle_sum.leaf(i, s, b) for i, s, b in zip(ids, salts, bal, strict=True)]
    root = merkle_sum.build_levels(leaves)[-1][0]
    inputs = {"root": root.hash, "liabilities": list(root.sums), "reserves": list(root.sums),
              "min_ratio_bps": 10000, "id_hashes": ids, "salts": salts, "balances": bal}
    return (f"reserves {n_users} users x {n_assets} assets", ProofOfReserves(n_users, n_assets),
            inputs)


def measure(circuit, inputs, repeat: int) -> dict:
    times: dict[str, list[float]] = {"compile": [], "digest": [], "witness": []}
    for _ in range(repeat):
        t0 = time.process_time()
        cs = compile_circuit(circuit)
        t1 = time.process_time()
        cs.digest()
        t2 = time.process_time()
        cs.solve(inputs)
        t3 = time.process_time()
        times["compile"].append(t1 - t0)
        times["digest"].append(t2 - t1)
        times["witness"].append(t3 - t2)
    out = {k: statistics.median(v) for k, v in times.items()}
    out["constraints"] = cs.num_constraints
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default="poseidon,reserves")
    ap.add_argument("--logn", type=int, default=16, help="poseidon shape: 2^logn rows")
    ap.add_argument("--users", type=int, default=1024)
    ap.add_argument("--assets", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for shape in args.shapes.split(","):
        if shape == "poseidon":
            name, circuit, inputs = poseidon_case(args.logn)
        elif shape == "reserves":
            name, circuit, inputs = reserves_case(args.users, args.assets)
        else:
            raise SystemExit(f"unknown shape {shape!r} (poseidon, reserves)")
        m = measure(circuit, inputs, args.repeat)
        rows.append([name, m["constraints"], f"{m['compile']:.2f}", f"{m['digest']:.2f}",
                     f"{m['witness']:.2f}"])
        print(f"# {name}: {m}", file=sys.stderr)
    print(table(["case", "constraints", "compile s (CPU)", "digest s (CPU)", "witness s (CPU)"],
                rows))


if __name__ == "__main__":
    main()
