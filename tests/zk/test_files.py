"""File round trips, strict parsing, corrupted and truncated files, atomic writes."""
from __future__ import annotations

import json
import os

import pytest

from zk import atomic, compile_circuit, groth16
from zk.backend import get_backend
from zk.errors import MalformedInput
from zk.field import Q, R
from zk.formats import keyfile
from zk.formats import snarkjs_json as sj

from .circuits_for_tests import Cube


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    be = get_backend("reference")
    cs = compile_circuit(Cube())
    pk = groth16.setup(cs, be)
    w = cs.solve({"x": 2, "y": 15, "epoch": 1})
    path = tmp_path_factory.mktemp("keys") / "pk.zkpk"
    keyfile.save(path, pk)
    return pk, groth16.prove(pk, w, be), cs.public_values(w), path


def test_proving_key_roundtrip(keys):
    pk, _, _, path = keys
    assert keyfile.load(path) == pk


def test_corrupted_proving_key_is_detected_at_any_byte(keys, tmp_path):
    _, _, _, path = keys
    data = path.read_bytes()
    for pos in range(0, len(data), max(1, len(data) // 97)):
        bad = bytearray(data)
        bad[pos] ^= 0x10
        p = tmp_path / "bad.zkpk"
        p.write_bytes(bytes(bad))
        with pytest.raises(MalformedInput, match="bad.zkpk"):
            keyfile.load(p)


def test_truncated_proving_key_is_detected_at_every_section_boundary(keys, tmp_path):
    _, _, _, path = keys
    data = path.read_bytes()
    cuts, pos = [0, 7, keyfile._HEAD.size], keyfile._HEAD.size
    while pos < len(data) - 32:
        _, length = keyfile._SEC.unpack_from(data, pos)
        cuts += [pos + 5, pos + keyfile._SEC.size, pos + keyfile._SEC.size + length // 2]
        pos += keyfile._SEC.size + length
    cuts += [len(data) - 1]
    for cut in cuts:
        p = tmp_path / "cut.zkpk"
        p.write_bytes(data[:cut])
        with pytest.raises(MalformedInput, match="cut.zkpk"):
            keyfile.load(p)


def test_huge_section_length_is_refused_before_allocating(keys, tmp_path):
    _, _, _, path = keys
    data = bytearray(path.read_bytes())
    off = keyfile._HEAD.size + 4
    data[off:off + 8] = (1 << 60).to_bytes(8, "little")
    p = tmp_path / "huge.zkpk"
    p.write_bytes(bytes(data))
    with pytest.raises(MalformedInput, match="more than the file holds"):
        keyfile.load(p)


def test_wrong_magic_and_version(keys, tmp_path):
    _, _, _, path = keys
    data = path.read_bytes()
    for bad, match in ((b"NOTAKEY!" + data[8:], "bad magic"),
                       (data[:8] + (99).to_bytes(4, "little") + data[12:], "version 99")):
        p = tmp_path / "k.zkpk"
        p.write_bytes(bad)
        with pytest.raises(MalformedInput, match=match):
            keyfile.load(p)


def test_snarkjs_json_roundtrip(keys):
    pk, proof, public, _ = keys
    assert sj.proof_from_json(json.loads(json.dumps(sj.proof_to_json(proof)))) == proof
    assert sj.vk_from_json(sj.vk_to_json(pk.vk)) == pk.vk
    assert sj.public_from_json(sj.public_to_json(public)) == public


@pytest.mark.parametrize("text", [
    "not json", "[]", '{"pi_a": 1}', '{"pi_a":[],"pi_b":[],"pi_c":[],"extra":1}',
    '{"pi_a":["1","2","1"],"pi_a":["1","2","1"]}', "NaN", '{"x": Infinity}', '{"x": 1.5}',
    '{"x": 1e400}',
])
def test_strict_json_rejects(text):
    with pytest.raises(MalformedInput):
        sj.proof_from_json(atomic.loads_strict(text, "proof.json"))


@pytest.mark.parametrize("mutate", [
    lambda p: p["pi_a"].__setitem__(0, str(int(p["pi_a"][0]) + Q)),      # alias >= q
    lambda p: p["pi_a"].__setitem__(0, " " + p["pi_a"][0]),
    lambda p: p["pi_a"].__setitem__(0, "+" + p["pi_a"][0]),
    lambda p: p["pi_a"].__setitem__(0, "0" + p["pi_a"][0]),
    lambda p: p["pi_a"].__setitem__(1, str((int(p["pi_a"][1]) + 1) % Q)),  # off curve
    lambda p: p["pi_a"].__setitem__(2, "0"),                                # infinity
    lambda p: p["pi_b"].__setitem__(0, p["pi_b"][0][::-1]),                  # limbs swapped
    lambda p: p.__setitem__("pi_b", p["pi_a"]),                             # B given as G1
    lambda p: p.__setitem__("protocol", "plonk"),
    lambda p: p.__setitem__("pi_c", p["pi_c"][:2]),
])
def test_malformed_proof_json_rejected(keys, mutate):
    _, proof, _, _ = keys
    obj = sj.proof_to_json(proof)
    mutate(obj)
    with pytest.raises(MalformedInput):
        sj.proof_from_json(obj)


@pytest.mark.parametrize("public", [[str(R)], ["-1"], ["1.0"], [1.5], ["0x10"], ["00"],
                                    "12", [str(2 ** 256)]])
def test_malformed_public_json_rejected(public):
    with pytest.raises(MalformedInput):
        sj.public_from_json(public)


def test_vk_json_checks(keys):
    pk, _, _, _ = keys
    obj = sj.vk_to_json(pk.vk)
    for key, val, match in (("nPublic", 5, "nPublic"), ("vk_hash", "00" * 32, "vk_hash"),
                            ("curve", "bls12381", "bn128")):
        bad = dict(obj, **{key: val})
        with pytest.raises(MalformedInput, match=match):
            sj.vk_from_json(bad)
    bad = dict(obj, vk_delta_2=obj["vk_gamma_2"])
    del bad["vk_hash"]
    with pytest.raises(MalformedInput, match="delta == gamma"):
        sj.vk_from_json(bad)


def test_file_size_cap(tmp_path):
    p = tmp_path / "big.json"
    p.write_bytes(b"[" + b"1," * 5000 + b"1]")
    with pytest.raises(MalformedInput, match="more than"):
        atomic.read_json(p, max_bytes=1000)


def test_atomic_write_leaves_old_content_on_failure(tmp_path, monkeypatch):
    p = tmp_path / "out.json"
    atomic.write_json(p, {"v": 1})

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_json(p, {"v": 2})
    assert json.loads(p.read_text()) == {"v": 1}
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]      # temp file removed
