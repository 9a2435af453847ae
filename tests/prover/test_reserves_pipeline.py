"""The sharded reserves pipeline without Ray: ingest rules, planner, output folder, and
the attacks on users' files (column swap, foreign statement, other users' balances)."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from circuits import reserves_batch as rb
from circuits.inclusion import REASON_ASSETS, REASON_PATH, REASON_ROOT
from prover import reserves as lib
from prover.inputs import DuplicateUser
from prover.reserves import ingest, planner
from prover.reserves.verify import verify_inclusion
from zk.field import R

ADDR = "0x" + "ab" * 20
CTX = lib.Context(31337, ADDR, "0x" + "cd" * 20, 5)
# distinctive balances (base units): user k holds 1000003 * (k + 1) + asset
USERS = [(f"user{k}@example.com", [1000003 * (k + 1) + a for a in range(3)]) for k in range(7)]


def write_ledger(path, users=USERS):
    with open(path, "w") as fh:
        fh.write("user_id,BTC,ETH,USDT\n")
        for uid, bal in users:
            fh.write(f"{uid},{bal[0] / 1e8:.8f},{bal[1] / 1e8:.8f},{bal[2] / 1e6:.6f}\n")
    return path


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    p = tmp_path_factory.mktemp("assets") / "assets.json"
    p.write_text(json.dumps({"assets": [{"asset": "BTC", "decimals": 8},
                                        {"asset": "ETH", "decimals": 8},
                                        {"asset": "USDT", "decimals": 6}]}))
    return lib.load_assets(p)


@pytest.fixture(scope="module")
def proven(tmp_path_factory, assets):
    """7 users in batches of 2^2: two batch proofs, the top proof, 7 inclusion files."""
    d = tmp_path_factory.mktemp("run")
    ledger = write_ledger(d / "ledger.csv")
    keys, out = d / "keys", d / "out"
    p = lib.plan(7, 3, batch_bits=2)
    lib.setup(keys, p, 3)
    (d / "log").mkdir()
    res = lib.run(assets, ledger, keys, out, CTX, batch_bits=2, task_log=str(d / "log"))
    assert res.ok and sorted(res.proven) == [0, 1]
    return d, ledger, keys, out, res


def test_one_worker_loads_circuit_and_key_once_and_times_each_batch(proven):
    d, _, _, _, res = proven
    logged = sorted(f.name.split("-")[0] for f in (d / "log").iterdir())
    assert logged == ["load", "prove", "prove", "root", "root"]
    for secs in res.batch_seconds:
        parts = ("load", "witness", "prove", "inclusion", "write")
        assert all(secs[k] >= 0 for k in parts) and secs["prove"] > 0
        assert secs["total"] == pytest.approx(sum(secs[k] for k in parts))


def test_run_outputs_verify(proven, assets):
    _, _, _, out, res = proven
    assert lib.verify_run(out, out / "batch_vk.json", out / "top" / "verification_key.json")[0]
    assert res.liabilities == [sum(b[a] for _, b in USERS) for a in range(3)]
    top = json.loads((out / "top" / "public.json").read_text())
    assert int(top[6]) == assets.commitment()          # after chain, count, root, 3 liabs


def test_each_user_finds_their_file_with_their_secret(proven):
    _, _, _, out, _ = proven
    rows = [r for f in sorted((out / "private" / "user-secrets").iterdir())
            for r in csv.reader(f.open())]
    assert len(rows) == 7
    for uid, secret_hex, name in rows:
        from circuits.inclusion import inclusion_file_name
        assert inclusion_file_name(bytes.fromhex(secret_hex)) == name
        assert json.loads((out / "inclusion" / name).read_text())["user_id"] == uid
    index = json.loads((out / "inclusion" / "index.json").read_text())
    assert sorted(index) == sorted(r[2] for r in rows)
    assert not any(u in json.dumps(index) for u, _ in USERS)


def test_no_file_contains_another_users_balances(proven):
    _, _, _, out, _ = proven
    files = [out / "inclusion" / n for n in
             json.loads((out / "inclusion" / "index.json").read_text())]
    for f in files:
        text = f.read_text()
        me = json.loads(text)["user_id"]
        for uid, bal in USERS:
            if uid != me:
                assert uid not in text and not any(str(b) in text for b in bal), (me, uid)


def check(path, out):
    return verify_inclusion(path, None, out / "top" / "statement.json",
                            out / "top" / "public.json")


def test_column_swap_and_tampering_rejected(proven, tmp_path):
    _, _, _, out, _ = proven
    name = json.loads((out / "inclusion" / "index.json").read_text())[0]
    good = json.loads((out / "inclusion" / name).read_text())
    assert check(out / "inclusion" / name, out)[0]
    swapped = dict(good, assets=["ETH", "BTC", "USDT"])        # labels swapped back
    swapped["asset_commitment"] = str(rb.asset_commitment(swapped["assets"], [8, 8, 6]))
    (tmp_path / "swap.json").write_text(json.dumps(swapped))
    assert check(tmp_path / "swap.json", out) == (False, REASON_ASSETS)
    moved = dict(good, balances=[good["balances"][1], good["balances"][0], good["balances"][2]])
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    assert check(tmp_path / "moved.json", out) == (False, REASON_PATH)


def test_statement_of_another_run_rejected(proven, assets, tmp_path):
    """Another ledger (one balance differs) proven with the same keys: its top files
    are not the registered root for a user of the first run."""
    d, _, keys, out, _ = proven
    other = [(u, list(b)) for u, b in USERS]
    other[6][1][0] += 1
    ledger = write_ledger(tmp_path / "other.csv", other)
    res = lib.run(assets, ledger, keys, tmp_path / "out2", CTX, batch_bits=2)
    assert res.ok
    name = json.loads((out / "inclusion" / "index.json").read_text())[0]
    ok, reason = verify_inclusion(out / "inclusion" / name, None,
                                  tmp_path / "out2" / "top" / "statement.json",
                                  tmp_path / "out2" / "top" / "public.json")
    assert not ok and reason == REASON_ROOT


def test_rerun_skips_and_a_changed_batch_is_reproven(proven, assets, tmp_path):
    d, ledger, keys, out, _ = proven
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    res = lib.run(assets, ledger, keys, copy, CTX, batch_bits=2)
    assert res.ok and res.proven == [] and sorted(res.skipped) == [0, 1]
    changed = [(u, list(b)) for u, b in USERS]
    changed[5][1][2] += 1                                      # batch 1 changes
    res = lib.run(assets, write_ledger(tmp_path / "c.csv", changed), keys, copy, CTX,
                  batch_bits=2)
    # batch 0's proof is unchanged, but the root moved: its files are rewritten too
    assert res.ok and sorted(res.proven) == [0, 1]
    assert lib.verify_run(copy, copy / "batch_vk.json",
                          copy / "top" / "verification_key.json")[0]


def test_duplicate_user_across_batches_names_the_rows(tmp_path, assets):
    ledger = write_ledger(tmp_path / "l.csv", USERS + [USERS[1]])
    with pytest.raises(DuplicateUser, match=r"l\.csv: row 9 user_id: duplicate user "
                                             r"\(first seen at row 3\)"):
        ingest.count_users(ledger, assets, tmp_path / "idx.sqlite")


def test_batches_stream_in_ledger_order(tmp_path, assets):
    ledger = write_ledger(tmp_path / "l.csv")
    batches = list(ingest.iter_batches(ledger, assets, 1, tmp_path / "idx.sqlite"))
    assert [len(b.ids) for b in batches] == [2, 2, 2, 1]
    assert [b.index for b in batches] == [0, 1, 2, 3]
    assert batches[3].ids == [USERS[6][0]] and list(batches[3].balances[0]) == USERS[6][1]
    assert "hidden" in repr(batches[0]) and "user0" not in repr(batches[0])


def test_planner():
    p = planner.plan(5000, 3, ram_bytes=24 << 30)
    assert p.batch_bits == 12 and p.n_batches == 2          # 2^13 would pass 2^21 constraints
    assert planner.plan(5000, 3, ram_bytes=1 << 30).batch_bits == 9     # RAM-bound
    assert planner.plan(3, 3).batch_bits == 2                # no larger than the ledger
    p = planner.plan(5000, 3, batch_bits=8)
    assert p.n_batches == 20 and p.batch_constraints == rb.ReservesBatch.estimate_constraints(8, 3)
    with pytest.raises(Exception, match="batch bits"):
        planner.plan(10, 3, batch_bits=0)


def test_failed_batches_are_named_and_nothing_is_claimed(proven, assets, tmp_path):
    """A proving key damaged on disk: every batch proof fails, the run names them, writes
    no top proof; with the key restored a re-run proves them."""
    from prover import keyset
    d, ledger, keys, _, _ = proven
    broken = tmp_path / "keys"
    shutil.copytree(keys, broken, symlinks=True)
    p = lib.plan(7, 3, batch_bits=2)
    pk = keyset.load(lib.pipeline.key_folders(broken, p, 3)[0]).pk
    good = pk.read_bytes()
    pk.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    out = tmp_path / "out"
    res = lib.run(assets, ledger, broken, out, CTX, batch_bits=2)
    assert not res.ok and sorted(res.failed) == [0, 1]
    assert all("proving_key" in m or "manifest" in m for m in res.failed.values()), res.failed
    assert not (out / "top" / "proof.json").exists() and not (out / "run.json").exists()
    pk.write_bytes(good)
    res = lib.run(assets, ledger, broken, out, CTX, batch_bits=2)
    assert res.ok and sorted(res.proven) == [0, 1]


def test_native_batch_tree_is_the_circuits_tree():
    """prover.reserves.hashing (Backend.poseidon_rows) gives the id hashes, user
    commitments, leaves and mixed-arity levels (8- and 2-input rows) of the pure-Python
    circuits.reserves_batch / circuits.inclusion, ids of 1, 2 and 15 chunks."""
    from circuits.inclusion import user_id_hash
    from prover.reserves import hashing
    ids = ["a", "é" * 20, "x" * 465, "user3@example.com", "中" * 11]
    salts = [7, 0, R - 1, 12345, 99]
    bals = [(0, 1, 2), ((1 << 64) - 1, 0, 5), (3, 3, 3), (1, 2, 3), (9, 8, 7)]
    idh = hashing.id_hashes(ids)
    assert idh == [user_id_hash(u) for u in ids]
    commitments, levels = hashing.batch_tree(ids, salts, bals, 4, 3)
    assert commitments == [rb.user_commitment(h, s) for h, s in zip(idh, salts)]
    leaves = [rb.leaf_hash(c, b) for c, b in zip(commitments, bals)]
    assert levels == rb.batch_levels(leaves, 4, 3)
    assert [len(lv) for lv in levels] == [16, 2, 1]
    assert hashing.sums(bals, 3) == [sum(b[k] for b in bals) for k in range(3)]
    with pytest.raises(Exception, match="outside"):
        hashing.batch_tree(["a"], [1], [(1 << 64, 0, 0)], 3, 3)
    with pytest.raises(Exception, match="user id"):
        hashing.batch_tree(["x" * 466], [1], [(1, 0, 0)], 3, 3)


def test_interrupted_write_leaves_no_partial_file_and_rerun_completes(proven, assets,
                                                                       tmp_path):
    """A write that fails half way through a batch (a folder stands where one user's
    file goes): every file present is whole, the batch is not marked done, and once the
    obstacle is gone a re-run proves it and the output verifies."""
    _, ledger, keys, out, _ = proven
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    names = sorted(json.loads((out / "inclusion" / "index.json").read_text()))
    for f in (copy / "batches").iterdir():
        f.unlink()
    for n in names:
        (copy / "inclusion" / n).unlink()
    blocker = copy / "inclusion" / names[3]
    blocker.mkdir()
    (blocker / "keep").write_text("")
    with pytest.raises(OSError):
        lib.run(assets, ledger, keys, copy, CTX, batch_bits=2)
    written = [n for n in names if (copy / "inclusion" / n).is_file()]
    for n in written:                                       # whole JSON, never a prefix
        assert json.loads((copy / "inclusion" / n).read_text())["format"]
    assert len(list((copy / "batches").iterdir())) < 2      # the failed batch is not done
    shutil.rmtree(blocker)
    res = lib.run(assets, ledger, keys, copy, CTX, batch_bits=2)
    assert res.ok
    assert lib.verify_run(copy, copy / "batch_vk.json",
                          copy / "top" / "verification_key.json")[0]
    for n in names:
        assert (copy / "inclusion" / n).read_bytes() == (out / "inclusion" / n).read_bytes()
