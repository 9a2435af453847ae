"""Proofs and public signals (snarkjs `proof.json` / `public.json`) as EVM call arguments."""
from __future__ import annotations

from verifier_contracts.encoding import g2_evm, hex_word, parse_uint
from verifier_contracts.vk import verify_selector
from zk import curve
from zk.errors import MalformedInput
from zk.field import R
from zk.formats import snarkjs_json
from zk.groth16.keys import Proof


def parse_proof(proof: dict | Proof) -> Proof:
    """A zk Proof from a snarkjs proof dict (coordinates < q, on curve, B in the subgroup),
    or the Proof itself (as ``zk.groth16.prove`` returns it)."""
    if isinstance(proof, Proof):
        return proof
    return snarkjs_json.proof_from_json(proof)


def parse_public(public: list, n_public: int | None = None) -> list[int]:
    """Validate public signals: a list of integers in [0, r), of length n_public if given."""
    if not isinstance(public, list):
        raise MalformedInput("public signals: expected a JSON list")
    if n_public is not None and len(public) != n_public:
        raise MalformedInput(f"public signals: expected {n_public} values, got {len(public)}")
    if not public:
        raise MalformedInput("public signals: empty list")
    return [parse_uint(v, f"public signal [{i}]", R) for i, v in enumerate(public)]


def proof_args(proof: dict | Proof, public: list, n_public: int | None = None):
    """(a, b, c, pub) integer arguments of verifyProof, B in the EVM limb order."""
    p = parse_proof(proof)
    pub = parse_public(public, n_public)
    (bx1, bx0, by1, by0) = g2_evm(curve.g2_coords(p.b))
    return list(curve.g1_coords(p.a)), [[bx1, bx0], [by1, by0]], \
        list(curve.g1_coords(p.c)), pub


def encode_verify_call(proof: dict | Proof, public: list, n_public: int | None = None) -> bytes:
    """ABI calldata of verifyProof(a, b, c, pub[N]) (selector for N = len(public))."""
    a, b, c, pub = proof_args(proof, public, n_public)
    words = a + b[0] + b[1] + c + pub
    return verify_selector(len(pub)) + b"".join(int(w).to_bytes(32, "big") for w in words)


def raw_verify_call(words: list[int], n_public: int) -> bytes:
    """Unchecked calldata from raw words (for testing what a contract does with bad input)."""
    return verify_selector(n_public) + b"".join(
        (int(w) % (1 << 256)).to_bytes(32, "big") for w in words)


def solidity_calldata(proof: dict | Proof, public: list) -> str:
    """The calldata string `snarkjs zkey export soliditycalldata` prints."""
    a, b, c, pub = proof_args(proof, public)

    def pair(v):
        return "[" + ", ".join(f'"{hex_word(x)}"' for x in v) + "]"

    inputs = "[" + ",".join(f'"{hex_word(x)}"' for x in pub) + "]"
    return f"{pair(a)},[{pair(b[0])},{pair(b[1])}],{pair(c)},{inputs}"
