"""Inclusion files v3: mixed-arity per-level paths, bound asset list, the attacks of
issue 12."""
from __future__ import annotations

import copy
import json

import pytest

from circuits import inclusion as inc
from circuits import reserves_batch as rb
from zk.errors import MalformedInput

B, K = 4, 3                   # batches of 16 (tree arities [8, 2]), three assets
ASSETS, DECIMALS = ["BTC", "ETH", "USDT"], [8, 18, 6]
STATEMENT = {"chain_id": "31337", "registry": "0x" + "ab" * 20, "exchange": "0x" + "cd" * 20,
             "epoch": "7", "key_id": "0x" + "11" * 32, "statement_hash": "0x" + "22" * 32}
# distinctive balances of 13 digits (none a substring of another): user u holds
# 10^12 + 1000003 * (u + 1) + asset
USERS = [(f"user{u:02d}", 5000 + u, [10**12 + 1000003 * (u + 1) + a for a in range(K)])
         for u in range(29)]


def leaf(u, s, b):
    return rb.leaf_hash(rb.user_commitment(inc.user_id_hash(u), s), b)


@pytest.fixture(scope="module")
def files():
    """29 users in batches of 16, 13 and one of a single user: a top of width 4 ([4])."""
    batches = [USERS[0:16], USERS[16:28], USERS[28:29]]
    levels = [rb.batch_levels([leaf(u, s, b) for u, s, b in bt], B, K) for bt in batches]
    top = rb.top_levels([lv[-1][0] for lv in levels], B, K)
    out = []
    for k, bt in enumerate(batches):
        for i, (u, s, b) in enumerate(bt):
            out.append(inc.inclusion_v3(u, s, b, ASSETS, DECIMALS, k, i, levels[k], top,
                                        STATEMENT))
    return out, top[-1][0]


COMMIT = rb.asset_commitment(ASSETS, DECIMALS)


def test_every_user_is_included(files):
    proofs, root = files
    for p in proofs:
        parsed = inc.parse_inclusion_v3(json.loads(json.dumps(p)))
        assert inc.check_against(parsed, root, COMMIT) == (True, "included")
        assert (p["batch_bits"], p["top_bits"]) == (4, 2)
        assert [len(lv) for lv in p["batch_path"]] == [7, 1]
        assert [len(lv) for lv in p["top_path"]] == [3]
    assert inc.check_against(inc.parse_inclusion_v3(proofs[0]), root, COMMIT, False) == \
        (False, inc.REASON_COVERED)


def test_tampered_balance_rejected(files):
    p = copy.deepcopy(files[0][21])
    p["balances"][0] = str(int(p["balances"][0]) + 1)
    with pytest.raises(inc.InclusionRejected, match=inc.REASON_PATH):
        inc.parse_inclusion_v3(p)
    q = copy.deepcopy(files[0][21])                 # a sibling moved within its level
    q["batch_path"][0][0], q["batch_path"][0][1] = q["batch_path"][0][1], q["batch_path"][0][0]
    with pytest.raises(inc.InclusionRejected, match=inc.REASON_PATH):
        inc.parse_inclusion_v3(q)
    r = copy.deepcopy(files[0][21])                 # another position under the same path
    r["leaf_index"] ^= 1
    with pytest.raises(inc.InclusionRejected, match=inc.REASON_PATH):
        inc.parse_inclusion_v3(r)


def test_column_swap_rejected(files):
    """The exchange booked BTC in the ETH column and relabels this user's file: the asset
    list no longer hashes to the committed one. Swapping the balances back instead
    breaks the path."""
    proofs, root = files
    p = copy.deepcopy(proofs[1])
    p["assets"][0], p["assets"][1] = p["assets"][1], p["assets"][0]
    p["decimals"][0], p["decimals"][1] = p["decimals"][1], p["decimals"][0]
    p["asset_commitment"] = str(rb.asset_commitment(p["assets"], p["decimals"]))
    assert inc.check_against(inc.parse_inclusion_v3(p), root, COMMIT) == \
        (False, inc.REASON_ASSETS)
    q = copy.deepcopy(proofs[1])
    q["balances"][0], q["balances"][1] = q["balances"][1], q["balances"][0]
    with pytest.raises(inc.InclusionRejected, match=inc.REASON_PATH):
        inc.parse_inclusion_v3(q)
    r = copy.deepcopy(proofs[1])
    r["decimals"][2] = 18
    assert inc.check_against(inc.parse_inclusion_v3(r), root, COMMIT)[1] == inc.REASON_ASSETS


def test_wrong_root_rejected(files):
    proofs, root = files
    parsed = inc.parse_inclusion_v3(proofs[2])
    assert inc.check_against(parsed, root + 1, COMMIT) == (False, inc.REASON_ROOT)
    assert inc.check_against(parsed, 0, COMMIT) == (False, inc.REASON_ROOT)


def test_no_file_contains_another_users_balances(files):
    proofs, _ = files
    for p in proofs:
        text = json.dumps(p)
        for u, _, bals in USERS:
            if u == p["user_id"]:
                continue
            assert u not in text
            assert not any(str(b) in text for b in bals), (p["user_id"], u)


@pytest.mark.parametrize("field,value", [
    ("format", "zk-solvency/inclusion-proof/v2"), ("balances", ["1", "2"]),
    ("salt", "01"), ("assets", ["BTC", "BTC", "X"]), ("decimals", [8, 18, 256]),
    ("statement", {}), ("root", "-1"), ("batch_path", [["1"] * 7, ["01"]])])
def test_malformed_files_rejected(files, field, value):
    p = copy.deepcopy(files[0][0])
    p[field] = value
    with pytest.raises(MalformedInput):
        inc.parse_inclusion_v3(p)


@pytest.mark.parametrize("field,value", [
    ("batch_path", []), ("batch_path", [["1"] * 7]), ("batch_path", [["1"] * 7, ["1"] * 2]),
    ("batch_path", [["1"] * 7, "1"]), ("batch_path", [["1"] * 7, ["1"], []]),
    ("top_path", [["1"] * 3, ["1"]]), ("top_path", ["1", "1"]),
    ("leaf_index", 16), ("leaf_index", -1), ("leaf_index", True), ("batch_index", 4),
    ("batch_bits", 3), ("batch_bits", 21), ("batch_bits", "4"), ("top_bits", 0),
    ("top_bits", 17), ("top_bits", 3)])
def test_malformed_path_rejected(files, field, value):
    """Level count and lengths must be those of tree_arities(batch_bits / top_bits), and
    the indices must fit; each names the 'malformed path' rule."""
    p = copy.deepcopy(files[0][0])
    p[field] = value
    with pytest.raises(MalformedInput, match="malformed path"):
        inc.parse_inclusion_v3(p)


def test_file_name_from_user_secret():
    a, b = bytes(32), bytes([1]) + bytes(31)
    assert inc.inclusion_file_name(a) != inc.inclusion_file_name(b)
    assert len(inc.inclusion_file_name(a)) == 32 + len(".json")
    with pytest.raises(MalformedInput):
        inc.inclusion_file_name(b"short")
