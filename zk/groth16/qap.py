"""R1CS -> QAP: domain choice, public-input rows, sparse matrices, Lagrange evaluations.

As in snarkjs and bellman, one row ``x_i * 0 = 0`` (A[m + i][i] = 1) is appended per
public wire (the constant-one wire included) so every public input is bound by the
proof even if no other constraint uses it; the domain is the next power of two above
m + num_public + 1 rows. The quotient is evaluated on the odd points of the doubled
domain (the coset shift * <w>, shift = w_2n), so H needs no division by Z in the prover.
"""
from __future__ import annotations

import struct

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
