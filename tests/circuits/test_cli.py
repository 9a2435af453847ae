"""End to end through the CLI: collateral, credit and reserves setup / prove / verify."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from prover import credit, keyset
from prover.cli import main
from prover.collateral import load_policy, load_portfolio, load_prices

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
    assert "reused" not in run("collateral", "setup", "--policy", pol, "--keys", keys).output
    again = run("collateral", "setup", "--policy", pol, "--keys", keys)   # reused, instant
    assert "reused existing keys" in again.output
    run("collateral", "prove", "--policy", pol, "--prices", prices, "--portfolio", pf,
        "--prover", ADDR, "--keys", keys, "-o", out)
    folder = next(Path(keys).iterdir())
    # --keys names the same folder for prove and verify; the shape folder is found by the
    # proof's key id. The shape folder itself (the old meaning) gets a clear error.
    args = ["collateral", "verify", "--keys", keys, "--proof", f"{out}/proof.json",
            "--public", f"{out}/public.json"]
    assert "OK" in run(*args).output
    old = run(*args[:2], "--keys", str(folder), *args[4:], code=2)
    assert "one shape's key folder" in old.output
    assert f"(here {keys})" in old.output
    assert "OK" in run(*args[:2], "--vk", str(folder / "verification_key.json"),
                       *args[4:]).output
    assert "OK" in run(*args, "--policy", pol, "--prices", prices, "--prover", ADDR).output
    run(*args, "--policy", pol, "--prices", prices, "--prover", "0x" + "12" * 20, code=1)
    # addresses: all lower or upper case, or a valid EIP-55 checksum; never a short one
    run(*args, "--policy", pol, "--prices", prices, "--prover", ADDR.lower())
    run(*args, "--policy", pol, "--prices", prices, "--prover", "0x" + ADDR[2:].upper())
    bad_sum = ADDR.replace("C", "c", 1)                   # one letter's case changed
    res = run(*args, "--policy", pol, "--prices", prices, "--prover", bad_sum, code=2)
    assert "EIP-55 checksum" in res.output and ADDR in res.output
    run(*args, "--policy", pol, "--prices", prices, "--prover", "0x1234", code=2)
    # registered mode: the proof's commitment must be the one the venue recorded
    from prover.collateral import load_policy, load_portfolio
    registered = load_portfolio(pf, load_policy(pol)).commitment()
    assert "OK" in run(*args, "--commitment", str(registered)).output
    res = run(*args, "--commitment", str(registered + 1), code=1)
    assert "commitment" in res.output
    run(*args, "--commitment", str(1 << 254), code=2)
    public = json.loads(Path(out, "public.json").read_text())
    public[0] = str(int(public[0]) + 1)                    # a different ETH price
    Path(out, "public.json").write_text(json.dumps(public))
    run(*args, code=1)
    # a portfolio below the ratio: the claim does not hold, exit 1, no proof written
    obj = json.loads(Path(pf).read_text())
    obj["debt"]["USDC"] = "60000"
    Path(pf).write_text(json.dumps(obj))
    res = run("collateral", "prove", "--policy", pol, "--prices", prices, "--portfolio", pf,
              "--prover", ADDR, "--keys", keys, "-o", str(tmp_path / "out2"), code=1)
    assert "minimum collateral ratio" in res.output
    assert not (tmp_path / "out2" / "proof.json").exists()


def test_credit_cli(tmp_path):
    shutil.copytree(EX / "collateral", tmp_path / "c")
    c, keys = tmp_path / "c", str(tmp_path / "keys")
    files = ["--policy", str(c / "policy.json"), "--prices", str(c / "prices.json"),
             "--portfolio", str(c / "portfolio.json"), "--prover", ADDR, "--keys", keys]
    pol = load_policy(c / "policy.json")
    top = credit.max_credit(pol, load_prices(c / "prices.json", pol),
                            load_portfolio(c / "portfolio.json", pol))
    # (12.75 ETH x 3012.45 x 0.80 + 0.35 WBTC x 64250.5 x 0.85) / 1.5 - 18500.25 x 0.99985
    assert top // 10**24 == 1473020                      # 14730.20 USD in 1e-26 USD units
    out = run("credit", "capacity", *files).output
    assert f"{top} value units" in out and "14732.410732 USDC" in out
    for private in ("12.75", "0.35", "18500.25"):
        assert private not in out
    run("credit", "setup", "--policy", str(c / "policy.json"), "--keys", keys)
    res = run("credit", "prove", *files, "--credit", str(top + 1), "-o",
              str(tmp_path / "over"), code=1)                # the claim does not hold
    assert f"largest credit provable at these prices and haircuts, {top}" in res.output
    assert not (tmp_path / "over").exists()
    for bad in ("-5", str(2**160), "1e9", "max!"):
        run("credit", "prove", *files, "--credit", bad, "-o", str(tmp_path / "bad"), code=2)
    out_dir = tmp_path / "proof"
    run("credit", "prove", *files, "--credit", "max", "-o", str(out_dir))
    statement = json.loads((out_dir / "statement.json").read_text())
    assert "credit" in json.dumps(statement)
    check = ["credit", "verify", "--keys", keys, "--proof", str(out_dir / "proof.json"),
             "--public", str(out_dir / "public.json")]
    assert "OK" in run(*check, "--policy", str(c / "policy.json"), "--prices",
                       str(c / "prices.json"), "--prover", ADDR, "--credit", str(top)).output
    assert "credit" in run(*check, "--credit", str(top - 1), code=1).output


def test_reserves_cli(tmp_path):
    """Sharded flow through the CLI: 5 users in batches of 2 (3 batch proofs + the top)."""
    assets = tmp_path / "assets.json"
    assets.write_text(json.dumps({"assets": [{"asset": "BTC", "decimals": 8}]}))
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("user_id,BTC\nalice,1.5\nbob,2\ncarol,0.25\ndan,0\nerin,3\n")
    keys, out = str(tmp_path / "keys"), tmp_path / "out"
    common = ["--assets", str(assets), "--ledger", str(ledger), "--batch-bits", "1"]
    assert "3 batch(es) of 2" in run("reserves", "plan", *common).output
    res = run("reserves", "setup", *common, "--keys", keys, "--json")
    made = json.loads(res.stdout)
    assert made["reused"] is False
    folders = [Path(made[k]) for k in ("batch_keys", "top_keys")]
    first = [keyset.resolve(f).version for f in folders]
    again = run("reserves", "setup", *common, "--keys", keys)
    assert "reused existing keys" in again.output
    assert [keyset.resolve(f).version for f in folders] == first
    forced = run("reserves", "setup", *common, "--keys", keys, "--force")
    assert "reused" not in forced.output
    new = [keyset.resolve(f).version for f in folders]
    assert all(a != b for a, b in zip(first, new, strict=True))
    bound = ["--chain-id", "31337", "--registry", ADDR, "--exchange", ADDR, "--epoch", "3"]
    res = run("reserves", "prove", *common, "--keys", keys, "-o", str(out), *bound, "--json")
    assert json.loads(res.output)["proven"] == [0, 1, 2]
    assert "OK" in run("reserves", "verify", str(out)).output
    index = json.loads((out / "inclusion" / "index.json").read_text())
    assert len(index) == 5 and "alice" not in json.dumps(index)
    files = [out / "inclusion" / n for n in index]
    alice = next(f for f in files if json.loads(f.read_text())["user_id"] == "alice")
    st = ["--statement", str(out / "top" / "statement.json")]
    assert "OK" in run("reserves", "verify-inclusion", str(alice), *st,
                       "--balance", "BTC=1.5").output
    run("reserves", "verify-inclusion", str(alice), *st, "--balance", "BTC=1.4", code=1)
    pk = keyset.resolve(folders[0]).pk                   # an altered key set is not reused
    pk.write_bytes(pk.read_bytes()[:-1] + bytes([pk.read_bytes()[-1] ^ 1]))
    assert "does not match" in run("reserves", "setup", *common, "--keys", keys,
                                   code=2).output
    obj = json.loads(alice.read_text())
    # non-integer decimals used to raise TypeError: now a one-line error, exit 2
    for decimals in (["8.5"], ["8"], [None]):
        alice.write_text(json.dumps(dict(obj, decimals=decimals)))
        res = run("reserves", "verify-inclusion", str(alice), *st, "--balance", "BTC=1.5",
                  code=2)
        assert res.output.startswith("error: ") and "decimals" in res.output, res.output
    obj["balances"] = ["100000000"]                       # altered balance
    alice.write_text(json.dumps(obj))
    res = run("reserves", "verify-inclusion", str(alice), *st, code=1)
    assert "balance/leaf does not match the path" in res.output
    assert "no chain given" in run("reserves", "verify-inclusion", str(alice), code=2).output
    # a re-run over the same folder proves nothing again
    res = run("reserves", "prove", *common, "--keys", keys, "-o", str(out), *bound, "--json")
    assert json.loads(res.output)["skipped"] == [0, 1, 2]


def test_collateral_attested_cli(tmp_path):
    """attest keygen/sign -> collateral setup --attested -> prove --attestation -> verify
    --attester; attestations for another subject or with a broken signature are refused."""
    shutil.copytree(EX / "collateral", tmp_path / "c")
    c, keys, out = tmp_path / "c", str(tmp_path / "keys"), str(tmp_path / "out")
    pol, prices, pf = str(c / "policy.json"), str(c / "prices.json"), str(c / "portfolio.json")
    key, other = str(tmp_path / "att.key"), str(tmp_path / "other.key")
    run("attest", "keygen", "--key", key)
    run("attest", "keygen", "--key", other)
    att = str(tmp_path / "att.json")
    run("attest", "sign", "--key", key, "--tag", "position", "--subject", ADDR,
        "--policy", pol, "--portfolio", pf, "--as-of", "1700000000", "-o", att)
    run("collateral", "setup", "--policy", pol, "--keys", keys, "--attested")
    prove = ["collateral", "prove", "--policy", pol, "--prices", prices, "--portfolio", pf,
             "--prover", ADDR, "--keys", keys]
    run(*prove, "--attestation", att, "-o", out)
    folder = next(Path(keys).iterdir())
    assert folder.name.startswith("collateral-attested-")
    args = ["collateral", "verify", "--keys", keys, "--proof", f"{out}/proof.json",
            "--public", f"{out}/public.json", "--policy", pol, "--prices", prices,
            "--prover", ADDR]
    assert "OK" in run(*args, "--attester", str(tmp_path / "att.pub.json")).output
    res = run(*args, "--attester", str(tmp_path / "other.pub.json"), code=1)
    assert "attester_ax" in res.output
    stmt = json.loads(Path(out, "statement.json").read_text())
    assert [i["name"] for i in stmt["inputs"]][-3:] == ["attester_ax", "attester_ay", "as_of"]
    # an attestation of another subject, and one with an altered signature
    wrong = str(tmp_path / "wrong.json")
    run("attest", "sign", "--key", key, "--tag", "position", "--subject", "0x" + "12" * 20,
        "--policy", pol, "--portfolio", pf, "--as-of", "1700000000", "-o", wrong)
    res = run(*prove, "--attestation", wrong, "-o", str(tmp_path / "o2"), code=2)
    assert "field 'subject'" in res.output
    obj = json.loads(Path(att).read_text())
    obj["signature"]["s"] = str(int(obj["signature"]["s"]) + 1)
    Path(wrong).write_text(json.dumps(obj))
    res = run(*prove, "--attestation", wrong, "-o", str(tmp_path / "o3"), code=2)
    assert "field 'signature'" in res.output
    assert not (tmp_path / "o2").exists() and not (tmp_path / "o3").exists()
