"""ReservesRegistry with real ReservesTop / ReservesBatch proofs (our prover), on the
embedded EVM and on anvil: reserve-address ownership (ECDSA, EIP-1271), token mapping,
coverage read from real ETH and ERC-20 balances, the batch chain, attested reserves.

Oracles: eth_account's EIP-712 encoder for the ownership digest, OpenZeppelin's ERC20 and
ECDSA on a real EVM for balances and signatures, the circuits' own Poseidon reference
(`circuits.reserves_batch`) for roots, links and the asset commitment.
"""
from __future__ import annotations

import json
import secrets

import pytest
from eth_account import Account
from eth_utils import to_checksum_address

from tests.verifier_contracts import reserves_setup as S
from verifier_contracts import ContractRevert, deploy_attester_registry, deploy_verifier
from verifier_contracts import reserves_registry as RR
from verifier_contracts.abi import deploy_code, send_fn
from verifier_contracts.artifacts import ARTIFACT_DIR
from zk.errors import MalformedInput
from zk.formats import snarkjs_json as sj

EIP170 = 24576
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
RATIO_A, CAP = 11000, 3
#: Valid proofs are sent once, without the eth_call dry run: a pairing takes ~5 s on the
#: embedded EVM. Reverting ones go through the default path, which decodes the error.
ONCE = dict(gas=2_000_000, preflight=False)


def reverts(name, fn, *args, **kw) -> tuple:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)
    assert err.value.name == name, str(err.value)
    return tuple(a.lower() if isinstance(a, str) else a for a in err.value.args_)


def fund(chain, to: str, wei: int) -> None:
    """Send `wei` from the chain's first account (a plain signed value transfer)."""
    w3 = chain.w3
    tx = {"to": to_checksum_address(to), "value": wei, "gas": 60_000,
          "gasPrice": w3.eth.gas_price, "chainId": chain.chain_id,
          "nonce": w3.eth.get_transaction_count(chain.address, "pending")}
    h = w3.eth.send_raw_transaction(chain.account.sign_transaction(tx).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(h)["status"] == 1


def need(liability: int, ratio: int) -> int:
    return -(-liability * ratio // 10000)


def high_s(sig: bytes) -> bytes:
    """The same ECDSA signature with s -> n - s and v flipped (valid for ecrecover)."""
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


@pytest.fixture(scope="module")
def world(chain):
    batch, top = S.provers()
    admin, ex_a, ex_b, attester = (chain.with_key(k) for k in chain.dev_keys[:4])
    attesters = deploy_attester_registry(admin, admin_delay=0)
    refs = []
    for p in (top, batch):
        verifier = deploy_verifier(chain, p.vk, self_test=False)
        refs.append(RR.KeyRef(verifier, p.vk, p.statement))
    reg = RR.deploy_reserves_registry(admin, refs[0], refs[1], max_reserve_addresses=CAP,
                                      attester_registry=attesters, admin_delay=0,
                                      dev_keys=True)
    usdc, _ = chain.deploy(deploy_code("DevToken", ["USD Coin", "USDC", 6]))
    RR.list_asset(admin, reg, S.names()[0], RR.ETH)
    RR.list_asset(admin, reg, S.names()[1], RR.ERC20, usdc)
    RR.register_exchange(ex_a, reg, RATIO_A)
    RR.register_exchange(ex_b, reg, 10000)
    return dict(reg=reg, top=refs[0], batch=refs[1], usdc=usdc, admin=admin, a=ex_a, b=ex_b,
                attester=attester, attesters=attesters, wallet_key=secrets.token_hex(32),
                keys=[secrets.token_hex(32) for _ in range(4)])


def mapping(w, usdc_holding=RR.ERC20, usdc_decimals=6, eth_decimals=8):
    names = S.names()
    token = w["usdc"] if usdc_holding == RR.ERC20 else RR.ZERO
    return [RR.AssetMapping(names[0], eth_decimals, RR.ETH),
            RR.AssetMapping(names[1], usdc_decimals, usdc_holding, token)]


def test_size_layout_and_deployment_checks(chain, world):
    art = json.loads((ARTIFACT_DIR / "ReservesRegistry.json").read_text())
    size = len(bytes.fromhex(art["deployedBytecode"][2:]))
    assert size == len(chain.code_at(world["reg"])) and size <= EIP170, size
    reg, top, batch = world["reg"], world["top"].statement, world["batch"].statement
    for getter, st, name in (("exchangeIndex", top, "exchange"),
                             ("liabilitiesIndex", top, "liabilities"),
                             ("prevLinkIndex", batch, "prev_link"),
                             ("sumsIndex", batch, "sums")):
        assert RR.read(chain, reg, getter) == st.index(name)
    assert RR.read(chain, reg, "nAssets") == S.N_ASSETS
    assert RR.read(chain, reg, "topKeyId") == RR.key_id(world["top"].vk, top)
    with pytest.raises(MalformedInput, match="lacks public input"):
        RR.top_layout(batch)
    # a verifier whose key is not the one named: refused before anything is deployed
    with pytest.raises(Exception, match="vkHash|verifier"):
        RR.deploy_reserves_registry(world["admin"], world["top"],
                                    RR.KeyRef(world["top"].verifier, world["batch"].vk, batch),
                                    dev_keys=True)


def test_ownership_signatures(chain, world):
    reg, a, b = world["reg"], world["a"], world["b"]
    cid = chain.chain_id
    r1, r2, r3, r4 = (Account.from_key(k) for k in world["keys"])
    # the contract's digest is eth_account's EIP-712 digest
    assert RR.read(chain, reg, "ownershipDigest", a.address, r1.address, 1) == \
        RR.ownership_digest(cid, reg, a.address, r1.address, 1)
    good1 = RR.sign_ownership(r1.key.hex(), cid, reg, a.address, 1)
    RR.register_reserve(a, reg, 1, r1.address, good1)
    # forged: r2's address with r3's signature
    forged = RR.sign_ownership(r3.key.hex(), cid, reg, a.address, 1, reserve=r2.address)
    assert reverts("BadOwnershipSignature", RR.register_reserve, a, reg, 1, r2.address,
                   forged) == (r2.address.lower(),)
    # malleated: the high-s twin of a valid signature is refused, the low-s one accepted
    good2 = RR.sign_ownership(r2.key.hex(), cid, reg, a.address, 1)
    for bad in (high_s(good2), RR.sign_ownership(r2.key.hex(), cid, reg, a.address, 2),
                RR.sign_ownership(r2.key.hex(), cid + 1, reg, a.address, 1),
                RR.sign_ownership(r2.key.hex(), cid, world["usdc"], a.address, 1),
                RR.sign_ownership(r2.key.hex(), cid, reg, b.address, 1)):
        reverts("BadOwnershipSignature", RR.register_reserve, a, reg, 1, r2.address, bad)
    RR.register_reserve(a, reg, 1, r2.address, good2)
    # an address belongs to one exchange: b cannot claim r1 even with r1's signature
    for_b = RR.sign_ownership(r1.key.hex(), cid, reg, b.address, 1)
    assert reverts("AddressClaimed", RR.register_reserve, b, reg, 1, r1.address, for_b) \
        == (r1.address.lower(), a.address.lower())
    assert reverts("AddressAlreadyListed", RR.register_reserve, a, reg, 1, r1.address,
                   good1) == (r1.address.lower(), 1)
    # an EIP-1271 contract wallet: its owner's signature counts, another key's does not
    owner = Account.from_key(world["wallet_key"])
    wallet, _ = chain.deploy(deploy_code("DevSmartWallet", [owner.address]))
    world["wallet"] = wallet
    bad = RR.sign_ownership(r3.key.hex(), cid, reg, a.address, 1, reserve=wallet)
    reverts("BadOwnershipSignature", RR.register_reserve, a, reg, 1, wallet, bad)
    RR.register_reserve(a, reg, 1, wallet, RR.sign_ownership(
        owner.key.hex(), cid, reg, a.address, 1, reserve=wallet))
    assert [x.lower() for x in RR.read(chain, reg, "reservesOf", a.address, 1)] == \
        [x.lower() for x in (r1.address, r2.address, wallet)]
    # the number of addresses per exchange and epoch is capped
    assert reverts("TooManyAddresses", RR.register_reserve, a, reg, 1, r4.address,
                   RR.sign_ownership(r4.key.hex(), cid, reg, a.address, 1)) == (CAP,)


def test_asset_mapping(chain, world):
    reg, a = world["reg"], world["a"]
    # held decimals come from the chain (token decimals(), 18 for ETH); a gap over 36 is
    # refused (10^gap would overflow the conversion)
    assert reverts("DecimalsGapTooLarge", RR.set_assets, a, reg,
                   mapping(world, usdc_decimals=43), S.commitment()) == (1, 43, 6)
    # an exchange cannot pick its own token (or hold USDC as ETH): the admin lists them
    own, _ = chain.deploy(deploy_code("DevToken", ["Fake USD", "USDC", 6]))
    for bad in (RR.AssetMapping(S.names()[1], 6, RR.ERC20, own),
                RR.AssetMapping(S.names()[1], 6, RR.ETH)):
        assert reverts("HoldingNotListed", RR.set_assets, a, reg, [mapping(world)[0], bad],
                       S.commitment()) == (1, S.names()[1])
    assert reverts("AccessControlUnauthorizedAccount", RR.list_asset, a, reg, S.names()[1],
                   RR.ERC20, own)[0] == a.address.lower()
    # the contract cannot hash the list (Poseidon): a list with other decimals than the
    # commitment is accepted on-chain, and status (a reader's check) flags it
    RR.set_assets(a, reg, mapping(world, usdc_decimals=8), S.commitment())
    assert not RR.status(chain, reg, a.address, 1)["assets_match_commitment"]
    # two assets held as the same ETH (or the same token) would count one balance twice
    eth_twice = [mapping(world)[0], RR.AssetMapping(S.names()[0], 6, RR.ETH)]
    assert reverts("SharedHolding", RR.set_assets, a, reg, eth_twice, S.commitment()) == (1, 0)
    RR.set_assets(a, reg, mapping(world), S.commitment())
    st = RR.status(chain, reg, a.address, 1)
    assert st["declared_asset_commitment"] == S.commitment() and st["assets_match_commitment"]
    assert [(x["holding"], x["decimals"], x["held_decimals"]) for x in st["assets"]] == \
        [("eth", 8, 18), ("erc20", 6, 6)]


def test_coverage_and_batch_chain(chain, world):
    reg, a, b, usdc = world["reg"], world["a"], world["b"], world["usdc"]
    cid, led = chain.chain_id, S.LEDGERS[1]
    eth_need, usdc_need = (need(v, RATIO_A) for v in led.liabilities)
    holders = [Account.from_key(k).address for k in world["keys"][:2]] + [world["wallet"]]
    # ETH is held in wei and booked in 1e-8 ETH: one wei short rounds down to a unit short
    wei = eth_need * S.WEI_PER_UNIT
    fund(chain, holders[0], wei // 2)
    fund(chain, holders[2], wei - wei // 2 - 1)
    send_fn(chain, "DevToken", usdc, "mint", holders[1], usdc_need)

    def top(**kw):
        args = dict(chain_id=cid, registry=reg, exchange=a.address, epoch=1) | kw
        return S.top_proof(1, **args)

    proof, public = top()
    assert reverts("InsufficientReserves", RR.submit_top, a, reg, proof, public) == \
        (0, eth_need, eth_need - 1)
    fund(chain, holders[1], 1)
    # every bound field is checked, errors carry (expected, got)
    assert reverts("WrongChain", RR.submit_top, a, reg, *top(chain_id=cid + 1)) == (cid, cid + 1)
    assert reverts("WrongRegistry", RR.submit_top, a, reg, *top(registry=usdc)) == \
        (int(reg, 16), int(usdc, 16))
    assert reverts("WrongExchange", RR.submit_top, a, reg, *top(exchange=b.address)) == \
        (int(a.address, 16), int(b.address, 16))
    assert reverts("WrongExchange", RR.submit_top, b, reg, proof, public) == \
        (int(b.address, 16), int(a.address, 16))
    assert reverts("AssetCommitmentMismatch", RR.submit_top, a, reg,
                   *top(asset_commitment_=S.commitment() + 1)) == \
        (S.commitment(), S.commitment() + 1)
    receipt = RR.submit_top(a, reg, proof, public, **ONCE)
    gas_top = int(receipt["gasUsed"])
    ep = RR.epoch_of(chain, reg, a.address, 1)
    assert ep["liabilities"] == led.liabilities and ep["attested"] == [0, 0]
    assert ep["on_chain"] == [eth_need, usdc_need] and ep["remaining"] == S.N_BATCHES
    assert RR.root_of(chain, reg, a.address, 1) == {
        "root": led.root, "asset_commitment": S.commitment(), "covered": False}
    assert reverts("EpochClosed", RR.submit_top, a, reg, proof, public) == (1, 1)
    assert reverts("EpochClosed", RR.register_reserve, a, reg, 1, holders[0], b"") == (1, 1)

    mine, other = S.batch_proofs(1), S.batch_proofs(2)
    sub = RR.submit_batch
    assert reverts("WrongBatchIndex", sub, b, reg, a.address, 1, *mine[0]) == (1, 0)
    # a batch of another ledger is not in the top proof's chain
    got = reverts("LinkMismatch", sub, b, reg, a.address, 1, *other[1])
    assert got == (1, ep["batch_chain"], other[1][1][2])
    bad = sj.proof_to_json(mine[1][0]) | {"pi_a": sj.proof_to_json(other[1][0])["pi_a"]}
    reverts("InvalidProof", sub, b, reg, a.address, 1, bad, mine[1][1])
    gas_batch = int(sub(b, reg, a.address, 1, *mine[1], **ONCE)["gasUsed"])   # anyone may submit
    # one batch still unverified: not covered
    assert not RR.is_covered(chain, reg, a.address, 1)
    assert RR.pending_batch(chain, reg, a.address, 1) == 0
    assert reverts("LinkMismatch", sub, a, reg, a.address, 1, *other[0])[0] == 0
    sub(a, reg, a.address, 1, *mine[0], **ONCE)
    assert RR.is_covered(chain, reg, a.address, 1)
    assert RR.root_of(chain, reg, a.address, 1)["covered"]
    assert RR.read(chain, reg, "batchOf", a.address, 1, 1)[0] == led.roots[1]
    assert reverts("AllBatchesVerified", sub, a, reg, a.address, 1, *mine[0]) == \
        (a.address.lower(), 1)
    assert not RR.is_covered(chain, reg, a.address, 2)
    assert RR.root_of(chain, reg, a.address, 2)["root"] == 0
    # a list declared after the top proof does not rewrite what epoch 1 was checked with
    RR.set_assets(a, reg, mapping(world, usdc_decimals=8), S.commitment())
    st1, st2 = (RR.status(chain, reg, a.address, e) for e in (1, 2))
    assert [x["decimals"] for x in st1["assets"]] == S.DECIMALS and \
        st1["assets_match_commitment"]
    assert [x["decimals"] for x in st2["assets"]] == [8, 8] and \
        not st2["assets_match_commitment"]
    epoch_gas = gas_top + S.N_BATCHES * gas_batch
    print(f"\nReservesRegistry gas ({'embedded' if chain.embedded else 'anvil'}): submitTop "
          f"{gas_top} (2 assets, 3 addresses), submitBatch {gas_batch}, epoch of "
          f"{S.N_BATCHES} batches {epoch_gas}; runtime size {len(chain.code_at(reg))} bytes")
    assert gas_top < 800_000 and gas_batch < 500_000


def test_attested_reserves(chain, world):
    reg, b, attester, admin = world["reg"], world["b"], world["attester"], world["admin"]
    cid, led = chain.chain_id, S.LEDGERS[2]
    eth_need, usdc_need = led.liabilities          # ratio 100%
    RR.set_assets(b, reg, mapping(world, usdc_holding=RR.OFFCHAIN), S.commitment())
    r = Account.from_key(secrets.token_hex(32))
    RR.register_reserve(b, reg, 5, r.address, RR.sign_ownership(r.key.hex(), cid, reg,
                                                                b.address, 5))
    fund(chain, r.address, eth_need * S.WEI_PER_UNIT)
    now = chain.timestamp()
    assert reverts("NotAttester", RR.attest_reserve, attester, reg, b.address, 5, 1,
                   usdc_need, now) == (attester.address.lower(),)
    RR.grant_reserve_attester(admin, world["attesters"], attester.address)
    RR.attest_reserve(attester, reg, b.address, 5, 1, usdc_need - 1, now)
    proof, public = S.top_proof(2, chain_id=cid, registry=reg, exchange=b.address, epoch=5)
    assert reverts("InsufficientReserves", RR.submit_top, b, reg, proof, public) == \
        (1, usdc_need, usdc_need - 1)
    RR.attest_reserve(attester, reg, b.address, 5, 1, usdc_need, now)
    RR.submit_top(b, reg, proof, public, **ONCE)
    ep = RR.epoch_of(chain, reg, b.address, 5)
    assert ep["on_chain"] == [eth_need, 0] and ep["attested"] == [0, usdc_need]
    for p in reversed(S.batch_proofs(2)):
        RR.submit_batch(attester, reg, b.address, 5, *p, **ONCE)
    assert RR.is_covered(chain, reg, b.address, 5)
    # revoking the attester withdraws what it attested
    RR.revoke_reserve_attester(admin, world["attesters"], attester.address)
    assert not RR.is_covered(chain, reg, b.address, 5)


def test_cli_end_to_end(tmp_path, anvil_url, monkeypatch):
    """`reserves setup|prove` then `reserves registry deploy|register-exchange|set-assets|
    sign-ownership|add-address|submit|status` and `reserves verify-inclusion` against anvil."""
    from click.testing import CliRunner

    from prover import reserves as lib
    from prover.cli import main
    from tests.verifier_contracts.conftest import ANVIL_KEYS
    from verifier_contracts import connect

    def run(key, *args, code=0):
        monkeypatch.setenv("ZKSOLVENCY_PRIVATE_KEY", key)
        res = CliRunner().invoke(main, [*map(str, args), "--rpc-url", anvil_url, "--json"])
        assert res.exit_code == code, res.output
        return json.loads(res.stdout) if res.stdout.strip() else {}

    admin_key, ex_key = ANVIL_KEYS[0], ANVIL_KEYS[1]
    chain = connect(anvil_url, private_key=admin_key)
    exchange = Account.from_key(ex_key).address
    (tmp_path / "assets.json").write_text(json.dumps({"assets": [
        {"asset": "ETH", "decimals": 8}, {"asset": "USDC", "decimals": 6}]}))
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("user_id,ETH,USDC\n" + "".join(
        f"user{k}@example.com,{k / 1000:.3f},{k * 3}.5\n" for k in range(7)))
    assets = lib.load_assets(tmp_path / "assets.json")
    plan = lib.plan(7, 2, batch_bits=2)
    bfolder, tfolder = lib.setup(tmp_path / "keys", plan, 2)

    attesters = deploy_attester_registry(chain, admin_delay=0)
    reg = run(admin_key, "reserves", "registry", "deploy", "--top-keys", tfolder,
              "--batch-keys", bfolder, "--dev-keys", "--admin-delay", 0,
              "--attesters", attesters)["registry"]
    run(ex_key, "reserves", "registry", "register-exchange", reg, "--ratio-bps", 10000)
    usdc, _ = chain.deploy(deploy_code("DevToken", ["USD Coin", "USDC", 6]))
    run(admin_key, "reserves", "registry", "list-asset", reg, "--asset", "ETH", "--hold", "eth")
    run(admin_key, "reserves", "registry", "list-asset", reg, "--asset", "USDC", "--hold",
        f"erc20:{usdc}")
    # every asset must be placed; then the list is declared with its commitment
    run(ex_key, "reserves", "registry", "set-assets", reg, "--assets", tmp_path / "assets.json",
        "--hold", "ETH=eth", code=2)
    run(ex_key, "reserves", "registry", "set-assets", reg, "--assets", tmp_path / "assets.json",
        "--hold", "ETH=eth", "--hold", f"USDC=erc20:{usdc}")
    reserve = Account.create()
    sig = run(reserve.key.hex(), "reserves", "registry", "sign-ownership", reg, "--exchange",
              exchange, "--epoch", 3)["signature"]
    run(ex_key, "reserves", "registry", "add-address", reg, "--epoch", 3, "--reserve",
        reserve.address, "--signature", sig)

    out = tmp_path / "out"
    res = lib.run(assets, ledger, tmp_path / "keys", out,
                  lib.Context(chain.chain_id, reg, exchange, 3), batch_bits=2)
    assert res.ok
    fund(chain, reserve.address, res.liabilities[0] * S.WEI_PER_UNIT)
    manifest = out / "run.json"                     # its integers follow the canonical rule
    good = manifest.read_text()
    for field, bad in (("epoch", "0b11"), ("chain_id", "+31337")):
        m = json.loads(good)
        m["statement"][field] = bad
        manifest.write_text(json.dumps(m))
        res_bad = CliRunner().invoke(main, ["reserves", "registry", "submit", str(out),
                                            "--rpc-url", anvil_url])
        assert res_bad.exit_code == 2 and f"statement.{field}" in res_bad.output
    manifest.write_text(good)
    # USDC not held yet: the top proof is refused by name, nothing is recorded; batches
    # cannot go first
    assert run(ex_key, "reserves", "registry", "submit", out, code=1)["insufficient"] == {
        "asset": "USDC", "expected": str(res.liabilities[1]), "got": "0"}
    run(admin_key, "reserves", "registry", "submit", out, "--batches-only", code=2)
    # part on-chain, the rest attested by an attester the AttesterRegistry allows
    half = res.liabilities[1] // 2
    send_fn(chain, "DevToken", usdc, "mint", reserve.address, half)
    att_key = ANVIL_KEYS[2]
    run(att_key, "reserves", "registry", "attest", reg, "--exchange", exchange, "--epoch", 3,
        "--asset", 1, "--amount", res.liabilities[1] - half, "--as-of", chain.timestamp(),
        code=3)                                             # NotAttester: a revert
    RR.grant_reserve_attester(chain, attesters, Account.from_key(att_key).address)
    run(att_key, "reserves", "registry", "attest", reg, "--exchange", exchange, "--epoch", 3,
        "--asset", 1, "--amount", res.liabilities[1] - half, "--as-of", chain.timestamp())
    got = run(ex_key, "reserves", "registry", "submit", out)
    assert got["covered"] and set(got["gas"]) == {"top", "batch 1", "batch 0"}
    st = run(admin_key, "reserves", "registry", "status", reg, "--exchange", exchange,
             "--epoch", 3)
    assert st["covered"] and int(st["root"]) == res.root and st["assets_match_commitment"]
    assert st["on_chain"] == [res.liabilities[0], half]
    assert st["attested"] == [0, res.liabilities[1] - half]
    first = sorted((out / "inclusion").glob("*.json"))[0]
    if first.name == "index.json":
        first = sorted((out / "inclusion").glob("*.json"))[1]
    ok = run(admin_key, "reserves", "verify-inclusion", first, "--registry", reg)
    assert ok["valid"], ok
