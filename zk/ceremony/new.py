"""Phase-2 start: the initial .zkey of a circuit from a prepared Powers of Tau.

Mirrors ``snarkjs zkey new`` section for section (same coefficient order, same points,
same circuit hash), so either tool can continue or verify the other's ceremony:
A_i = sum A[k][i] L_k(tau), B_i likewise in G1 and G2, IC/C_i = sum (beta A + alpha B +
C)[k][i] L_k(tau) with gamma = delta = 1 (IC for wires <= nPublic, C for the rest),
H_i = L^{2n}_{2i+1}(tau); the public-input rows A[m + i][i] = 1 are appended.
"""
from __future__ import annotations

import hashlib
import os
import struct
import sys
from array import array

from zk import curve, progress
from zk.backend import Backend, get_backend
from zk.errors import SetupError
from zk.field import scalars_to_bytes
from zk.formats.iden3 import points as P
from zk.formats.iden3.ptau import ALPHA_G1, BETA_G1, TAU_G1, TAU_G2, Ptau, open_ptau
from zk.formats.iden3.zkey import ZKey
from zk.groth16 import qap
from zk.groth16.keys import ProvingKey, VerifyingKey
from zk.r1cs import R1CS

_U32 = "I" if array("I").itemsize == 4 else "L"


def _pt(buf: bytes, i: int, size: int) -> bytes:
    return buf[size * i:size * i + size]


def _combine(terms: list[list], size: int, be: Backend) -> bytes:
    """Point per wire: sum of coeff * base over its (base, coeff) terms (MSM)."""
    msm = be.msm_g1 if size == 64 else be.msm_g2
    out = []
    for t in terms:
        if not t:
            out.append(bytes(size))
        elif len(t) == 1 and t[0][1] == 1:
            out.append(t[0][0])
        else:
            out.append(msm(b"".join(b for b, _ in t), scalars_to_bytes(c for _, c in t)))
    return b"".join(out)


def check_fits(cs: R1CS, pt: Ptau) -> int:
    """Domain size for cs; SetupError before any work if the ptau is too small."""
    n = qap.domain_size_for(cs.num_constraints, cs.num_public)
    if n > 1 << pt.power:
        raise SetupError(f"circuit needs a domain of {n} rows ({cs.num_constraints} "
                         f"constraints + {cs.num_public + 1} public rows) but "
                         f"{pt.path} has power {pt.power} (2^{pt.power} rows)")
    return n


def _wire_terms(cs: R1CS, n: int, lag: dict[str, bytes]):
    """Per-wire (base point, coeff) lists for A, B1, B2 and IC/C."""
    w, npub = cs.num_wires, cs.num_public
    A, B1, B2, K = ([[] for _ in range(w)] for _ in range(4))
    for k, (la, lb, lc) in enumerate(cs.constraints):
        for s, v in la.items():
            A[s].append((_pt(lag["tau1"], k, 64), v))
            K[s].append((_pt(lag["beta1"], k, 64), v))
        for s, v in lb.items():
            B1[s].append((_pt(lag["tau1"], k, 64), v))
            B2[s].append((_pt(lag["tau2"], k, 128), v))
            K[s].append((_pt(lag["alpha1"], k, 64), v))
        for s, v in lc.items():
            K[s].append((_pt(lag["tau1"], k, 64), v))
    m = cs.num_constraints
    for s in range(npub + 1):
        A[s].append((_pt(lag["tau1"], m + s, 64), 1))
        K[s].append((_pt(lag["beta1"], m + s, 64), 1))
    return A, B1, B2, K


def encode_coef_entries(cs: R1CS, be: Backend) -> bytes:
    """Section 4 payload in snarkjs's order: each row's A then B terms, then the
    public-input rows A[m + i][i] = 1 (whole-buffer backend passes)."""
    m, k = cs.num_constraints, cs.num_public + 1
    rows, wires = array(_U32, range(m, m + k)), array(_U32, range(k))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        rows.byteswap()
        wires.byteswap()
    body = be.zkey_coef_entries(cs.constraints) + be.zkey_coefs_join(
        (rows.tobytes(), wires.tobytes(), (1).to_bytes(32, "little") * k), (b"", b"", b""))
    return struct.pack("<I", len(body) // 44) + body


def circuit_hash(pk: ProvingKey, pt: Ptau, be: Backend) -> bytes:
    """snarkjs's csHash: BLAKE2b-512 over the initial key's points (H as tau^i (tau^n - 1))."""
    h = hashlib.blake2b(digest_size=64)
    vk, n = pk.vk, pk.domain_size
    for p in (vk.alpha_g1, pk.beta_g1):
        h.update(P.g1_uncompressed(p))
    h.update(P.g2_uncompressed(vk.beta_g2) + P.g2_uncompressed(vk.gamma_g2))
    h.update(P.g1_uncompressed(pk.delta_g1) + P.g2_uncompressed(vk.delta_g2))

    def points(data: bytes, size: int) -> None:
        h.update(struct.pack(">I", len(data) // size))
        h.update((P.g1_uncompressed_many if size == 64 else P.g2_uncompressed_many)(data))

    points(b"".join(vk.gamma_abc_g1), 64)
    points(be.g1_sub_many(pt.monomial(TAU_G1, n, n - 1), pt.monomial(TAU_G1, 0, n - 1)), 64)
    for data, size in ((pk.l_query, 64), (pk.a_query, 64), (pk.b_g1_query, 64),
                       (pk.b_g2_query, 128)):
        points(data, size)
    return h.digest()


def new_zkey(cs: R1CS, ptau: str | os.PathLike | Ptau,
             backend: Backend | None = None) -> ZKey:
    """The initial (zero-contribution) key of cs from a prepared ptau."""
    be = backend or get_backend()
    pt = ptau if isinstance(ptau, Ptau) else open_ptau(ptau)
    try:
        n = check_fits(cs, pt)
        with progress.step(f"zkey new: reading Lagrange points for {n} rows"):
            lag = {"tau1": pt.lagrange(TAU_G1, n), "tau2": pt.lagrange(TAU_G2, n),
                   "alpha1": pt.lagrange(ALPHA_G1, n), "beta1": pt.lagrange(BETA_G1, n)}
            h2 = pt.lagrange(TAU_G1, 2 * n)
            hq = P.every_other(h2, 64, 1)
        A, B1, B2, K = _wire_terms(cs, n, lag)
        npub = cs.num_public + 1
        with progress.step(f"zkey new: {4 * cs.num_wires} wire points"):
            ic = _combine(K[:npub], 64, be)
            vk = VerifyingKey(pt.alpha_g1(), pt.beta_g2(), curve.G2_GEN, curve.G2_GEN,
                              [_pt(ic, i, 64) for i in range(npub)], development=True)
            a_e, b_e, _ = qap.qap_entries(cs.constraints, cs.num_public)
            pk = ProvingKey(vk=vk, beta_g1=pt.beta_g1(), delta_g1=curve.G1_GEN,
                            a_query=_combine(A, 64, be), b_g1_query=_combine(B1, 64, be),
                            b_g2_query=_combine(B2, 128, be), h_query=hq,
                            l_query=_combine(K[npub:], 64, be), domain_size=n,
                            num_wires=cs.num_wires, num_public=cs.num_public,
                            a_matrix=qap.pack_matrix(a_e), b_matrix=qap.pack_matrix(b_e),
                            circuit_digest=cs.digest())
        with progress.step("zkey new: circuit hash"):
            cs_hash = circuit_hash(pk, pt, be)
        return ZKey(pk, cs_hash, [], encode_coef_entries(cs, be))
    finally:
        if not isinstance(ptau, Ptau):
            pt.close()
