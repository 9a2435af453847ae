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
from zk.formats.iden3 import points as P
from zk.formats.iden3.ptau import ALPHA_G1, BETA_G1, TAU_G1, TAU_G2, Ptau, open_ptau
from zk.formats.iden3.zkey import ZKey
from zk.groth16 import qap
from zk.groth16.keys import ProvingKey, VerifyingKey
from zk.r1cs import R1CS

_U32 = "I" if array("I").itemsize == 4 else "L"


def _pt(buf: bytes, i: int, size: int) -> bytes:
    return buf[size * i:size * i + size]


def check_fits(cs: R1CS, pt: Ptau) -> int:
    """Domain size for cs; SetupError before any work if the ptau is too small."""
    n = qap.domain_size_for(cs.num_constraints, cs.num_public)
    if n > 1 << pt.power:
        raise SetupError(f"circuit needs a domain of {n} rows ({cs.num_constraints} "
                         f"constraints + {cs.num_public + 1} public rows) but "
                         f"{pt.path} has power {pt.power} (2^{pt.power} rows)")
    return n


def wire_points(a: qap.Matrix, b: qap.Matrix, c: qap.Matrix, num_wires: int,
                lag: dict[str, bytes], be: Backend) -> tuple[bytes, bytes, bytes, bytes]:
    """The A, B1, B2 and IC/C points of every wire: per wire (a matrix column), the sum
    of coeff * Lagrange point of its rows, for A, B and beta A + alpha B + C (sparse
    backend passes over the packed matrices, A with its public-input rows)."""
    g1, z1 = be.sparse_msm_g1, bytes(64 * num_wires)
    k = g1(g1(g1(z1, lag["beta1"], a), lag["alpha1"], b), lag["tau1"], c)
    return (g1(z1, lag["tau1"], a), g1(z1, lag["tau1"], b),
            be.sparse_msm_g2(bytes(128 * num_wires), lag["tau2"], b), k)


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


SNARKJS_H_CHUNK = 1 << 14


def h_points_hashed(n: int, power: int) -> int:
    """How many points tau^i (tau^n - 1) snarkjs hashes for a domain of n rows.

    snarkjs (0.7.x, ``hashHPoints``) hashes its chunks of 2^14 points with the length
    min(n - 1, 2^14) each, so past 2^14 rows the last chunk runs one point further: n
    points, i < n, under the count n - 1. We do the same when the ptau holds tau^(2n - 1)
    (power > log2 n). With n = 2^power that point lies past the ptau's tau section and
    snarkjs hashes the bytes that follow it; we keep the n - 1 points there, and the two
    tools' circuit hashes differ.
    """
    if n - 1 <= SNARKJS_H_CHUNK or n >= 1 << power:
        return n - 1
    return n


def snarkjs_hash_caveat(n: int, power: int) -> str:
    """Why snarkjs's circuit hash cannot be recomputed for this domain and ptau, or ""."""
    if n - 1 <= SNARKJS_H_CHUNK or n < 1 << power:
        return ""
    return (f"; snarkjs 0.7 hashes bytes past the ptau's tau section when the domain "
            f"(2^{power}) is the ptau's full size above 2^14, so a key made by snarkjs "
            f"cannot be checked here: make it from a ptau of power {power + 1} or more")


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
    h.update(struct.pack(">I", n - 1))
    k = h_points_hashed(n, pt.power)
    h.update(P.g1_uncompressed_many(be.g1_sub_many(pt.monomial(TAU_G1, n, k),
                                                   pt.monomial(TAU_G1, 0, k))))
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
        npub, w = cs.num_public + 1, cs.num_wires
        with progress.step(f"zkey new: {4 * w} wire points"):
            a_m, b_m, c_m = qap.matrices(cs.constraints, cs.num_public, be)
            a_q, b1_q, b2_q, k_q = wire_points(a_m, b_m, c_m, w, lag, be)
            vk = VerifyingKey(pt.alpha_g1(), pt.beta_g2(), curve.G2_GEN, curve.G2_GEN,
                              [_pt(k_q, i, 64) for i in range(npub)], development=True)
            pk = ProvingKey(vk=vk, beta_g1=pt.beta_g1(), delta_g1=curve.G1_GEN,
                            a_query=a_q, b_g1_query=b1_q, b_g2_query=b2_q, h_query=hq,
                            l_query=k_q[64 * npub:], domain_size=n, num_wires=w,
                            num_public=cs.num_public, a_matrix=a_m, b_matrix=b_m,
                            circuit_digest=cs.digest())
        with progress.step("zkey new: circuit hash"):
            cs_hash = circuit_hash(pk, pt, be)
        return ZKey(pk, cs_hash, [], encode_coef_entries(cs, be))
    finally:
        if not isinstance(ptau, Ptau):
            pt.close()
