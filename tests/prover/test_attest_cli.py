"""``zksolvency attest keygen | sign | verify``: key file mode, secrecy, strict parsing,
exit codes, and agreement with circuits.attestation (the circuit's message)."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from circuits.attestation import TAG_POSITION, TAG_RESERVE, attestation_message
from prover import attest as lib
from prover.cli import main
from prover.collateral import load_policy, load_portfolio
from zk.field import R
from zk.std import babyjub as bj
from zk.std import eddsa

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "prover" / "demo_data"
SUBJECT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def secret_forms(key_path: Path) -> list[str]:
    k = int(json.loads(key_path.read_text())["secret_scalar"])
    return [str(k), hex(k), f"{k:x}", f"{k:064x}"]


@pytest.fixture
def keyed(tmp_path):
    key = tmp_path / "attester.key.json"
    r = run("attest", "keygen", "--key", str(key))
    assert r.exit_code == 0, r.output
    return tmp_path, key, tmp_path / "attester.key.pub.json"


def sign(tmp_path, key, *extra, out="att.json"):
    r = run("attest", "sign", "--key", str(key), "--tag", "position", "--chain-id", "31337",
            "--registry", REGISTRY, "--subject", SUBJECT, "--commitment", "123456789",
            "--as-of", "1764460800", "-o", str(tmp_path / out), *extra)
    return r, tmp_path / out


def test_keygen_mode_0600_from_creation_and_public_key(keyed):
    tmp_path, key, pub = keyed
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pub).st_mode) & 0o044       # public key is readable
    loaded = lib.load_key(key)
    assert lib.load_public_key(pub) == loaded.public == eddsa.public_key(loaded.secret)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_keygen_under_permissive_umask_still_0600(tmp_path):
    """The mode does not depend on the umask: the file is created 0600 (mkstemp)."""
    code = ("import os; os.umask(0); from prover.cli import main; "
            "main(['attest', 'keygen', '--key', 'k.json'])")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE(os.stat(tmp_path / "k.json").st_mode) == 0o600


def test_keygen_refuses_to_overwrite(keyed):
    tmp_path, key, _ = keyed
    before = key.read_bytes()
    r = run("attest", "keygen", "--key", str(key))
    assert r.exit_code == 2 and "already exists" in r.output
    assert key.read_bytes() == before


def test_secret_never_in_output(keyed, tmp_path):
    _, key, _ = keyed
    outputs = []
    r, att = sign(tmp_path, key)
    outputs.append(r.output)
    outputs.append(att.read_text())
    outputs.append(run("attest", "verify", str(att)).output)
    outputs.append(repr(lib.load_key(key)))
    # errors about the key file do not echo it either
    bad = tmp_path / "bad.key.json"
    obj = json.loads(key.read_text())
    obj["public_key"]["x"] = "1"
    fd = os.open(bad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(obj, fh)
    r = run("attest", "sign", "--key", str(bad), "--tag", "position", "--chain-id", "1",
            "--registry", REGISTRY, "--subject", SUBJECT, "--commitment", "1")
    assert r.exit_code == 2 and "field 'public_key'" in r.output
    outputs.append(r.output)
    # the console script end to end
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                               f"{os.environ.get('PATH', '')}")
    k2 = tmp_path / "k2.json"
    out = subprocess.run(["zksolvency", "attest", "keygen", "--key", str(k2)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    for form in secret_forms(k2):
        assert form not in out.stdout + out.stderr
    for form in secret_forms(key):
        for text in outputs:
            assert form not in text


def test_sign_then_verify_and_circuit_message(keyed, tmp_path):
    _, key, pub = keyed
    r, att_path = sign(tmp_path, key)
    assert r.exit_code == 0, r.output
    att = lib.load_attestation(att_path)
    k = lib.load_key(key)
    assert att.tag == TAG_POSITION and att.attester == k.public
    msg = attestation_message(TAG_POSITION, 31337, int(REGISTRY, 16), int(SUBJECT, 16),
                              123456789, 1764460800)
    assert eddsa.verify(k.public, msg, att.signature)
    r = run("attest", "verify", str(att_path), "--attester", str(pub), "--chain-id", "31337",
            "--registry", REGISTRY, "--subject", SUBJECT, "--commitment", "123456789")
    assert r.exit_code == 0 and r.output.startswith("OK: position attestation"), r.output


def test_reserve_tag(keyed, tmp_path):
    _, key, _ = keyed
    r = run("attest", "sign", "--key", str(key), "--tag", "reserve", "--chain-id", "1",
            "--registry", REGISTRY, "--subject", SUBJECT, "--commitment", "5",
            "-o", str(tmp_path / "res.json"))
    assert r.exit_code == 0, r.output
    assert lib.load_attestation(tmp_path / "res.json").tag == TAG_RESERVE
    assert run("attest", "verify", str(tmp_path / "res.json")).exit_code == 0


def test_commitment_from_policy_and_portfolio(keyed, tmp_path):
    _, key, _ = keyed
    r = run("attest", "sign", "--key", str(key), "--tag", "position", "--subject", SUBJECT,
            "--policy", str(DEMO / "policy.json"), "--portfolio", str(DEMO / "portfolio.json"),
            "-o", str(tmp_path / "p.json"))
    assert r.exit_code == 0, r.output
    att = lib.load_attestation(tmp_path / "p.json")
    pol = load_policy(DEMO / "policy.json")
    assert att.commitment == load_portfolio(DEMO / "portfolio.json", pol).commitment()
    assert (att.chain_id, att.registry) == (pol.chain_id, pol.registry)
    assert att.verify()
    # a --chain-id contradicting the policy is refused
    r = run("attest", "sign", "--key", str(key), "--tag", "position", "--subject", SUBJECT,
            "--chain-id", "1", "--policy", str(DEMO / "policy.json"),
            "--portfolio", str(DEMO / "portfolio.json"), "-o", str(tmp_path / "q.json"))
    assert r.exit_code == 2 and "--chain-id" in r.output
    assert not (tmp_path / "q.json").exists()


def _tamper(path: Path, **changes) -> Path:
    obj = json.loads(path.read_text())
    for k, v in changes.items():
        if "." in k:
            a, b = k.split(".")
            obj[a][b] = v
        else:
            obj[k] = v
    out = path.with_name("tampered.json")
    out.write_text(json.dumps(obj))
    return out


@pytest.mark.parametrize("changes", [
    {"tag": "reserve"}, {"chain_id": "1"}, {"registry": "0x" + "11" * 20},
    {"subject": "0x" + "22" * 20}, {"commitment": "123456780"}, {"as_of": "1764460801"},
    {"signature.s": "1"},
    {"attester.x": str(eddsa.public_key(7)[0]), "attester.y": str(eddsa.public_key(7)[1])},
])
def test_tampered_attestation_is_invalid_exit_1(keyed, tmp_path, changes):
    _, key, _ = keyed
    _, att = sign(tmp_path, key)
    r = run("attest", "verify", str(_tamper(att, **changes)))
    assert r.exit_code == 1 and "INVALID" in r.output


def test_cryptographic_refusals_exit_1(keyed, tmp_path):
    _, key, _ = keyed
    _, att = sign(tmp_path, key)
    obj = json.loads(att.read_text())
    s = int(obj["signature"]["s"])
    t8 = bj.mul(bj.GENERATOR, bj.SUBORDER)
    r8 = bj.mul(bj.BASE8, 99)
    for changes in ({"signature.s": str(s + bj.SUBORDER)},                  # S >= l alias
                    {"signature.r8y": str((int(obj["signature"]["r8y"]) + 1) % R)},
                    {"attester.x": str(t8[0]), "attester.y": str(t8[1]),   # small order
                     "signature.r8x": str(r8[0]), "signature.r8y": str(r8[1]),
                     "signature.s": "99"}):
        r = run("attest", "verify", str(_tamper(att, **changes)))
        assert r.exit_code == 1, (changes, r.output)


def test_other_attester_than_expected_is_invalid(keyed, tmp_path):
    _, key, _ = keyed
    _, att = sign(tmp_path, key)
    other = tmp_path / "other.key.json"
    assert run("attest", "keygen", "--key", str(other)).exit_code == 0
    r = run("attest", "verify", str(att), "--attester", str(tmp_path / "other.key.pub.json"))
    assert r.exit_code == 1 and "another attester" in r.output
    r = run("attest", "verify", str(att), "--subject", "0x" + "33" * 20)
    assert r.exit_code == 1 and "'subject'" in r.output


@pytest.mark.parametrize("changes,field", [
    ({"tag": "loan"}, "field 'tag'"), ({"chain_id": "1e3"}, "field 'chain_id'"),
    ({"chain_id": str(1 << 64)}, "field 'chain_id'"), ({"registry": "0x" + "1" * 41},
                                                        "field 'registry'"),
    ({"commitment": str(R)}, "field 'commitment'"), ({"as_of": "-5"}, "field 'as_of'"),
    ({"signature.s": str(R)}, "signature.s"), ({"kind": "x"}, "field 'kind'"),
    ({"extra": "1"}, "field 'extra'"), ({"attester.x": " 5"}, "field 'attester'.x"),
])
def test_malformed_attestation_exit_2_names_file_and_field(keyed, tmp_path, changes, field):
    _, key, _ = keyed
    _, att = sign(tmp_path, key)
    bad = _tamper(att, **changes)
    r = run("attest", "verify", str(bad))
    assert r.exit_code == 2, r.output
    assert str(bad) in r.output and field in r.output


def test_malformed_json_and_duplicates_exit_2(keyed, tmp_path):
    _, key, _ = keyed
    _, att = sign(tmp_path, key)
    text = att.read_text()
    for i, body in enumerate(("{", text.replace('"tag"', '"tag": "reserve", "tag"', 1),
                              text.replace('"1764460800"', "1764460800.0"), "[]")):
        p = tmp_path / f"m{i}.json"
        p.write_text(body)
        r = run("attest", "verify", str(p))
        assert r.exit_code == 2 and str(p) in r.output, (i, r.output)


def test_key_file_readable_by_others_is_refused(keyed, tmp_path):
    _, key, _ = keyed
    os.chmod(key, 0o644)
    r, att = sign(tmp_path, key)
    assert r.exit_code == 2 and "chmod 600" in r.output and not att.exists()


def test_sign_option_errors_exit_2(keyed, tmp_path):
    _, key, _ = keyed
    base = ["attest", "sign", "--key", str(key), "--tag", "position", "--chain-id", "1",
            "--registry", REGISTRY, "-o", str(tmp_path / "x.json")]
    for extra, needle in ((["--subject", "0x" + "1" * 41, "--commitment", "1"], "--subject"),
                          (["--subject", SUBJECT, "--commitment", str(R)], "--commitment"),
                          (["--subject", SUBJECT], "--commitment"),
                          (["--subject", SUBJECT, "--commitment", "1", "--as-of", "-1"],
                           "--as-of")):
        r = run(*base, *extra)
        assert r.exit_code == 2 and needle in r.output, (extra, r.output)
    assert not (tmp_path / "x.json").exists()
