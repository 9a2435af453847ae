"""Gas of the ReservesRegistry per batch and per epoch, with real proofs from our prover.

Shape: 3 assets (ETH and two ERC-20 tokens), batches of 2^2 users (batch verification gas
does not depend on the batch size, only on the number of assets), 2 batches; the top
proof's coverage check reads every reserve address for every on-chain asset, so it is
measured with 1, 8 and 32 addresses. Gas is transaction gasUsed from receipts.

    python benchmarks/bench_reserves_gas.py [--rpc-url URL] [--addresses 1,8,32]
"""
from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account  # noqa: E402

from circuits import reserves_batch as rb  # noqa: E402
from prover.service import Prover  # noqa: E402
from verifier_contracts import connect, deploy_verifier  # noqa: E402
from verifier_contracts import reserves_registry as RR  # noqa: E402
from verifier_contracts.abi import deploy_code, send_fn  # noqa: E402
from zk import compile_circuit, groth16  # noqa: E402

BITS, N_BATCHES = 2, 2
ASSETS, DECIMALS = ["ETH", "USDC", "WBTC"], [8, 6, 8]
ONCE = dict(gas=3_000_000, preflight=False)


def _fund(chain, to: str, wei: int) -> None:
    w3 = chain.w3
    tx = {"to": to, "value": wei, "gas": 21_000, "gasPrice": w3.eth.gas_price,
          "chainId": chain.chain_id,
          "nonce": w3.eth.get_transaction_count(chain.address, "pending")}
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(chain.account.sign_transaction(tx).raw_transaction))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rpc-url", default=None, help="JSON-RPC node (key from "
                    "$ZKSOLVENCY_PRIVATE_KEY); default: the embedded EVM")
    ap.add_argument("--addresses", default="1,8,32")
    args = ap.parse_args()
    n = len(ASSETS)
    provers = []
    for circuit in (rb.ReservesBatch(BITS, n), rb.ReservesTop(N_BATCHES, n, BITS)):
        cs = compile_circuit(circuit)
        provers.append(Prover(groth16.setup(cs), cs))
    batch, top = provers
    users = 1 << BITS
    bals = [[[(7 * b + u + a) % 5 * 10**5 for a in range(n)] for u in range(users)]
            for b in range(N_BATCHES)]
    ids = [[secrets.randbelow(1 << 200) for _ in range(users)] for _ in range(N_BATCHES)]
    salts = [[secrets.randbelow(1 << 128) for _ in range(users)] for _ in range(N_BATCHES)]
    roots, sums, proofs = [], [], []
    link = 0
    for k in range(N_BATCHES):
        r = batch.prove({"index": k, "prev_link": link,
                         "user_commitments": [rb.user_commitment(i, s)
                                              for i, s in zip(ids[k], salts[k])],
                         "balances": bals[k]})
        roots.append(r.values["batch_root"])
        sums.append(r.values["sums"])
        link = r.values["next_link"]
        proofs.append((r.proof, r.public))
    liab = [sum(s[a] for s in sums) for a in range(n)]
    chain = connect(args.rpc_url)
    refs = [RR.KeyRef(deploy_verifier(chain, p.vk, self_test=False), p.vk, p.statement)
            for p in (top, batch)]
    reg = RR.deploy_reserves_registry(chain, refs[0], refs[1], max_reserve_addresses=256,
                                      admin_delay=0, dev_keys=True)
    tokens = [chain.deploy(deploy_code("DevToken", [a, a, d]))[0]
              for a, d in zip(ASSETS[1:], DECIMALS[1:])]
    names = [rb.asset_name_element(a) for a in ASSETS]
    mapping = [RR.AssetMapping(names[0], DECIMALS[0], RR.ETH)] + [
        RR.AssetMapping(names[i], DECIMALS[i], RR.ERC20, tokens[i - 1]) for i in (1, 2)]
    for m in mapping:
        RR.list_asset(chain, reg, m.name, m.holding, m.token)
    RR.register_exchange(chain, reg, 10000)
    RR.set_assets(chain, reg, mapping, rb.asset_commitment(ASSETS, DECIMALS))
    print(f"ReservesRegistry runtime size {len(chain.code_at(reg))} bytes; "
          f"{n} assets, {N_BATCHES} batches")
    for epoch, count in enumerate((int(v) for v in args.addresses.split(",")), start=1):
        holders = [Account.create() for _ in range(count)]
        reg_gas = []
        for h in holders:
            sig = RR.sign_ownership(h, chain.chain_id, reg, chain.address, epoch)
            reg_gas.append(int(RR.register_reserve(chain, reg, epoch, h.address,
                                                   sig)["gasUsed"]))
        _fund(chain, holders[0].address, liab[0] * 10**10)
        for t, amount in zip(tokens, liab[1:]):
            send_fn(chain, "DevToken", t, "mint", holders[-1].address, amount)
        r = top.prove({"batch_chain": link, "n_batches": N_BATCHES,
                       "root": rb.top_levels(roots, BITS, n)[-1][0], "liabilities": liab,
                       "asset_commitment": rb.asset_commitment(ASSETS, DECIMALS),
                       "epoch": epoch, "chain_id": chain.chain_id, "registry": int(reg, 16),
                       "exchange": int(chain.address, 16), "batch_roots": roots,
                       "batch_sums": sums})
        top_gas = int(RR.submit_top(chain, reg, r.proof, r.public, **ONCE)["gasUsed"])
        batch_gas = [int(RR.submit_batch(chain, reg, chain.address, epoch, *p,
                                         **ONCE)["gasUsed"]) for p in reversed(proofs)]
        assert RR.is_covered(chain, reg, chain.address, epoch)
        total = sum(reg_gas) + top_gas + sum(batch_gas)
        print(f"{count:3d} addresses: registerReserve {reg_gas[-1]} each (first "
              f"{reg_gas[0]}), submitTop {top_gas}, submitBatch {batch_gas[0]} / "
              f"{batch_gas[-1]} (index {N_BATCHES - 1} / 0); epoch total {total} = "
              f"addresses + top + {N_BATCHES} x batch")


if __name__ == "__main__":
    main()
