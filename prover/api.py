"""One-call helpers of the library: prove, verify and encode for the verifier contract.

    bundle = full_prove("circuits.examples:ReserveCheck", inputs, "keys")
    verify("keys", bundle.public, bundle.proof)          # True
    to_calldata(bundle.proof, bundle.public)             # verifyProof(...) calldata

Each argument takes what a caller has at hand: a key folder or a verification_key.json
path or a loaded key; public inputs as a list or a public.json path; a proof as a
``Proof``, a snarkjs proof dict or a proof.json path.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence, Union

from prover import workflow
from prover.service import ProofBundle, Prover
from zk import Circuit, CompiledCircuit, atomic, groth16
from zk.formats import snarkjs_json as sj
from zk.groth16 import Proof, VerifyingKey
from zk.statement import Statement

PathLike = Union[str, "os.PathLike[str]"]
ProofLike = Union[Proof, Mapping[str, Any], PathLike]
PublicLike = Union[Sequence[Union[int, str]], PathLike]
KeyLike = Union[VerifyingKey, PathLike]


def full_prove(circuit: str | Circuit | CompiledCircuit, inputs: Mapping[str, Any],
               keys: PathLike) -> ProofBundle:
    """Load the keys and prove once (snarkjs ``fullProve``); for many proofs keep a
    :class:`~prover.service.Prover` instead, which loads the keys once."""
    return Prover.load(keys, circuit).prove(dict(inputs))


def _public(public: PublicLike) -> list[int]:
    if isinstance(public, (str, os.PathLike)):
        return workflow.read_public(Path(public))
    return sj.public_from_json([str(v) if isinstance(v, int) else v for v in public],
                               "public inputs")


def _proof(proof: ProofLike, vk: VerifyingKey, statement: Statement | None) -> Proof:
    if isinstance(proof, Proof):
        return proof
    if isinstance(proof, (str, os.PathLike)):
        return workflow.read_proof(Path(proof), vk, statement)
    return workflow.parse_proof(dict(proof), "proof", vk, statement)


def verify(vk: KeyLike, public: PublicLike, proof: ProofLike) -> bool:
    """True iff the proof verifies (snarkjs order: VK, PUBLIC, PROOF). ``vk``: a key
    folder, a verification_key.json or a VerifyingKey. Malformed input raises
    MalformedInput; a proof that names another key raises WrongKey."""
    statement = None
    if isinstance(vk, VerifyingKey):
        key = vk
    else:
        key, statement = workflow.read_vk(workflow.vk_file(Path(vk)))
    values = _public(public)
    if statement is not None:
        statement.values(values)                  # bit bounds the statement proves
    return groth16.verify(key, _proof(proof, key, statement), values)


def to_calldata(proof: ProofLike, public: PublicLike) -> bytes:
    """ABI calldata of the verifier's ``verifyProof(a, b, c, pub)``."""
    from verifier_contracts.calldata import encode_verify_call
    if isinstance(proof, (str, os.PathLike)):
        p = sj.proof_from_json(atomic.read_json(proof, workflow.MAX_PROOF_BYTES), str(proof))
    else:
        p = proof if isinstance(proof, Proof) else sj.proof_from_json(dict(proof))
    return encode_verify_call(p, _public(public))
