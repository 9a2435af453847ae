"""Library API for any circuit: key folders, proof files, verification by name.

A key folder (prover.keyset: versioned sets behind a ``current`` pointer) holds
``proving_key.zkpk`` and ``verification_key.json``; the latter is
snarkjs-compatible and also embeds the circuit's ``statement`` (zk.statement) and its
``key_id`` (verifier_contracts.vk.key_id), which proof.json names too.
"""
from __future__ import annotations

from pathlib import Path

from prover import keyset
from verifier_contracts.vk import MAX_PUBLIC, key_id
from zk import CompiledCircuit, atomic, groth16, progress
from zk.errors import MalformedInput, WrongKey
from zk.formats import keyfile
from zk.formats import snarkjs_json as sj
from zk.groth16 import Proof, ProvingKey, VerifyingKey
from zk.statement import Statement

PK_NAME = keyset.PK_NAME
VK_NAME = keyset.VK_NAME
MAX_PROOF_BYTES = 1 << 16
MAX_PUBLIC_BYTES = 1 << 22
MAX_VK_BYTES = 64 << 20


def key_id_of(vk: VerifyingKey, statement: Statement | None) -> bytes | None:
    """The key id of (vk, statement), or None without a statement or for a key no EVM
    verifier takes (no public input, or more than 1024)."""
    if statement is None or not 1 <= vk.num_public <= MAX_PUBLIC:
        return None
    return key_id(vk, statement)


def write_vk(path: str | Path, vk: VerifyingKey, statement: Statement | None) -> None:
    """verification_key.json with the statement and key id embedded (atomic)."""
    atomic.write_json(path, sj.vk_to_json(vk, statement, key_id_of(vk, statement)))


def write_keys(out_dir: str | Path, pk: ProvingKey, vk: VerifyingKey,
               statement: Statement | None) -> keyset.KeySet:
    """Commit (pk, vk + statement) as the new current key set of ``out_dir``
    (prover.keyset: a new version folder, then an atomic pointer switch)."""
    def write(folder: Path) -> None:
        keyfile.save(folder / PK_NAME, pk)
        write_vk(folder / VK_NAME, vk, statement)
    return keyset.commit(out_dir, write, statement.hash().hex() if statement else None)


def setup_to_dir(cs: CompiledCircuit, out_dir: str | Path) -> ProvingKey:
    """Development setup; commits the proving key and the verification key (+ statement)
    as the new key set of out_dir."""
    with progress.step(f"setup ({cs.num_constraints} constraints)"):
        pk = groth16.setup(cs)
    with progress.step("write keys"):
        write_keys(out_dir, pk, pk.vk, cs.statement)
    return pk


def vk_file(path: str | Path) -> Path:
    """A verification_key.json, or the one of a key folder's current (checked) set."""
    p = Path(path)
    return keyset.load(p, proving_key=False).vk if p.is_dir() else p


def load_proving_key(path: str | Path, cs: CompiledCircuit | None = None) -> ProvingKey:
    """Read a proving key (a key folder's current set, checked against its manifest, or a
    .zkpk file), checking it was made for this circuit when cs is given: same digest,
    and (for a key folder) the same statement in its verification key."""
    p = Path(path)
    ks = keyset.load(p, proving_key=False) if p.is_dir() else None
    if ks is None:
        pk = keyfile.load(p)
    else:       # the manifest's hash of the key comes from the pass that checks its checksum
        pk = keyfile.load(keyset.present(ks, keyset.PK_NAME), lambda sha256:
                          keyset.check_file(ks, keyset.PK_NAME, "pk_sha256", sha256))
        vk, st = read_vk(ks.vk)
        if vk != pk.vk:
            raise MalformedInput(f"{ks.vk}: not the verifying key of {ks.pk}")
    if cs is None:
        return pk
    if pk.circuit_digest and pk.circuit_digest != cs.digest():
        raise MalformedInput(f"{path}: proving key was made for another circuit "
                             f"({pk.circuit_digest[:12]}..., this one is {cs.digest()[:12]}...; "
                             "keys made before the packed-matrix digest need a new setup)")
    if ks is not None and st is not None and st != cs.statement:
        raise MalformedInput(f"{ks.vk}: keys were made for another statement "
                             f"({st.circuit}; this circuit is {cs.statement.circuit})")
    return pk


def read_vk(path: str | Path) -> tuple[VerifyingKey, Statement | None]:
    """(verifying key, its statement or None for a plain snarkjs key); an embedded key id
    must be the one of this key and statement."""
    return parse_vk(atomic.read_json(path, MAX_VK_BYTES), path)


def parse_vk(obj: object, path: str | Path) -> tuple[VerifyingKey, Statement | None]:
    """A parsed verification_key.json: (key, statement or None); see :func:`read_vk`."""
    vk = sj.vk_from_json(obj, str(path))
    st, kid = sj.vk_extras_from_json(obj, vk, str(path))
    if kid is not None and kid != key_id_of(vk, st):
        raise MalformedInput(f"{path}: key_id does not match the key and its statement")
    return vk, st


def proof_json(proof: Proof, vk: VerifyingKey, statement: Statement | None = None) -> dict:
    """snarkjs proof.json plus the key id it is for (or, without a statement, the key's
    content hash)."""
    kid = key_id_of(vk, statement)
    extra = {"key_id": "0x" + kid.hex()} if kid else {"vk_hash": vk.hash()}
    return {**sj.proof_to_json(proof), **extra}


def write_proof(proof: Proof, public: list[int], vk: VerifyingKey, proof_path: str | Path,
                public_path: str | Path, statement: Statement | None = None) -> None:
    """Write proof.json (naming the key id) and public.json atomically."""
    atomic.write_json(proof_path, proof_json(proof, vk, statement))
    atomic.write_json(public_path, sj.public_to_json(public))


def _check_proof_key(obj: dict, path: str | Path, vk: VerifyingKey,
                     statement: Statement | None) -> None:
    """A key id or vk_hash that proof.json names must be the given key's."""
    if "key_id" in obj:
        kid = key_id_of(vk, statement)
        if kid is None or obj["key_id"] != "0x" + kid.hex():
            raise WrongKey(f"{path}: proof is for another key or statement "
                                 f"(key_id {obj['key_id'][:14]}...)")
    if "vk_hash" in obj and obj["vk_hash"] != vk.hash():
        raise WrongKey(f"{path}: proof is for another verification key "
                             f"(vk_hash {str(obj['vk_hash'])[:12]}...)")


def parse_proof(obj: object, path: str | Path, vk: VerifyingKey | None = None,
                statement: Statement | None = None) -> Proof:
    """A parsed proof.json; a key id or vk_hash it names must be the given key's."""
    proof = sj.proof_from_json(obj, str(path))
    if vk is not None and isinstance(obj, dict):  # proof_from_json refused a non-dict
        _check_proof_key(obj, path, vk, statement)
    return proof


def read_proof(path: str | Path, vk: VerifyingKey | None = None,
               statement: Statement | None = None) -> Proof:
    """Read proof.json; a key id or vk_hash it names must be the given key's."""
    return parse_proof(atomic.read_json(path, MAX_PROOF_BYTES), path, vk, statement)


def read_public(path: str | Path) -> list[int]:
    return sj.public_from_json(atomic.read_json(path, MAX_PUBLIC_BYTES), str(path))


def read_public_and_proof(public_path: str | Path, proof_path: str | Path,
                          vk: VerifyingKey | None = None, statement: Statement | None = None,
                          names: tuple[str, str] = ("PUBLIC", "PROOF"),
                          before: tuple[tuple[str, str, str, object], ...] = (),
                          ) -> tuple[list[int], Proof]:
    """(public inputs, proof) from their files; files given the wrong way round are
    refused with a message naming which argument was read as what (``before``: the
    command's earlier file arguments, checked along, as (NAME, path, kind, parsed))."""
    cap = max(MAX_PUBLIC_BYTES, MAX_PROOF_BYTES)
    pub = atomic.read_json(public_path, cap)
    prf = atomic.read_json(proof_path, cap)
    sj.check_roles([*before, (names[0], str(public_path), "public inputs", pub),
                    (names[1], str(proof_path), "proof", prf)])
    return (sj.public_from_json(pub, str(public_path)),
            parse_proof(prf, proof_path, vk, statement))


def verify_files(vk_path: str | Path, public_path: str | Path,
                 proof_path: str | Path) -> bool:
    """True iff the proof verifies (snarkjs order: VK PUBLIC PROOF); MalformedInput for
    malformed or swapped files, including public values outside the bit bounds the
    statement proves. ``vk_path`` may be a key folder (its current set)."""
    vk_path = vk_file(vk_path)
    vk_obj = atomic.read_json(vk_path, MAX_VK_BYTES)
    vk_arg = ("VK", str(vk_path), "verification key", vk_obj)
    if sj.kind_of(vk_obj) != "verification key":
        read_public_and_proof(public_path, proof_path, before=(vk_arg,))
    vk, st = parse_vk(vk_obj, vk_path)
    public, proof = read_public_and_proof(public_path, proof_path, vk, st, before=(vk_arg,))
    if st is not None:
        st.values(public)
    return groth16.verify(vk, proof, public)
