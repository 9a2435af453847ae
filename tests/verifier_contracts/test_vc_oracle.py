"""EpochOracle on the embedded EVM and on anvil, driven by Chainlink MockV3Aggregator feeds
(DevFeed): feed checks, normalisation, sequencer, staleness, deviation against a reference
that small steps cannot walk past, disagreement, manual pause, reset delay and
re-anchoring, pushed mode, every revert by name; epochs checked bit for bit against the
Python model (verifier_contracts.risk.OracleModel)."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from verifier_contracts import oracle as orc
from verifier_contracts.artifacts import ARTIFACT_DIR
from verifier_contracts.revert import ContractRevert
from verifier_contracts.risk import PRICE_BOUND, OracleModel, normalise

CFG = orc.OracleConfig(min_epoch_interval=3600, snapshot_validity=7200,
                       reference_window=86_400, reset_delay=1800, max_deviation_bps=1000,
                       max_disagreement_bps=200, lambda_bps=9000, initial_var_bps2=2500)
DAY = 86_400


def model(n: int, cfg: orc.OracleConfig = CFG) -> OracleModel:
    return OracleModel(n, cfg.lambda_bps, cfg.initial_var_bps2, cfg.max_deviation_bps,
                       cfg.max_disagreement_bps, cfg.reference_window)


def feeds_oracle(chain, answers, decimals=None, n_collateral=None, cfg=CFG, secondary=None,
                 heartbeat=DAY):
    """An oracle over fresh development feeds; returns (oracle, primaries, secondaries)."""
    decimals = decimals or [8] * len(answers)
    prim = [orc.deploy_dev_feed(chain, d, a) for d, a in zip(decimals, answers)]
    sec = [orc.deploy_dev_feed(chain, 8, a) for a in secondary] if secondary else []
    specs = [orc.FeedSpec(p, heartbeat, sec[i] if i < len(sec) else None, heartbeat)
             for i, p in enumerate(prim)]
    n_c = len(answers) if n_collateral is None else n_collateral
    address = orc.deploy_oracle(chain, n_c, len(answers) - n_c, feeds=specs, config=cfg)
    return address, prim, sec


def revert_name(exc_info) -> tuple:
    return exc_info.value.name, exc_info.value.args_


def later(chain, seconds: int, feeds=(), answers=()) -> None:
    """Advance the clock, then post fresh answers."""
    chain.increase_time(seconds)
    for f, a in zip(feeds, answers):
        orc.set_answer(chain, f, a)


def test_contract_size_under_eip170():
    for name in ("EpochOracle", "DevFeed"):
        code = json.loads((ARTIFACT_DIR / f"{name}.json").read_text())["deployedBytecode"]
        assert (len(code) - 2) // 2 <= 24_576, name


def test_epochs_normalise_and_match_the_model(chain):
    # collateral: 8 and 18 decimals; debt: 18 decimals (rounded up).
    answers = [2000_00000000, 1_234567891234567891, 1_000000000000000001]
    dec = [8, 18, 18]
    oracle, prim, _ = feeds_oracle(chain, answers, dec, n_collateral=2)
    m = model(3)
    out = orc.open_epoch(chain, oracle)
    want = [normalise(a, d, i >= 2) for i, (a, d) in enumerate(zip(answers, dec))]
    assert want == [2000_00000000, 1_23456789, 1_00000001]
    assert out["epoch"] == 1 and out["prices"] == want
    assert out["sigma_bps"] == m.open(0, want).sigmas == [50, 50, 50]
    snap = orc.snapshot(chain, oracle, 1)
    assert snap["prices"] == want and snap["valid_until"] == snap["opened_at"] + 7200
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert e.value.name == "EpochTooEarly" and e.value.args_[0] == snap["opened_at"] + 3600
    for step in ([2100_00000000, 1_200000000000000000, 1_000000000000000000],
                 [2050_00000000, 1_250000000000000000, 990000000000000000]):
        later(chain, 3600, prim, step)
        out = orc.open_epoch(chain, oracle)
        d = m.open(0, [normalise(a, dd, i >= 2) for i, (a, dd) in enumerate(zip(step, dec))])
        assert (out["prices"], out["sigma_bps"]) == (d.prices, d.sigmas)
        st = [orc.asset_state(chain, oracle, i) for i in range(3)]
        assert [s["var_bps2"] for s in st] == [a.var_bps2 for a in m.assets]
    assert orc.read(chain, oracle, "latestEpoch") == 3
    assert orc.breaker_state(chain, oracle)["cause"] == "NONE"
    # the prover's pre-check: a preview from the chain's state predicts the next epoch
    step = [1900_00000000, 1_300000000000000000, 1_010000000000000000]
    later(chain, 3600, prim, step)
    preview = orc.preview_epoch(chain, oracle, [normalise(a, dd, i >= 2)
                                                for i, (a, dd) in enumerate(zip(step, dec))])
    out = orc.open_epoch(chain, oracle)
    assert preview.opened and (out["prices"], out["sigma_bps"]) == (preview.prices,
                                                                     preview.sigmas)
    never = orc.snapshot(chain, oracle, 5)
    assert (never["opened_at"], never["prices"], never["sigma_bps"]) == (0, [], [])


def test_gas_of_open_epoch_per_asset(chain):
    """Steady-state openEpoch (second epoch onwards) for 1 and 4 assets; per-asset slope."""
    gas = {}
    for n in (1, 4):
        answers = [1000_00000000 + i for i in range(n)]
        oracle, prim, _ = feeds_oracle(chain, answers)
        orc.open_epoch(chain, oracle)
        later(chain, 3600, prim, [a + 5_00000000 for a in answers])
        gas[n] = orc.open_epoch(chain, oracle)["gas_used"]
    oracle, prim, sec = feeds_oracle(chain, [1000_00000000], secondary=[1000_00000000])
    orc.open_epoch(chain, oracle)
    later(chain, 3600, prim + sec, [1005_00000000] * 2)
    gas["1+secondary"] = orc.open_epoch(chain, oracle)["gas_used"]
    per_asset = (gas[4] - gas[1]) / 3
    print(f"openEpoch gas: 1 asset {gas[1]}, 4 assets {gas[4]}, per asset {per_asset:.0f}, "
          f"1 asset with a secondary feed {gas['1+secondary']}")
    assert 20_000 < per_asset < 45_000 and gas[1] < 125_000
    assert gas[1] < gas["1+secondary"] < gas[1] + 25_000


def test_stale_feed_trips_without_reverting_then_reset(chain):
    oracle, prim, _ = feeds_oracle(chain, [100_00000000, 50_00000000], heartbeat=3600)
    orc.open_epoch(chain, oracle)
    chain.increase_time(3600)
    orc.set_answer(chain, prim[0], 101_00000000)
    now = chain.timestamp()
    orc.set_round(chain, prim[1], 50_00000000, now - 4000)
    out = orc.open_epoch(chain, oracle)               # a transaction, not a revert
    assert out["epoch"] == 0 and out["tripped"] == "STALE_FEED" and out["asset"] == 1
    assert out["bound"] == 3600 and out["observed"] >= 4000
    br = orc.breaker_state(chain, oracle)
    assert br["cause"] == "STALE_FEED" and br["asset"] == 1 and orc.read(chain, oracle, "tripped")
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert e.value.name == "BreakerIsTripped" and e.value.args_[0] == 3
    with pytest.raises(ContractRevert) as e:
        orc.reset(chain, oracle)
    assert e.value.name == "ResetTooEarly" and e.value.args_[0] == br["since"] + 1800
    outsider = chain.with_key(chain.dev_keys[1])
    with pytest.raises(ContractRevert) as e:
        orc.reset(outsider, oracle)
    assert e.value.name == "AccessControlUnauthorizedAccount"
    chain.increase_time(1800)
    with pytest.raises(ContractRevert) as e:            # the feed is still stale
        orc.reset(chain, oracle)
    assert e.value.name == "FeedUnusable" and e.value.args_[0] == 1
    orc.set_answer(chain, prim[1], 50_00000000)
    orc.set_answer(chain, prim[0], 101_00000000)
    orc.reset(chain, oracle)
    assert orc.breaker_state(chain, oracle)["cause"] == "NONE"
    with pytest.raises(ContractRevert) as e:
        orc.reset(chain, oracle)
    assert e.value.name == "NotTripped"
    assert orc.open_epoch(chain, oracle)["epoch"] == 2


@pytest.mark.parametrize("answer,updated,observed,bound", [
    (0, None, 0, PRICE_BOUND), (-5, None, 0, PRICE_BOUND), (2**64 * 10**10, None,
                                                             2**64 * 10**10, PRICE_BOUND),
    (100, 0, 0, 0)])
def test_unusable_answers_trip_as_stale(chain, answer, updated, observed, bound):
    dec = 18 if answer > 2**64 else 8
    oracle, prim, _ = feeds_oracle(chain, [10**dec], [dec])
    now = chain.timestamp()
    orc.set_round(chain, prim[0], answer, now if updated is None else updated)
    out = orc.open_epoch(chain, oracle)
    assert (out["tripped"], out["observed"], out["bound"]) == ("STALE_FEED", observed, bound)


def test_deviation_trips_and_small_steps_cannot_walk_past_the_reference(chain):
    p0 = 1000_00000000
    oracle, prim, _ = feeds_oracle(chain, [p0])
    m = model(1)
    assert orc.open_epoch(chain, oracle)["epoch"] == 1
    m.open(0, [p0])
    # +6 % an hour: the first step is inside 10 %, the second is 12.36 % from the reference.
    p1, p2 = p0 * 106 // 100, p0 * 106 * 106 // 10_000
    later(chain, 3600, prim, [p1])
    assert orc.open_epoch(chain, oracle)["epoch"] == 2
    m.open(3600, [p1])
    later(chain, 3600, prim, [p2])
    out = orc.open_epoch(chain, oracle)
    d = m.open(7200, [p2])
    assert out["tripped"] == "DEVIATION" == d.cause
    assert (out["observed"], out["bound"]) == (d.observed, 1000) == (1236, 1000)
    assert orc.asset_state(chain, oracle, 0)["reference_price"] == p0
    # a real move: the guardian resets after the delay, the breaker does not trip again,
    # and the move counts in the volatility of the next epoch (from the last epoch price).
    later(chain, 1800, prim, [p2])
    orc.reset(chain, oracle)
    m.reset(0, [p2])
    assert orc.asset_state(chain, oracle, 0)["reference_price"] == p2
    out = orc.open_epoch(chain, oracle)
    d = m.open(0, [p2])
    assert out["epoch"] == 3 and out["sigma_bps"] == d.sigmas
    assert orc.asset_state(chain, oracle, 0)["var_bps2"] == m.assets[0].var_bps2


def test_reference_re_anchors_once_per_window(chain):
    """Steps of 6 % once per window never trip: each window starts from the last price."""
    cfg = replace(CFG, reference_window=3 * 3600)
    p = 1000_00000000
    oracle, prim, _ = feeds_oracle(chain, [p], cfg=cfg)
    orc.open_epoch(chain, oracle)
    for _ in range(3):
        p = p * 106 // 100
        later(chain, 3 * 3600, prim, [p])
        out = orc.open_epoch(chain, oracle)
        assert out["epoch"] and orc.asset_state(chain, oracle, 0)["reference_price"] == p


def test_primary_secondary_disagreement_trips(chain):
    oracle, prim, sec = feeds_oracle(chain, [100_00000000, 7_00000000],
                                     secondary=[100_50000000, 7_00000000])
    assert orc.open_epoch(chain, oracle)["epoch"] == 1    # 50 bps apart: within 200
    later(chain, 3600, prim + sec, [100_00000000, 7_00000000, 103_00000000, 7_00000000])
    out = orc.open_epoch(chain, oracle)
    assert (out["tripped"], out["asset"], out["observed"], out["bound"]) == (
        "DISAGREEMENT", 0, 300, 200)
    assert orc.breaker_state(chain, oracle)["cause"] == "DISAGREEMENT"
    oracle, prim, sec = feeds_oracle(chain, [100_00000000], secondary=[100_00000000],
                                     heartbeat=3600)
    later(chain, 3000, prim, [100_00000000])                # the secondary is now stale
    chain.increase_time(700)
    orc.set_answer(chain, prim[0], 100_00000000)
    out = orc.open_epoch(chain, oracle)
    assert (out["tripped"], out["bound"]) == ("STALE_FEED", 3600) and out["observed"] > 3600


def test_sequencer_down_and_grace_period(chain):
    seq = orc.deploy_dev_feed(chain, 0, 0)
    now = chain.timestamp()
    orc.set_round(chain, seq, 1, now, now - 100)           # down since now - 100
    cfg = replace(CFG, sequencer_feed=seq, sequencer_grace=600)
    oracle, prim, _ = feeds_oracle(chain, [100_00000000], cfg=cfg)
    br = orc.breaker_state(chain, oracle)
    assert (br["cause"], br["since"]) == ("SEQUENCER_DOWN", now - 100)
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert revert_name(e) == ("SequencerDown", (now - 100,))
    back = chain.timestamp()
    orc.set_round(chain, seq, 0, back, back)                 # up again: grace period
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert e.value.name == "SequencerGracePeriod" and e.value.args_[0] == back + 600
    assert orc.read(chain, oracle, "tripped")
    later(chain, 600, prim, [100_00000000])
    assert not orc.read(chain, oracle, "tripped")
    assert orc.open_epoch(chain, oracle)["epoch"] == 1


def test_manual_pause_by_guardian(chain):
    oracle, prim, _ = feeds_oracle(chain, [100_00000000])
    outsider = chain.with_key(chain.dev_keys[1])
    with pytest.raises(ContractRevert) as e:
        orc.pause(outsider, oracle)
    assert e.value.name == "AccessControlUnauthorizedAccount"
    orc.pause(chain, oracle)
    assert orc.breaker_state(chain, oracle)["cause"] == "MANUAL"
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert e.value.name == "EnforcedPause"
    with pytest.raises(ContractRevert) as e:
        orc.reset(chain, oracle)
    assert e.value.name == "NotTripped"
    orc.unpause(chain, oracle)
    with pytest.raises(ContractRevert) as e:
        orc.unpause(chain, oracle)
    assert e.value.name == "ExpectedPause"
    assert orc.open_epoch(chain, oracle)["epoch"] == 1
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch_with_prices(chain, oracle, [1])
    assert e.value.name == "FeedsMode"


def test_pushed_mode(chain):
    oracle = orc.deploy_oracle(chain, 1, 1, config=CFG)
    m = model(2)
    assert orc.read(chain, oracle, "pushedMode")
    outsider = chain.with_key(chain.dev_keys[1])
    for who, prices, name in ((outsider, [10, 10], "AccessControlUnauthorizedAccount"),
                              (chain, [10], "PriceCountMismatch"),
                              (chain, [10, 0], "PriceOutOfRange"),
                              (chain, [2**64, 10], "PriceOutOfRange")):
        with pytest.raises(ContractRevert) as e:
            orc.open_epoch_with_prices(who, oracle, prices)
        assert e.value.name == name
    with pytest.raises(ContractRevert) as e:
        orc.open_epoch(chain, oracle)
    assert e.value.name == "PushedMode"
    path = [[1000_00000000, 1_00000000], [1050_00000000, 1_00000000],
            [600_00000000, 1_00000000], [600_00000000, 1_00000000]]
    for i, prices in enumerate(path):
        if i:
            chain.increase_time(3600)
        out = orc.open_epoch_with_prices(chain, oracle, prices)
        d = m.open(0, prices)
        if not d.opened:                                      # the 40 % crash
            assert (out["tripped"], out["observed"]) == ("DEVIATION", d.observed) == (
                "DEVIATION", 4000)
            chain.increase_time(1800)
            orc.reset(chain, oracle)                          # pushed: references cleared
            m.reset(0, None)
            assert orc.asset_state(chain, oracle, 0)["reference_price"] == 0
            continue
        assert (out["prices"], out["sigma_bps"]) == (d.prices, d.sigmas)
    assert orc.read(chain, oracle, "latestEpoch") == 3
    assert orc.snapshot(chain, oracle)["sigma_bps"][0] > 1000   # the crash counts


def test_constructor_rejects_bad_configuration(chain):
    """The contract's own checks (raw deployments, bypassing the Python pre-checks)."""
    from verifier_contracts.abi import deploy_code

    feed = orc.deploy_dev_feed(chain, 8, 1)
    good = orc.FeedSpec(feed, 3600).as_tuple()
    me = chain.address
    low, fl = me.lower(), feed.lower()
    cases = [
        ((0, 0, [], CFG), "AssetCountOutOfRange", (0, 32)),
        ((20, 13, [], CFG), "AssetCountOutOfRange", (33, 32)),
        ((1, 1, [good], CFG), "FeedCountMismatch", (2, 1)),
        ((1, 0, [(feed, 0, orc.ZERO, 0)], CFG), "FeedInvalid", (0, fl, 0)),
        ((1, 0, [(me, 60, orc.ZERO, 0)], CFG), "FeedInvalid", (0, low, 60)),
        ((1, 0, [(feed, 60, me, 60)], CFG), "FeedInvalid", (0, low, 60)),
        ((1, 0, [good], replace(CFG, lambda_bps=10_001)), "ConfigOutOfRange",
         (b"lambdaBps".ljust(32, b"\0"), 10_001, 0, 10_000)),
        ((1, 0, [good], replace(CFG, max_deviation_bps=0)), "ConfigOutOfRange",
         (b"maxDeviationBps".ljust(32, b"\0"), 0, 1, 2**32 - 1)),
        ((1, 0, [good], replace(CFG, sequencer_feed=me)), "FeedInvalid", (1, low, 1)),
        ((1, 0, [], CFG), "ZeroAddress", (b"oracle".ljust(32, b"\0"),)),
    ]
    for (n_c, n_d, feeds, cfg), name, args in cases:
        code = deploy_code("EpochOracle", [n_c, n_d, feeds, cfg.as_tuple(), 0, me, me,
                                           orc.ZERO])
        with pytest.raises(ContractRevert) as e:
            chain.deploy(code)
        assert revert_name(e) == (name, args)
    with pytest.raises(Exception, match="lambda_bps"):
        orc.deploy_oracle(chain, 1, 0, feeds=[orc.FeedSpec(feed, 60)],
                          config=replace(CFG, lambda_bps=10_001))


def test_cli_feeds_and_pushed_on_anvil(anvil_env, tmp_path):
    """`zksolvency oracle ...` end to end against anvil through the real entry point."""
    from click.testing import CliRunner

    from prover.cli import main
    from verifier_contracts import connect

    def run(*args):
        return CliRunner().invoke(main, [str(a) for a in args] + ["--rpc-url", anvil_env])

    feeds = tmp_path / "feeds.json"
    res = run("oracle", "dev-feeds", "--answers", "200000000000,1000000000000000001",
              "--decimals", "8,18", "--collateral", "1", "-o", feeds)
    assert res.exit_code == 0, res.output
    spec = json.loads(feeds.read_text())
    res = run("oracle", "deploy", "--feeds", feeds, "--max-deviation", "500")
    assert res.exit_code == 0, res.output
    address = res.stdout.strip().splitlines()[-1]
    res = run("oracle", "open-epoch", address, "--json")
    assert res.exit_code == 0 and json.loads(res.stdout)["prices"] == [200000000000, 100000001]
    status = json.loads(run("oracle", "status", address).stdout)
    assert status["mode"] == "feeds" and status["config"]["max_deviation_bps"] == 500
    assert status["latest"]["epoch"] == 1 and status["breaker"]["cause"] == "NONE"
    assert run("oracle", "pause", address).exit_code == 0
    assert json.loads(run("oracle", "status", address).stdout)["breaker"]["cause"] == "MANUAL"
    res = run("oracle", "open-epoch", address)
    assert res.exit_code == 3 and "EnforcedPause" in res.output   # a revert
    assert run("oracle", "unpause", address).exit_code == 0
    connect(anvil_env).increase_time(3600)
    for side, answer in (("collateral", "100000000000"), ("debt", "1000000000000000000")):
        assert run("oracle", "dev-answer", spec[side][0]["primary"], answer).exit_code == 0
    res = run("oracle", "open-epoch", address)                # -50 %: the breaker trips
    assert res.exit_code == 1 and "breaker TRIPPED: DEVIATION (asset 0" in res.stdout
    res = run("oracle", "reset", address)
    assert res.exit_code == 3 and "ResetTooEarly" in res.output
    res = run("oracle", "deploy", "--pushed", "--collateral", "1", "--debt", "0")
    address = res.stdout.strip()
    res = run("oracle", "open-epoch", address, "--prices", "50.000000001")
    assert res.exit_code == 2 and "more than 8 decimals" in res.output
    res = run("oracle", "open-epoch", address, "--prices", "50")
    assert res.exit_code == 0 and res.stdout.startswith("epoch 1 opened: prices 5000000000 ")
    res = run("oracle", "deploy", "--pushed", "--feeds", feeds)
    assert res.exit_code == 2 and "exactly one of" in res.output


def _block_time(chain, receipt) -> int:
    return int(chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"])


def test_stateful_pushed_oracle_matches_model():
    """Random pushed-price paths, clock moves and guardian resets on the embedded EVM;
    after every step the contract's epoch, breaker and per-asset state equal the model's
    (verifier_contracts.risk.OracleModel)."""
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

    from verifier_contracts import connect

    chain = connect()
    cfg = replace(CFG, min_epoch_interval=0, reference_window=5000, reset_delay=300,
                  max_deviation_bps=1500)

    class Machine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.oracle = orc.deploy_oracle(chain, 1, 1, config=cfg)
            self.m = model(2, cfg)
            self.prices = [1000_00000000, 1_00000000]
            self.epoch = 0
            self.tripped_at = None

        @rule(moves=st.lists(st.integers(-3000, 3000), min_size=2, max_size=2))
        def push(self, moves):
            prices = [max(1, p * (10_000 + mv) // 10_000) for p, mv in zip(self.prices, moves)]
            if self.tripped_at is not None:
                with pytest.raises(ContractRevert) as e:
                    orc.open_epoch_with_prices(chain, self.oracle, prices)
                assert e.value.name == "BreakerIsTripped"
                return
            before = chain.w3.eth.block_number
            out = orc.open_epoch_with_prices(chain, self.oracle, prices)
            now = int(chain.w3.eth.get_block(before + 1)["timestamp"])
            d = self.m.open(now, prices)
            assert (bool(out["epoch"]), out.get("tripped", "NONE")) == (d.opened, d.cause)
            if d.opened:
                self.epoch += 1
                self.prices = prices
                assert (out["prices"], out["sigma_bps"]) == (d.prices, d.sigmas)
            else:
                assert (out["asset"], out["observed"]) == (d.asset, d.observed)
                self.tripped_at = now

        @rule(seconds=st.sampled_from([60, 299, 301, 3000, 6000]))
        def wait(self, seconds):
            chain.increase_time(seconds)

        @rule()
        def reset(self):
            if self.tripped_at is None:
                with pytest.raises(ContractRevert) as e:
                    orc.reset(chain, self.oracle)
                assert e.value.name == "NotTripped"
                return
            try:
                receipt = orc.reset(chain, self.oracle)
            except ContractRevert as e:
                assert e.name == "ResetTooEarly" and e.args_[0] == self.tripped_at + 300
                assert e.args_[1] < self.tripped_at + 300
                return
            self.m.reset(_block_time(chain, receipt), None)
            self.tripped_at = None

        @invariant()
        def same_state(self):
            assert orc.read(chain, self.oracle, "latestEpoch") == self.epoch
            br = orc.breaker_state(chain, self.oracle)
            assert br["tripped"] == (self.tripped_at is not None) == self.m.tripped
            for i, a in enumerate(self.m.assets):
                assert orc.asset_state(chain, self.oracle, i) == {
                    "var_bps2": a.var_bps2, "last_price": a.last_price,
                    "reference_price": a.reference}

    Machine.TestCase.settings = settings(max_examples=6, stateful_step_count=12,
                                         deadline=None,
                                         suppress_health_check=list(HealthCheck))
    Machine.TestCase().runTest()


@pytest.mark.parametrize("data,message", [
    ({"x": []}, "expected an object with 'collateral' and 'debt'"),
    ({"collateral": {}}, "'collateral' must be a list"),
    ({"collateral": [{"primary": "0x12", "heartbeat": 60}]}, "collateral[0]: primary"),
    ({"debt": [{"primary": "0x" + "ab" * 20, "heartbeat": 0}]}, "debt[0]: heartbeat"),
    ({"debt": [{"primary": "0x" + "ab" * 20, "heartbeat": 5, "secondary": "0x" + "cd" * 20}]},
     "debt[0]: secondary_heartbeat"),
    ({"debt": [{"primary": "0x" + "ab" * 20, "heartbeat": 5, "extra": 1}]}, "debt[0]: expected"),
])
def test_feeds_file_errors_name_the_entry(data, message):
    from zk.errors import MalformedInput

    with pytest.raises(MalformedInput, match=re.escape(message)):
        orc.parse_feeds(data, "feeds.json")
    spec = orc.parse_feeds({"collateral": [{"primary": "0x" + "ab" * 20, "heartbeat": 60}],
                            "debt": []})
    assert spec[:2] == (1, 0) and spec[2][0].heartbeat == 60
