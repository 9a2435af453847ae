"""Standard gadgets: Poseidon, Merkle and Merkle-sum trees, fixed-point arithmetic,
Baby Jubjub and EdDSA-Poseidon signatures.

Bits, comparators and selection are methods of the builder API (``zk.frontend``).
"""
from zk.std import babyjub, bits, eddsa, fixed_point, merkle, merkle_sum, poseidon_constants
from zk.std.poseidon import (
    poseidon,
    poseidon_cost,
    poseidon_hash,
    poseidon_hash_many,
    poseidon_many,
)

__all__ = ["babyjub", "bits", "eddsa", "fixed_point", "merkle", "merkle_sum",
           "poseidon_constants", "poseidon", "poseidon_cost", "poseidon_hash",
           "poseidon_hash_many", "poseidon_many"]
