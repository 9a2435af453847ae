"""`zksolvency demo --scenario crash`: a market crash told on the embedded EVM.

Chainlink mock feeds (`DevFeed`, a `MockV3Aggregator`) drive a feeds-mode `EpochOracle`
(ETH with a secondary feed, WBTC, USDC); a REGISTERED `SolvencyRegistry` takes
volatility-adaptive haircuts `min(cap, base + k*sigma/1e4)` from each epoch's snapshot;
two borrowers prove their credit capacity (`CreditCapacity`: amounts, debts and ratio
stay private, `credit` is public) and borrow USDC from a `SolvencyGatedCredit` market.

The story: calm epochs, a drift, a 40 % ETH crash (the breaker trips: no epoch, no proof,
no borrowing, no liquidation; the guardian resets after the delay; the new level does not
trip again, the crash raises sigma and the haircuts), borrowers must re-prove at the new
haircuts, the one whose position no longer carries its debt lapses and is liquidated
(bond to the liquidator and the debt, the rest booked as bad debt), a stale feed, a feed
disagreement, recovery.

`run` returns one record per step (breaker, prices, sigma, the epoch's haircuts, who is
solvent, credit, debts, market totals, each action's outcome by error name) so a test can
check every step against the Python mirror (`verifier_contracts.risk`). Keys come from a
development setup: demo only.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Callable

from prover import collateral, credit
from prover.collateral import Policy, Portfolio, Prices
from verifier_contracts import Chain, ContractRevert, connect, deploy_verifier
from verifier_contracts import credit_market as mkt
from verifier_contracts import oracle as orc
from verifier_contracts.registry import (
    REGISTERED,
    credit_of,
    deploy_registry,
    is_solvent,
    record_position,
    requirements_for,
    submit_credit,
)
from zk import compile_circuit, groth16
from zk.errors import WitnessError
from zk.formats import snarkjs_json as sj

USD = 10**8                       # feed answers and prices: 8 decimals
USDC = 10**6                      # the debt token's base unit
POLICY = Policy(collateral=("ETH", "WBTC"), collateral_decimals=(18, 8),
                haircuts_bps=(1500, 1000), debt=("USDC",), debt_decimals=(6,),
                min_ratio_bps=12500, chain_id=0, registry=0)
#: Per collateral (base bps, k bps, cap bps): haircut = min(cap, base + k * sigma / 1e4).
HAIRCUTS = [(1500, 20000, 4000), (1000, 15000, 3500)]
CONFIG = orc.OracleConfig(min_epoch_interval=3600, snapshot_validity=2 * 3600,
                          reference_window=24 * 3600, reset_delay=3600,
                          max_deviation_bps=2500, max_disagreement_bps=200, lambda_bps=9400,
                          initial_var_bps2=10_000)
HEARTBEAT = 2 * 3600
GRACE = 900
INTERVAL = CONFIG.min_epoch_interval
#: How long the crash's trip lasts before the guardian resets: past the reset delay, and a
#: minute past the pre-crash epoch's snapshot validity (it opened INTERVAL before the trip),
#: so its proofs have expired on any node, however few wall-clock seconds the run adds.
TRIP = max(CONFIG.reset_delay, CONFIG.snapshot_validity - INTERVAL) + 60
MARKET = mkt.MarketConfig.for_decimals(18, 6, min_bond=500 * USDC,
                                       liquidator_reward=100 * USDC, liquidation_grace=1800)
#: The borrowers' PRIVATE positions (token base units): alice is diversified, bob is all
#: ETH with an off-chain USDC debt.
POSITIONS = {
    "alice": Portfolio(amounts=(10 * 10**18, 1 * 10**8), debts=(0,), salt=0xA11CE),
    "bob": Portfolio(amounts=(5 * 10**18, 0), debts=(6000 * USDC,), salt=0xB0B),
}
#: The market path: (label, ETH, WBTC, USDC) in dollars.
CALM = [("calm", 3000, 60000, 1), ("calm", 3015, 60200, 1)]
DRIFT = [("drift", 2900, 59800, 1), ("drift", 2790, 59600, 1)]
CRASH = ("crash", 1674, 59000, 1)          # ETH -40 %
RECOVERY = [("recovery", 1690, 59100, 1), ("recovery", 1700, 59200, 1)]


def answer(dollars: float) -> int:
    return round(dollars * USD)


def outcome(fn, *args) -> str:
    """'ok' or 'reverted with <Error>'."""
    try:
        fn(*args)
    except ContractRevert as exc:
        return f"reverted with {exc.name}"
    return "ok"


class Crash:
    """The deployed world and the actions of the story."""

    def __init__(self, chain: Chain, echo: Callable[[str], None]):
        self.chain, self.echo = chain, echo
        self.keeper = chain.with_key(chain.dev_keys[1])          # opens epochs, liquidates
        self.users = {"alice": chain.with_key(chain.dev_keys[2]),
                      "bob": chain.with_key(chain.dev_keys[3])}
        self.records: list[dict] = []

    # ---- deployment ------------------------------------------------------------------
    def deploy(self) -> None:
        c = self.chain
        self.cs = compile_circuit(credit.circuit(POLICY))
        self.pk = groth16.setup(self.cs)
        vk = sj.vk_to_json(self.pk.vk)
        scs = compile_circuit(POLICY.circuit())          # the SOLVENCY kind (unused here)
        svk = sj.vk_to_json(groth16.setup(scs).vk)
        _, eth, wbtc, usdc = CALM[0]
        self.feeds = {"ETH": orc.deploy_dev_feed(c, 8, answer(eth)),
                      "ETH2": orc.deploy_dev_feed(c, 8, answer(eth)),
                      "WBTC": orc.deploy_dev_feed(c, 8, answer(wbtc)),
                      "USDC": orc.deploy_dev_feed(c, 8, answer(usdc))}
        specs = [orc.FeedSpec(self.feeds["ETH"], HEARTBEAT, self.feeds["ETH2"], HEARTBEAT),
                 orc.FeedSpec(self.feeds["WBTC"], HEARTBEAT),
                 orc.FeedSpec(self.feeds["USDC"], HEARTBEAT)]
        self.oracle = orc.deploy_oracle(c, 2, 1, feeds=specs, config=CONFIG, admin_delay=0)
        self.registry = deploy_registry(
            c, deploy_verifier(c, svk, self_test=False), svk, scs.statement,
            oracle=self.oracle, mode=REGISTERED, haircuts_bps=HAIRCUTS,
            min_ratio_bps=POLICY.min_ratio_bps,
            credit=(deploy_verifier(c, vk, self_test=False), vk, self.cs.statement),
            grace=GRACE, admin_delay=0, timelock_delay=2 * 24 * 3600, dev_keys=True)
        self.policy = dataclasses.replace(POLICY, chain_id=c.chain_id,
                                          registry=int(self.registry, 16))
        self.token = mkt.deploy_token(c, "USD Coin (dev)", "USDC", 6)
        self.market = mkt.deploy_market(c, self.registry, self.oracle, self.token, MARKET)
        mkt.mint(c, self.token, c.address, 1_000_000 * USDC)
        mkt.approve(c, self.token, self.market, 1_000_000 * USDC)
        mkt.act(c, self.market, "supply", 1_000_000 * USDC)
        for name, user in self.users.items():
            record_position(c, self.registry, user.address, POSITIONS[name].commitment())
            mkt.mint(c, self.token, user.address, 10_000 * USDC)
            mkt.approve(user, self.token, self.market, 10_000 * USDC)
            mkt.act(user, self.market, "postBond", MARKET.min_bond)

    # ---- the market ------------------------------------------------------------------
    def move(self, eth: float, wbtc: float, usdc: float, *, eth2: float | None = None,
             skip: tuple[str, ...] = ()) -> None:
        """New rounds on the feeds (all but `skip`); ETH's secondary follows unless set."""
        values = {"ETH": eth, "ETH2": eth if eth2 is None else eth2, "WBTC": wbtc,
                  "USDC": usdc}
        for name, v in values.items():
            if name not in skip:
                orc.set_answer(self.chain, self.feeds[name], answer(v))

    def open_epoch(self) -> dict:
        return orc.open_epoch(self.keeper, self.oracle)

    def wait(self, seconds: int) -> None:
        self.chain.increase_time(seconds)

    def borrow(self, name: str, usdc: int) -> str:
        return outcome(mkt.act, self.users[name], self.market, "borrow", usdc * USDC)

    def notice(self, name: str) -> str:
        return outcome(mkt.act, self.keeper, self.market, "noticeLapse",
                       self.users[name].address)

    def liquidate(self, name: str) -> str:
        return outcome(mkt.act, self.keeper, self.market, "liquidate",
                       self.users[name].address)

    # ---- borrowers -------------------------------------------------------------------
    def epoch_terms(self) -> tuple[Policy, Prices]:
        """The latest epoch's policy terms (haircuts from sigma) and prices."""
        e = int(orc.read(self.chain, self.oracle, "latestEpoch"))
        snap = orc.snapshot(self.chain, self.oracle, e)
        haircuts, ratio = requirements_for(self.chain, self.registry, e)
        pol = dataclasses.replace(self.policy, haircuts_bps=tuple(haircuts),
                                  min_ratio_bps=ratio)
        return pol, Prices(e, tuple(snap["prices"][:2]), tuple(snap["prices"][2:]))

    def prove(self, name: str, pol: Policy, prices: Prices):
        """A credit proof of 90 % of the borrower's capacity at these terms; the pre-check
        refuses a position that cannot carry its own debt (WitnessError)."""
        user, pf = self.users[name], POSITIONS[name]
        limit = credit.max_credit(pol, prices, pf)
        credit.check_credit(0, limit)
        inputs = collateral.circuit_inputs(pol, prices, pf, int(user.address, 16))
        inputs["credit"] = limit * 9 // 10
        witness = self.cs.solve(inputs)
        return (sj.proof_to_json(groth16.prove(self.pk, witness)),
                self.cs.public_values(witness))

    def submit(self, name: str, proof) -> str:
        return outcome(submit_credit, self.users[name], self.registry, *proof)

    def prove_and_submit(self, name: str) -> str:
        try:
            proof = self.prove(name, *self.epoch_terms())
        except WitnessError:
            return "refused by the pre-check (the position no longer carries its debt)"
        return self.submit(name, proof)

    # ---- observation -----------------------------------------------------------------
    def record(self, label: str, opened: dict | None = None, **actions) -> dict:
        c = self.chain
        e = int(orc.read(c, self.oracle, "latestEpoch"))
        snap = orc.snapshot(c, self.oracle, e)
        rec = {"step": label, "epoch": e, "opened": bool(opened and opened["epoch"]),
               "trip": (opened or {}).get("tripped"),
               "breaker": orc.breaker_state(c, self.oracle)["cause"],
               "prices": snap["prices"], "sigma_bps": snap["sigma_bps"],
               "haircuts_bps": requirements_for(c, self.registry, e)[0],
               "solvent": {n: is_solvent(c, self.registry, u.address)
                           for n, u in self.users.items()},
               "credit": {n: credit_of(c, self.registry, u.address)
                          for n, u in self.users.items()},
               "debt": {n: int(mkt.read(c, self.market, "debtOf", u.address))
                        for n, u in self.users.items()},
               "totals": mkt.totals(c, self.market), "actions": actions}
        self.records.append(rec)
        yes = {True: "solvent", False: "NOT solvent"}
        self.echo(f"    epoch {e}, breaker {rec['breaker']}: ETH "
                  f"${snap['prices'][0] / USD:,.0f}, sigma {snap['sigma_bps'][0]} bps, "
                  f"haircut {rec['haircuts_bps'][0]} bps; alice {yes[rec['solvent']['alice']]}"
                  f" (debt {rec['debt']['alice'] // USDC:,} USDC), bob "
                  f"{yes[rec['solvent']['bob']]} (debt {rec['debt']['bob'] // USDC:,} USDC)")
        for what, result in actions.items():
            self.echo(f"      {what}: {result}")
        return rec


def run(echo: Callable[[str], None] = print, chain: Chain | None = None) -> list[dict]:
    """Tell the crash story (on `chain`, else a fresh embedded EVM; four dev keys needed);
    return the step records."""
    t0 = time.perf_counter()
    w = Crash(chain or connect(), echo)
    n = 0

    def step(text: str) -> None:
        nonlocal n
        n += 1
        echo(f"[{n}] {text}")

    step("deploy mock Chainlink feeds (ETH primary + secondary, WBTC, USDC), a feeds-mode "
         "EpochOracle, a REGISTERED SolvencyRegistry with haircut = min(cap, base + "
         "k*sigma), the credit circuit (development keys) and a USDC credit market; both "
         "borrowers post a bond")
    w.deploy()
    for i, (label, eth, wbtc, usdc) in enumerate(CALM + DRIFT):
        if i:
            w.wait(INTERVAL)
            w.move(eth, wbtc, usdc)
        step(f"{label}: ETH ${eth:,}, WBTC ${wbtc:,}; a keeper opens the epoch, both "
             "borrowers prove their credit capacity at its haircuts")
        opened = w.open_epoch()
        acts = {f"{name} proves": w.prove_and_submit(name) for name in w.users}
        if i == 0:
            acts["alice borrows 20,000"] = w.borrow("alice", 20_000)
            acts["bob borrows 4,000"] = w.borrow("bob", 4_000)
            acts["bob borrows 3,000"] = w.borrow("bob", 3_000)
        w.record(label, opened, **acts)
    calm = w.epoch_terms()
    calm_proof = w.prove("alice", *calm)               # made at pre-crash haircuts

    label, eth, wbtc, usdc = CRASH
    step(f"crash: ETH ${eth:,} (-40 %); openEpoch trips the breaker instead of opening")
    w.wait(INTERVAL)
    w.move(eth, wbtc, usdc)
    opened = w.open_epoch()
    echo(f"    tripped: {opened.get('tripped')} on asset {opened.get('asset')} (moved "
         f"{opened.get('observed')} bps from the reference, bound {opened.get('bound')})")
    w.record("crash", opened, **{
        "alice submits": w.submit("alice", calm_proof),
        "alice borrows 1,000": w.borrow("alice", 1_000),
        "notice bob's lapse": w.notice("bob"), "liquidate bob": w.liquidate("bob"),
        "open another epoch": outcome(w.open_epoch),
        "guardian resets early": outcome(orc.reset, w.chain, w.oracle)})

    step("after the reset delay the guardian resets (references re-anchored); the next "
         "epoch opens at the crash price without tripping again, sigma jumps")
    w.wait(TRIP)
    orc.reset(w.chain, w.oracle)
    w.move(eth, wbtc, usdc)
    opened = w.open_epoch()
    w.record("reset", opened, **{
        "alice's pre-crash proof": w.submit("alice", calm_proof),
        "alice re-proves at pre-crash haircuts": w.submit(
            "alice", w.prove("alice", calm[0], w.epoch_terms()[1])),
        "alice borrows 5,000 before re-proving": w.borrow("alice", 5_000),
        "liquidate bob (lapse not noticed)": w.liquidate("bob"),
        "alice proves": w.prove_and_submit("alice"),
        "bob proves": w.prove_and_submit("bob"),
        "alice borrows 5,000": w.borrow("alice", 5_000)})

    step(f"bob cannot re-prove (his proof expired during the trip): anyone notices his "
         f"lapse; after the {MARKET.liquidation_grace}s liquidation grace a keeper "
         "liquidates him: the bond pays the keeper and part of the debt, the rest is bad debt")
    acts = {"notice bob's lapse": w.notice("bob"), "liquidate bob at once": w.liquidate("bob")}
    w.wait(MARKET.liquidation_grace)
    acts["liquidate bob"] = w.liquidate("bob")
    acts["liquidate alice"] = w.liquidate("alice")
    w.record("liquidation", **acts)

    step("a stale feed: WBTC stops updating for longer than its heartbeat; the breaker "
         "trips, and alice's expired proof cannot be liquidated while it is tripped")
    w.wait(HEARTBEAT + 1 - MARKET.liquidation_grace)
    w.move(eth, wbtc, usdc, skip=("WBTC",))
    opened = w.open_epoch()
    w.record("stale feed", opened, **{"notice alice's lapse": w.notice("alice"),
                                      "liquidate alice": w.liquidate("alice")})
    w.wait(CONFIG.reset_delay)
    w.move(eth, wbtc, usdc)
    orc.reset(w.chain, w.oracle)

    step("a feed disagreement: ETH's secondary feed is 3 % off its primary")
    w.move(eth, wbtc, usdc, eth2=eth * 1.03)
    opened = w.open_epoch()
    w.record("disagreement", opened, **{"alice borrows 1,000": w.borrow("alice", 1_000)})
    w.wait(CONFIG.reset_delay)
    w.move(eth, wbtc, usdc)
    orc.reset(w.chain, w.oracle)

    for i, (label, eth, wbtc, usdc) in enumerate(RECOVERY):
        step(f"{label}: ETH ${eth:,}; volatility decays, haircuts come down")
        w.move(eth, wbtc, usdc)
        opened = w.open_epoch()
        acts = {"alice proves": w.prove_and_submit("alice")} if i == 0 else {}
        if i == 0:
            acts["alice repays 5,000"] = outcome(mkt.act, w.users["alice"], w.market,
                                                 "repay", w.users["alice"].address,
                                                 5_000 * USDC)
        w.record(label, opened, **acts)
        w.wait(INTERVAL)
    t = w.records[-1]["totals"]
    echo(f"market: borrowed {t['totalBorrowed'] / USDC:,.0f}, repaid "
         f"{t['totalRepaid'] / USDC:,.0f}, bad debt {t['totalBadDebt'] / USDC:,.0f}, "
         f"outstanding {t['totalOutstanding'] / USDC:,.0f} USDC (balances: "
         f"{mkt.balanced(t)})")
    echo(f"done in {time.perf_counter() - t0:.1f}s")
    return w.records


def as_expected(records: list[dict]) -> bool:
    """The story's key outcomes happened (what `zksolvency demo --scenario crash` checks;
    the test suite checks every step against the Python mirror)."""
    by = {r["step"]: r for r in records}
    crash, reset, liq = by["crash"], by["reset"], by["liquidation"]
    return (crash["trip"] == "DEVIATION" and by["stale feed"]["trip"] == "STALE_FEED"
            and by["disagreement"]["trip"] == "DISAGREEMENT" and reset["opened"]
            and all(v.startswith("reverted") for v in crash["actions"].values())
            and reset["haircuts_bps"][0] > by["drift"]["haircuts_bps"][0]
            and reset["actions"]["alice borrows 5,000"] == "ok"
            and liq["actions"]["liquidate bob"] == "ok"
            and all(mkt.balanced(r["totals"]) for r in records))

