"""Constraint counts and Groth16 timings of the solvency circuits.

    python benchmarks/bench_circuits.py                       # default table
    python benchmarks/bench_circuits.py --max-prove 200000    # prove only up to 200k rows
    python benchmarks/bench_circuits.py --only collateral

Collateral ratio at 8, 32 and 128 assets (half collateral, half debt; decimals 18/8/6
mixed), proof of reserves at 2^10 and 2^14 users x 4 assets. Shapes above --max-compile
constraints are counted with ProofOfReserves.estimate_constraints (equal to the compiled
count, tested) instead of being compiled; shapes above --max-prove are not proven.
Setup here is a development setup.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circuits.collateral import CollateralRatio  # noqa: E402
from circuits.reserves import ProofOfReserves  # noqa: E402
from zk import compile_circuit, groth16  # noqa: E402
from zk.backend import get_backend  # noqa: E402
from zk.std import merkle_sum  # noqa: E402
from zk.std.poseidon import poseidon_hash_many  # noqa: E402


def collateral_case(n_assets: int):
    n_c, n_d = n_assets // 2, n_assets - n_assets // 2
    c_dec = tuple((18, 8, 6)[i % 3] for i in range(n_c))
    d_dec = tuple((6, 18)[i % 2] for i in range(n_d))
    circuit = CollateralRatio(n_c, n_d, c_dec, d_dec)
    rng = random.Random(n_assets)
    amounts = [rng.randrange(1, 10**4) * 10**d for d in c_dec]
    debts = [rng.randrange(0, 10) * 10**d for d in d_dec]
    salt = rng.randrange(1 << 250)
    inputs = {"collateral_prices": [rng.randrange(10**8, 10**12) for _ in range(n_c)],
              "haircuts_bps": [2000] * n_c, "debt_prices": [10**8] * n_d,
              "min_ratio_bps": 15000, "epoch": 1, "prover": 0xABC, "chain_id": 1,
              "registry": 0xDEF, "commitment": poseidon_hash_many(amounts + debts + [salt]),
              "amounts": amounts, "debts": debts, "salt": salt}
    return f"collateral n={n_assets} ({n_c}+{n_d})", circuit, lambda: inputs


def reserves_case(n_users: int, n_assets: int):
    circuit = ProofOfReserves(n_users, n_assets)

    def inputs():
        rng = random.Random(n_users)
        bal = [[rng.randrange(10**10) for _ in range(n_assets)] for _ in range(n_users)]
        ids = [rng.randrange(1 << 250) for _ in range(n_users)]
        salts = [rng.randrange(1 << 250) for _ in range(n_users)]
        leaves = [merkle_sum.leaf(i, s, b) for i, s, b in zip(ids, salts, bal, strict=False)]
        root = merkle_sum.build_levels(leaves)[-1][0]
        return {"root": root.hash, "liabilities": list(root.sums),
                "reserves": list(root.sums), "min_ratio_bps": 10000, "id_hashes": ids,
                "salts": salts, "balances": bal}
    return f"reserves 2^{n_users.bit_length() - 1} users x {n_assets}", circuit, inputs


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_case(name, circuit, make_inputs, args) -> list[str]:
    estimate = None
    if isinstance(circuit, ProofOfReserves):
        estimate = ProofOfReserves.estimate_constraints(circuit.n_users, circuit.n_assets)
        if estimate > args.max_compile:
            return [name, f"{estimate} (estimated)", "-", "-", "-", "-", "-",
                    "skipped: above --max-compile"]
    cs, t_compile = timed(lambda: compile_circuit(circuit))
    if cs.num_constraints > args.max_prove:
        return [name, str(cs.num_constraints), f"{t_compile:.2f}", "-", "-", "-", "-",
                "skipped: above --max-prove"]
    w, t_solve = timed(lambda: cs.solve(make_inputs()))
    pk, t_setup = timed(lambda: groth16.setup(cs))
    proof, t_prove = timed(lambda: groth16.prove(pk, w))
    ok, t_verify = timed(lambda: groth16.verify(pk.vk, proof, cs.public_values(w)))
    return [name, str(cs.num_constraints), f"{t_compile:.2f}", f"{t_solve:.2f}",
            f"{t_setup:.2f}", f"{t_prove:.2f}", f"{t_verify:.2f}", "ok" if ok else "FAILED"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["collateral", "reserves"], default=None)
    ap.add_argument("--max-prove", type=int, default=1_500_000,
                    help="prove only circuits up to this many constraints")
    ap.add_argument("--max-compile", type=int, default=2_000_000,
                    help="compile only circuits up to this many constraints")
    args = ap.parse_args()
    cases = []
    if args.only in (None, "collateral"):
        cases += [collateral_case(n) for n in (8, 32, 128)]
    if args.only in (None, "reserves"):
        cases += [reserves_case(1 << 10, 4), reserves_case(1 << 14, 4)]
    print(f"backend: {get_backend().name}")
    head = ["circuit", "constraints", "compile s", "witness s", "setup s", "prove s",
            "verify s", "result"]
    widths = [30, 22, 10, 10, 10, 10, 9, 10]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)))
    for name, circuit, make_inputs in cases:
        row = run_case(name, circuit, make_inputs, args)
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)), flush=True)


if __name__ == "__main__":
    main()
