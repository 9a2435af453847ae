"""Development setup: fresh toxic waste from ``secrets``; keys labelled development."""
from __future__ import annotations

import secrets

from zk import curve, progress
from zk.backend import Backend, get_backend
from zk.field import R, scalars_to_bytes
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
    with progress.step(f"setup: QAP over {n} rows"):
        a_e, b_e, c_e = qap.qap_entries(cs.constraints, cs.num_public)
        lag = qap.lagrange_at(tau, n)
        u = qap.eval_wires(a_e, lag, cs.num_wires)
        v = qap.eval_wires(b_e, lag, cs.num_wires)
        w = qap.eval_wires(c_e, lag, cs.num_wires)
        g_inv, d_inv = pow(gamma, R - 2, R), pow(delta, R - 2, R)
        k = [(beta * u[i] + alpha * v[i] + w[i]) % R for i in range(cs.num_wires)]
        npub = cs.num_public + 1
        ic = [x * g_inv % R for x in k[:npub]]
        lq = [x * d_inv % R for x in k[npub:]]
        hq = [x * d_inv % R for x in qap.h_scalars(tau, n)]
    g1, g2 = curve.G1_GEN, curve.G2_GEN
    with progress.step(f"setup: {3 * cs.num_wires + n} G1 and {cs.num_wires} G2 points"):
        vk = VerifyingKey(
            alpha_g1=be.batch_mul_g1(g1, scalars_to_bytes([alpha])),
            beta_g2=be.batch_mul_g2(g2, scalars_to_bytes([beta])),
            gamma_g2=be.batch_mul_g2(g2, scalars_to_bytes([gamma])),
            delta_g2=be.batch_mul_g2(g2, scalars_to_bytes([delta])),
            gamma_abc_g1=_split(be.batch_mul_g1(g1, scalars_to_bytes(ic)), 64),
            development=True)
        pk = ProvingKey(
            vk=vk,
            beta_g1=be.batch_mul_g1(g1, scalars_to_bytes([beta])),
            delta_g1=be.batch_mul_g1(g1, scalars_to_bytes([delta])),
            a_query=be.batch_mul_g1(g1, scalars_to_bytes(u)),
            b_g1_query=be.batch_mul_g1(g1, scalars_to_bytes(v)),
            b_g2_query=be.batch_mul_g2(g2, scalars_to_bytes(v)),
            h_query=be.batch_mul_g1(g1, scalars_to_bytes(hq)),
            l_query=be.batch_mul_g1(g1, scalars_to_bytes(lq)),
            domain_size=n, num_wires=cs.num_wires, num_public=cs.num_public,
            a_matrix=qap.pack_matrix(a_e), b_matrix=qap.pack_matrix(b_e),
            circuit_digest=cs.digest())
    del tau, alpha, beta, gamma, delta
    pk.vk.validate()
    return pk


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]
