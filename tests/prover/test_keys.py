"""Key folders: the statement and key id embedded in verification_key.json (snarkjs still
reads it), proof.json naming the key id, and one Proof/VerifyingKey type on the EVM."""
from __future__ import annotations

import json
import subprocess

import pytest
import sha3  # safe-pysha3: an independent keccak-256 implementation

from prover import workflow
from verifier_contracts import connect, deploy_verifier, encode_verify_call, key_id, verify_on_chain
from verifier_contracts.verifier import VKHASH_SELECTOR
from zk import compile_circuit, groth16
from zk.errors import MalformedInput, WrongKey
from zk.statement import Statement
from zk.testing import node_bin

from ..zk.circuits_for_tests import Cube


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("cube")
    cs = compile_circuit(Cube())
    pk = workflow.setup_to_dir(cs, d / "keys")
    w = cs.solve({"x": 3, "y": 35, "epoch": 11})
    proof = groth16.prove(pk, w)
    workflow.write_proof(proof, cs.public_values(w), pk.vk, d / "proof.json",
                         d / "public.json", cs.statement)
    return d, cs, pk, proof, cs.public_values(w)


def test_vk_file_embeds_statement_and_key_id(folder):
    d, cs, pk, _, _ = folder
    vk, st = workflow.read_vk(d / "keys" / workflow.VK_NAME)
    assert vk == pk.vk and st == cs.statement
    obj = json.loads((d / "keys" / workflow.VK_NAME).read_text())
    assert Statement.from_json(obj["statement"]) == cs.statement
    assert obj["key_id"] == "0x" + key_id(vk, st).hex()
    assert json.loads((d / "proof.json").read_text())["key_id"] == obj["key_id"]
    assert workflow.verify_files(d / "keys" / workflow.VK_NAME, d / "public.json",
                                 d / "proof.json")


def test_snarkjs_verifies_with_our_extended_files(folder):
    d = folder[0]
    out = subprocess.run([node_bin("snarkjs"), "groth16", "verify",
                          str(d / "keys" / workflow.VK_NAME), str(d / "public.json"),
                          str(d / "proof.json")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "OK" in out.stdout, out.stdout + out.stderr


def test_relabelled_statement_or_foreign_key_id_is_refused(folder, tmp_path):
    d, cs, pk, _, _ = folder
    obj = json.loads((d / "keys" / workflow.VK_NAME).read_text())
    relabelled = json.loads(json.dumps(obj))
    relabelled["statement"]["inputs"][0]["name"] = "z"
    forged = dict(obj, key_id="0x" + "00" * 32)
    for bad in (relabelled, forged):
        (tmp_path / "vk.json").write_text(json.dumps(bad))
        with pytest.raises(MalformedInput, match="key_id does not match"):
            workflow.read_vk(tmp_path / "vk.json")
    # a proof that names another key id is refused before any pairing
    p = json.loads((d / "proof.json").read_text())
    (tmp_path / "proof.json").write_text(json.dumps(dict(p, key_id="0x" + "11" * 32)))
    with pytest.raises(WrongKey, match="another key or statement"):
        workflow.verify_files(d / "keys" / workflow.VK_NAME, d / "public.json",
                              tmp_path / "proof.json")
    # keys made for another statement are not used to prove this circuit
    other = compile_circuit(Cube())
    other.__dict__["statement"] = Statement.from_json(relabelled["statement"])
    with pytest.raises(MalformedInput, match="another statement"):
        workflow.load_proving_key(d / "keys", other)


def test_one_proof_and_key_type_on_the_evm(folder):
    """zk's VerifyingKey deploys, zk's Proof encodes, and the chain's vkHash() with the
    statement hash gives the key id written in the key file."""
    d, cs, pk, proof, public = folder
    chain = connect()
    address = deploy_verifier(chain, pk.vk)
    assert verify_on_chain(chain, address, proof, public) is True
    assert chain.call(address, encode_verify_call(proof, public))[-1] == 1
    bad = [public[0] + 1, *public[1:]]
    assert chain.call(address, encode_verify_call(proof, bad))[-1] == 0
    on_chain = chain.call(address, VKHASH_SELECTOR)
    obj = json.loads((d / "keys" / workflow.VK_NAME).read_text())
    assert "0x" + sha3.keccak_256(on_chain + cs.statement.hash()).hexdigest() == obj["key_id"]
