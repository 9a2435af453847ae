"""The crash scenario end to end (mock Chainlink feeds, EpochOracle, SolvencyRegistry with
volatility haircuts, credit proofs from our prover, SolvencyGatedCredit), on the embedded
EVM through `zksolvency demo --scenario crash` and on anvil through `prover.crash.run`.

Every step is checked against independent expectations: the breaker state; prices, sigma
and haircuts against the Python mirror (`verifier_contracts.risk`, replayed here from the
scenario's feed answers, never from chain values); who is solvent; which borrow and which
liquidation succeeds; every refusal by its error name; the market's accounting to the wei.
"""
from __future__ import annotations

import json
from math import isqrt

import pytest
from click.testing import CliRunner

from prover import crash as C
from prover.commands.demo import demo
from verifier_contracts import risk

U = C.USDC


@pytest.fixture(scope="module")
def records(chain, tmp_path_factory):
    if chain.embedded:      # the user-facing command, on its own embedded EVM
        out = tmp_path_factory.mktemp("crash") / "records.json"
        res = CliRunner().invoke(demo, ["--scenario", "crash", "--records", str(out)],
                                 catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert "tripped: DEVIATION" in res.output and "done in" in res.output
        assert "10000000000000000000" not in res.output     # alice's ETH amount stays private
        return json.loads(out.read_text())
    return C.run(lambda line: None, chain=chain)


def mirror() -> list[tuple[str, list[int] | None]]:
    """(step, the prices of the epoch it opens or None) in the scenario's order."""
    def prices(eth, wbtc, usdc):
        return [C.answer(eth), C.answer(wbtc), C.answer(usdc)]
    out = [(label, prices(*p)) for label, *p in C.CALM + C.DRIFT]
    out += [("crash", None), ("reset", prices(*C.CRASH[1:])), ("liquidation", None),
            ("stale feed", None), ("disagreement", None)]
    return out + [(label, prices(*p)) for label, *p in C.RECOVERY]


def test_steps_breaker_and_haircuts_match_the_mirror(records):
    """Breaker per step; sigma and haircuts equal the Python mirror exactly at every
    epoch; the crash's return counts in the volatility once the breaker is reset."""
    steps = mirror()
    assert [r["step"] for r in records] == [s for s, _ in steps]
    var, last, haircuts, epoch = [C.CONFIG.initial_var_bps2] * 3, [0] * 3, None, 0
    for rec, (step, prices) in zip(records, steps, strict=True):
        if prices is not None:
            epoch += 1
            for i, p in enumerate(prices):
                if last[i]:
                    var[i] = risk.ewma(var[i], risk.return_bps(last[i], p), C.CONFIG.lambda_bps)
                last[i] = p
            sigma = [isqrt(v) for v in var]
            assert sigma == [risk.sigma_bps(v) for v in var]
            haircuts = [risk.haircut_bps(b, k, cap, s)
                        for (b, k, cap), s in zip(C.HAIRCUTS, sigma, strict=False)]
            assert (rec["prices"], rec["sigma_bps"]) == (prices, sigma), step
        assert rec["opened"] == (prices is not None) and rec["epoch"] == epoch, step
        assert rec["haircuts_bps"] == haircuts, step
    want = {"crash": "DEVIATION", "stale feed": "STALE_FEED", "disagreement": "DISAGREEMENT"}
    for rec in records:
        assert rec["breaker"] == want.get(rec["step"], "NONE"), rec["step"]
        assert rec["trip"] == want.get(rec["step"]), rec["step"]
    by = {r["step"]: r for r in records}
    calm, reset = by["drift"]["haircuts_bps"][0], by["reset"]["haircuts_bps"][0]
    assert reset > calm + 1500                    # the crash roughly doubles ETH's haircut
    rec = [r["haircuts_bps"][0] for r in records if r["step"] == "recovery"]
    assert rec == sorted(rec, reverse=True) and rec[-1] < reset    # and then decays


def test_solvency_borrowing_and_liquidation(records):
    by = {}
    for r in records:
        by.setdefault(r["step"], []).append(r)
    first = by["calm"][0]
    assert first["actions"] == {"alice proves": "ok", "bob proves": "ok",
                                "alice borrows 20,000": "ok",
                                "bob borrows 4,000": "reverted with CreditExceeded",
                                "bob borrows 3,000": "ok"}
    for r in by["calm"] + by["drift"]:
        assert r["solvent"] == {"alice": True, "bob": True}
        assert r["actions"]["alice proves"] == r["actions"]["bob proves"] == "ok"
        assert r["credit"]["alice"] > 0 and r["credit"]["bob"] > 0
    crash = by["crash"][0]      # tripped: nothing is accepted, nobody borrows or is liquidated
    assert crash["actions"] == {
        "alice submits": "reverted with BreakerIsTripped",
        "alice borrows 1,000": "reverted with Tripped",
        "notice bob's lapse": "reverted with Tripped", "liquidate bob": "reverted with Tripped",
        "open another epoch": "reverted with BreakerIsTripped",
        "guardian resets early": "reverted with ResetTooEarly"}
    assert crash["credit"] == {"alice": 0, "bob": 0}
    reset = by["reset"][0]      # a proof under calm haircuts no longer lets alice borrow
    assert reset["actions"] == {
        "alice's pre-crash proof": "reverted with StaleEpoch",
        "alice re-proves at pre-crash haircuts": "reverted with HaircutBelowPolicy",
        "alice borrows 5,000 before re-proving": "reverted with NotSolvent",
        "liquidate bob (lapse not noticed)": "reverted with LapseNotNoticed",
        "alice proves": "ok",
        "bob proves": "refused by the pre-check (the position no longer carries its debt)",
        "alice borrows 5,000": "ok"}
    assert reset["solvent"] == {"alice": True, "bob": False} and reset["credit"]["bob"] == 0
    liq = by["liquidation"][0]
    assert liq["actions"] == {"notice bob's lapse": "ok",
                              "liquidate bob at once": "reverted with GraceNotOver",
                              "liquidate bob": "ok",
                              "liquidate alice": "reverted with StillSolvent"}
    assert liq["debt"] == {"alice": 25_000 * U, "bob": 0}
    stale = by["stale feed"][0]  # alice's proof expired, yet nobody liquidates while tripped
    assert stale["solvent"]["alice"] is False
    assert stale["actions"] == {"notice alice's lapse": "reverted with Tripped",
                                "liquidate alice": "reverted with Tripped"}
    assert by["disagreement"][0]["actions"] == {"alice borrows 1,000": "reverted with Tripped"}
    rec = by["recovery"]
    assert rec[0]["actions"] == {"alice proves": "ok", "alice repays 5,000": "ok"}
    assert rec[0]["solvent"] == {"alice": True, "bob": False}


def test_bad_debt_accounting_balances_to_the_wei(records):
    for r in records:
        t = r["totals"]
        assert t["totalBadDebt"] + t["totalRepaid"] + t["totalOutstanding"] \
            == t["totalBorrowed"], r["step"]
    t = records[-1]["totals"]
    reward = C.MARKET.liquidator_reward
    recovered = C.MARKET.min_bond - reward                 # bob's bond minus the reward
    assert t == {"totalBorrowed": 28_000 * U, "totalRepaid": recovered + 5_000 * U,
                 "totalBadDebt": 3_000 * U - recovered, "totalOutstanding": 20_000 * U,
                 "totalBonds": C.MARKET.min_bond}
