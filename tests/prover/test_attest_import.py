"""Importing circomlibjs private keys: BLAKE-512 against blake-hash, and the imported key
equal to circomlibjs's, its attestations verified by circomlibjs verifyPoseidon."""
from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from circuits.attestation import attestation_message
from prover import attest as lib
from prover.blake512 import blake512
from prover.cli import main
from tests.std.circomlibjs_oracle import make_runner, point
from zk.std import babyjub as bj

SEEDS = ["00" * 32, "01" * 32, bytes(range(32)).hex(), "ff" * 32,
         "7d6b3c1f9a2e4b5c8d0f1e2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"]
SUBJECT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture(scope="module")
def circomlibjs(tmp_path_factory):
    return make_runner(tmp_path_factory.mktemp("circomlibjs_import"))


def test_blake512_matches_blake_hash(circomlibjs):
    """Every padding case: empty, one block, 111/112 bytes (split padding), many blocks."""
    datas = [bytes((i * 7 + n) & 255 for i in range(n)) for n in range(0, 300)]
    got = circomlibjs([{"op": "blake512", "hex": d.hex()} for d in datas])
    assert [blake512(d).hex() for d in datas] == got


def test_imported_key_equals_circomlibjs_key(circomlibjs):
    theirs = circomlibjs([{"op": "sign", "prv": s, "msg": 1} for s in SEEDS])
    for seed, t in zip(SEEDS, theirs, strict=True):
        key = lib.key_from_circomlibjs(bytes.fromhex(seed))
        assert key.public == point(t["a"])
        assert key.secret == int(t["k"]) % bj.SUBORDER


def test_keygen_import_then_sign_verifies_in_circomlibjs(circomlibjs, tmp_path):
    seed = tmp_path / "seed.hex"
    fd = os.open(seed, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(SEEDS[4] + "\n")
    key = tmp_path / "k.json"
    r = CliRunner().invoke(main, ["attest", "keygen", "--key", str(key),
                                  "--import-circomlibjs", str(seed)])
    assert r.exit_code == 0, r.output
    assert SEEDS[4] not in r.output and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    pub = json.loads((tmp_path / "k.pub.json").read_text())
    r = CliRunner().invoke(main, ["attest", "sign", "--key", str(key), "--tag", "position",
                                  "--chain-id", "31337", "--registry", REGISTRY,
                                  "--subject", SUBJECT, "--commitment", "42",
                                  "--as-of", "1764460800", "-o", str(tmp_path / "a.json")])
    assert r.exit_code == 0, r.output
    att = lib.load_attestation(tmp_path / "a.json")
    msg = att.message()
    assert msg == attestation_message(att.tag, 31337, int(REGISTRY, 16), int(SUBJECT, 16), 42,
                                      1764460800)
    theirs = circomlibjs([{"op": "sign", "prv": SEEDS[4], "msg": 1},
                          {"op": "verify", "msg": msg, "a": att.attester, "s": att.signature.s,
                           "r8": [att.signature.r8x, att.signature.r8y]},
                          {"op": "verify", "msg": msg + 1, "a": att.attester,
                           "s": att.signature.s,
                           "r8": [att.signature.r8x, att.signature.r8y]}])
    assert point(theirs[0]["a"]) == (int(pub["x"]), int(pub["y"])) == att.attester
    assert theirs[1:] == [True, False]


@pytest.mark.parametrize("content", ["", "00" * 31, "00" * 33, "zz" * 32, " " + "00" * 32,
                                     "00" * 32 + "\n\n", "0x" + "0g" * 32])
def test_malformed_seed_file_exit_2(tmp_path, content):
    seed = tmp_path / "seed.hex"
    seed.write_text(content)
    r = CliRunner().invoke(main, ["attest", "keygen", "--key", str(tmp_path / "k.json"),
                                  "--import-circomlibjs", str(seed)])
    assert r.exit_code == 2 and str(seed) in r.output
    assert not (tmp_path / "k.json").exists()
