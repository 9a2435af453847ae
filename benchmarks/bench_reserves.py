"""Sharded proof of reserves end to end, Ray scaling and an extrapolation.

    python benchmarks/bench_reserves.py                          # 2^14 users x 3, b = 10
    python benchmarks/bench_reserves.py --users 4096 --batch-bits 8 --scaling-users 2048

Every step runs through the CLI in a fresh process (``zksolvency reserves ...``), timed
with its peak memory (GNU time):
1. setup for the batch shape and the top shape (skipped when --keys already holds them);
2. ``reserves prove`` with one worker (no Ray, ZK_THREADS=--threads): ingest (checks and
   the SQLite duplicate index), batch roots (hashed natively), batch witnesses + proofs +
   inclusion files, the top proof; per-batch times come from the run's JSON: load (circuit
   and proving key, once per process), witness, prove, inclusion (building the files),
   write (writing them and the batch result), total;
3. ``reserves verify`` (every batch proof, the chain, the top proof);
4. Ray with 1 and then 2 workers, ZK_THREADS=1 each, on --scaling-users users;
5. an EXTRAPOLATION to 2^20 and 2^24 users on N workers from the measured worker-seconds
   per batch (not a measurement).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._measure import run_measured, table  # noqa: E402
from circuits.reserves_batch import ReservesBatch, ReservesTop  # noqa: E402

ASSETS = {"assets": [{"asset": "BTC", "decimals": 8}, {"asset": "ETH", "decimals": 8},
                     {"asset": "USDT", "decimals": 6}]}
BOUND = ["--chain-id", "31337", "--epoch", "1", "--registry", "0x" + "ab" * 20,
         "--exchange", "0x" + "cd" * 20]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "prover.cli", *args]


def measured(argv: list[str], env_threads: int, cwd: Path) -> tuple[float, float]:
    old = os.environ.get("ZK_THREADS")
    os.environ["ZK_THREADS"] = str(env_threads)
    try:
        return run_measured(argv, cwd)
    finally:
        if old is None:
            os.environ.pop("ZK_THREADS", None)
        else:
            os.environ["ZK_THREADS"] = old


def prove_json(argv: list[str], threads: int, cwd: Path) -> tuple[dict, float, float]:
    """Run ``reserves prove --json``; (its JSON, wall s, peak MiB)."""
    out = Path(cwd) / "prove.json"
    wrapped = ["/bin/sh", "-c", " ".join(f"'{a}'" for a in argv) + f" > '{out}'"]
    wall, mib = measured(wrapped, threads, cwd)
    return json.loads(out.read_text()), wall, mib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=1 << 14)
    ap.add_argument("--batch-bits", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="ZK_THREADS of the 1-worker run")
    ap.add_argument("--scaling-users", type=int, default=None,
                    help="users of the Ray 1 vs 2 worker runs [default: --users]")
    ap.add_argument("--keys", default=None, help="keys folder to reuse (default: fresh)")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--skip-scaling", action="store_true")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-reserves-"))
    work.mkdir(parents=True, exist_ok=True)
    keys = Path(args.keys) if args.keys else work / "keys"
    (work / "assets.json").write_text(json.dumps(ASSETS))
    gen = ROOT / "examples" / "reserves" / "make_ledger.py"
    subprocess.run([sys.executable, str(gen), str(args.users), str(work / "ledger.csv")],
                   check=True)
    common = ["--assets", str(work / "assets.json"), "--batch-bits", str(args.batch_bits)]
    rows = []

    wall, mib = measured(cli("reserves", "setup", *common, "--ledger", str(work / "ledger.csv"),
                             "--keys", str(keys)), args.threads, work)
    rows.append(["setup (batch + top shapes; reused if present)", f"{wall:.1f}", f"{mib:.0f}"])

    shutil.rmtree(work / "out", ignore_errors=True)
    res, wall, mib = prove_json(cli("reserves", "prove", *common, "--ledger",
                                    str(work / "ledger.csv"), "--keys", str(keys), "-o",
                                    str(work / "out"), *BOUND, "--json"), args.threads, work)
    s = res["seconds"]
    n_batches = res["n_batches"]
    rows.append([f"prove end to end, 1 worker, ZK_THREADS={args.threads} "
                 f"({args.users} users, {n_batches} batches)", f"{wall:.1f}", f"{mib:.0f}"])
    for k in ("ingest", "roots", "batches", "top"):
        rows.append([f"  of which {k}", f"{s.get(k, 0):.1f}", ""])
    per = res.get("batch_seconds", [])
    if per:
        for k in ("load", "witness", "prove", "inclusion", "write", "total"):
            rows.append([f"  per batch {k} (median of {len(per)})",
                         f"{statistics.median(b.get(k, 0.0) for b in per):.2f}", ""])
    wall, mib = measured(cli("reserves", "verify", str(work / "out")), args.threads, work)
    rows.append(["verify (all batch proofs, chain, top)", f"{wall:.1f}", f"{mib:.0f}"])
    print(f"\nSharded proof of reserves, {args.users} users x 3 assets, b = {args.batch_bits} "
          f"({ReservesBatch.estimate_constraints(args.batch_bits, 3):,} constraints per "
          f"batch, top {ReservesTop.estimate_constraints(n_batches, 3, args.batch_bits):,})")
    print(table(["step", "wall s", "peak MiB (process)"], rows))

    worker_s = s["batches"] / n_batches + s["roots"] / n_batches     # one worker's share
    scale_rows = []
    if not args.skip_scaling:
        users = args.scaling_users or args.users
        subprocess.run([sys.executable, str(gen), str(users), str(work / "scale.csv")],
                       check=True)
        if users != args.users:
            measured(cli("reserves", "setup", *common, "--ledger", str(work / "scale.csv"),
                         "--keys", str(keys)), 1, work)
        for workers in (1, 2):
            shutil.rmtree(work / f"ray{workers}", ignore_errors=True)
            r, wall, _ = prove_json(cli("reserves", "prove", *common, "--ledger",
                                        str(work / "scale.csv"), "--keys", str(keys), "-o",
                                        str(work / f"ray{workers}"), *BOUND, "--workers",
                                        str(workers), "--threads", "1", "--ray", "--json"), 1, work)
            if workers == 1:
                r1 = wall
            scale_rows.append([workers, r["n_batches"], f"{wall:.1f}",
                               f"{r['seconds']['batches']:.1f}",
                               f"{r1 / wall:.2f}" if workers > 1 else "1.00"])
        print(f"\nRay (local), {users} users, ZK_THREADS=1 per worker:")
        print(table(["workers", "batches", "wall s", "batch phase s", "speed-up"], scale_rows))

    ext = []
    top_per_constraint = s["top"] / max(ReservesTop.estimate_constraints(n_batches, 3,
                                                                     args.batch_bits), 1)
    for users in (1 << 20, 1 << 24):
        nb = -(-users // (1 << args.batch_bits))
        top = ReservesTop.estimate_constraints(min(nb, 1 << 16), 3, args.batch_bits)
        for n in (16, 128, 1024):
            secs = nb * worker_s / n + top * top_per_constraint
            ext.append([f"2^{users.bit_length() - 1}", nb, n, f"{secs / 3600:.2f}"])
    print(f"\nEXTRAPOLATION (not measured): {worker_s:.1f} worker-seconds per batch of "
          f"2^{args.batch_bits} measured above, batches spread evenly over N workers "
          "of this machine's speed, plus the top proof scaled by its constraint count:")
    print(table(["users", "batches", "workers N", "hours"], ext))
    print(json.dumps({"users": args.users, "batch_bits": args.batch_bits, "rows": rows,
                      "scaling": scale_rows, "extrapolation": ext}))


if __name__ == "__main__":
    main()
