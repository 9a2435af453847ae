"""Groth16 verifying keys (snarkjs `verification_key.json`): validation, content hash, key blob.

The key blob appended to the verifier template is the 32-byte big-endian words
    IC[0].x, IC[0].y, ..., IC[N].x, IC[N].y,
    delta, gamma (each x.c1, x.c0, y.c1, y.c0), alpha.x, alpha.y, beta,
    selector(N) << 32 | N
and `vk_hash` is its keccak256, exactly what a deployed verifier returns from `vkHash()`.

The **key id** binds that verifier key to what its inputs mean:
    key_id = keccak256(vk_hash32 || statement.hash())
(`zk.statement.Statement.hash`), so relabelled, reordered or re-bounded public inputs give
another key id. Registries check it at construction; it is not the key file's SHA-256.
"""
from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak
from py_ecc import optimized_bn128 as ob

from verifier_contracts.encoding import G1, G2, g2_evm, parse_g1, parse_g2, parse_uint, word
from zk.errors import MalformedInput
from zk.statement import Statement

MAX_PUBLIC = 1024
_KEYS = {"protocol", "curve", "nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2",
         "vk_delta_2", "vk_alphabeta_12", "IC", "vk_hash", "development_setup"}
_G2_GEN = ((ob.G2[0].coeffs[0], ob.G2[0].coeffs[1]), (ob.G2[1].coeffs[0], ob.G2[1].coeffs[1]))


@dataclass(frozen=True)
class VerifyingKey:
    """A validated Groth16 verifying key (affine integers, G2 as ((x.c0, x.c1), (y.c0, y.c1)))."""

    alpha: G1
    beta: G2
    gamma: G2
    delta: G2
    ic: tuple[G1, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


def parse_vk(vk: dict | VerifyingKey) -> VerifyingKey:
    """Validate a snarkjs verification key dict; raise MalformedInput naming the problem.

    Refuses: another protocol/curve, unknown keys, nPublic outside 1..1024 or not matching
    IC, points off curve/subgroup or at infinity, duplicated IC points, and keys without a
    phase-2 contribution (delta == gamma or delta == the G2 generator).
    """
    if isinstance(vk, VerifyingKey):
        return vk
    if not isinstance(vk, dict):
        raise MalformedInput("verification key: expected a JSON object")
    unknown = set(vk) - _KEYS
    if unknown:
        raise MalformedInput(f"verification key: unknown keys {sorted(unknown)}")
    if vk.get("protocol") != "groth16":
        raise MalformedInput("verification key: protocol must be 'groth16'")
    if vk.get("curve") not in ("bn128", "bn254"):
        raise MalformedInput("verification key: curve must be bn128 (BN254)")
    n = parse_uint(vk.get("nPublic"), "verification key: nPublic", MAX_PUBLIC + 1)
    ic_raw = vk.get("IC")
    if n < 1 or not isinstance(ic_raw, list) or len(ic_raw) != n + 1:
        raise MalformedInput(f"verification key: need 1 <= nPublic <= {MAX_PUBLIC} "
                             "and len(IC) == nPublic + 1")
    ic = tuple(parse_g1(p, f"IC[{i}]") for i, p in enumerate(ic_raw))
    if len(set(ic)) != len(ic):
        raise MalformedInput("verification key: duplicated IC points")
    key = VerifyingKey(alpha=parse_g1(vk.get("vk_alpha_1"), "vk_alpha_1"),
                       beta=parse_g2(vk.get("vk_beta_2"), "vk_beta_2"),
                       gamma=parse_g2(vk.get("vk_gamma_2"), "vk_gamma_2"),
                       delta=parse_g2(vk.get("vk_delta_2"), "vk_delta_2"),
                       ic=ic)
    if key.delta == key.gamma or key.delta == _G2_GEN:
        raise MalformedInput("verification key: delta equals gamma or the G2 generator "
                             "(no phase-2 contribution)")
    return key


def key_words(vk: dict | VerifyingKey) -> list[int]:
    """The key blob words (see module docstring)."""
    k = parse_vk(vk)
    words = [c for p in k.ic for c in p]
    words += g2_evm(k.delta) + g2_evm(k.gamma) + list(k.alpha) + g2_evm(k.beta)
    selector = int.from_bytes(verify_selector(k.n_public), "big")
    return words + [selector << 32 | k.n_public]


def verify_signature(n_public: int) -> str:
    """Solidity signature of the snarkjs-compatible entry point for n_public inputs."""
    return f"verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[{n_public}])"


def verify_selector(n_public: int) -> bytes:
    """4-byte selector of `verify_signature(n_public)`."""
    return keccak(text=verify_signature(n_public))[:4]


def vk_hash(vk: dict | VerifyingKey) -> str:
    """keccak256 of the key blob, as 0x-prefixed hex (the verifier's vkHash())."""
    return "0x" + keccak(key_blob(vk)).hex()


def key_blob(vk: dict | VerifyingKey) -> bytes:
    """The data appended to the verifier template (see module docstring)."""
    return b"".join(word(w) for w in key_words(vk))


def key_id(vk: dict | VerifyingKey, statement: Statement) -> bytes:
    """32-byte key id: keccak256(vkHash() of the verifier || statement.hash())."""
    if not isinstance(statement, Statement):
        raise MalformedInput("key id: expected a zk.statement.Statement")
    return keccak(bytes.fromhex(vk_hash(vk)[2:]) + statement.hash())
