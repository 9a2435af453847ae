"""Attestations: an attester vouches for a private value by signing its commitment.

The signed message is domain-separated so that an attestation for one chain, registry,
account, purpose or date never counts for another:

    message = Poseidon(TAG, chain_id, registry, subject, commitment, as_of)

signed with EdDSA-Poseidon on Baby Jubjub (:mod:`zk.std.eddsa`, circomlibjs compatible).
TAG is :data:`TAG_POSITION` for a borrower's position (subject = the account, commitment
= the CollateralRatio commitment) or :data:`TAG_RESERVE` for an operator's reserves.
chain_id < 2^64, registry and subject are 160-bit addresses, commitment a field element,
as_of a unix time in seconds < 2^64.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zk.errors import MalformedInput
from zk.field import R
from zk.frontend.variable import Operand
from zk.std import babyjub as bj
from zk.std import eddsa
from zk.std.poseidon import poseidon, poseidon_hash

#: Big-endian integer of the ASCII string "zksolvency/attest/position/v1".
TAG_POSITION = int.from_bytes(b"zksolvency/attest/position/v1", "big")
#: Big-endian integer of the ASCII string "zksolvency/attest/reserve/v1".
TAG_RESERVE = int.from_bytes(b"zksolvency/attest/reserve/v1", "big")
TAGS = {"position": TAG_POSITION, "reserve": TAG_RESERVE}

CHAIN_ID_BITS = 64
ADDRESS_BITS = 160
AS_OF_BITS = 64

_BOUNDS = {"chain_id": CHAIN_ID_BITS, "registry": ADDRESS_BITS, "subject": ADDRESS_BITS,
           "as_of": AS_OF_BITS}


def _int(value: Any, name: str, bits: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedInput(f"attestation field '{name}' must be a non-negative integer")
    if bits is not None and value >= 1 << bits:
        raise MalformedInput(f"attestation field '{name}' must be < 2^{bits}")
    if value >= R:
        raise MalformedInput(f"attestation field '{name}' must be < r")
    return value


def attestation_message(tag: int, chain_id: int, registry: int, subject: int,
                        commitment: int, as_of: int) -> int:
    """Poseidon(TAG, chain_id, registry, subject, commitment, as_of), fields validated."""
    if tag not in TAGS.values():
        raise MalformedInput("attestation field 'tag' is neither TAG_POSITION nor TAG_RESERVE")
    vals = [tag]
    for name, v in (("chain_id", chain_id), ("registry", registry), ("subject", subject),
                    ("commitment", commitment), ("as_of", as_of)):
        vals.append(_int(v, name, _BOUNDS.get(name)))
    return poseidon_hash(vals)


@dataclass(frozen=True)
class Attestation:
    """A signed statement "subject's committed value, as of as_of, is vouched for"."""

    tag: int
    chain_id: int
    registry: int
    subject: int
    commitment: int
    as_of: int
    attester: bj.Point
    signature: eddsa.Signature

    def message(self) -> int:
        return attestation_message(self.tag, self.chain_id, self.registry, self.subject,
                                   self.commitment, self.as_of)

    def verify(self) -> bool:
        """True iff the fields are well formed and the attester's signature is valid."""
        try:
            msg = self.message()
        except MalformedInput:
            return False
        return eddsa.verify(self.attester, msg, self.signature)

    def circuit_inputs(self) -> dict[str, int]:
        """The inputs AttestedCollateralRatio adds to CollateralRatio's."""
        return {"attester_ax": self.attester[0], "attester_ay": self.attester[1],
                "as_of": self.as_of, "sig_r8x": self.signature.r8x,
                "sig_r8y": self.signature.r8y, "sig_s": self.signature.s}


def sign_attestation(secret: int, tag: int, chain_id: int, registry: int, subject: int,
                     commitment: int, as_of: int) -> Attestation:
    """Sign an attestation with the attester's signing scalar."""
    msg = attestation_message(tag, chain_id, registry, subject, commitment, as_of)
    return Attestation(tag, chain_id, registry, subject, commitment, as_of,
                       eddsa.public_key(secret), eddsa.sign(secret, msg))


def assert_attestation(api, tag: int, chain_id: Operand, registry: Operand,
                       subject: Operand, commitment: Operand, as_of: Operand,
                       attester: tuple[Operand, Operand],
                       signature: tuple[Operand, Operand, Operand]) -> None:
    """Constrain (R8x, R8y, S) to be the attester's signature of the attestation message.

    tag is a constant of the circuit. as_of is range-checked to 64 bits. Labels start
    with ``attestation/`` (``attestation/eddsa/...`` for the signature).
    Costs 5397 constraints (a test asserts it): 65 for as_of, 351 for the message hash
    (Poseidon of 6 inputs; the constant TAG's first S-box is free), 4981 for
    eddsa_poseidon_verify.
    Sound for any inputs; the caller binds chain_id, registry, subject and commitment
    to the statement (public inputs or values constrained by the circuit).
    """
    if tag not in TAGS.values():
        raise MalformedInput("assert_attestation: unknown tag")
    with api.scope("attestation"):
        api.range_check(as_of, bits=AS_OF_BITS)
        with api.scope("message"):
            msg = poseidon(api, tag, chain_id, registry, subject, commitment, as_of)
        r8x, r8y, s = signature
        eddsa.eddsa_poseidon_verify(api, attester[0], attester[1], s, r8x, r8y, msg)


__all__ = ["TAG_POSITION", "TAG_RESERVE", "TAGS", "Attestation", "attestation_message",
           "sign_attestation", "assert_attestation"]
