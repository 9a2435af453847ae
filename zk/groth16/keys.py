"""Groth16 key and proof types (field names as in the paper and ark-groth16)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from zk import curve
from zk.backend import check_g2
from zk.errors import MalformedInput
from zk.field import R


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof: A in G1, B in G2, C in G1 (encoded as in zk.curve)."""

    a: bytes
    b: bytes
    c: bytes


@dataclass
class VerifyingKey:
    """alpha in G1; beta, gamma, delta in G2; gamma_abc_g1 = IC, one per public input + 1."""

    alpha_g1: bytes
    beta_g2: bytes
    gamma_g2: bytes
    delta_g2: bytes
    gamma_abc_g1: list[bytes]
    development: bool = True

    @property
    def num_public(self) -> int:
        return len(self.gamma_abc_g1) - 1

    @property
    def n_public(self) -> int:
        """Same as num_public (the name of the Solidity verifier's ``nPublic()``)."""
        return self.num_public

    def canonical_bytes(self) -> bytes:
        """Deterministic encoding that the content hash is taken over."""
        n = len(self.gamma_abc_g1).to_bytes(4, "little")
        return (b"zk-solvency/vk/groth16/bn254\x00" + self.alpha_g1 + self.beta_g2
                + self.gamma_g2 + self.delta_g2 + n + b"".join(self.gamma_abc_g1))

    def hash(self) -> str:
        """SHA-256 content hash (hex) of the key file's content ("vk_hash" in its JSON).

        Not the key id that contracts check (verifier_contracts.vk.key_id)."""
        return hashlib.sha256(self.canonical_bytes()).hexdigest()

    def hash_field(self) -> int:
        """The content hash reduced to a field element (top bits dropped, < 2^248 < r)."""
        return int(self.hash(), 16) >> 8

    def validate(self, production: bool = False) -> None:
        """Refuse malformed or unsafe keys (SECURITY.md invariants 7, 9)."""
        curve.check_g1(self.alpha_g1, "vk.alpha_g1")
        for name in ("beta_g2", "gamma_g2", "delta_g2"):
            check_g2(getattr(self, name), f"vk.{name}")
        if len(self.gamma_abc_g1) < 1:
            raise MalformedInput("vk.IC: needs at least one point")
        for i, p in enumerate(self.gamma_abc_g1):
            curve.check_g1(p, f"vk.IC[{i}]")
        if len(set(self.gamma_abc_g1)) != len(self.gamma_abc_g1):
            raise MalformedInput("vk.IC: duplicated points")
        if self.delta_g2 == self.gamma_g2:
            raise MalformedInput("vk: delta == gamma (no phase-2 randomness: proofs forgeable)")
        if production and self.delta_g2 == curve.G2_GEN:
            raise MalformedInput("vk: delta is the G2 generator (phase 2 was skipped)")


@dataclass
class ProvingKey:
    """Everything the prover needs; key material held as byte arrays (no per-point objects).

    QAP matrices are stored sparsely (rows, cols as uint32 LE, coeffs 32-byte LE) over a
    domain of ``domain_size`` rows, public-input rows included (see zk.groth16.qap).
    """

    vk: VerifyingKey
    beta_g1: bytes
    delta_g1: bytes
    a_query: bytes        # u_i(tau) G1, one per wire
    b_g1_query: bytes     # v_i(tau) G1, one per wire
    b_g2_query: bytes     # v_i(tau) G2, one per wire
    h_query: bytes        # L^{2n}_{2i+1}(tau) / delta G1, i < domain_size
    l_query: bytes        # (beta u_i + alpha v_i + w_i) / delta G1, private wires
    domain_size: int
    num_wires: int
    num_public: int
    a_matrix: tuple[bytes, bytes, bytes]
    b_matrix: tuple[bytes, bytes, bytes]
    circuit_digest: str = ""

    @property
    def development(self) -> bool:
        return self.vk.development

    def release_matrices(self) -> None:
        """Drop the QAP matrices' pages from memory for a memory-mapped key
        (zk.formats.keyfile.load; re-read from the file if used again); a no-op for
        a key held in memory. The prover calls it once the matrices are applied to the witness."""
        release = self.__dict__.get("_release_matrices")
        if release is not None:
            release()

    def check_sizes(self) -> None:
        """Raise MalformedInput if array lengths disagree with the declared counts."""
        n_priv = self.num_wires - self.num_public - 1
        expect = {"a_query": 64 * self.num_wires, "b_g1_query": 64 * self.num_wires,
                  "b_g2_query": 128 * self.num_wires, "h_query": 64 * self.domain_size,
                  "l_query": 64 * n_priv}
        for name, size in expect.items():
            if len(getattr(self, name)) != size:
                raise MalformedInput(f"proving key: {name} has {len(getattr(self, name))} "
                                     f"bytes, expected {size}")
        if self.vk.num_public != self.num_public:
            raise MalformedInput("proving key: IC length does not match num_public + 1")
        if self.domain_size & (self.domain_size - 1) or self.domain_size < 2:
            raise MalformedInput("proving key: domain size is not a power of two")


def check_public_inputs(public: list[int], expected: int) -> None:
    """Length check before any work, then 0 <= x < r for each (no silent reduction)."""
    if len(public) != expected:
        raise MalformedInput(f"expected {expected} public inputs, got {len(public)}")
    for i, x in enumerate(public):
        if isinstance(x, bool) or not isinstance(x, int):
            raise MalformedInput(f"public input #{i} is not an integer")
        if not 0 <= x < R:
            raise MalformedInput(f"public input #{i} is not in the field (0 <= x < r)")
