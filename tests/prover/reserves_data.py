"""A seeded random 3-asset reserves ledger (BTC, ETH, USDT) with its keys set up."""
from __future__ import annotations

import random
from pathlib import Path

from prover import reserves as lib


def make(d: Path, users: int, bits: int):
    """Write d/assets.json and d/ledger.csv (`users` rows, seeded by `users`), set up
    d/keys for batches of 2^`bits` users; return (d, the loaded assets)."""
    (d / "assets.json").write_text('{"assets": [{"asset": "BTC", "decimals": 8}, '
                                   '{"asset": "ETH", "decimals": 8}, '
                                   '{"asset": "USDT", "decimals": 6}]}')
    rng = random.Random(users)
    with open(d / "ledger.csv", "w") as fh:
        fh.write("user_id,BTC,ETH,USDT\n")
        for k in range(users):
            fh.write(f"u{k},{rng.randrange(10**9)},{rng.randrange(10**9)},"
                     f"{rng.randrange(10**9)}\n")
    assets = lib.load_assets(d / "assets.json")
    lib.setup(d / "keys", lib.plan(users, 3, bits), 3)
    return d, assets
