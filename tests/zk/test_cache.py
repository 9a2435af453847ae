"""Compiled-circuit cache (zk.cache): round trip, corruption, keys, uncacheable circuits.

Oracles: a fresh compile_circuit of the same circuit (constraints, labels, program,
statement, witness) and the pure-Python LC table codec (zk.lc_table) against the C one."""
from __future__ import annotations

import random

import pytest

from circuits.examples import ReserveCheck
from circuits.reserves import ProofOfReserves
from zk import Circuit, Private, Public, cache, compile_circuit
from zk.backend.native import NativeBackend
from zk.backend.reference import ReferenceBackend
from zk.errors import MalformedInput
from zk.field import R
from zk.std import merkle_sum

INPUTS = {"total": 30, "reserves": 40, "ratio_bps": 10000, "balances": [10, 20, 0, 0]}


class CountingReserveCheck(ReserveCheck):
    """ReserveCheck that counts how often define runs."""

    runs = 0

    def define(self, api) -> None:
        type(self).runs += 1
        super().define(api)


def _same(a, b) -> None:
    assert a.constraints == b.constraints
    assert a.labels == b.labels
    assert a.program == b.program
    assert (a.num_public, a.num_private, a.num_wires) == (b.num_public, b.num_private,
                                                          b.num_wires)
    assert a.inputs == b.inputs and a.public_names == b.public_names
    assert a.private_names == b.private_names and a.name == b.name
    assert a.statement == b.statement
    assert a.digest() == b.digest()


def test_round_trip_skips_define_and_matches_a_fresh_compile(tmp_path):
    circuit = CountingReserveCheck(4)
    first = cache.load_or_compile(circuit, tmp_path)
    runs = CountingReserveCheck.runs
    second = cache.load_or_compile(CountingReserveCheck(4), tmp_path)
    assert CountingReserveCheck.runs == runs          # loaded, define not re-run
    _same(second, compile_circuit(CountingReserveCheck(4)))
    _same(second, first)
    assert second.solve(INPUTS) == first.solve(INPUTS)
    assert [p.name for p in tmp_path.iterdir()] == [cache.cache_path(circuit, tmp_path).name]


def test_reserves_round_trip_with_hints_and_witness(tmp_path):
    circuit = ProofOfReserves(4, 2)
    cache.load_or_compile(circuit, tmp_path)
    loaded = cache.load(cache.cache_path(circuit, tmp_path), cache.cache_key(circuit))
    fresh = compile_circuit(ProofOfReserves(4, 2))
    _same(loaded, fresh)
    assert {s[2] for s in loaded.program if s[0] == "hint"} == {"bits", "copy"}
    rng = random.Random(3)
    bal = [[rng.randrange(10**9) for _ in range(2)] for _ in range(4)]
    leaves = [merkle_sum.leaf(i, 7, b) for i, b in enumerate(bal)]
    root = merkle_sum.build_levels(leaves)[-1][0]
    inputs = {"root": root.hash, "liabilities": list(root.sums), "reserves": list(root.sums),
              "min_ratio_bps": 10000, "id_hashes": list(range(4)), "salts": [7] * 4,
              "balances": bal}
    assert loaded.solve(inputs) == fresh.solve(inputs)


def _entry(tmp_path):
    circuit = CountingReserveCheck(4)
    cache.load_or_compile(circuit, tmp_path)
    path = cache.cache_path(circuit, tmp_path)
    return circuit, path, path.read_bytes()


def test_corrupted_entry_is_refused_and_rebuilt(tmp_path):
    circuit, path, good = _entry(tmp_path)
    key = cache.cache_key(circuit)
    for pos in (0, len(cache.MAGIC) + 3, len(good) // 2, len(good) - 40, len(good) - 1):
        bad = bytearray(good)
        bad[pos] ^= 0x01
        path.write_bytes(bytes(bad))
        with pytest.raises(MalformedInput):
            cache.load(path, key)
    runs = CountingReserveCheck.runs
    cs = cache.load_or_compile(CountingReserveCheck(4), tmp_path)   # rebuilt, not trusted
    assert CountingReserveCheck.runs == runs + 1
    assert path.read_bytes() == good
    assert cs.solve(INPUTS) == compile_circuit(ReserveCheck(4)).solve(INPUTS)


@pytest.mark.parametrize("cut", [0, 10, 100, -33, -32, -1])
def test_truncated_entry_is_refused(tmp_path, cut):
    circuit, path, good = _entry(tmp_path)
    path.write_bytes(good[:cut])
    with pytest.raises(MalformedInput):
        cache.load(path, cache.cache_key(circuit))


def test_keys_separate_parameters_and_classes(tmp_path):
    a, b = ReserveCheck(4), ReserveCheck(5)
    assert cache.cache_key(a) != cache.cache_key(b)
    assert cache.cache_key(a) != cache.cache_key(CountingReserveCheck(4))
    assert cache.cache_key(a) == cache.cache_key(ReserveCheck(4))
    cache.load_or_compile(a, tmp_path)
    with pytest.raises(MalformedInput, match="another circuit"):
        cache.load(cache.cache_path(a, tmp_path), cache.cache_key(b))


class PythonHint(Circuit):
    """A user circuit with a Python-callable hint: compiled every time, never cached."""

    y: Public
    x: Private

    def define(self, api):
        h = api.hint("half", lambda v: v * pow(2, R - 2, R) % R, self.x)
        api.assert_equal(h + h, self.x)
        api.assert_equal(self.x * self.x, self.y)


def test_circuits_with_python_hints_are_not_cached(tmp_path):
    cs = cache.load_or_compile(PythonHint(), tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert cs.solve({"x": 6, "y": 36})[3] == 3      # wires: 1, y, x, the hint, x * x


def test_native_lc_table_codec_equals_the_python_specification():
    rng = random.Random(11)
    lcs = [{rng.randrange(1000): rng.choice([1, R - 1, rng.randrange(R), 5])
            for _ in range(rng.randrange(0, 7))} for _ in range(500)]
    native, ref = NativeBackend(), ReferenceBackend()
    packed = native.pack_lc_table(lcs)
    assert packed == ref.pack_lc_table(lcs)
    assert native.unpack_lc_table(*packed, len(lcs), 1000) == lcs
    assert ref.unpack_lc_table(*packed, len(lcs), 1000) == lcs
    for odd in ([{1: R}], [{-1: 1}], [{1: True}], [{1: -1}], [[1]]):
        assert native.pack_lc_table(odd) is None and ref.pack_lc_table(odd) is None
    pool, table = packed
    bad_inputs = [(pool, table, len(lcs), 999),                 # a wire out of range
                  (pool, table[:-1], len(lcs), 1000),           # truncated
                  (pool, table + b"\0" * 4, len(lcs), 1000),    # trailing bytes
                  (pool[:-32], table, len(lcs), 1000),          # a pool index out of range
                  ((R).to_bytes(32, "little"), b"\1\0\0\0" + b"\0" * 8, 1, 10),
                  (pool, b"\2\0\0\0" + b"\1\0\0\0\0\0\0\0" * 2, 1, 10)]   # repeated wire
    for args in bad_inputs:
        for be in (native, ref):
            with pytest.raises(MalformedInput):
                be.unpack_lc_table(*args)


@pytest.mark.parametrize("field,value", [("digest", None), ("digest", 7),
                                         ("digest", ["x"]), ("num_lcs", 10 ** 12),
                                         ("num_wires", 1 << 40), ("num_constraints", -1)])
def test_checksummed_entry_with_a_bad_header_is_refused(tmp_path, field, value):
    """A checksummed entry whose header lacks a string digest raised a raw KeyError
    (found by fuzzing), and huge counts were allocated before being checked; both are
    MalformedInput, so load_or_compile rebuilds the entry."""
    import hashlib
    import json
    import struct
    circuit, path, good = _entry(tmp_path)
    pos = len(cache.MAGIC)
    (n,) = struct.unpack_from("<Q", good, pos)
    head = json.loads(good[pos + 8:pos + 8 + n])
    head.pop(field)
    if value is not None:
        head[field] = value
    new = json.dumps(head).encode()
    body = good[:pos] + struct.pack("<Q", len(new)) + new + good[pos + 8 + n:-32]
    path.write_bytes(body + hashlib.sha256(body).digest())
    with pytest.raises(MalformedInput, match="inconsistent cache entry|do not fit"):
        cache.load(path, cache.cache_key(circuit))
