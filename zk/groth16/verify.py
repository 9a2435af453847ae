"""Groth16 verifier: strict input checks, then one pairing-product check."""
from __future__ import annotations

from zk import curve
from zk.backend import Backend, get_backend
from zk.errors import MalformedInput
from zk.field import scalars_to_bytes
from zk.groth16.keys import Proof, VerifyingKey, check_public_inputs


def check_proof_points(proof: Proof, be: Backend) -> None:
    """Coordinates < q, on curve, B in the r-subgroup, no point at infinity."""
    for name, p in (("A", proof.a), ("C", proof.c)):
        if len(p) != curve.G1_BYTES or be.check_g1(p, False) != -1:
            curve.check_g1(p, f"proof.{name}")          # raises with the precise reason
            raise MalformedInput(f"proof.{name}: not a valid G1 point")
    if len(proof.b) != curve.G2_BYTES or be.check_g2(proof.b, False) != -1:
        curve.check_g2(proof.b, "proof.B")
        raise MalformedInput("proof.B: not a valid G2 point")


def verify(vk: VerifyingKey, proof: Proof, public: list[int],
           backend: Backend | None = None) -> bool:
    """True iff the proof is valid for these public inputs.

    Returns False for a well-formed but invalid proof; raises MalformedInput for wrong
    counts, inputs >= r, coordinates >= q, off-curve or off-subgroup points.
    """
    be = backend or get_backend()
    check_public_inputs(public, vk.num_public)
    check_proof_points(proof, be)
    ic = vk.gamma_abc_g1
    vk_x = curve.g1_add(ic[0], be.msm_g1(b"".join(ic[1:]), scalars_to_bytes(public)))
    g1 = curve.g1_neg(proof.a) + vk.alpha_g1 + vk_x + proof.c
    g2 = proof.b + vk.beta_g2 + vk.gamma_g2 + vk.delta_g2
    return be.pairing_check(g1, g2)
