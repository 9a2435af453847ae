"""The monitor on the SolvencyRegistry (prices, sigma, epochs and the breaker from its
EpochOracle; haircuts from its versioned policy), on a real anvil. The haircuts the monitor
computes with RiskMath's Python mirror are checked against the registry's own
`requirementsFor` (the real EVM) and accepted; a policy set mid-epoch applies from the
next epoch; nothing is proven or sent while the oracle's breaker is tripped."""
from __future__ import annotations

import re

import pytest

from prover import collateral as col
from prover.monitor import Monitor, load_monitor_config
from tests.monitor.conftest import make_market
from verifier_contracts import oracle as orc
from verifier_contracts import registry as reg
from zk import atomic
from zk.errors import UsageError


def _types(mon) -> list[str]:
    return [r["type"] for r in mon.records]


def test_sigma_haircuts_policy_versions_and_breaker(anvil, monitor_keys, tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"])
    bob = m.address("bob")
    assert m.open(3000)["epoch"] == 1
    mon = Monitor(load_monitor_config(tmp_path / "zksolvency.toml"), env=m.env(), sinks=[])
    try:
        assert mon.oracle == m.oracle
        mon.step()
        assert m.proven_epoch("bob") == 1
        assert [r["data"]["haircuts_bps"] for r in mon.records if r["type"] == "proven"] \
            == [reg.requirements_for(m.chain, m.registry, 1)[0]] == [[2000, 1000]]
        # a tighter, volatility-adaptive policy mid-epoch: epoch 1 keeps policy 1
        reg.set_policy(m.chain, m.registry, [(2000, 30000, 4000), 1500], 16000)
        mon.step()
        changed = [r for r in mon.records if r["type"] == "policy_changed"]
        assert [r["data"]["policy_version"] for r in changed] == [1, 2]
        assert changed[1]["data"]["active_from"] > 0
        assert _types(mon).count("proven") == 1 and reg.is_solvent(m.chain, m.registry, bob)
        m.chain.increase_time(2)                        # past the tightening's activeFrom
        out = m.open(2700)                              # a 10 % move: sigma rises
        assert out["epoch"] == 2 and out["sigma_bps"][0] > 100
        mon.step()
        proven = [r for r in mon.records if r["type"] == "proven"]
        want, ratio = reg.requirements_for(m.chain, m.registry, 2)
        sigma = out["sigma_bps"][0]
        assert want == [min(4000, 2000 + 30000 * sigma // 10_000), 1500] and want[0] > 2000
        assert proven[-1]["epoch"] == 2 and proven[-1]["data"]["haircuts_bps"] == want
        assert proven[-1]["data"]["min_ratio_bps"] == ratio == 16000
        assert m.proven_epoch("bob") == 2 and reg.is_solvent(m.chain, m.registry, bob)
        # crash: the oracle's breaker trips; bob's position moves meanwhile
        out = m.open(1900)
        assert out["epoch"] == 0 and out["tripped"] == "DEVIATION"
        moved = {"salt": "23", "collateral": {"ETH": "6", "BTC": "1"}, "debt": {"USDC": "900"}}
        atomic.write_json(tmp_path / "bob.json", moved)
        policy = col.load_policy(monitor_keys[0])
        reg.record_position(m.chain, m.registry, bob, col.load_portfolio(
            tmp_path / "bob.json", policy).commitment())
        nonce = m.chain.w3.eth.get_transaction_count(bob)
        mon.step()
        mon.step()
        trips = [r for r in mon.records if r["type"] == "breaker_tripped"]
        assert len(trips) == 1 and trips[0]["data"]["cause"] == "DEVIATION"
        assert _types(mon).count("waiting") == 1 and _types(mon).count("proven") == 2
        assert m.chain.w3.eth.get_transaction_count(bob) == nonce
        assert "submission_reverted" not in _types(mon)
        # the guardian resets it: the changed position is proven at epoch 2 and accepted
        orc.reset(m.chain, m.oracle)
        mon.step()
        assert _types(mon).count("breaker_reset") == 1
        assert _types(mon).count("accepted") == 3 and m.proven_epoch("bob") == 2
        assert reg.is_solvent(m.chain, m.registry, bob)
    finally:
        mon.close()


def test_config_oracle_must_be_the_registrys(anvil, monitor_keys, tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"])
    toml = tmp_path / "zksolvency.toml"
    other = orc.deploy_oracle(m.chain, 2, 1, admin_delay=0)
    text = toml.read_text()
    toml.write_text(re.sub(r'oracle = "0x[0-9a-fA-F]{40}"', f'oracle = "{other}"', text))
    with pytest.raises(UsageError, match=f"'oracle' is {other}.*reads the epoch oracle "
                                         f"{m.oracle}"):
        Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    # a registry address that is no SolvencyRegistry (here: an oracle)
    toml.write_text(text.replace(f'registry = "{m.registry}"', f'registry = "{other}"'))
    with pytest.raises(UsageError, match=f"{other} is not an {reg.CONTRACT}"):
        Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    # without `oracle`, the registry's own is watched
    toml.write_text(re.sub(r'oracle = "0x[0-9a-fA-F]{40}"\n', "", text))
    mon = Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    try:
        assert mon.oracle == m.oracle
    finally:
        mon.close()
