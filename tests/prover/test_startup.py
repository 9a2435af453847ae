"""Start-up: `--help`, `prove` and `verify` load no chain library (web3, eth_account,
eth_tester); the lazy command list matches the commands it stands for."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from prover.cli import COMMANDS, load_command, main

REPO = Path(__file__).resolve().parents[2]
CHAIN = ("web3", "eth_account", "eth_tester", "eth_keyfile")

# runs the CLI in a fresh interpreter, then prints which chain packages got imported
_PROBE = """
import json, sys
import zk
from prover.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    top = {m.split(".")[0] for m in sys.modules}
    print(json.dumps(sorted(top & set(%r))), file=sys.stderr)
""" % (CHAIN,)


def _run(*argv: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True,
                         text=True, cwd=REPO, timeout=600)
    return out, json.loads(out.stderr.strip().splitlines()[-1])


def test_help_lists_every_command_without_chain_imports():
    out, loaded = _run("--help")
    assert out.returncode == 0, out.stderr
    assert loaded == []
    listed = out.stdout.split("Commands:")[1].split()
    for name in COMMANDS:
        assert name in listed


def test_import_zk_loads_no_chain_library():
    code = "import sys, zk; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert not set(json.loads(out.stdout.replace("'", '"'))) & set(CHAIN)


def test_setup_prove_verify_load_no_chain_library(tmp_path):
    keys, proof, public = tmp_path / "keys", tmp_path / "proof.json", tmp_path / "public.json"
    example = "circuits.examples:ReserveCheck"
    out, loaded = _run("setup", example, "-o", str(keys))
    assert out.returncode == 0 and loaded == [], out.stderr
    out, loaded = _run("prove", example, "--keys", str(keys), "-i",
                       str(REPO / "examples/reserve_check.json"), "--proof", str(proof),
                       "--public", str(public))
    assert out.returncode == 0 and loaded == [], out.stderr
    out, loaded = _run("verify", str(keys / "verification_key.json"), str(public), str(proof))
    assert out.returncode == 0 and "OK" in out.stdout and loaded == [], out.stderr


def test_a_chain_command_does_load_web3():
    """The probe can see chain imports: `contract --help` needs verifier_contracts."""
    out, loaded = _run("contract", "--help")
    assert out.returncode == 0 and "web3" in loaded, out.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_lazy_entry_matches_the_command(name):
    cmd = load_command(name)
    assert isinstance(cmd, click.Command) and cmd.name == name
    assert cmd.get_short_help_str(limit=10**6) == COMMANDS[name][1]


def test_unknown_command_is_a_usage_error():
    from click.testing import CliRunner
    r = CliRunner().invoke(main, ["no-such-command"])
    assert r.exit_code == 2 and "No such command" in r.output


def test_rich_is_imported_lazily():
    """`import zk`, `import prover` and `zksolvency --help` do not load rich (it loads
    only when a live progress display or a table on a terminal starts)."""
    code = ("import sys, zk, prover, zk.progress\n"
            "from prover.cli import main\n"
            "try:\n    main(['--help'], standalone_mode=False)\n"
            "finally:\n    print('rich' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert out.returncode == 0 and out.stderr.strip().splitlines()[-1] == "False", out.stderr
