"""Write a random ledger for load tests: ``python make_ledger.py N out.csv [--seed S]``.

Columns BTC, ETH (8 decimals) and USDT (6 decimals) match assets.json; ids are
``user-<k>@example.com``. Balances are random (a fixed seed gives the same file).
"""
from __future__ import annotations

import argparse
import random


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n_users", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("user_id,BTC,ETH,USDT\n")
        for k in range(args.n_users):
            btc = f"{rng.randrange(0, 5 * 10**8) / 10**8:.8f}"
            eth = f"{rng.randrange(0, 80 * 10**8) / 10**8:.8f}"
            usdt = f"{rng.randrange(0, 10**11) / 10**6:.6f}"
            fh.write(f"user-{k}@example.com,{btc},{eth},{usdt}\n")


if __name__ == "__main__":
    main()
