"""End to end through the CLI: collateral and reserves setup / prove / verify."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from prover.cli import main

EX = Path(__file__).resolve().parents[2] / "examples"
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

pytestmark = pytest.mark.slow


def run(*args: str, code: int = 0):
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == code, (res.output, res.exception)
    return res


def test_collateral_cli(tmp_path):
    shutil.copytree(EX / "collateral", tmp_path / "c")
    c, keys, out = tmp_path / "c", str(tmp_path / "keys"), str(tmp_path / "out")
    pol, prices, pf = str(c / "policy.json"), str(c / "prices.json"), str(c / "portfolio.json")
    run("collateral", "setup", "--policy", pol, "--keys", keys)
    run("collateral", "setup", "--policy", pol, "--keys", keys)          # reused, instant
    run("collateral", "prove", "--policy", pol, "--prices", prices, "--portfolio", pf,
        "--prover", ADDR, "--keys", keys, "-o", out)
    folder = next(Path(keys).iterdir())
    args = ["collateral", "verify", "--keys", str(folder), "--proof", f"{out}/proof.json",
            "--public", f"{out}/public.json"]
    assert "OK" in run(*args).output
    assert "OK" in run(*args, "--policy", pol, "--prices", prices, "--prover", ADDR).output
    run(*args, "--policy", pol, "--prices", prices, "--prover", "0x1234", code=1)
    public = json.loads(Path(out, "public.json").read_text())
    public[0] = str(int(public[0]) + 1)                    # a different ETH price
    Path(out, "public.json").write_text(json.dumps(public))
    run(*args, code=1)
    # a portfolio below the ratio: clear error, exit 2, no proof written
    obj = json.loads(Path(pf).read_text())
    obj["debt"]["USDC"] = "60000"
    Path(pf).write_text(json.dumps(obj))
    res = run("collateral", "prove", "--policy", pol, "--prices", prices, "--portfolio", pf,
              "--prover", ADDR, "--keys", keys, "-o", str(tmp_path / "out2"), code=2)
    assert "minimum collateral ratio" in res.output
    assert not (tmp_path / "out2" / "proof.json").exists()


def test_reserves_cli(tmp_path):
    spec = tmp_path / "reserves.json"
    spec.write_text(json.dumps({"min_ratio_bps": "10000", "assets": [
        {"asset": "BTC", "decimals": "8", "reserves": "10"}]}))
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("user_id,BTC\nalice,1.5\nbob,2\ncarol,0.25\n")
    keys, out = str(tmp_path / "keys"), tmp_path / "out"
    run("reserves", "setup", "--reserves", str(spec), "--ledger", str(ledger), "--keys", keys)
    run("reserves", "prove", "--reserves", str(spec), "--ledger", str(ledger), "--keys", keys,
        "-o", str(out))
    folder = next(Path(keys).iterdir())
    assert "OK" in run("reserves", "verify", "--keys", str(folder), "--proof",
                       str(out / "proof.json"), "--public", str(out / "public.json"),
                       "--reserves", str(spec)).output
    files = sorted((out / "inclusion").iterdir())
    assert len(files) == 3
    alice = next(f for f in files if json.loads(f.read_text())["user_id"] == "alice")
    ok = run("reserves", "verify-inclusion", str(alice), "--public", str(out / "public.json"),
             "--balance", "BTC=1.5")
    assert "OK" in ok.output
    run("reserves", "verify-inclusion", str(alice), "--public", str(out / "public.json"),
        "--balance", "BTC=1.4", code=1)
    obj = json.loads(alice.read_text())
    obj["balances"] = ["100000000"]                       # altered balance
    alice.write_text(json.dumps(obj))
    run("reserves", "verify-inclusion", str(alice), "--public", str(out / "public.json"),
        code=1)
