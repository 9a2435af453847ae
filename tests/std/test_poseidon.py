"""Poseidon: constants regeneration, plain Python vs circomlibjs, gadget vs plain Python."""
from __future__ import annotations

import json
import random

import pytest

from zk.errors import MalformedInput
from zk.field import R
from zk.std import poseidon_constants as pc
from zk.std.poseidon import MAX_INPUTS, poseidon_hash

WIDTHS = range(pc.MIN_T, pc.MAX_T + 1)


def _cases(n: int, rng: random.Random) -> list[list[int]]:
    return [
        list(range(1, n + 1)),
        [0] * n,
        [R - 1] * n,
        [rng.randrange(R) for _ in range(n)],
        [rng.randrange(1 << 64) for _ in range(n)],
    ]


def test_regeneration_reproduces_stored_json(tmp_path):
    out = tmp_path / "poseidon_constants.json"
    pc.write_json(out)
    with open(out) as fh, open(pc._JSON_PATH) as stored:
        assert json.load(fh) == json.load(stored)


def test_shape_of_parameters():
    for t in WIDTHS:
        constants, mds, r_f, r_p = pc.params(t)
        assert r_f == 8 and r_p == pc.PARTIAL_ROUNDS[t - 2]
        assert len(constants) == (r_f + r_p) * t
        assert len(mds) == t and all(len(row) == t for row in mds)
        assert all(0 <= c < R for c in constants)


def test_known_vector():
    # circomlibjs poseidon([1, 2])
    assert poseidon_hash([1, 2]) == int(
        "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a", 16)


def test_matches_circomlibjs_all_widths(circomlibjs_poseidon):
    rng = random.Random(2024)
    cases = [c for n in range(1, MAX_INPUTS + 1) for c in _cases(n, rng)]
    assert [poseidon_hash(c) for c in cases] == circomlibjs_poseidon(cases)


def test_constants_equal_circomlibjs_tables(node_modules):
    """Where the circomlibjs sources are present, the regenerated tables equal theirs."""
    path = node_modules / "circomlibjs" / "src" / "poseidon_constants.json"
    if not path.is_file():
        pytest.fail("circomlibjs sources not available (run npm ci --prefix .ci/npm)")
    with open(path) as fh:
        theirs = json.load(fh)
    for t in WIDTHS:
        mine = pc.generate(t)
        assert mine["C"] == [int(c, 16) for c in theirs["C"][t - 2]]
        assert mine["M"] == [[int(v, 16) for v in row] for row in theirs["M"][t - 2]]


@pytest.mark.parametrize("bad", [[], list(range(17)), [R], [-1], [True], ["1"]])
def test_bad_inputs_rejected(bad):
    with pytest.raises(MalformedInput):
        poseidon_hash(bad)


def test_bad_width_rejected():
    with pytest.raises(ValueError):
        pc.params(18)
    with pytest.raises(ValueError):
        pc.generate(1)


# --- the gadget -------------------------------------------------------------------------
from zk import Circuit, Output, Param, Private, compile_circuit  # noqa: E402
from zk.std.poseidon import (  # noqa: E402
    poseidon,
    poseidon_cost,
    poseidon_hash_many,
    poseidon_many,
    poseidon_many_cost,
)

N = Param("n")


class _Hash(Circuit):
    xs: Private[N]
    out: Output

    def __init__(self, n: int, many: bool = False):
        super().__init__(n=n)
        self.many = many

    def define(self, api):
        h = poseidon_many(api, *self.xs) if self.many else poseidon(api, *self.xs)
        api.output(self.out, h)


@pytest.mark.parametrize("n", range(1, MAX_INPUTS + 1))
def test_gadget_equals_plain_python(n):
    cs = compile_circuit(_Hash(n))
    assert cs.num_constraints == poseidon_cost(n) + 1          # + the output row
    rng = random.Random(n)
    for xs in ([rng.randrange(R) for _ in range(n)], [0] * n):
        w = cs.solve({"xs": xs})
        assert w[1] == poseidon_hash(xs)


@pytest.mark.parametrize("n", [17, 31, 32, 47])
def test_chained_hash_gadget_and_cost(n):
    cs = compile_circuit(_Hash(n, many=True))
    assert cs.num_constraints == poseidon_many_cost(n) + 1
    xs = list(range(n))
    assert cs.solve({"xs": xs})[1] == poseidon_hash_many(xs)
    assert poseidon_hash_many(xs) != poseidon_hash_many(xs[:-1] + [n])


def test_chained_hash_is_plain_poseidon_up_to_16():
    assert poseidon_hash_many([5, 6, 7]) == poseidon_hash([5, 6, 7])


def test_forged_output_is_rejected(forge, failure):
    cs = compile_circuit(_Hash(2))
    w = cs.solve({"xs": [1, 2]})
    w[1] = (w[1] + 1) % R                                 # claim another hash
    assert failure(cs, w) is not None
