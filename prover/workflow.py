"""Library API for any circuit: set up to a folder, prove to files, verify files."""
from __future__ import annotations

from pathlib import Path

from zk import CompiledCircuit, atomic, groth16
from zk.errors import MalformedInput
from zk.formats import keyfile
from zk.formats import snarkjs_json as sj
from zk.groth16 import Proof, ProvingKey, VerifyingKey

PK_NAME = "proving_key.zkpk"
VK_NAME = "verification_key.json"
INFO_NAME = "circuit.json"


def setup_to_dir(cs: CompiledCircuit, out_dir: str | Path) -> ProvingKey:
    """Development setup; writes proving key, snarkjs verification key and circuit info."""
    out = Path(out_dir)
    pk = groth16.setup(cs)
    keyfile.save(out / PK_NAME, pk)
    atomic.write_json(out / VK_NAME, sj.vk_to_json(pk.vk))
    atomic.write_json(out / INFO_NAME, {"circuit": cs.name, "digest": cs.digest(),
                                        "vk_hash": pk.vk.hash(), "development_setup": True,
                                        **cs.info()})
    return pk


def load_proving_key(path: str | Path, cs: CompiledCircuit | None = None) -> ProvingKey:
    """Read a proving key, checking it was made for this circuit shape when cs is given."""
    p = Path(path)
    pk = keyfile.load(p / PK_NAME if p.is_dir() else p)
    if cs is not None and pk.circuit_digest and pk.circuit_digest != cs.digest():
        raise MalformedInput(f"{path}: proving key was made for another circuit "
                             f"({pk.circuit_digest[:12]}..., this one is {cs.digest()[:12]}...; "
                             "keys made before the packed-matrix digest need a new setup)")
    return pk


def proof_json(proof: Proof, vk: VerifyingKey) -> dict:
    """snarkjs proof.json plus the content hash of the key it is for."""
    return {**sj.proof_to_json(proof), "vk_hash": vk.hash()}


def write_proof(proof: Proof, public: list[int], vk: VerifyingKey, proof_path: str | Path,
                public_path: str | Path) -> None:
    """Write proof.json and public.json atomically."""
    atomic.write_json(proof_path, proof_json(proof, vk))
    atomic.write_json(public_path, sj.public_to_json(public))


def read_vk(path: str | Path) -> VerifyingKey:
    return sj.vk_from_json(atomic.read_json(path, 64 << 20), str(path))


def read_proof(path: str | Path, vk: VerifyingKey | None = None) -> Proof:
    """Read proof.json; if it names a vk_hash, it must be the given key's."""
    obj = atomic.read_json(path, 1 << 16)
    proof = sj.proof_from_json(obj, str(path))
    if vk is not None and isinstance(obj, dict) and "vk_hash" in obj \
            and obj["vk_hash"] != vk.hash():
        raise MalformedInput(f"{path}: proof is for another verification key "
                             f"(vk_hash {str(obj['vk_hash'])[:12]}...)")
    return proof


def read_public(path: str | Path) -> list[int]:
    return sj.public_from_json(atomic.read_json(path, 1 << 22), str(path))


def verify_files(vk_path: str | Path, proof_path: str | Path,
                 public_path: str | Path) -> bool:
    """True iff the proof verifies; MalformedInput for malformed files."""
    vk = read_vk(vk_path)
    return groth16.verify(vk, read_proof(proof_path, vk), read_public(public_path))
