"""The CLI's output folder through the real ReservesRegistry (embedded EVM): the top and
batch proofs of a pipeline run are accepted as written, and a user's inclusion check
reads rootOf: "not covered" until every batch is verified, then included; a root that
is not the registered one and a registry other than the one the user pins are refused.
"""
from __future__ import annotations

import json
import secrets

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from circuits.inclusion import REASON_COVERED, REASON_ROOT
from prover import reserves as lib
from prover import workflow
from prover.reserves.pipeline import key_folders
from prover.reserves.verify import verify_inclusion
from verifier_contracts import deploy_verifier
from verifier_contracts import reserves_registry as RR
from verifier_contracts.chain import connect

pytestmark = pytest.mark.slow

ONCE = dict(gas=2_500_000, preflight=False)
USERS = [("alice", "0.004"), ("bob", "0.0015"), ("carol", "0"), ("dan", "0.002"),
         ("erin", "0.0001")]


def test_pipeline_output_on_the_registry(tmp_path):
    chain = connect()                                     # embedded EVM
    admin, ex = chain.with_key(chain.dev_keys[0]), chain.with_key(chain.dev_keys[1])
    (tmp_path / "assets.json").write_text('{"assets": [{"asset": "ETH", "decimals": 18}]}')
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("user_id,ETH\n" + "".join(f"{u},{b}\n" for u, b in USERS))
    assets = lib.load_assets(tmp_path / "assets.json")
    plan = lib.plan(5, 1, batch_bits=2)
    keys = tmp_path / "keys"
    lib.setup(keys, plan, 1)
    refs = []
    for folder in reversed(key_folders(keys, plan, 1)):          # top, then batch
        vk, st = workflow.read_vk(workflow.vk_file(folder))
        refs.append(RR.KeyRef(deploy_verifier(admin, vk, self_test=False), vk, st))
    reg = RR.deploy_reserves_registry(admin, refs[0], refs[1], admin_delay=0, dev_keys=True)
    RR.list_asset(admin, reg, int.from_bytes(b"ETH", "big"), RR.ETH)
    RR.register_exchange(ex, reg, 10000)
    RR.set_assets(ex, reg, [RR.AssetMapping(int.from_bytes(b"ETH", "big"), 18, RR.ETH)],
                  assets.commitment())
    reserve = Account.from_key(secrets.token_hex(32))
    RR.register_reserve(ex, reg, 1, reserve.address,
                        RR.sign_ownership(reserve.key.hex(), chain.chain_id, reg, ex.address, 1))
    w3 = chain.w3
    tx = {"to": reserve.address, "value": 10**16, "gas": 60_000, "gasPrice": w3.eth.gas_price,
          "chainId": chain.chain_id, "nonce": w3.eth.get_transaction_count(admin.address)}
    w3.eth.send_raw_transaction(admin.account.sign_transaction(tx).raw_transaction)

    out = tmp_path / "out"
    ctx = lib.Context(chain.chain_id, reg.lower(), ex.address.lower(), 1)
    res = lib.run(assets, ledger, keys, out, ctx, batch_bits=2)
    assert res.ok
    top = out / "top"
    RR.submit_top(ex, reg, json.loads((top / "proof.json").read_text()),
                  json.loads((top / "public.json").read_text()), **ONCE)
    alice = next(p for p in (out / "inclusion").glob("*.json")
                 if p.name != "index.json" and json.loads(p.read_text())["user_id"] == "alice")
    assert verify_inclusion(alice, chain=chain, registry=reg) == (False, REASON_COVERED)
    run = json.loads((out / "run.json").read_text())
    for entry in reversed(run["batches"]):                    # last index first
        obj = json.loads((out / entry["file"]).read_text())
        RR.submit_batch(admin, reg, ex.address, 1, obj["proof"], obj["public"], **ONCE)
    assert RR.is_covered(chain, reg, ex.address, 1)
    ok, reason = verify_inclusion(alice, chain=chain, registry=reg, expect={"ETH": "0.004"})
    assert ok, reason
    other = to_checksum_address("0x" + "12" * 20)
    ok, reason = verify_inclusion(alice, chain=chain, registry=other)
    assert not ok and reason.startswith(REASON_ROOT)
    moved = json.loads(alice.read_text())
    moved["statement"]["epoch"] = "2"                          # no top proof for epoch 2
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    assert verify_inclusion(tmp_path / "moved.json", chain=chain, registry=reg) == \
        (False, REASON_ROOT)
