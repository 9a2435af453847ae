"""The page over JSON-RPC against a real ReservesRegistry on anvil, end to end: the
reserves pipeline proves a ledger bound to that registry, the exchange registers a
reserve address that holds the liabilities (ETH and an ERC-20), submits the top proof
and the batch proofs, and users check their files in headless Chromium; the page reads
rootOf(exchange, epoch) and must agree with ``verify_inclusion`` on the same reading; the
same run's statement files serve the offline path."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from eth_account import Account

from circuits import reserves_batch as rb
from prover import reserves as lib
from prover.reserves.verify import verify_inclusion
from prover.workflow import read_vk
from tests.verifier_contracts.conftest import (  # noqa: F401 (anvil_url: fixture)
    ANVIL_KEYS,
    _free_port,
    anvil_url,
)
from tests.web.conftest import check
from verifier_contracts import connect, deploy_attester_registry, deploy_verifier
from verifier_contracts import reserves_registry as RR
from verifier_contracts.abi import deploy_code, send_fn

EPOCH = 3
ONCE = dict(gas=3_000_000, preflight=False)
LEDGER = "user_id,ETH,USDC\nalice,1.5,20.25\nbob,0.000000000000000001,0\nZoë 🦊,3,1000000\n"
BALANCES = {"alice": ["1.500000000000000000", "20.250000"],
            "bob": ["0.000000000000000001", "0.000000"],
            "Zoë 🦊": ["3.000000000000000000", "1000000.000000"]}


def _vk(keys: Path, kind: str):
    (path,) = keys.glob(f"reserves-{kind}-*/verification_key.json")
    return read_vk(path)


def _fund(chain, to: str, wei: int) -> None:
    w3 = chain.w3
    tx = {"to": to, "value": wei, "gas": 60_000, "gasPrice": w3.eth.gas_price,
          "chainId": chain.chain_id, "nonce": w3.eth.get_transaction_count(chain.address)}
    h = w3.eth.send_raw_transaction(chain.account.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(h)["status"] == 1


@pytest.fixture(scope="module")
def world(tmp_path_factory, anvil_url):  # noqa: F811
    d = tmp_path_factory.mktemp("registry")
    (d / "assets.json").write_text(json.dumps({"assets": [
        {"asset": "ETH", "decimals": 18}, {"asset": "USDC", "decimals": 6}]}))
    (d / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    assets = lib.load_assets(d / "assets.json")
    lib.setup(d / "keys", lib.plan(3, 2, batch_bits=1), 2)
    chain = connect(anvil_url, private_key=ANVIL_KEYS[0])
    ex = chain.with_key(ANVIL_KEYS[1])
    refs = []
    for kind in ("top", "batch"):
        vk, st = _vk(d / "keys", kind)
        refs.append(RR.KeyRef(deploy_verifier(chain, vk, self_test=False), vk, st))
    reg = RR.deploy_reserves_registry(
        chain, refs[0], refs[1], max_reserve_addresses=2, admin_delay=0, dev_keys=True,
        attester_registry=deploy_attester_registry(chain, admin_delay=0))
    usdc, _ = chain.deploy(deploy_code("DevToken", ["USD Coin", "USDC", 6]))
    RR.list_asset(chain, reg, rb.asset_name_element("ETH"), RR.ETH)
    RR.list_asset(chain, reg, rb.asset_name_element("USDC"), RR.ERC20, usdc)
    RR.register_exchange(ex, reg, 10000)
    RR.set_assets(ex, reg, [RR.AssetMapping(rb.asset_name_element("ETH"), 18, RR.ETH),
                            RR.AssetMapping(rb.asset_name_element("USDC"), 6, RR.ERC20, usdc)],
                  assets.commitment())
    key = "0x" + secrets.token_hex(32)
    holder = Account.from_key(key).address
    RR.register_reserve(ex, reg, EPOCH, holder,
                        RR.sign_ownership(key, chain.chain_id, reg, ex.address, EPOCH))
    ctx = lib.Context(chain.chain_id, reg, ex.address, EPOCH)
    res = lib.run(assets, d / "ledger.csv", d / "keys", d / "out", ctx, batch_bits=1)
    assert res.ok
    _fund(chain, holder, res.liabilities[0])
    send_fn(chain, "DevToken", usdc, "mint", holder, res.liabilities[1])
    out = d / "out"
    top = json.loads((out / "top" / "proof.json").read_text())
    RR.submit_top(ex, reg, top, [int(x) for x in json.loads(
        (out / "top" / "public.json").read_text())], **ONCE)
    # another ledger proven for the same registry, exchange and epoch, never submitted
    (d / "other.csv").write_text(LEDGER.replace("alice,1.5", "alice,1.4"), encoding="utf-8")
    assert lib.run(assets, d / "other.csv", d / "keys", d / "other", ctx, batch_bits=1).ok
    files = [out / "inclusion" / n for n in json.loads((out / "inclusion" / "index.json")
                                                       .read_text())]
    return dict(chain=chain, reg=reg, ex=ex, out=out, files=files, res=res, other=d / "other")


def _registered(w, epoch=EPOCH) -> tuple:
    r = RR.root_of(w["chain"], w["reg"], w["ex"].address, epoch)
    return r["root"], r["asset_commitment"], r["covered"]


def _submit_batches(w) -> None:
    batches = sorted((w["out"] / "batches").glob("*.json"), reverse=True)   # highest first
    for path in batches:
        b = json.loads(path.read_text())
        RR.submit_batch(w["ex"], w["reg"], w["ex"].address, EPOCH, b["proof"],
                        [int(x) for x in b["public"]], **ONCE)


def test_not_covered_until_every_batch_is_verified_then_included(page, world, anvil_url):  # noqa: F811
    path = world["files"][0]
    out = check(page, path.read_text(), rpc=anvil_url)
    assert out["verdict"] == "Not included" and out["reasons"] == ["uncovered"], out
    assert verify_inclusion(path, _registered(world)) == (False, "not covered")
    _submit_batches(world)
    assert _registered(world)[2] is True
    seen = {}
    for path in world["files"]:
        out = check(page, path.read_text(), rpc=anvil_url)
        assert out["verdict"] == "Included", out
        assert out["root"] == str(world["res"].root)
        assert out["details"]["covered on-chain"] == "yes"
        assert verify_inclusion(path, _registered(world))[0]
        seen[json.loads(path.read_text())["user_id"]] = [v for _, v in out["balances"]]
    assert seen == BALANCES
    assert all(u.startswith(("file://", anvil_url)) for u in page.requests)


def test_attacks_show_their_reason_over_rpc(page, world, anvil_url, tmp_path):  # noqa: F811
    good = json.loads(world["files"][0].read_text())
    swapped = dict(good, assets=good["assets"][::-1])           # the column swap
    swapped["asset_commitment"] = str(rb.asset_commitment(swapped["assets"], good["decimals"]))
    tampered = dict(good, balances=[str(int(good["balances"][0]) + 1), good["balances"][1]])
    other_name = json.loads((world["other"] / "inclusion" / "index.json").read_text())[0]
    other = json.loads((world["other"] / "inclusion" / other_name).read_text())
    later = dict(good, statement=dict(good["statement"], epoch=str(EPOCH + 1)))
    for bad, code in ((swapped, "assets"), (tampered, "path"), (other, "root"),
                      (later, "root")):
        out = check(page, bad, rpc=anvil_url)
        assert out["verdict"] == "Not included" and out["reasons"] == [code], (code, out)
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        epoch = int(bad["statement"]["epoch"])
        ok, reason = verify_inclusion(tmp_path / "bad.json", _registered(world, epoch))
        assert not ok
        if bad is not later:    # nothing registered: the CLI names the assets check first
            assert reason == out["texts"][0], (reason, out)
    assert "no top proof is registered" in check(page, later, rpc=anvil_url)["texts"][0]
    wrong_chain = dict(good, statement=dict(good["statement"], chain_id="1"))
    assert check(page, wrong_chain, rpc=anvil_url)["reasons"] == ["chain"]
    # the file's key and statement are the registry's top key and statement
    kid = RR.read(world["chain"], world["reg"], "topKeyId")
    assert good["statement"]["key_id"] == "0x" + bytes(kid).hex()
    other_key = dict(good, statement=dict(good["statement"], key_id="0x" + "11" * 32))
    out = check(page, other_key, rpc=anvil_url)
    assert out["reasons"] == ["key"] and "verifies another key or statement" in out["texts"][0]


def test_statement_files_of_the_same_run(page, world):
    """The offline path on the same run: the top proof's statement.json and public.json."""
    top = {"statement": (world["out"] / "top" / "statement.json").read_text(),
           "public": (world["out"] / "top" / "public.json").read_text()}
    for path in world["files"]:
        out = check(page, path.read_text(), **top)
        assert out["verdict"] == "Included" and out["root"] == str(world["res"].root), out
        assert out["details"]["covered on-chain"] == "not checked"
        assert verify_inclusion(path, None, world["out"] / "top" / "statement.json",
                                world["out"] / "top" / "public.json")[0]
    good = json.loads(world["files"][1].read_text())
    moved = dict(good, balances=good["balances"][::-1])
    assert check(page, moved, **top)["reasons"] == ["path"]
    other = {"statement": top["statement"],
             "public": (world["other"] / "top" / "public.json").read_text()}
    assert check(page, good, **other)["reasons"] == ["root"]


def test_rpc_errors_are_named(page, world, anvil_url):  # noqa: F811
    good = json.loads(world["files"][0].read_text())
    nowhere = dict(good, statement=dict(good["statement"], registry="0x" + "5a" * 20))
    assert "no ReservesRegistry at this address on this chain" in \
        check(page, nowhere, rpc=anvil_url)["error"]
    assert "cannot reach the JSON-RPC URL" in check(
        page, good, rpc=f"http://127.0.0.1:{_free_port()}")["error"]
    assert "must start with http:// or https://" in \
        check(page, good, rpc="file:///etc/passwd")["error"]
