"""R1CS -> QAP: domain choice, public-input rows, sparse matrices, Lagrange evaluations.

As in snarkjs and bellman, one row ``x_i * 0 = 0`` (A[m + i][i] = 1) is appended per
public wire (the constant-one wire included) so every public input is bound by the
proof even if no other constraint uses it; the domain is the next power of two above
m + num_public + 1 rows. The quotient is evaluated on the odd points of the doubled
domain (the coset shift * <w>, shift = w_2n), so H needs no division by Z in the prover.

Setup evaluates everything at tau with the backend's kernels: the powers of tau and the
Lagrange basis by inverse NTTs (``L_k(tau) = (1/n) sum_i tau^i w^-ik``), the wire
polynomials by transposed sparse products. ``lagrange_at``, ``h_scalars`` and
``eval_wires`` are the plain-integer specification the tests compare them with.
"""
from __future__ import annotations

import struct

from zk.backend import Backend
from zk.errors import SetupError
from zk.field import TWO_ADICITY, R, inv, root_of_unity

Matrix = tuple[bytes, bytes, bytes]  # rows (u32 LE), cols (u32 LE), coeffs (32-byte LE)


def domain_size_for(num_constraints: int, num_public: int) -> int:
    """Smallest power of two holding all rows (doubled domain must fit 2^28)."""
    rows = num_constraints + num_public + 1
    n = 2
    while n < rows:
        n <<= 1
    if 2 * n > 1 << TWO_ADICITY:
        raise SetupError(f"{rows} rows need a domain of {n}; at most 2^27 rows are supported")
    return n


def qap_entries(constraints, num_public: int) -> tuple[list, list, list]:
    """(row, wire, coeff) triples of A, B, C including the public-input rows."""
    a, b, c = [], [], []
    for k, (la, lb, lc) in enumerate(constraints):
        a.extend((k, w, v) for w, v in la.items())
        b.extend((k, w, v) for w, v in lb.items())
        c.extend((k, w, v) for w, v in lc.items())
    m = len(constraints)
    a.extend((m + i, i, 1) for i in range(num_public + 1))
    return a, b, c


def pack_matrix(entries: list) -> Matrix:
    """Sparse triples as the byte arrays the backends' sparse_matvec consumes."""
    n = len(entries)
    rows = struct.pack(f"<{n}I", *(e[0] for e in entries))
    cols = struct.pack(f"<{n}I", *(e[1] for e in entries))
    coeffs = b"".join(int(e[2]).to_bytes(32, "little") for e in entries)
    return rows, cols, coeffs


def lagrange_at(tau: int, n: int) -> list[int]:
    """L_k(tau) for k < n over the n-th roots of unity (tau not a root)."""
    w = root_of_unity(n)
    zn = (pow(tau, n, R) - 1) * inv(n) % R
    points, x = [], 1
    for _ in range(n):
        points.append(x)
        x = x * w % R
    dens = batch_inverse([(tau - p) % R for p in points])
    return [zn * p % R * d % R for p, d in zip(points, dens)]


def h_scalars(tau: int, n: int) -> list[int]:
    """L^{2n}_{2i+1}(tau) for i < n: the odd Lagrange basis of the doubled domain."""
    return lagrange_at(tau, 2 * n)[1::2]


def eval_wires(entries: list, lag: list[int], num_wires: int) -> list[int]:
    """u_i(tau) = sum_k M[k][i] L_k(tau) for every wire i."""
    out = [0] * num_wires
    for k, w, v in entries:
        out[w] += v * lag[k]
    return [x % R for x in out]


def batch_inverse(xs: list[int]) -> list[int]:
    """Montgomery batch inversion (all inputs non-zero)."""
    prefix, acc = [], 1
    for x in xs:
        prefix.append(acc)
        acc = acc * x % R
    acc = inv(acc)
    out = [0] * len(xs)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = acc * prefix[i] % R
        acc = acc * xs[i] % R
    return out


def matrices(constraints, num_public: int, be: Backend) -> tuple[Matrix, Matrix, Matrix]:
    """A (with the public-input rows appended), B and C packed by the backend."""
    a, b, c = (be.pack_matrix(constraints, k) for k in range(3))
    m, npub = len(constraints), num_public + 1
    pub = (struct.pack(f"<{npub}I", *range(m, m + npub)), struct.pack(f"<{npub}I", *range(npub)),
           (1).to_bytes(32, "little") * npub)
    return (a[0] + pub[0], a[1] + pub[1], a[2] + pub[2]), b, c


def scale_vec(words: bytes, k: int, be: Backend) -> bytes:
    """Every 32-byte word times k mod r (one backend pass)."""
    n = len(words) // 32
    return be.fr_mul_sub(words, (k % R).to_bytes(32, "little") * n, bytes(32 * n))


def powers(t: int, n: int, c: int, be: Backend) -> bytes:
    """c * t^i for i < n (n a power of two, t non-zero): the inverse NTT of
    (n c, 0, ..., 0) is the constant c, and the coset shift 1/t multiplies word i by t^i."""
    first = (n * c % R).to_bytes(32, "little") + bytes(32 * (n - 1))
    return be.ntt(first, inverse=True, shift=inv(t))


def lagrange_basis(tau: int, n: int, be: Backend) -> bytes:
    """L_k(tau) for k < n over the n-th roots of unity (the words of lagrange_at)."""
    return be.ntt(powers(tau, n, 1, be), inverse=True)


def odd_lagrange_basis(tau: int, n: int, c: int, be: Backend) -> bytes:
    """c * L^{2n}_{2i+1}(tau) for i < n (c times the words of h_scalars).

    Splitting the 2n-point sum into halves: L^{2n}_{2i+1}(tau) =
    (1 - tau^n) / 2 * INTT_n((tau / w_2n)^j)_i.
    """
    w2 = root_of_unity(2 * n)
    k = c * (1 - pow(tau, n, R)) * inv(2) % R
    return be.ntt(powers(tau * inv(w2) % R, n, k, be), inverse=True)


def wire_evals(m: Matrix, lag: bytes, num_wires: int, be: Backend) -> bytes:
    """sum_k M[k][i] L_k(tau) for every wire i: the transposed sparse product."""
    rows, cols, coeffs = m
    return be.sparse_matvec(num_wires, cols, rows, coeffs, lag)


def combine(parts: list[tuple[Matrix, int]], be: Backend) -> Matrix:
    """The entries of every matrix, each with its coefficients scaled by its factor."""
    return (b"".join(m[0] for m, _ in parts), b"".join(m[1] for m, _ in parts),
            b"".join(m[2] if k == 1 else scale_vec(m[2], k, be) for m, k in parts))
