"""`zksolvency contract ...` and `registry ...` command groups (against anvil via --rpc-url)."""
from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from prover.commands.contract import contract
from prover.commands.oracle import oracle
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
main.add_command(oracle)
EOA = "0x000000000000000000000000000000000000dEaD"


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


def _dollars(values):
    """8-decimal fixed point typed as decimals (what a person types)."""
    return ",".join(f"{v // 10**8}.{v % 10**8:08d}" for v in values)


def test_registry_commands(tmp_path, anvil_env):
    """Registered mode end to end through the CLI with our prover's (development) keys: a
    registry deployed with its pushed-price EpochOracle and a credit module, epochs from
    the oracle, solvency and credit proofs per kind, status (epoch, breaker, haircuts,
    policy), the breaker refusing proofs, policy versions and freshness."""
    from prover.workflow import write_vk

    keys, ckeys = A.collateral_keys(), A.credit_keys()
    vk, cvk = tmp_path / "vk.json", tmp_path / "credit_vk.json"
    write_vk(vk, keys.pk.vk, keys.statement)             # embeds the statement
    write_vk(cvk, ckeys.pk.vk, ckeys.statement)
    res = _run("contract", "deploy", vk, "--rpc-url", anvil_env)
    assert res.exit_code == 2 and "development setup" in res.output
    verifier, cverifier = (_run("contract", "deploy", v, "--rpc-url", anvil_env,
                                "--dev-keys").stdout.strip() for v in (vk, cvk))
    args = ("registry", "deploy", verifier, vk, "--mode", "registered", "--haircuts",
            "2000,1000", "--min-ratio", 15000, "--rpc-url", anvil_env)
    res = _run(*args, "--pushed")
    assert res.exit_code == 2 and "development setup" in res.output
    res = _run(*args, "--pushed", "--oracle", verifier, "--dev-keys")
    assert res.exit_code == 2 and "exactly one price source" in res.output
    res = _run(*args, "--dev-keys")
    assert res.exit_code == 2 and "exactly one price source" in res.output
    res = _run(*args[:7], "1:2", *args[8:], "--pushed", "--dev-keys")
    assert res.exit_code == 2 and "--haircuts item 1" in res.output
    res = _run(*args, "--pushed", "--dev-keys", "--min-epoch-interval", 1, "--credit-verifier",
               cverifier, "--credit-vk", cvk, "--timelock", 600, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    reg, oracle = out["address"], out["oracle"]
    assert out["credit"] is True and [t["contract_address"] for t in out["transactions"]
                                      if t["contract_address"]][0] == oracle
    # a registry on this existing oracle takes no oracle settings
    res = _run(*args, "--oracle", oracle, "--dev-keys", "--reset-delay", 5)
    assert res.exit_code == 2 and "--reset-delay configure the oracle" in res.output
    for kind, st in (("solvency", keys.statement), ("credit", ckeys.statement)):
        got = json.loads(_run("registry", "layout", reg, "--kind", kind, "--rpc-url",
                              anvil_env).stdout)
        counts = {k: got.pop(k) for k in ("numPublic", "nCollateral", "nDebt")}
        assert got == st.layout() and counts == dict(numPublic=st.num_public,
                                                     nCollateral=2, nDebt=1)
    chain = connect(anvil_env)
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    assert res.exit_code == 1 and json.loads(res.stdout)["current_epoch"] == 0
    res = _run("oracle", "open-epoch", oracle, "--prices", _dollars(A.CP + A.DP),
               "--rpc-url", anvil_env, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["epoch"] == 1, res.output
    proof, public = keys.prove(A.collateral_inputs(chain.address, chain.chain_id, reg))
    p, pub = _write(tmp_path / "proof.json", proof), _write(tmp_path / "public.json", public)
    res = _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "CommitmentMismatch(0, " in res.output
    res = _run("registry", "record-position", reg, chain.address, A.commitment(),
               "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env)
    assert res.exit_code == 1 and "NOT solvent" in res.output
    assert _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env).exit_code == 0
    res = _run("registry", "submit", reg, p, pub, "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "AsOfNotLater" in res.output
    credit = 4 * 10**13
    cproof, cpublic = ckeys.prove({**A.collateral_inputs(chain.address, chain.chain_id, reg),
                                   "credit": credit})
    cp, cpub = _write(tmp_path / "cproof.json", cproof), _write(tmp_path / "cpub.json", cpublic)
    res = _run("registry", "submit", reg, cp, cpub, "--rpc-url", anvil_env)   # wrong kind
    assert res.exit_code == 2 and "solvency module takes 11" in res.output
    res = _run("registry", "submit", reg, cp, cpub, "--kind", "credit", "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    out = json.loads(res.stdout)
    assert res.exit_code == 0 and out["solvent"] is True and out["credit"] == credit
    assert out["proven"]["commitment"] == A.commitment() and out["current_epoch"] == 1
    assert (out["haircuts_bps"], out["min_ratio_bps"], out["tripped"]) == ([2000, 1000],
                                                                           15000, False)
    assert (out["oracle"].lower(), out["epoch_policy_version"]) == (oracle.lower(), 1)
    # the breaker (a guardian's pause): status says so, proofs are refused by name
    assert _run("oracle", "pause", oracle, "--rpc-url", anvil_env).exit_code == 0
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env)
    assert "BREAKER TRIPPED" in res.output and "TRIPPED: MANUAL" in res.output
    res = _run("registry", "submit", reg, cp, cpub, "--kind", "credit", "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "BreakerIsTripped" in res.output
    assert _run("oracle", "unpause", oracle, "--rpc-url", anvil_env).exit_code == 0
    # policy versions: a loosening waits the timelock
    res = _run("registry", "set-policy", reg, "--haircuts", "1500:20000:3000,900",
               "--min-ratio", 15000, "--rpc-url", anvil_env, "--json")
    out = json.loads(res.stdout)
    assert out["version"] == 2 and out["haircuts"] == [[1500, 20000, 3000], [900, 0, 900]]
    assert out["active_from"] >= chain.timestamp() + 600
    res = _run("registry", "set-freshness", reg, "--grace", 60, "--max-attestation-age", 300,
               "--rpc-url", anvil_env)
    assert res.exit_code == 0, res.output
    res = _run("registry", "status", reg, chain.address, "--rpc-url", anvil_env, "--json")
    out = json.loads(res.stdout)
    assert (out["grace"], out["max_attestation_age"], out["policy_version"]) == (60, 300, 2)
    # a new circuit version for a kind: queued, refused before the timelock, then active
    res = _run("registry", "queue-module", reg, cverifier, cvk, "--kind", "credit",
               "--dev-keys", "--rpc-url", anvil_env, "--json")
    assert res.exit_code == 0, res.output
    queued = json.loads(res.stdout)
    assert queued["eta"] >= chain.timestamp() + 600
    res = _run("registry", "activate-module", reg, "--kind", "credit", "--rpc-url", anvil_env)
    assert res.exit_code == 3 and "TimelockActive" in res.output
    chain.increase_time(601)
    res = _run("registry", "activate-module", reg, "--kind", "credit", "--rpc-url", anvil_env,
               "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["module"] == queued["module"]


def test_registry_deploy_with_feeds(tmp_path, anvil_env):
    """`registry deploy --feeds` deploys a Chainlink-feed oracle first (the feeds file of
    `oracle dev-feeds`); a feeds file for another asset count is refused by name."""
    from prover.workflow import write_vk

    keys = A.collateral_keys()
    vk = tmp_path / "vk.json"
    write_vk(vk, keys.pk.vk, keys.statement)
    verifier = _run("contract", "deploy", vk, "--rpc-url", anvil_env, "--dev-keys").stdout
    feeds, three = tmp_path / "feeds.json", tmp_path / "three.json"
    for out, n in ((feeds, 2), (three, 3)):
        res = _run("oracle", "dev-feeds", "--answers", ",".join(["300000000000"] * n + ["1"]),
                   "--collateral", n, "-o", out, "--rpc-url", anvil_env)
        assert res.exit_code == 0, res.output
    args = ("registry", "deploy", verifier.strip(), vk, "--mode", "registered", "--haircuts",
            "2000,1000", "--min-ratio", 15000, "--dev-keys", "--rpc-url", anvil_env)
    res = _run(*args, "--feeds", three)
    assert res.exit_code == 2 and "field 'collateral' lists 3 feeds" in res.output
    other = _run("oracle", "deploy", "--pushed", "--collateral", 3, "--debt", 1, "--rpc-url",
                 anvil_env).stdout.strip()
    res = _run(*args, "--oracle", other)
    assert res.exit_code == 2 and "the oracle prices 3 collateral + 1 debt" in res.output
    res = _run(*args, "--oracle", verifier.strip())
    assert res.exit_code == 2 and "not a EpochOracle" in res.output
    res = _run(*args, "--feeds", feeds, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    st = json.loads(_run("oracle", "status", out["oracle"], "--rpc-url", anvil_env,
                         "--json").stdout)
    assert st["mode"] == "feeds" and (st["n_collateral"], st["n_debt"]) == (2, 1)
    res = _run("registry", "status", out["address"], EOA, "--rpc-url", anvil_env, "--json")
    assert res.exit_code == 1 and json.loads(res.stdout)["oracle"] == out["oracle"]


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
               "--dev-keys", "--pushed")
    assert res.exit_code == 2 and "not the statement embedded" in res.output, res.output
