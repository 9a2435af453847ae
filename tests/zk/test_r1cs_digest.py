"""The circuit digest: SHA-256 over the packed matrices (zk.r1cs.R1CS.digest).

Oracles: an independent re-implementation of the documented packing with struct and
hashlib; the iden3 .r1cs round trip (another serialization, read back by our strict
reader); the py-ecc reference backend's Python packer against the C packer."""
from __future__ import annotations

import copy
import hashlib
import os
import random
import struct
import subprocess
import sys

import pytest

from circuits.examples import ReserveCheck
from zk import compile_circuit
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.field import R
from zk.formats.iden3 import read_r1cs, write_r1cs
from zk.r1cs import DIGEST_MAGIC, R1CS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def oracle_digest(cs: R1CS) -> str:
    """The docstring's packing, written out independently."""
    h = hashlib.sha256(DIGEST_MAGIC)
    h.update(struct.pack("<IIII", cs.num_public, cs.num_private, cs.num_wires,
                         len(cs.constraints)))
    for m in range(3):
        triples = sorted((k, w, c % R) for k, row in enumerate(cs.constraints)
                         for w, c in row[m].items() if c % R)
        h.update(struct.pack("<Q", len(triples)))
        h.update(b"".join(struct.pack("<I", t[0]) for t in triples))
        h.update(b"".join(struct.pack("<I", t[1]) for t in triples))
        h.update(b"".join(t[2].to_bytes(32, "little") for t in triples))
    return h.hexdigest()


@pytest.fixture(scope="module")
def cs():
    return compile_circuit(ReserveCheck(4))


def test_digest_matches_the_documented_packing(cs):
    assert cs.digest() == oracle_digest(cs)
    assert len(cs.digest()) == 64


def test_digest_survives_the_iden3_r1cs_round_trip(cs, tmp_path):
    write_r1cs(cs, tmp_path / "c.r1cs")
    back = read_r1cs(tmp_path / "c.r1cs")
    assert back.labels != cs.labels          # labels are not part of the digest
    assert back.digest() == cs.digest()


def test_digest_is_stable_across_processes(cs):
    code = ("from circuits.examples import ReserveCheck; from zk import compile_circuit; "
            "print(compile_circuit(ReserveCheck(4)).digest())")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        assert out.stdout.strip() == cs.digest()


def _mutants(cs: R1CS):
    """(what, mutated copy) pairs, each a different constraint system."""
    k = next(i for i, (a, b, c) in enumerate(cs.constraints) if len(a) >= 2)
    w, c = next(iter(cs.constraints[k][0].items()))

    def edit(fn):
        other = copy.deepcopy(cs)
        fn(other)
        return other

    yield "coefficient", edit(lambda o: o.constraints[k][0].__setitem__(w, (c + 1) % R))
    free = next(x for x in range(1, cs.num_wires) if x not in cs.constraints[k][0])
    yield "wire", edit(lambda o: o.constraints[k][0].__setitem__(
        free, o.constraints[k][0].pop(w)))
    yield "matrix", edit(lambda o: o.constraints[k][1].__setitem__(
        free, o.constraints[k][0].pop(w)) if free not in o.constraints[k][1] else None)
    j = next(i for i in range(len(cs.constraints)) if cs.constraints[i] != cs.constraints[k])
    yield "row order", edit(lambda o: o.constraints.__setitem__(
        slice(None), [o.constraints[i] for i in _swap(len(o.constraints), j, k)]))
    yield "dropped row", edit(lambda o: o.constraints.pop())
    yield "num_public", edit(lambda o: setattr(o, "num_public", o.num_public - 1))
    yield "num_wires", edit(lambda o: setattr(o, "num_wires", o.num_wires + 1))


def _swap(n: int, i: int, j: int) -> list[int]:
    order = list(range(n))
    order[i], order[j] = order[j], order[i]
    return order


def test_digest_changes_with_any_change(cs):
    base = cs.digest()
    seen = {base}
    for what, other in _mutants(cs):
        d = other.digest()
        assert d != base, what
        assert d == oracle_digest(other), what
        seen.add(d)
    assert len(seen) == 8


def test_digest_ignores_insertion_order_and_zero_terms(cs):
    other = copy.deepcopy(cs)
    other.constraints = [tuple(dict(reversed(list(lc.items()))) for lc in row)
                         for row in other.constraints]
    other.constraints[0][0][cs.num_wires - 1] = 0        # explicit zero coefficient
    assert other.digest() == cs.digest()


def _random_rows(rng: random.Random, n: int, wires: int) -> list:
    def lc():
        return {rng.randrange(wires): rng.choice([0, 1, R - 1, rng.randrange(R),
                                                  rng.randrange(1 << 64)])
                for _ in range(rng.randrange(0, 6))}
    return [(lc(), lc(), lc()) for _ in range(n)]


def test_native_packer_equals_the_python_specification():
    rng = random.Random(7)
    rows = _random_rows(rng, 300, 1 << 20)
    native, ref = NativeBackend(), ReferenceBackend()
    for m in range(3):
        assert native.pack_matrix(rows, m) == ref.pack_matrix(rows, m)
    # unreduced and negative coefficients: the native packer defers to the specification
    odd = [({1: R + 5, 2: -1}, {}, {3: 2 * R})]
    assert native.pack_matrix(odd, 0) == ref.pack_matrix(odd, 0)
    assert native.pack_matrix(odd, 0)[2] == (5).to_bytes(32, "little") + \
        (R - 1).to_bytes(32, "little")
    assert native.pack_matrix(odd, 2) == (b"", b"", b"")
