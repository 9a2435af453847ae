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


def _leaf_commands():
    """(path, command) for every runnable command of the CLI."""
    import click

    from prover.cli import COMMANDS, load_command

    ctx = click.Context(main)

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), [*path, name])
        else:
            yield " ".join(path), cmd

    for name in sorted(COMMANDS):
        yield from walk(load_command(name), [name])


def test_every_command_has_json():
    """--json on every command; the monitor's output is JSON lines already."""
    missing = [path for path, cmd in _leaf_commands() if path != "monitor"
               and "--json" not in {o for p in cmd.params for o in getattr(p, "opts", [])}]
    assert not missing


def test_setup_prove_verify_json(tmp_path):
    from tests.prover.test_cli import EXAMPLE, INPUTS

    keys = tmp_path / "keys"
    made = run_json("setup", EXAMPLE, "-o", keys)
    assert made["reused"] is False and made["key_id"].startswith("0x")
    assert run_json("setup", EXAMPLE, "-o", keys)["reused"] is True
    inputs = INPUTS
    proof, public = tmp_path / "proof.json", tmp_path / "public.json"
    out = run_json("prove", EXAMPLE, "--keys", keys, "-i", inputs, "--proof", proof,
                   "--public", public)
    assert out["public_values"] == json.loads(public.read_text())
    assert run_json("verify", keys, public, proof)["valid"] is True
    bad = json.loads(public.read_text())
    bad[0] = str(int(bad[0]) + 1)
    public.write_text(json.dumps(bad))
    res = CliRunner().invoke(main, ["verify", str(keys), str(public), str(proof), "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["valid"] is False


def test_page_json(tmp_path):
    out = run_json("inclusion-page", "-o", tmp_path)
    assert Path(out["page"]).stat().st_size == out["bytes"]
