"""`ceremony` command group: the README production path on a tiny circom circuit."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from prover import keyset
from prover.commands.ceremony import ceremony
from tests.formats import iden3_env as env
from zk.errors import SetupError
from zk.formats import keyfile
from zk.formats.iden3 import read_wtns
from zk.formats.snarkjs_json import vk_from_json
from zk.groth16 import prove, verify


def _ok(args, runner):
    res = runner.invoke(ceremony, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_production_path(circuits, ptau_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ZK_BACKEND", "reference")
    c = circuits("mul")
    r1cs, d, runner = c["r1cs"], tmp_path, CliRunner()
    _ok(["new", r1cs, ptau_path, d / "c0.zkey"], runner)
    out = _ok(["contribute", d / "c0.zkey", d / "c1.zkey", "--name", "alice",
               "--entropy-text", "dice"], runner)
    assert "contribution hash" in out
    with pytest.raises(SetupError, match="already exists"):
        runner.invoke(ceremony, ["contribute", str(d / "c0.zkey"), str(d / "c1.zkey")],
                      catch_exceptions=False)
    env.snarkjs("zkey", "contribute", "c1.zkey", "c2.zkey", "--name=bob", "-e=x", cwd=d)
    _ok(["beacon", d / "c2.zkey", d / "final.zkey", "ab" * 32, "10"], runner)
    out = _ok(["verify", r1cs, ptau_path, d / "final.zkey"], runner)
    assert "ZKey OK" in out and "alice" in out and "(beacon)" in out
    # keys/ already holds a development set: replacing it needs --force, and the new set
    # is one unit (nothing of the old set is left beside it)
    _ok(["export", d / "c1.zkey", "--development", "-o", d / "keys"], runner)
    with pytest.raises(SetupError, match="already holds keys; --force"):
        runner.invoke(ceremony, ["export", str(d / "final.zkey"), str(r1cs), str(ptau_path),
                                 "-o", str(d / "keys")], catch_exceptions=False)
    _ok(["export", d / "final.zkey", r1cs, ptau_path, "-o", d / "keys", "--force"], runner)
    current = keyset.load(d / "keys")
    assert sorted(p.name for p in current.folder.iterdir()) == \
        ["manifest.json", "proving_key.zkpk", "verification_key.json"]
    assert json.loads(current.vk.read_text())["development_setup"] is False
    res = env.snarkjs("zkey", "verify", str(r1cs), str(ptau_path), "final.zkey", cwd=d)
    assert "ZKey Ok!" in res.stdout
    pk = keyfile.load(d / "keys" / "proving_key.zkpk")
    vk = vk_from_json(json.loads((d / "keys" / "verification_key.json").read_text()))
    assert not vk.development and vk == pk.vk
    w = read_wtns(c["wtns"])
    assert verify(vk, prove(pk, w), w[1:1 + pk.num_public])


def test_export_of_uncontributed_key_refused(circuits, ptau_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ZK_BACKEND", "reference")
    c = circuits("mul")
    runner = CliRunner()
    _ok(["new", c["r1cs"], ptau_path, tmp_path / "c0.zkey"], runner)
    res = runner.invoke(ceremony, ["export", str(tmp_path / "c0.zkey"), "--development",
                                   "-o", str(tmp_path / "keys")])
    assert isinstance(res.exception, SetupError)
    assert not (tmp_path / "keys").exists()
