"""Chain options of the CLI (--rpc-url / ETH_RPC_URL / zksolvency.toml profiles,
--ephemeral, keystores, read-only commands) and the checks that an address holds the
contract a command expects, against a real anvil node."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_account import Account

from prover.cli import main
from tests.verifier_contracts.conftest import ANVIL_KEYS
from verifier_contracts import connect, deploy_attester_registry, deploy_verifier
from zk.errors import EXIT_CHAIN, EXIT_CLAIM, EXIT_INPUT, EXIT_OK

EOA = Account.from_key(ANVIL_KEYS[3]).address


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No chain or key in the environment; run from an empty folder (no config file)."""
    for name in ("ETH_RPC_URL", "ZKSOLVENCY_PRIVATE_KEY", "ZKSOLVENCY_CHAIN",
                 "ZKSOLVENCY_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args, code: int, stdin: str | None = None):
    res = CliRunner().invoke(main, [str(a) for a in args], input=stdin)
    assert res.exit_code == code, (res.output, res.exception)
    return res


@pytest.fixture(scope="module")
def files(snark, tmp_path_factory):
    d = tmp_path_factory.mktemp("chaincli")
    fx, proof, public = snark[1]
    for name, obj in (("vk.json", fx.vk), ("proof.json", proof), ("public.json", public)):
        (d / name).write_text(json.dumps(obj))
    return d


@pytest.fixture(scope="module")
def deployed(files, anvil_url):
    """A verifier for the 1-input key and an AttesterRegistry (not a verifier) on anvil."""
    chain = connect(anvil_url, private_key=ANVIL_KEYS[0])
    vk = json.loads((files / "vk.json").read_text())
    return {"verifier": deploy_verifier(chain, vk),
            "attesters": deploy_attester_registry(chain)}


def verify_args(files, address):
    return ("contract", "verify", address, files / "public.json", files / "proof.json")


def test_write_without_a_chain_refuses_unless_ephemeral(files, clean_env):
    res = run("contract", "deploy", files / "vk.json", code=EXIT_INPUT)
    assert "no chain given" in res.output and "--ephemeral" in res.output
    res = run("contract", "deploy", files / "vk.json", "--ephemeral", code=EXIT_OK)
    assert "throwaway in-process chain" in res.stderr
    assert res.stdout.strip().startswith("0x") and "tx deploy verifier: 0x" in res.stderr


def test_read_only_commands_need_no_key(files, deployed, anvil_url, clean_env):
    res = run(*verify_args(files, deployed["verifier"]), "--rpc-url", anvil_url, code=EXIT_OK)
    assert res.stdout.strip() == "valid"
    public = json.loads((files / "public.json").read_text())
    (clean_env / "wrong.json").write_text(json.dumps([str(int(public[0]) + 1)]))
    res = run("contract", "verify", deployed["verifier"], clean_env / "wrong.json",
              files / "proof.json", "--rpc-url", anvil_url, "--json", code=EXIT_CLAIM)
    assert json.loads(res.stdout)["valid"] is False


def test_verify_at_an_eoa_or_another_contract_is_one_line_exit_2(files, deployed, anvil_url,
                                                                 clean_env):
    for address, needle in ((EOA, "no contract code"),
                            (deployed["attesters"], "not a Groth16 verifier")):
        res = run(*verify_args(files, address), "--rpc-url", anvil_url, code=EXIT_INPUT)
        assert needle in res.output and "Traceback" not in res.output
        assert len(res.output.strip().splitlines()) == 1, res.output
    other = json.loads((files / "vk.json").read_text())
    other["IC"] = other["IC"][::-1]
    (clean_env / "other.json").write_text(json.dumps(other))
    res = run(*verify_args(files, deployed["verifier"]), "--vk", clean_env / "other.json",
              "--rpc-url", anvil_url, code=EXIT_INPUT)
    assert "verifier for another key" in res.output


def test_config_precedence_flag_env_file(files, deployed, anvil_url, clean_env, monkeypatch):
    dead = "http://127.0.0.1:9"                       # nothing listens on the discard port
    (clean_env / "zksolvency.toml").write_text(
        f'[profile.default]\nrpc_url = "{dead}"\n\n'
        f'[profile.local]\nrpc_url = "{anvil_url}"\nchain_id = 31337\n'
        f'verifier = "{deployed["verifier"]}"\n\n'
        f'[profile.wrongid]\nrpc_url = "{anvil_url}"\nchain_id = 1\n\n'
        '[monitor]\nanything = "other tools read this"\n')
    (clean_env / "sub").mkdir()
    monkeypatch.chdir(clean_env / "sub")             # found in a parent folder
    args = verify_args(files, deployed["verifier"])
    run(*args, code=EXIT_CHAIN)                                    # the file: dead URL
    monkeypatch.setenv("ETH_RPC_URL", anvil_url)
    run(*args, code=EXIT_OK)                                       # env beats the file
    run(*args, "--rpc-url", dead, code=EXIT_CHAIN)                 # the flag beats env
    monkeypatch.delenv("ETH_RPC_URL")
    run(*verify_args(files, "@verifier"), "--chain", "local", code=EXIT_OK)
    monkeypatch.setenv("ZKSOLVENCY_CHAIN", "local")
    run(*verify_args(files, "@verifier"), code=EXIT_OK)
    res = run(*args, "--chain", "wrongid", code=EXIT_INPUT)
    assert "chain id 31337" in res.output
    res = run(*args, "--chain", "nope", code=EXIT_INPUT)
    assert "no [profile.nope]" in res.output
    (clean_env / "zksolvency.toml").write_text('[profile.default]\nrpc-url = "x"\n')
    res = run(*args, code=EXIT_INPUT)
    assert "unknown key(s) rpc-url" in res.output


def test_keystore_signing(files, anvil_url, clean_env):
    acct = Account.from_key(ANVIL_KEYS[2])
    ks = clean_env / "key.json"
    ks.write_text(json.dumps(Account.encrypt(acct.key, "correct horse", iterations=2)))
    (clean_env / "pw").write_text("correct horse\n")
    (clean_env / "bad").write_text("wrong\n")
    base = ("contract", "deploy", files / "vk.json", "--rpc-url", anvil_url, "--json")
    res = run(*base, "--keystore", ks, "--password-file", clean_env / "pw", code=EXIT_OK)
    out = json.loads(res.stdout)
    tx = out["transactions"][0]
    assert tx["from"] == acct.address and tx["status"] == 1 and tx["hash"].startswith("0x")
    assert tx["contract_address"] == out["address"] and tx["gas_used"] > 0
    res = run(*base, "--keystore", ks, code=EXIT_OK, stdin="correct horse\n")   # prompt
    assert json.loads(res.stdout)["transactions"][0]["from"] == acct.address
    res = run(*base, "--keystore", ks, "--password-file", clean_env / "bad", code=EXIT_INPUT)
    assert "wrong password" in res.output
    res = run(*base, code=EXIT_INPUT)                              # a write needs a key
    assert "needs a signing key" in res.output
    (clean_env / "zksolvency.toml").write_text('[profile.default]\nkeystore = "key.json"\n')
    res = run(*base, "--password-file", clean_env / "pw", code=EXIT_OK)  # the profile's
    assert json.loads(res.stdout)["transactions"][0]["from"] == acct.address
    res = run(*base, "--interactive", code=EXIT_OK, stdin=ANVIL_KEYS[1] + "\n")
    assert json.loads(res.stdout)["transactions"][0]["from"] == \
        Account.from_key(ANVIL_KEYS[1]).address
    assert ANVIL_KEYS[1] not in res.output
    res = run(*base, "--interactive", code=EXIT_INPUT, stdin="")     # no terminal, no key
    assert "stdin is closed" in res.output


def test_registry_commands_at_an_address_without_code(files, anvil_url, clean_env, monkeypatch):
    """The first friction: a submit to an address with no code reported success."""
    dead = "0x000000000000000000000000000000000000dEaD"
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", ANVIL_KEYS[0])
    res = run("registry", "submit", dead, files / "proof.json", files / "public.json",
              "--rpc-url", anvil_url, code=EXIT_INPUT)
    assert "no contract code" in res.output and "accepted" not in res.output
    res = run("registry", "status", dead, EOA, "--rpc-url", anvil_url, code=EXIT_INPUT)
    assert "no contract code" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = run("registry", "submit", dead, files / "proof.json", files / "public.json",
              code=EXIT_INPUT)                                      # the forgotten --rpc-url
    assert "no chain given" in res.output
    res = run("registry", "status", EOA, EOA, "--rpc-url", anvil_url, "--json",
              code=EXIT_INPUT)
    err = json.loads(res.stdout)
    assert err["exit_code"] == EXIT_INPUT and err["kind"] == "WrongContract"


def test_registry_submit_at_a_verifier_is_refused(files, deployed, anvil_url, clean_env,
                                                  monkeypatch):
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", ANVIL_KEYS[0])
    res = run("registry", "submit", deployed["verifier"], files / "proof.json",
              files / "public.json", "--rpc-url", anvil_url, code=EXIT_INPUT)
    assert "not a SolvencyRegistry" in res.output


def test_reserves_registry_status_at_an_eoa_or_a_verifier(deployed, anvil_url, clean_env):
    for address, needle in ((EOA, "no contract code"),
                            (deployed["verifier"], "not a ReservesRegistry")):
        res = run("reserves", "registry", "status", address, "--exchange", EOA, "--epoch", 1,
                  "--rpc-url", anvil_url, code=EXIT_INPUT)
        assert needle in res.output and len(res.output.strip().splitlines()) == 1


def test_oracle_posts_the_prices_json_the_proof_uses(anvil_url, clean_env, monkeypatch):
    """One source of truth: the pushed oracle reads prices.json (asset order from the
    policy), converts the dollars exactly, and refuses a file for another epoch."""
    from prover.scaffold import init_project

    init_project(clean_env / "p")
    pol, prices = clean_env / "p/policy.json", clean_env / "p/prices.json"
    monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", ANVIL_KEYS[0])
    oracle = run("oracle", "deploy", "--pushed", "--collateral", 2, "--debt", 1,
                 "--rpc-url", anvil_url, code=EXIT_OK).stdout.strip()
    later = json.loads(prices.read_text())
    (clean_env / "later.json").write_text(json.dumps(dict(later, epoch="2")))
    res = run("oracle", "open-epoch", oracle, "--prices", clean_env / "later.json",
              "--policy", pol, "--rpc-url", anvil_url, code=EXIT_INPUT)
    assert "next epoch is 1" in res.output
    res = run("oracle", "open-epoch", oracle, "--prices", prices, "--rpc-url", anvil_url,
              code=EXIT_INPUT)
    assert "--policy" in res.output
    res = run("oracle", "open-epoch", oracle, "--prices", prices, "--policy", pol,
              "--rpc-url", anvil_url, "--json", code=EXIT_OK)
    out = json.loads(res.stdout)
    assert out["epoch"] == 1 and out["prices"] == [301245000000, 6425050000000, 99985000]
    assert out["transactions"][0]["status"] == 1
