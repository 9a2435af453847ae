"""Groth16 prover: QAP evaluations, quotient by NTTs on a coset, MSMs, fresh r and s."""
from __future__ import annotations

from zk import progress
from zk.backend import Backend, get_backend
from zk.errors import MalformedInput
from zk.field import R, root_of_unity, scalars_to_bytes
from zk.groth16.keys import Proof, ProvingKey
from zk.groth16.setup import random_scalar


def quotient_evals(pk: ProvingKey, z: bytes, be: Backend) -> bytes:
    """(A z)(B z) - (C z) on the odd points of the doubled domain, the H-query scalars."""
    n = pk.domain_size
    a = be.sparse_matvec(n, *pk.a_matrix, z)
    b = be.sparse_matvec(n, *pk.b_matrix, z)
    pk.release_matrices()  # a mapped key's matrices leave memory before the NTTs and MSMs
    return be.coset_quotient(a, b, root_of_unity(2 * n))   # C z = (A z)(B z) row by row


def _pack_witness(witness: list[int], be: Backend) -> bytes:
    """The witness as 32-byte words, refusing values outside the field."""
    try:
        return be.fr_pack(witness)
    except MalformedInput as exc:
        raise MalformedInput(f"witness value outside the field ({exc})") from None


def prove(pk: ProvingKey, witness: list[int], backend: Backend | None = None) -> Proof:
    """A proof for a full witness [1, public..., private..., internal...]."""
    be = backend or get_backend()
    if len(witness) != pk.num_wires or witness[0] != 1:
        raise MalformedInput(f"witness has {len(witness)} wires, the key expects "
                             f"{pk.num_wires} starting with 1")
    z = _pack_witness(witness, be)
    with progress.step(f"prove: quotient over {pk.domain_size} rows"):
        h = quotient_evals(pk, z, be)
    r, s = random_scalar(), random_scalar()
    npub = 32 * (pk.num_public + 1)
    with progress.step(f"prove: MSMs over {pk.num_wires} wires"):
        a = be.msm_g1(pk.a_query, z)
        b2 = be.msm_g2(pk.b_g2_query, z)
        b1 = be.msm_g1(pk.b_g1_query, z)
        c = be.msm_g1(pk.l_query, z[npub:])
        hc = be.msm_g1(pk.h_query, h)
    vk = pk.vk
    # the blinding terms as small MSMs (zero-scalar and infinity points are fine)
    pi_a = be.msm_g1(vk.alpha_g1 + a + pk.delta_g1, scalars_to_bytes([1, 1, r]))
    pi_b = be.msm_g2(vk.beta_g2 + b2 + vk.delta_g2, scalars_to_bytes([1, 1, s]))
    b1 = be.msm_g1(pk.beta_g1 + b1 + pk.delta_g1, scalars_to_bytes([1, 1, s]))
    pi_c = be.msm_g1(c + hc + pi_a + b1 + pk.delta_g1,
                     scalars_to_bytes([1, 1, s, r, (R - r * s % R) % R]))
    return Proof(pi_a, pi_b, pi_c)
