"""Setup's QAP evaluation by NTTs and transposed sparse products, on both backends,
against the plain-integer specification (batch-inverted Lagrange formula, per-entry
sums) and, independently, against direct interpolation of the matrix columns."""
from __future__ import annotations

import random

import pytest

from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.field import R, bytes_to_scalars, root_of_unity
from zk.groth16 import qap

RNG = random.Random(11)
BACKENDS = [NativeBackend(), ReferenceBackend()]


@pytest.mark.parametrize("be", BACKENDS, ids=lambda b: b.name)
@pytest.mark.parametrize("n", [2, 8, 64])
def test_lagrange_bases_match_the_formula(be, n):
    tau = RNG.randrange(1, R)
    assert bytes_to_scalars(qap.lagrange_basis(tau, n, be)) == qap.lagrange_at(tau, n)
    c = RNG.randrange(R)
    want = [c * x % R for x in qap.h_scalars(tau, n)]
    assert bytes_to_scalars(qap.odd_lagrange_basis(tau, n, c, be)) == want
    assert bytes_to_scalars(qap.powers(tau, n, c, be)) == [c * pow(tau, i, R) % R
                                                          for i in range(n)]


def test_lagrange_basis_interpolates():
    """sum_k f(w^k) L_k(tau) == f(tau) for a random polynomial of degree < n."""
    n, tau = 16, RNG.randrange(1, R)
    f = [RNG.randrange(R) for _ in range(n)]
    w = root_of_unity(n)

    def ev(x):
        return sum(c * pow(x, i, R) for i, c in enumerate(f)) % R
    lag = bytes_to_scalars(qap.lagrange_basis(tau, n, BACKENDS[0]))
    assert sum(ev(pow(w, k, R)) * lag[k] for k in range(n)) % R == ev(tau)


@pytest.mark.parametrize("be", BACKENDS, ids=lambda b: b.name)
def test_wire_evaluations_match_per_entry_sums(be):
    n, nw = 32, 20
    cons = [tuple({RNG.randrange(nw): RNG.randrange(R) for _ in range(RNG.randrange(4))}
                  for _ in range(3)) for _ in range(25)]
    tau, alpha, beta = (RNG.randrange(1, R) for _ in range(3))
    a_e, b_e, c_e = qap.qap_entries(cons, 3)
    a_m, b_m, c_m = qap.matrices(cons, 3, be)
    lag_ints = qap.lagrange_at(tau, n)
    lag = qap.lagrange_basis(tau, n, be)
    u, v, w = (qap.eval_wires(e, lag_ints, nw) for e in (a_e, b_e, c_e))
    assert bytes_to_scalars(qap.wire_evals(a_m, lag, nw, be)) == u
    assert bytes_to_scalars(qap.wire_evals(b_m, lag, nw, be)) == v
    k = qap.wire_evals(qap.combine([(a_m, beta), (b_m, alpha), (c_m, 1)], be), lag, nw, be)
    assert bytes_to_scalars(k) == [(beta * u[i] + alpha * v[i] + w[i]) % R for i in range(nw)]
