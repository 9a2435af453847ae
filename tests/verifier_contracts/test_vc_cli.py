"""`zksolvency contract ...` and `registry ...` command groups (against anvil via --rpc-url)."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from prover.commands.contract import contract
from prover.commands.registry import registry
from tests.verifier_contracts import anchored as A
from verifier_contracts import connect, is_allowed
from zk.errors import ZkError, exit_code
from zk.field import R


class _Main(click.Group):
    """Stand-in for the application's main group: ZkError -> one line and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ZkError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exit_code(exc))


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
    assert _run("contract", "hash", vk).stdout.strip().startswith("0x")
    p, pub = _write(tmp_path / "p.json", proof), _write(tmp_path / "pub.json", public)
    res = _run("contract", "calldata", pub, p)             # snarkjs order: PUBLIC PROOF
    assert res.exit_code == 0 and res.output.startswith('["0x')
    swapped = _run("contract", "calldata", p, pub)
    assert swapped.exit_code == 2 and "wrong order" in swapped.output
    assert f"PUBLIC ({p}) was read as the public inputs but holds a proof" in swapped.output
    bad = dict(fx.vk, nPublic=4)
    res = _run("contract", "export", _write(tmp_path / "bad.json", bad), "-o", tmp_path / "x.sol")
    assert res.exit_code == 2 and not (tmp_path / "x.sol").exists()


def test_deploy_and_verify_exit_codes(tmp_path, snark, anvil_env):
    fx, proof, public = snark[5]
    vk = _write(tmp_path / "vk.json", fx.vk)
    state = tmp_path / "deploy.json"
    res = _run("contract", "deploy", vk, "--rpc-url", anvil_env, "--state", state)
    assert res.exit_code == 0, res.output
    address = res.stdout.strip()
    again = _run("contract", "deploy", vk, "--rpc-url", anvil_env, "--state", state)
    assert again.stdout.strip() == address  # resumed from the state file, not redeployed
    p = _write(tmp_path / "proof.json", proof)
    ok = _write(tmp_path / "ok.json", public)
    assert _run("contract", "verify", address, ok, p,        # snarkjs order: PUBLIC PROOF
                "--rpc-url", anvil_env).exit_code == 0
    swapped = _run("contract", "verify", address, p, ok, "--rpc-url", anvil_env)
    assert swapped.exit_code == 2 and "wrong order" in swapped.output
    assert f"PUBLIC ({p}) was read as the public inputs but holds a proof" in swapped.output
    assert f"PROOF ({ok}) was read as the proof but holds public inputs" in swapped.output
    wrong = [str(int(public[0]) + 1)] + public[1:]
    assert _run("contract", "verify", address, _write(tmp_path / "w.json", wrong), p,
                "--rpc-url", anvil_env).exit_code == 1
    for bad in ([str(R)] + public[1:], public[:-1] + ["1.5"]):
        res = _run("contract", "verify", address, _write(tmp_path / "b.json", bad), p,
                   "--rpc-url", anvil_env)
        assert res.exit_code == 2


def test_registry_commands(tmp_path, anvil_env):
    """Registered mode end to end through the CLI with our prover's (development) keys."""
    keys = A.collateral_keys()
    vk = _write(tmp_path / "vk.json", keys.vk_json)
    st = _write(tmp_path / "statement.json", keys.statement.to_json())
    res = _run("contract", "deploy", vk, "--rpc-url", anvil_env)
    assert res.exit_code == 2 and "development setup" in res.output
    verifier = _run("contract", "deploy", vk, "--rpc-url", anvil_env,
                    "--dev-keys").stdout.strip()
    args = ("registry", "deploy", verifier, vk, "--mode", "registered", "--statement", st,
            "--haircuts", "2000,1000", "--min-ratio", 15000, "--rpc-url", anvil_env)
    res = _run(*args)
    assert res.exit_code == 2 and "development setup" in res.output
    res = _run(*args, "--dev-keys", "--max-validity", 7200)
    assert res.exit_code == 0, res.output
    reg = res.stdout.strip()
    res = _run("registry", "layout", reg, "--rpc-url", anvil_env)
    got = json.loads(res.stdout)
    counts = {k: got.pop(k) for k in ("numPublic", "nCollateral", "nDebt")}
    assert got == keys.statement.layout() and counts == dict(numPublic=11, nCollateral=2,
                                                             nDebt=1)
    chain = connect(anvil_env)
    def dollars(values):                       # 8-decimal fixed point, typed as decimals
        return ",".join(f"{v // 10**8}.{v % 10**8:08d}" for v in values)
    prices = ("--collateral-prices", dollars(A.CP), "--debt-prices", dollars(A.DP))
    res = _run("registry", "post-prices", reg, 1, *prices, "--valid-until",
               chain.timestamp() + 7300, "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "ValidityTooLong" in res.output
    res = _run("registry", "post-prices", reg, 1, *prices, "--valid-until",
               chain.timestamp() + 3600, "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    proof, public = keys.prove(A.collateral_inputs(chain.address, chain.chain_id, reg))
    p, pub = _write(tmp_path / "proof.json", proof), _write(tmp_path / "public.json", public)
    res = _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "CommitmentMismatch(0, " in res.output
    res = _run("registry", "record-position", reg, chain.address, A.commitment(),
               "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    assert json.loads(res.stdout)["solvent"] is False and res.exit_code == 1   # not solvent
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env)
    assert res.exit_code == 1 and "NOT solvent" in res.output
    assert _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env).exit_code == 0
    res = _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "AsOfNotLater" in res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    out = json.loads(res.stdout)
    assert out["solvent"] is True and out["proven"]["commitment"] == A.commitment()
    assert res.exit_code == 0
    assert (out["grace"], out["max_validity"]) == (900, 7200)
    res = _run("registry", "set-freshness", reg, "--grace", 60, "--max-validity", 600,
               "--max-attestation-age", 300, "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    out = json.loads(res.stdout)
    assert (out["grace"], out["max_validity"], out["max_attestation_age"]) == (60, 600, 300)


def test_attester_commands(anvil_env):
    attesters = _run("registry", "deploy-attesters", "--admin-delay", 0, "--rpc-url",
                     anvil_env).stdout.strip()
    key = A.attester_key(99)
    assert _run("registry", "add-attester", attesters, *key, "--rpc-url",
                anvil_env).exit_code == 0
    assert is_allowed(connect(anvil_env), attesters, *key)
    res = _run("registry", "add-attester", attesters, key[0], key[1] + 1, "--rpc-url", anvil_env)
    assert res.exit_code == 2 and "not on Baby Jubjub" in res.output
    assert _run("registry", "revoke-attester", attesters, *key, "--rpc-url",
                anvil_env).exit_code == 0
    assert not is_allowed(connect(anvil_env), attesters, *key)


def test_rpc_without_key_is_read_only(monkeypatch, anvil_url):
    """No key: calls work, a transaction is refused before anything is signed; a bad key in
    the environment is refused without echoing it."""
    from zk.errors import UsageError

    monkeypatch.delenv("ZKSOLVENCY_PRIVATE_KEY", raising=False)
    chain = connect(anvil_url)
    assert chain.read_only and chain.chain_id == 31337
    with pytest.raises(UsageError, match="ZKSOLVENCY_PRIVATE_KEY"):
        chain.send(None, b"\x00")
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", "not a key")
    with pytest.raises(UsageError) as err:
        connect(anvil_url)
    assert "not a key" not in str(err.value)


def test_statement_command(tmp_path):
    from circuits.collateral import AttestedCollateralRatio
    from zk import compile_circuit

    out = tmp_path / "statement.json"
    res = _run("registry", "statement", "circuits.collateral:AttestedCollateralRatio",
               "-p", "n_collateral=2", "-p", "n_debt=1", "-o", out)
    assert res.exit_code == 0, res.output
    want = compile_circuit(AttestedCollateralRatio(2, 1)).statement
    assert json.loads(out.read_text()) == want.to_json()
    assert want.hash().hex() in res.output


def test_registry_deploy_refuses_a_statement_other_than_the_embedded_one(tmp_path):
    """A vk that embeds its statement fixes the layout: a relabelled --statement is refused
    before anything is deployed (the on-chain key-id check cannot see the mismatch)."""
    from dataclasses import replace

    from prover.workflow import write_vk
    keys = A.collateral_keys()
    vk = tmp_path / "vk.json"
    write_vk(vk, keys.pk.vk, keys.statement)
    inputs = list(keys.statement.inputs)
    inputs[-1], inputs[-2] = replace(inputs[-1], name=inputs[-2].name), \
        replace(inputs[-2], name=inputs[-1].name)   # swap two labels, same shapes
    relabelled = replace(keys.statement, inputs=tuple(inputs))
    st = _write(tmp_path / "st.json", relabelled.to_json())
    res = _run("registry", "deploy", "0x" + "11" * 20, vk, "--mode", "registered",
               "--statement", st, "--haircuts", "2000,1000", "--min-ratio", 15000,
               "--dev-keys")
    assert res.exit_code == 2 and "not the statement embedded" in res.output, res.output
