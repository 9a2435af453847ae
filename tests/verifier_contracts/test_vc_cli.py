"""`zksolvency contract ...` and `registry ...` command groups (against anvil via --rpc-url)."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from prover.commands.contract import contract
from prover.commands.registry import registry
from verifier_contracts import connect
from zk.errors import ChainError, MalformedInput, ZkError
from zk.field import R


class _Main(click.Group):
    """Stand-in for the application's main group: ZkError -> one line, exit 2 / 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ZkError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2 if isinstance(exc, MalformedInput) else 1)


main = _Main("zksolvency")
main.add_command(contract)
main.add_command(registry)


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _write(path, obj):
    path.write_text(json.dumps(obj))
    return path


def test_export_hash_calldata(tmp_path, snark):
    fx, proof, public = snark[5]
    vk = _write(tmp_path / "vk.json", fx.vk)
    out = tmp_path / "Verifier.sol"
    res = _run("contract", "export", vk, "-o", out)
    assert res.exit_code == 0 and "vkHash 0x" in res.output
    assert "uint256[5] calldata pub" in out.read_text()
    assert _run("contract", "hash", vk).output.strip().startswith("0x")
    res = _run("contract", "calldata", _write(tmp_path / "p.json", proof),
               _write(tmp_path / "pub.json", public))
    assert res.exit_code == 0 and res.output.startswith('["0x')
    bad = dict(fx.vk, nPublic=4)
    res = _run("contract", "export", _write(tmp_path / "bad.json", bad), "-o", tmp_path / "x.sol")
    assert res.exit_code == 2 and not (tmp_path / "x.sol").exists()


def test_deploy_and_verify_exit_codes(tmp_path, snark, anvil_env):
    fx, proof, public = snark[5]
    vk = _write(tmp_path / "vk.json", fx.vk)
    state = tmp_path / "deploy.json"
    res = _run("contract", "deploy", vk, "--rpc-url", anvil_env, "--state", state)
    assert res.exit_code == 0, res.output
    address = res.output.strip()
    again = _run("contract", "deploy", vk, "--rpc-url", anvil_env, "--state", state)
    assert again.output.strip() == address  # resumed from the state file, not redeployed
    p = _write(tmp_path / "proof.json", proof)
    assert _run("contract", "verify", address, p, _write(tmp_path / "ok.json", public),
                "--rpc-url", anvil_env).exit_code == 0
    wrong = [str(int(public[0]) + 1)] + public[1:]
    assert _run("contract", "verify", address, p, _write(tmp_path / "w.json", wrong),
                "--rpc-url", anvil_env).exit_code == 1
    for bad in ([str(R)] + public[1:], public[:-1] + ["1.5"]):
        res = _run("contract", "verify", address, p, _write(tmp_path / "b.json", bad),
                   "--rpc-url", anvil_env)
        assert res.exit_code == 2


def test_registry_commands(tmp_path, snark, anvil_env):
    fx = snark[11][0]
    vk = _write(tmp_path / "vk.json", fx.vk)
    verifier = _run("contract", "deploy", vk, "--rpc-url", anvil_env).output.strip()
    res = _run("registry", "deploy", verifier, vk, "--collateral", 2, "--debt", 1,
               "--haircuts", "500,1000", "--min-ratio", 15000, "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    reg = res.output.strip()
    chain = connect(anvil_env)
    res = _run("registry", "post-prices", reg, 1, "--collateral-prices", "200000000000,100000000",
               "--debt-prices", "100000000", "--valid-until", chain.timestamp() + 3600,
               "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    proof, public = fx.prove([200000000000, 100000000, 500, 1000, 100000000, 15000, 1,
                              int(chain.address, 16), chain.chain_id, int(reg, 16)], tag="cli")
    p, pub = _write(tmp_path / "proof.json", proof), _write(tmp_path / "public.json", public)
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    assert json.loads(res.output)["solvent"] is False
    assert _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env).exit_code == 0
    res = _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env)
    assert res.exit_code == 1 and "AlreadySubmitted" in res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    assert json.loads(res.output)["solvent"] is True


def test_rpc_needs_key_from_environment(monkeypatch, anvil_url):
    monkeypatch.delenv("ZKSOLVENCY_PRIVATE_KEY", raising=False)
    with pytest.raises(ChainError, match="ZKSOLVENCY_PRIVATE_KEY"):
        connect(anvil_url)
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", "not a key")
    with pytest.raises(ChainError) as err:
        connect(anvil_url)
    assert "not a key" not in str(err.value)
