"""One flow for every circuit: a key folder per circuit shape, setup, prove, and verify
with public values checked by name (through the circuit's Statement, never by offset).

A circuit's adapter (prover.collateral, prover.reserves) loads and validates its own
input files, builds the circuit and its named inputs, and says which public values the
verifier expects; everything else happens here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Mapping

from prover import keyset, workflow
from zk import Circuit, CompiledCircuit, atomic, compile_circuit, groth16, progress
from zk.errors import MalformedInput, WrongKey
from zk.statement import Statement

STATEMENT_NAME = "statement.json"


def key_folder(keys_dir: str | Path, kind: str, circuit: Circuit) -> Path:
    """``<keys_dir>/<kind>-<16 hex of SHA-256(circuit description)>``: one per shape."""
    desc = circuit.describe()
    return Path(keys_dir) / f"{kind}-{hashlib.sha256(desc.encode()).hexdigest()[:16]}"


def has_keys(folder: Path) -> bool:
    return keyset.resolve(folder) is not None


def setup(kind: str, circuit: Circuit, keys_dir: str | Path, force: bool = False,
          ) -> tuple[Path, bool]:
    """DEVELOPMENT setup for this circuit shape; (key folder, True if the existing keys
    were reused). Existing keys are reused unless ``force``; they are first checked
    (manifest hashes, pk/vk pair, same statement), so a broken set is never reused."""
    folder = key_folder(keys_dir, kind, circuit)
    with progress.step("compile"):
        cs = compile_circuit(circuit)
    if has_keys(folder) and not force:
        workflow.load_proving_key(folder, cs)
        return folder, True
    workflow.setup_to_dir(cs, folder)
    return folder, False


def prove(kind: str, circuit: Circuit, inputs: dict[str, Any], keys_dir: str | Path,
          out_dir: str | Path, cs: CompiledCircuit | None = None,
          setup_hint: str = "") -> tuple[dict[str, Any], CompiledCircuit]:
    """Prove into ``out_dir``: proof.json (naming the key id), public.json, and
    statement.json (what public.json means). Returns (public values by name, cs)."""
    folder = key_folder(keys_dir, kind, circuit)
    if not has_keys(folder):
        raise MalformedInput(f"{folder}: no keys for this circuit shape; run "
                             f"`{setup_hint or kind + ' setup'}` first")
    with progress.step("compile"):
        cs = cs or compile_circuit(circuit)
    pk = workflow.load_proving_key(folder, cs)
    with progress.step("witness"):
        witness = cs.solve(inputs)
    with progress.step("prove"):
        proof = groth16.prove(pk, witness)
    public = cs.public_values(witness)
    out = Path(out_dir)
    workflow.write_proof(proof, public, pk.vk, out / "proof.json", out / "public.json",
                         cs.statement)
    atomic.write_json(out / STATEMENT_NAME, cs.statement.to_json())
    return cs.statement.values(public), cs


def vk_path(keys_or_vk: str | Path) -> Path:
    return workflow.vk_file(keys_or_vk)


def mismatches(statement: Statement, public: list[int],
               expected: Mapping[str, Any]) -> list[str]:
    """Names of expected public inputs whose proven values differ (unknown names raise)."""
    values = statement.values(public)
    for name in expected:
        statement.input(name)
    return [name for name, want in expected.items() if values[name] != want]


def verify(keys_or_vk: str | Path, proof_path: str | Path, public_path: str | Path,
           expected: Mapping[str, Any] | None = None, what: str = "the given files",
           ) -> tuple[bool, str]:
    """(valid, reason): the proof verifies and every ``expected`` public value (by
    name: an int, or a list for an array) equals the proven one."""
    vk, st = workflow.read_vk(vk_path(keys_or_vk))
    public, proof = workflow.read_public_and_proof(public_path, proof_path, vk, st,
                                                   ("--public", "--proof"))
    if expected:
        if st is None:
            raise MalformedInput(f"{vk_path(keys_or_vk)}: no statement in the verification "
                                 "key, so public values cannot be checked by name")
        bad = mismatches(st, public, expected)
        if bad:
            return False, f"public inputs {', '.join(bad)} do not match {what}"
    elif st is not None:
        st.values(public)
    if not groth16.verify(vk, proof, public):
        return False, "the proof does not verify"
    return True, "proof is valid"


def find_vk(keys_dir: str | Path, proof_path: str | Path) -> Path:
    """The verification key in ``keys_dir`` (the folder setup and prove use: one key
    folder per circuit shape) whose key id proof.json names."""
    root = Path(keys_dir)
    if keyset.is_key_folder(root):
        raise MalformedInput(f"--keys {root}: this is one shape's key folder; --keys names "
                             f"the keys folder that setup and prove use (here {root.parent}),"
                             f" or give --vk {root / workflow.VK_NAME}")
    if not root.is_dir():
        raise MalformedInput(f"--keys {root}: no such folder")
    obj = atomic.read_json(proof_path, workflow.MAX_PROOF_BYTES)
    kid = obj.get("key_id") if isinstance(obj, dict) else None
    if not isinstance(kid, str):
        raise MalformedInput(f"{proof_path}: names no key_id, so its key cannot be looked up "
                             f"in {root}; give --vk")
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        ks = keyset.resolve(folder)
        vk_obj = atomic.read_json(ks.vk, workflow.MAX_VK_BYTES) if ks else None
        if ks is not None and isinstance(vk_obj, dict) and vk_obj.get("key_id") == kid:
            keyset.check(ks, proving_key=False)
            return ks.vk
    raise WrongKey(f"{proof_path}: no key in {root} has the proof's key id "
                   f"({kid[:14]}...): the proof was made with other keys")


def read_statement(path: str | Path) -> Statement:
    """A statement.json written by :func:`prove`."""
    return Statement.from_json(atomic.read_json(path, 1 << 20), str(path))
