"""Stale feeds: an EpochOracle in feeds mode over development Chainlink feeds
(MockV3Aggregator) on anvil. The monitor alerts once per feed when its last update is
older than its heartbeat, and logs it fresh again after a new round."""
from __future__ import annotations

from prover.monitor import Monitor, load_monitor_config
from tests.monitor.conftest import ANVIL_KEYS, BTC, E8, USDC, make_market
from verifier_contracts import connect
from verifier_contracts import oracle as orc


def test_stale_feed_alert_and_recovery(anvil, monitor_keys, tmp_path):
    feeds = [orc.deploy_dev_feed(connect(anvil, private_key=ANVIL_KEYS[0]), 8, p)
             for p in (3000 * E8, BTC, USDC)]
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"],
                    feeds=[orc.FeedSpec(f, 600) for f in feeds])
    toml = tmp_path / "zksolvency.toml"
    mon = Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    try:
        mon.step()
        assert not [r for r in mon.records if r["type"] == "stale_feed"]
        m.chain.increase_time(601)
        orc.set_answer(m.chain, feeds[0], 3010 * E8)          # only ETH's feed is updated
        mon.step()
        mon.step()                                            # alerted once, not per cycle
        stale = [r for r in mon.records if r["type"] == "stale_feed"]
        assert sorted(r["data"]["asset"] for r in stale) == [1, 2]
        assert all(r["kind"] == "alert" and r["data"]["feed"] in feeds for r in stale)
        orc.set_answer(m.chain, feeds[1], BTC)
        mon.step()
        fresh = [r for r in mon.records if r["type"] == "feed_fresh"]
        assert [r["data"]["asset"] for r in fresh] == [1]
    finally:
        mon.close()


def test_acts_only_on_blocks_confirmations_deep(anvil, monitor_keys, tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"])
    toml = tmp_path / "zksolvency.toml"
    toml.write_text(toml.read_text().replace("confirmations = 0", "confirmations = 2"))
    mon = Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    try:
        assert m.open(3000)["epoch"] == 1          # EpochOpened in the newest block
        mon.step()
        assert m.proven_epoch("bob") == 0
        assert not [r for r in mon.records if r["type"] == "new_epoch"]
        m.chain.w3.provider.make_request("anvil_mine", [2])
        mon.step()
        assert [r["epoch"] for r in mon.records if r["type"] == "new_epoch"] == [1]
        assert m.proven_epoch("bob") == 1
    finally:
        mon.close()


def test_position_from_a_command(anvil, monitor_keys, tmp_path):
    """position_command: a command printing the position JSON, run in the config's folder;
    a failing command is an unprovable alert, nothing sent."""
    import sys
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"])
    toml = tmp_path / "zksolvency.toml"
    cmd = f'position_command = ["{sys.executable}", "-c", "import sys; ' \
          'sys.stdout.write(open(sys.argv[1]).read())", "bob.json"]'
    toml.write_text(toml.read_text().replace('position = "bob.json"', cmd))
    (tmp_path / "bob.json").rename(tmp_path / "bob.json.bak")
    mon = Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    try:
        assert m.open(3000)["epoch"] == 1
        mon.step()                                  # the command fails: no such file
        alerts = [r for r in mon.records if r["type"] == "unprovable"]
        assert len(alerts) == 1 and "position command exited 1" in alerts[0]["message"]
        assert m.proven_epoch("bob") == 0
        (tmp_path / "bob.json.bak").rename(tmp_path / "bob.json")
        mon.step()
        assert m.proven_epoch("bob") == 1
    finally:
        mon.close()


def test_deadline_alert_when_the_snapshot_expires_without_a_new_epoch(anvil, monitor_keys,
                                                                      tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"], validity=700)  # margin 600 s
    mon = Monitor(load_monitor_config(tmp_path / "zksolvency.toml"), env=m.env(), sinks=[])
    try:
        assert m.open(3000)["epoch"] == 1
        mon.step()
        assert m.proven_epoch("bob") == 1
        assert not [r for r in mon.records if r["type"] == "deadline_at_risk"]
        m.chain.increase_time(200)
        mon.step()
        mon.step()
        risk = [r for r in mon.records if r["type"] == "deadline_at_risk"]
        assert len(risk) == 1 and "expires with the snapshot" in risk[0]["message"]
        assert 0 < risk[0]["data"]["seconds_left"] < 600
    finally:
        mon.close()
