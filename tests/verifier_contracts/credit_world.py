"""A credit market world for the SolvencyGatedCredit tests: a real EpochOracle (pushed
prices), a real SolvencyRegistry (REGISTERED binding, solvency and credit modules, real
Groth16 proofs of our prover), a DevToken (6 decimals) as the debt asset, and the market.
Accounts: the chain's account is admin, price poster and lender; alice, bob, carol borrow
or liquidate."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pytest

from tests.verifier_contracts.anchored import (
    CP,
    DP,
    HAIRCUTS,
    RATIO,
    collateral_inputs,
    collateral_keys,
    commitment,
    credit_keys,
)
from verifier_contracts import ContractRevert, connect, deploy_verifier
from verifier_contracts import credit_market as M
from verifier_contracts import oracle as O
from verifier_contracts.chain import Chain
from verifier_contracts.registry import CREDIT as CREDIT_KIND
from verifier_contracts.registry import (
    REGISTERED,
    deploy_registry,
    encode_submit,
    record_position,
)

USDC = 10**6
SCALE = 10**12                 # value unit 1e-26 USD: D = 18 (ETH), USDC has 6 decimals
PER_USDC = DP[0] * SCALE               # value units per USDC base unit at $1.00000000
CREDIT = 5000 * USDC * PER_USDC           # proves room for 5000 USDC more debt
MIN_BOND, REWARD, GRACE = 100 * USDC, 40 * USDC, 600
VALIDITY = 2 * 3600
SUBMIT_GAS = 1_000_000


@dataclass
class World:
    chain: Chain
    oracle: str
    registry: str
    token: str
    market: str
    alice: Chain
    bob: Chain
    carol: Chain
    gas: dict[str, int] = field(default_factory=dict)   # gasUsed of measured calls

    def expect(self, who: Chain, name: str, *args, error: str, values: tuple | None = None):
        """who calls market.<name>(args), which must revert with `error`(values)."""
        with pytest.raises(ContractRevert) as info:
            M.act(who, self.market, name, *args)
        assert info.value.name == error, info.value
        if values is not None:
            assert tuple(info.value.args_) == tuple(
                v.lower() if isinstance(v, str) else v for v in values)

    def totals(self) -> dict[str, int]:
        return M.totals(self.chain, self.market)

    def act(self, who: Chain, name: str, *args, label: str | None = None) -> dict:
        """market.<name>(args) from who; its gasUsed is kept under `label` (first time)."""
        receipt = M.act(who, self.market, name, *args)
        if label:
            self.gas.setdefault(label, int(receipt["gasUsed"]))
        return receipt


def open_epoch(w: World) -> int:
    out = O.open_epoch_with_prices(w.chain, w.oracle, [*CP, *DP])
    w.gas.setdefault("openEpoch", out["gas_used"])
    return out["epoch"]


def prove(w: World, who: Chain, epoch: int, credit: int = CREDIT) -> None:
    """who proves `credit` for `epoch` (its position recorded by the admin); a fresh credit
    proof also makes `isSolvent` true. Sent without the eth_call preflight (the embedded
    EVM's pairing takes seconds); a refused proof still raises (the failed receipt is
    replayed to decode the error)."""
    inputs = collateral_inputs(who.address, w.chain.chain_id, w.registry, epoch=epoch)
    proof, public = credit_keys().prove({**inputs, "credit": credit})
    receipt = who.send(w.registry, encode_submit(proof, public, CREDIT_KIND), gas=SUBMIT_GAS,
                       preflight=False, action="submit credit")
    w.gas.setdefault("submitCredit", int(receipt["gasUsed"]))


def proven_world(chain: Chain) -> World:
    """build_world, then an epoch in which alice and bob prove CREDIT."""
    w = build_world(chain)
    epoch = open_epoch(w)
    for who in (w.alice, w.bob):
        prove(w, who, epoch)
    return w


@lru_cache(maxsize=1)
def embedded_world() -> tuple[World, object]:
    """One proven world on an embedded EVM per test process, with a snapshot to revert
    to (its pairings are slow: prove once, share)."""
    w = proven_world(connect())
    return w, w.chain.tester.take_snapshot()


def fresh_embedded_world() -> World:
    w, snapshot = embedded_world()
    w.chain.tester.revert_to_snapshot(snapshot)
    return w


def build_world(chain: Chain) -> World:
    """Deploy everything; fund the lender's liquidity and the three accounts."""
    admin = chain
    alice, bob, carol = (chain.with_key(k) for k in chain.dev_keys[1:4])
    oracle = O.deploy_oracle(admin, 2, 1, config=O.OracleConfig(
        min_epoch_interval=0, snapshot_validity=VALIDITY), admin_delay=0)
    sk, ck = collateral_keys(), credit_keys()
    registry = deploy_registry(
        admin, deploy_verifier(admin, sk.vk_json, self_test=False), sk.vk_json, sk.statement,
        oracle=oracle, mode=REGISTERED, haircuts_bps=HAIRCUTS, min_ratio_bps=RATIO,
        credit=(deploy_verifier(admin, ck.vk_json, self_test=False), ck.vk_json,
                ck.statement), admin_delay=0, timelock_delay=1, dev_keys=True)
    token = M.deploy_token(admin, "Dev USD Coin", "dUSDC", 6)
    market = M.deploy_market(admin, registry, oracle, token, M.MarketConfig.for_decimals(
        18, 6, min_bond=MIN_BOND, liquidator_reward=REWARD, liquidation_grace=GRACE))
    w = World(chain, oracle, registry, token, market, alice, bob, carol)
    M.mint(admin, token, admin.address, 10**6 * USDC)
    M.approve(admin, token, market, 2**256 - 1)
    M.act(admin, market, "supply", 10**6 * USDC)
    for who in (alice, bob, carol):
        record_position(admin, registry, who.address, commitment())
        M.mint(who, token, who.address, 10**4 * USDC)
        M.approve(who, token, market, 2**256 - 1)
    return w


