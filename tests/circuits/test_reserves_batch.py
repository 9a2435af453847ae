"""ReservesBatch / ReservesTop: statements, soundness attacks, off-circuit twins, oracle."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from circuits import reserves_batch as rb
from circuits.inclusion import user_id_hash
from zk import compile_circuit
from zk.errors import CircuitDefinitionError, MalformedInput, UnsatisfiedConstraint
from zk.field import R
from zk.testing import REPO, assert_unprovable, first_failure, forge_witness

B, K = 4, 2                       # batches of 16 users (tree arities [8, 2]), 2 assets
ASSETS, DECIMALS = ["BTC", "ETH"], [8, 18]


@pytest.fixture(scope="module")
def batch_cs():
    return compile_circuit(rb.ReservesBatch(B, K))


@pytest.fixture(scope="module")
def top_cs():
    return compile_circuit(rb.ReservesTop(3, K, B))


def ledger(seed: int, n: int = 4) -> tuple[list[int], list[int], list[list[int]]]:
    ids = [user_id_hash(f"user-{seed}-{i}") for i in range(n)]
    salts = [(seed * 1000 + i) * 7919 % R for i in range(n)]
    bals = [[(seed + 1) * (i + 3), (seed + 2) * i] for i in range(n)]
    return ids, salts, bals


OUTPUTS = ("next_link", "batch_root", "sums")


def solvable(inputs: dict) -> dict:
    """The inputs a prover gives: outputs (root, sums, next link) are computed in-circuit."""
    return {k: v for k, v in inputs.items() if k not in OUTPUTS}


def claimed(inputs: dict) -> list[int]:
    return [inputs["index"], inputs["prev_link"], inputs["next_link"], inputs["batch_root"],
            *inputs["sums"]]


def assert_claim_unprovable(cs, inputs: dict, where: str) -> None:
    """No witness proves these public values: the solver refuses the private inputs or
    computes other public values, and a forged witness carrying the claimed public
    values fails first at a constraint labelled ``where...`` (the attacker's view)."""
    try:
        assert cs.public_values(cs.solve(solvable(inputs))) != claimed(inputs)
    except UnsatisfiedConstraint as exc:
        assert exc.label.startswith(where), exc.label
    w = forge_witness(cs, inputs)
    w[1:1 + cs.num_public] = claimed(inputs)
    label = first_failure(cs, w)
    assert label is not None and label.startswith(where), label


def unchecked_leaf(c, b):
    """An attacker's leaf: the circuit's packing (mod r) without the range check."""
    return rb.poseidon_hash([c, sum(x << (64 * i) for i, x in enumerate(b)) % R])


def leaf_of(i, s, b, leaf=rb.leaf_hash):
    return leaf(rb.user_commitment(i, s), b)


def batch_inputs(index: int, prev_link: int, ids, salts, bals, leaf=rb.leaf_hash) -> dict:
    leaves = [leaf_of(i, s, b, leaf) for i, s, b in zip(ids, salts, bals, strict=True)]
    root = rb.batch_levels(leaves, B, K)[-1][0]
    pad = (1 << B) - len(ids)
    sums = [sum(b[k] for b in bals) % R for k in range(K)]
    return {"index": index, "prev_link": prev_link,
            "next_link": rb.next_link(prev_link, index, root, sums), "batch_root": root,
            "sums": sums,
            "user_commitments": [rb.user_commitment(i, s) for i, s in zip(ids, salts,
                                                                          strict=True)]
            + [0] * pad,
            "balances": bals + [[0] * K] * pad}


def test_statements_in_spec_order(batch_cs, top_cs):
    assert batch_cs.public_names == ["index", "prev_link", "next_link", "batch_root",
                                     "sums[0]", "sums[1]"]
    assert top_cs.public_names == ["batch_chain", "n_batches", "root", "liabilities[0]",
                                   "liabilities[1]", "asset_commitment", "epoch", "chain_id",
                                   "registry", "exchange"]
    bits = {i.name: i.bits for i in batch_cs.statement.inputs}
    assert bits["sums"] == 64 + B and bits["index"] == rb.INDEX_BITS
    assert top_cs.statement.input("liabilities").bits == 64 + B + 2


@pytest.mark.parametrize("n_batches", [1, 3, 5])
def test_constraint_estimates_match_compiled(n_batches, batch_cs):
    assert batch_cs.num_constraints == rb.ReservesBatch.estimate_constraints(B, K)
    cs = compile_circuit(rb.ReservesTop(n_batches, 1, 3))
    assert cs.num_constraints == rb.ReservesTop.estimate_constraints(n_batches, 1, 3)


def test_batch_of_2_10_by_3_fits_a_2_19_domain():
    """The estimate equals the compiled count (above); compiling 2^10 users is too slow."""
    n = rb.ReservesBatch.estimate_constraints(10, 3)
    assert n == 506_160
    assert n + (4 + 3) + 1 <= 1 << 19


def test_tree_arities_and_positions():
    from zk.std.merkle import positions, tree_arities
    assert [tree_arities(b) for b in (10, 4, 3, 2, 1, 0)] == \
        [[8, 8, 8, 2], [8, 2], [8], [4], [2], []]
    assert positions(1000, [8, 8, 8, 2]) == [0, 5, 7, 1]          # 1000 = 0 + 8*(5 + 8*(7 + 8))
    with pytest.raises(MalformedInput):
        positions(1024, [8, 8, 8, 2])


def test_packing_is_injective_and_range_checked():
    """K = 253 // 64 = 3 balances per element; each < 2^64, so packing never wraps and
    swapping two columns changes the leaf."""
    assert rb.pack_width(64) == 3 and rb.packed_count(3) == 1 and rb.packed_count(7) == 3
    top = (1 << 64) - 1
    assert rb.pack_balances([1, 2, top, 5]) == [1 + (2 << 64) + (top << 128), 5]
    assert rb.leaf_hash(9, [1, 2, 3]) != rb.leaf_hash(9, [2, 1, 3])
    assert rb.padding_leaf(3) == rb.poseidon_hash([0, 0])
    for bad in (1 << 64, -1, True):
        with pytest.raises(MalformedInput):
            rb.pack_balances([0, bad])


def test_witness_holds_the_batch_tree(batch_cs):
    ids, salts, bals = ledger(8)
    w = batch_cs.solve(solvable(batch_inputs(0, 0, ids, salts, bals)))
    levels = rb.batch_levels([leaf_of(*x) for x in zip(ids, salts, bals, strict=True)],
                             B, K)
    assert [len(lv) for lv in levels] == [16, 2, 1]
    assert [[w[x] for x in lv] for lv in rb.tree_wires(batch_cs)] == levels


def test_honest_batch_root_sums_and_link(batch_cs):
    ids, salts, bals = ledger(1, n=3)              # 13 padding leaves
    inputs = batch_inputs(2, 12345, ids, salts, bals)
    values = batch_cs.statement.values(batch_cs.public_values(batch_cs.solve(solvable(inputs))))
    assert batch_cs.public_values(batch_cs.solve(solvable(inputs))) == claimed(inputs)
    assert values["sums"] == [2 * 3 + 2 * 4 + 2 * 5, 3 * 0 + 3 * 1 + 3 * 2]
    leaves = [leaf_of(*x) for x in zip(ids, salts, bals, strict=True)]
    assert values["batch_root"] == rb.merkle_root_of(leaves + [rb.padding_leaf(K)] * 13)


def test_negative_balance_unprovable(batch_cs):
    """-10 (r - 10) would cut the asset-0 sum from 54 to 32; the range check refuses it."""
    ids, salts, bals = ledger(2)
    bals[1][0] = R - 10
    inputs = batch_inputs(0, 0, ids, salts, bals, unchecked_leaf)
    assert inputs["sums"][0] == 32
    assert_claim_unprovable(batch_cs, inputs, "leaves/range_check")


def test_balance_at_bound_unprovable(batch_cs):
    ids, salts, bals = ledger(3)
    bals[0][1] = 1 << 64
    inputs = batch_inputs(0, 0, ids, salts, bals, unchecked_leaf)
    assert_claim_unprovable(batch_cs, inputs, "leaves/range_check")


def test_understated_sums_unprovable(batch_cs):
    inputs = batch_inputs(0, 0, *ledger(4))
    inputs["sums"][0] -= 1
    inputs["next_link"] = rb.next_link(0, 0, inputs["batch_root"], inputs["sums"])
    assert_claim_unprovable(batch_cs, inputs, "sums/output")


@pytest.mark.parametrize("field", ["index", "prev_link", "next_link"])
def test_link_binds_index_and_previous_link(batch_cs, field):
    inputs = batch_inputs(1, 777, *ledger(5))
    inputs[field] += 1
    assert_claim_unprovable(batch_cs, inputs, "link/output")


def test_other_root_unprovable(batch_cs):
    inputs = batch_inputs(0, 0, *ledger(6))
    inputs["balances"][3][0] += 1            # same public root, altered private ledger
    assert_claim_unprovable(batch_cs, inputs, "tree/output")


def three_batches(seed: int = 10):
    roots, sums, links = [], [], [0]
    for k in range(3):
        inp = batch_inputs(k, links[-1], *ledger(seed + k))
        roots.append(inp["batch_root"])
        sums.append(inp["sums"])
        links.append(inp["next_link"])
    return roots, sums, links


def top_inputs(roots, sums, chain) -> dict:
    return {"batch_chain": chain, "n_batches": len(roots),
            "root": rb.top_levels(roots, B, K)[-1][0],
            "liabilities": [sum(s[k] for s in sums) % R for k in range(K)],
            "asset_commitment": rb.asset_commitment(ASSETS, DECIMALS), "epoch": 7,
            "chain_id": 31337, "registry": 0xAB, "exchange": 0xCD,
            "batch_roots": roots, "batch_sums": sums}


def test_top_recomputes_root_liabilities_and_chain(top_cs):
    roots, sums, links = three_batches()
    assert rb.batch_chain(roots, sums) == links        # batch proofs' links = off-circuit
    values = top_cs.statement.values(top_cs.public_values(
        top_cs.solve(top_inputs(roots, sums, links[-1]))))
    assert values["root"] == rb.merkle_root_of(
        roots + [rb.padding_batch_root(B, K)])
    assert rb.padding_batch_root(B, K) == rb.batch_levels([], B, K)[-1][0]
    assert values["liabilities"] == [sum(s[0] for s in sums), sum(s[1] for s in sums)]


def test_batch_from_another_ledger_breaks_the_chain(batch_cs, top_cs):
    """A batch proven over another ledger at index 1 (even chained from the honest link_1)
    ends in a link that is not the honest link_2, and the top cannot list its root."""
    roots, sums, links = three_batches()
    foreign = batch_inputs(1, links[1], *ledger(99))
    assert batch_cs.public_values(batch_cs.solve(solvable(foreign))) == claimed(foreign)
    assert foreign["next_link"] != links[2]
    roots[1], sums[1] = foreign["batch_root"], foreign["sums"]
    assert_unprovable(top_cs, top_inputs(roots, sums, links[-1]), "chain/assert_equal")


def test_top_understated_liabilities_or_wrong_count(top_cs):
    roots, sums, links = three_batches()
    bad = top_inputs(roots, sums, links[-1])
    bad["liabilities"][1] -= 1
    assert_unprovable(top_cs, bad, "liabilities/assert_equal")
    bad = top_inputs(roots, sums, links[-1])
    bad["n_batches"] = 2
    assert_unprovable(top_cs, bad, "count/assert_equal")


def test_top_negative_batch_sum_unprovable(top_cs):
    roots, sums, _ = three_batches()
    sums[0][0] = R - 5
    sums[1][0] += 5
    assert_unprovable(top_cs, top_inputs(roots, sums, rb.batch_chain(roots, sums)[-1]),
                      "chain/range_check")


def test_asset_commitment_binds_labels_and_decimals():
    c = rb.asset_commitment(ASSETS, DECIMALS)
    assert c != rb.asset_commitment(["ETH", "BTC"], DECIMALS)       # column swap
    assert c != rb.asset_commitment(ASSETS, [18, 8])
    assert rb.asset_name_element("BTC") == int.from_bytes(b"BTC", "big")
    for bad in ([""], ["x" * 32], [" BTC"], ["A", "A"]):
        with pytest.raises(MalformedInput):
            rb.asset_commitment(bad, [0] * len(bad))
    with pytest.raises(MalformedInput):
        rb.asset_commitment(["BTC"], [256])


def test_build_time_checks():
    for args in ((0, 2), (2, 8), (21, 1)):
        with pytest.raises(CircuitDefinitionError):
            rb.ReservesBatch(*args)
    with pytest.raises(CircuitDefinitionError):
        rb.ReservesTop(0, 2)


POSEIDON_LITE = r"""
const P = require("poseidon-lite");
const c = JSON.parse(require("fs").readFileSync(0, "utf8"));
const h = xs => P["poseidon" + xs.length](xs.map(BigInt));
const names = c.assets.map(a => BigInt("0x" + Buffer.from(a, "utf8").toString("hex")));
const commit = h([c.assets.length, ...names.flatMap((n, i) => [n, c.decimals[i]])]);
const user = h([c.id_hash, c.salt]);
const packed = c.balances.reduce((acc, b, i) => acc + (BigInt(b) << BigInt(64 * i)), 0n);
const leaf = h([user, packed]);
let node = leaf, index = c.index;
c.path.forEach((sibs) => {
  const a = sibs.length + 1, pos = index % a;
  node = h([...sibs.slice(0, pos), node, ...sibs.slice(pos)]);
  index = Math.floor(index / a);
});
const link = h([0, 0, node, ...c.sums]);
process.stdout.write(JSON.stringify([commit, user, leaf, node, link].map(String)));
"""


def test_hashes_match_poseidon_lite():
    """poseidon-lite (what the browser page uses) is an independent oracle for ours."""
    node = shutil.which("node")
    modules = REPO / ".ci" / "npm" / "node_modules"
    if node is None or not (modules / "poseidon-lite").is_dir():
        pytest.fail("node and .ci/npm/node_modules/poseidon-lite are required")
    ids, salts, bals = ledger(7, n=11)
    bals[10] = [(1 << 64) - 1, (1 << 63) + 5]         # the packing's high bits
    leaves = [leaf_of(*x) for x in zip(ids, salts, bals, strict=True)]
    levels = rb.batch_levels(leaves, B, K)              # arities [8, 2]: 8- and 2-input nodes
    sums = [sum(b[k] for b in bals) for k in range(K)]
    case = {"assets": ["BTC", "ÉTH"], "decimals": [8, 18], "id_hash": str(ids[10]),
            "salt": str(salts[10]), "balances": [str(b) for b in bals[10]], "index": 10,
            "path": [[str(s) for s in lv] for lv in rb.merkle_path(levels, 10)],
            "sums": [str(s) for s in sums]}
    assert [len(lv) for lv in case["path"]] == [7, 1]
    out = subprocess.run([node, "-e", POSEIDON_LITE], input=json.dumps(case), text=True,
                         capture_output=True, check=True, timeout=60,
                         env={**os.environ, "NODE_PATH": str(modules)})
    commit, user, leaf, root, link = map(int, json.loads(out.stdout))
    assert commit == rb.asset_commitment(["BTC", "ÉTH"], [8, 18])
    assert user == rb.user_commitment(ids[10], salts[10])
    assert leaf == leaves[10]
    assert root == levels[-1][0]
    assert link == rb.next_link(0, 0, root, sums)
