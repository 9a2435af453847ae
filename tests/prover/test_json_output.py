"""--json: one parseable JSON object on stdout, for commands of each family."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from prover.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_json(*args) -> dict:
    res = CliRunner().invoke(main, [str(a) for a in args] + ["--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_json_objects(tmp_path):
    out = run_json("init", tmp_path / "p")
    assert sorted(Path(f).name for f in out["files"]) == sorted(
        [".gitignore", "README.md", "policy.json", "portfolio.json", "prices.json",
         "zksolvency.toml"])
    pol, pf = tmp_path / "p/policy.json", tmp_path / "p/portfolio.json"
    from prover.collateral import load_policy, load_portfolio
    want = load_portfolio(pf, load_policy(pol)).commitment()
    assert run_json("collateral", "commitment", "--policy", pol, "--portfolio", pf) == {
        "commitment": str(want)}
    key = run_json("attest", "keygen", "--key", tmp_path / "att.key")
    assert Path(key["public"]).is_file() and int(key["x"]) > 0
    signed = run_json("attest", "sign", "--key", tmp_path / "att.key", "--tag", "position",
                      "--subject", "0x" + "12" * 20, "--policy", pol, "--portfolio", pf,
                      "--as-of", "1700000000", "-o", tmp_path / "att.json")
    assert signed["commitment"] == str(want) and signed["as_of"] == 1700000000
    check = run_json("attest", "verify", tmp_path / "att.json", "--attester", key["public"])
    assert check["valid"] is True
    res = CliRunner().invoke(main, ["attest", "verify", str(tmp_path / "att.json"),
                                    "--commitment", str(want + 1), "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["valid"] is False
    res = CliRunner().invoke(main, ["collateral", "commitment", "--policy", str(pf),
                                    "--portfolio", str(pf), "--json"])
    err = json.loads(res.stdout)
    assert res.exit_code == 2 and err["exit_code"] == 2 and str(pf) in err["error"]
