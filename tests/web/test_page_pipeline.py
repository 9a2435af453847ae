"""The page on the real output of the reserves pipeline (prover.reserves: batch proofs,
top proof, inclusion files): every user is included with their ledger balances against
the top proof's statement files, and the page agrees with ``reserves verify-inclusion``."""
from __future__ import annotations

import json

import pytest

from circuits import reserves_batch as rb
from prover import reserves as lib
from prover.reserves.verify import verify_inclusion
from tests.web.conftest import check

LEDGER = "user_id,BTC,USDT\nalice,1.5,20.25\nbob,0.00000001,0\nZoë 🦊,3,1000000\n"
BALANCES = {"alice": ["1.50000000", "20.250000"], "bob": ["0.00000001", "0.000000"],
            "Zoë 🦊": ["3.00000000", "1000000.000000"]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Three users in batches of 2: two batch proofs, the top proof, three files."""
    d = tmp_path_factory.mktemp("reserves")
    (d / "assets.json").write_text(json.dumps({"assets": [
        {"asset": "BTC", "decimals": 8}, {"asset": "USDT", "decimals": 6}]}))
    (d / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    assets = lib.load_assets(d / "assets.json")
    lib.setup(d / "keys", lib.plan(3, 2, batch_bits=1), 2)
    ctx = lib.Context(31337, "0x" + "ab" * 20, "0x" + "cd" * 20, 5)
    res = lib.run(assets, d / "ledger.csv", d / "keys", d / "out", ctx, batch_bits=1)
    assert res.ok
    out = d / "out"
    top = {"statement": (out / "top" / "statement.json").read_text(),
           "public": (out / "top" / "public.json").read_text()}
    names = json.loads((out / "inclusion" / "index.json").read_text())
    return out, top, [out / "inclusion" / n for n in names], res


def test_every_user_is_included_with_their_balances(page, run):
    out, top, files, res = run
    seen = {}
    for path in files:
        inc = json.loads(path.read_text())
        got = check(page, path.read_text(), **top)
        assert got["verdict"] == "Included", got
        assert got["root"] == str(res.root)
        seen[inc["user_id"]] = [v for _, v in got["balances"]]
        assert verify_inclusion(path, None, out / "top" / "statement.json",
                                out / "top" / "public.json")[0]
    assert seen == BALANCES


def test_column_swap_and_tampering_refused_like_the_cli(page, run, tmp_path):
    out, top, files, _ = run
    good = json.loads(files[0].read_text())
    swapped = dict(good, assets=good["assets"][::-1])
    swapped["asset_commitment"] = str(rb.asset_commitment(swapped["assets"], good["decimals"]))
    moved = dict(good, balances=good["balances"][::-1])
    for bad, code in ((swapped, "assets"), (moved, "path")):
        got = check(page, bad, **top)
        assert got["verdict"] == "Not included" and got["reasons"] == [code], got
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        ok, reason = verify_inclusion(tmp_path / "bad.json", None,
                                      out / "top" / "statement.json", out / "top" / "public.json")
        assert not ok and reason == got["texts"][0]
