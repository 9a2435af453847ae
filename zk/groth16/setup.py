"""Development setup: fresh toxic waste from ``secrets``; keys labelled development."""
from __future__ import annotations

import secrets

from zk import curve, progress
from zk.backend import Backend, get_backend
from zk.field import R, inv, scalars_to_bytes
from zk.groth16 import qap
from zk.groth16.keys import ProvingKey, VerifyingKey
from zk.r1cs import R1CS


def random_scalar() -> int:
    """Uniform non-zero element of Fr from the OS CSPRNG."""
    while True:
        x = secrets.randbelow(R)
        if x:
            return x


def setup(cs: R1CS, backend: Backend | None = None) -> ProvingKey:
    """Groth16 setup by one party (development only: whoever runs it can forge proofs)."""
    be = backend or get_backend()
    n = qap.domain_size_for(cs.num_constraints, cs.num_public)
    tau, alpha, beta, gamma, delta = (random_scalar() for _ in range(5))
    while pow(tau, 2 * n, R) == 1:              # tau must not be on the domain
        tau = random_scalar()
    nw, npub = cs.num_wires, cs.num_public + 1
    with progress.step(f"setup: QAP over {n} rows"):
        a_m, b_m, c_m = qap.matrices(cs.constraints, cs.num_public, be)
        lag = qap.lagrange_basis(tau, n, be)
        u = qap.wire_evals(a_m, lag, nw, be)
        v = qap.wire_evals(b_m, lag, nw, be)
        k = qap.wire_evals(qap.combine([(a_m, beta), (b_m, alpha), (c_m, 1)], be), lag, nw, be)
        del lag, c_m
        ic = qap.scale_vec(k[:32 * npub], inv(gamma), be)
        lq = qap.scale_vec(k[32 * npub:], inv(delta), be)
        hq = qap.odd_lagrange_basis(tau, n, inv(delta), be)
        del k
    with progress.step(f"setup: {3 * nw + n} G1 and {nw} G2 points"):
        g1 = be.batch_mul_g1(curve.G1_GEN, u + v + hq + lq + ic
                             + scalars_to_bytes([alpha, beta, delta]))
        g2 = be.batch_mul_g2(curve.G2_GEN, v + scalars_to_bytes([beta, gamma, delta]))
        del u, v, hq, lq, ic
        g1_parts = _cut(g1, 64, [nw, nw, n, nw - npub, npub, 1, 1, 1])
        b_g2, beta2, gamma2, delta2 = _cut(g2, 128, [nw, 1, 1, 1])
        del g1, g2
        a_q, b_q, h_q, l_q, ic_pts, alpha1, beta1, delta1 = g1_parts
        vk = VerifyingKey(alpha_g1=alpha1, beta_g2=beta2, gamma_g2=gamma2, delta_g2=delta2,
                          gamma_abc_g1=_split(ic_pts, 64), development=True)
        pk = ProvingKey(
            vk=vk, beta_g1=beta1, delta_g1=delta1, a_query=a_q, b_g1_query=b_q,
            b_g2_query=b_g2, h_query=h_q, l_query=l_q, domain_size=n, num_wires=nw,
            num_public=cs.num_public, a_matrix=a_m, b_matrix=b_m,
            circuit_digest=cs.digest())
    del tau, alpha, beta, gamma, delta
    pk.vk.validate()
    return pk


def _cut(data: bytes, size: int, counts: list[int]) -> list[bytes]:
    out, pos = [], 0
    for c in counts:
        out.append(data[pos:pos + size * c])
        pos += size * c
    return out


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]
