"""A submission the registry would refuse: the venue recorded another commitment for the
account. The monitor's preflight decodes the custom error by name (CommitmentMismatch),
alerts, and sends nothing. Once the position file changes to the recorded one, the
changed position is proven and accepted in the same epoch."""
from __future__ import annotations

from prover import collateral as col
from prover.monitor import Monitor, load_monitor_config
from tests.monitor.conftest import make_market
from verifier_contracts import registry as reg
from zk import atomic


def test_revert_decoded_by_name_then_changed_position_proven(anvil, monitor_keys, tmp_path):
    m = make_market(anvil, monitor_keys, tmp_path, ["bob"])
    bob = m.address("bob")
    policy = col.load_policy(monitor_keys[0])
    moved = {"salt": "23", "collateral": {"ETH": "4", "BTC": "1"}, "debt": {"USDC": "900"}}
    atomic.write_json(tmp_path / "moved.json", moved)
    recorded = col.load_portfolio(tmp_path / "moved.json", policy).commitment()
    reg.record_position(m.chain, m.registry, bob, recorded)        # the venue moved first
    assert m.open(3000)["epoch"] == 1
    mon = Monitor(load_monitor_config(tmp_path / "zksolvency.toml"), env=m.env(), sinks=[])
    try:
        nonce = m.chain.w3.eth.get_transaction_count(bob)
        mon.step()
        mon.step()                          # refused once: not proven nor alerted again
        reverts = [r for r in mon.records if r["type"] == "submission_reverted"]
        assert len(reverts) == 1 and reverts[0]["data"]["error"] == "CommitmentMismatch"
        assert reverts[0]["data"]["args"] == [str(recorded), str(col.load_portfolio(
            tmp_path / "bob.json", policy).commitment())]
        assert m.chain.w3.eth.get_transaction_count(bob) == nonce
        assert [r["type"] for r in mon.records].count("proven") == 1
        atomic.write_json(tmp_path / "bob.json", moved)            # the export catches up
        mon.step()
        assert m.proven_epoch("bob") == 1 and reg.is_solvent(m.chain, m.registry, bob)
        assert [r["type"] for r in mon.records].count("accepted") == 1
    finally:
        mon.close()

