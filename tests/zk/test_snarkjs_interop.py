"""snarkjs (an independent implementation) accepts our proofs and keys and rejects tampering."""
from __future__ import annotations

import json
import subprocess

import pytest

from zk import atomic, compile_circuit, groth16
from zk.formats import snarkjs_json as sj
from zk.testing import node_bin

from .circuits_for_tests import Cube, Sum


def snarkjs_verify(tmp, vk: dict, proof: dict, public: list) -> subprocess.CompletedProcess:
    for name, obj in (("vk.json", vk), ("proof.json", proof), ("public.json", public)):
        atomic.write_json(tmp / name, obj)
    return subprocess.run([node_bin("snarkjs"), "groth16", "verify", str(tmp / "vk.json"),
                           str(tmp / "public.json"), str(tmp / "proof.json")],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("circuit,inputs", [(Cube(), {"x": 3, "y": 35, "epoch": 11}),
                                            (Sum(n=4), {"xs": [1, 2, 3, 250]})])
def test_snarkjs_accepts_our_proof_and_rejects_tampered(tmp_path, backend, circuit, inputs):
    cs = compile_circuit(circuit)
    pk = groth16.setup(cs, backend)
    w = cs.solve(inputs)
    proof = groth16.prove(pk, w, backend)
    vk, pj, pub = sj.vk_to_json(pk.vk), sj.proof_to_json(proof), \
        sj.public_to_json(cs.public_values(w))
    ok = snarkjs_verify(tmp_path, vk, pj, pub)
    assert ok.returncode == 0 and "OK" in ok.stdout, ok.stdout + ok.stderr
    bad_pub = [str(int(pub[0]) + 1), *pub[1:]]
    bad = snarkjs_verify(tmp_path, vk, pj, bad_pub)
    assert bad.returncode != 0 and "Invalid proof" in bad.stdout + bad.stderr
    tampered = json.loads(json.dumps(pj))
    tampered["pi_c"], tampered["pi_a"] = pj["pi_a"], pj["pi_c"]
    bad = snarkjs_verify(tmp_path, vk, tampered, pub)
    assert bad.returncode != 0
