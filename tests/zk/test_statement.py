"""Statement: names, indices, values by name, strict JSON, canonical hash."""
from __future__ import annotations

import json

import pytest
import sha3  # safe-pysha3: an independent keccak-256 implementation

from circuits.collateral import CollateralRatio
from circuits.reserves import ProofOfReserves
from zk import Circuit, Param, Private, Public, compile_circuit
from zk.errors import MalformedInput
from zk.field import R
from zk.statement import PublicInput, Statement, keccak256

DIGEST = "ab" * 32


def make(**changes) -> Statement:
    inputs = (PublicInput("prices", (3,), 64), PublicInput("grid", (2, 2), 8),
              PublicInput("debt", (), 254), PublicInput("epoch", (), 32))
    return Statement(changes.get("circuit", "Demo(n=3)"), changes.get("digest", DIGEST),
                     changes.get("inputs", inputs))


def test_layout_names_and_indices():
    st = make()
    assert st.num_public == 3 + 4 + 1 + 1
    assert st.names() == ["prices[0]", "prices[1]", "prices[2]", "grid[0][0]", "grid[0][1]",
                          "grid[1][0]", "grid[1][1]", "debt", "epoch"]
    assert st.layout() == {"prices": 0, "grid": 3, "debt": 7, "epoch": 8}
    assert st.index("prices") == 0 and st.index("prices", 2) == 2
    assert st.index("grid", 1, 0) == 5 == st.index("grid[1][0]")
    assert st.index("epoch") == 8 and st.span("grid") == range(3, 7)
    # every flattened name maps back to its own position
    assert [st.index(n) for n in st.names()] == list(range(st.num_public))


@pytest.mark.parametrize("args, match", [
    (("nope",), "no public input 'nope'"), (("prices", 3), "out of range"),
    (("prices", -1), "out of range"), (("grid", 1), "2 dimension"),
    (("debt", 0), "0 dimension"), (("prices[1]", 1), "not both")])
def test_bad_index_names_the_input(args, match):
    with pytest.raises(MalformedInput, match=match):
        make().index(*args)


def test_values_by_name_and_checks():
    st = make()
    public = [10, 11, 12, 1, 2, 3, 4, R - 1, 7]
    assert st.values(public) == {"prices": [10, 11, 12], "grid": [[1, 2], [3, 4]],
                                 "debt": R - 1, "epoch": 7}
    for bad, match in ((public[:-1], "expects 9 values, got 8"),
                       (public + [0], "got 10"),
                       (public[:7] + [R] + public[8:], "debt: not in the field"),
                       (public[:8] + [1 << 32], "epoch: exceeds its 32-bit bound"),
                       (public[:4] + [256] + public[5:], r"grid\[0\]\[1\]: exceeds its 8-bit"),
                       (public[:2] + [True] + public[3:], r"prices\[2\]: not an integer"),
                       (public[:8] + [-1], "epoch: not in the field")):
        with pytest.raises(MalformedInput, match=match):
            st.values(bad)
    assert st.values(public[:8] + [(1 << 32) - 1])["epoch"] == (1 << 32) - 1


def test_json_round_trip_is_strict():
    st = make()
    obj = json.loads(json.dumps(st.to_json()))
    assert Statement.from_json(obj) == st
    bads = []
    for key, val in (("extra", 1), ("digest", "zz"), ("circuit", ""), ("inputs", {}),
                     ("circuit", "é" * 3), ("inputs", [{"name": "a", "shape": [], "bits": 1}] * 2)):
        bad = dict(obj)
        bad[key] = val
        bads.append(bad)
    for field, val in (("name", "a b"), ("name", "x" * 65), ("name", 7), ("shape", [0]),
                       ("shape", [2.0]), ("shape", [1] * 5), ("shape", [1 << 17]), ("bits", 0),
                       ("bits", 255), ("bits", True), ("extra", 1)):
        bad = json.loads(json.dumps(obj))
        bad["inputs"][0][field] = val
        bads.append(bad)
    del_input = json.loads(json.dumps(obj))
    del del_input["inputs"][1]["bits"]
    bads += [del_input, [], {"circuit": "c", "digest": DIGEST},
             {**obj, "inputs": [{"name": f"a{i}", "shape": [], "bits": 1}
                                for i in range(1025)]},
             {**obj, "inputs": [{"name": f"a{i}", "shape": [1 << 16], "bits": 1}
                                for i in range(2)]}]
    for bad in bads:
        with pytest.raises(MalformedInput, match="^vk.statement"):
            Statement.from_json(bad, "vk.statement")


def test_hash_is_keccak_of_the_documented_encoding():
    st = Statement("Cube()", DIGEST, (PublicInput("y", (), 254), PublicInput("e", (2,), 32)))
    expect = (b'zk-solvency/statement/v1\n{"circuit":"Cube()","digest":"' + DIGEST.encode()
              + b'","inputs":[{"bits":254,"name":"y","shape":[]},'
              b'{"bits":32,"name":"e","shape":[2]}]}')
    assert st.canonical_bytes() == expect
    assert st.hash() == sha3.keccak_256(expect).digest() and len(st.hash()) == 32
    assert keccak256(b"").hex() == ("c5d2460186f7233c927e7db2dcc703c0"
                                    "e500b653ca82273b7bfad8045d85a470")


def test_hash_covers_every_field():
    base = make()
    a, b, c, d = base.inputs
    variants = [make(circuit="Demo(n=4)"), make(digest="cd" * 32),
                make(inputs=(b, a, c, d)),                                # reordered
                make(inputs=(PublicInput("price", (3,), 64), b, c, d)),   # relabelled
                make(inputs=(PublicInput("prices", (3,), 63), b, c, d)),  # re-bounded
                make(inputs=(PublicInput("prices", (1, 3), 64), b, c, d)),  # reshaped
                make(inputs=(a, b, c))]
    hashes = {v.hash() for v in variants} | {base.hash()}
    assert len(hashes) == len(variants) + 1
    assert make().hash() == base.hash()



def test_compile_produces_the_statement():
    cs = compile_circuit(CollateralRatio(n_collateral=2, n_debt=1, ratio_bits=20))
    st = cs.statement
    assert st.names() == cs.public_names and st.num_public == cs.num_public
    assert st.digest == cs.digest() and st.circuit == cs.name
    bits = {i.name: (i.shape, i.bits) for i in st.inputs}
    assert bits == {"collateral_prices": ((2,), 64), "haircuts_bps": ((2,), 14),
                    "debt_prices": ((1,), 64), "min_ratio_bps": ((), 20), "epoch": ((), 254),
                    "prover": ((), 254), "chain_id": ((), 254), "registry": ((), 254),
                    "commitment": ((), 254)}
    res = compile_circuit(ProofOfReserves(n_users=2, n_assets=2)).statement
    assert [i.name for i in res.inputs] == ["root", "liabilities", "reserves", "min_ratio_bps"]
    assert res.input("root").bits == 254 and res.input("min_ratio_bps").bits < 254


def test_bit_bounds_only_from_checks_on_the_wire_itself():
    """A range check on 2*x, or on one element of an array, bounds nothing of the input."""
    class C(Circuit):
        a: Public
        b: Public
        c: Public[Param("n")]
        d: Public
        e: Public[Param("n")]
        x: Private

        def __init__(self):
            super().__init__(n=2)

        def define(self, api):
            api.range_check(self.a, bits=10)
            api.range_check(2 * self.b, bits=10)
            api.range_check(self.c[0], bits=10)
            api.assert_equal(self.c[1], self.x)
            api.assert_bool(self.d)
            api.range_check(self.e[0], bits=8)
            api.range_check(self.e[1], bits=12)

    cs = compile_circuit(C())
    got = {i.name: i.bits for i in cs.statement.inputs}
    assert got == {"a": 10, "b": 254, "c": 254, "d": 1, "e": 12}
    w = cs.solve({"a": 1023, "b": 5, "c": [3, 7], "d": 1, "e": [255, 4095], "x": 7})
    assert cs.statement.values(cs.public_values(w)) == {"a": 1023, "b": 5, "c": [3, 7],
                                                         "d": 1, "e": [255, 4095]}
