"""Credit accounts on a real anvil: the monitor keeps a credit-capacity proof current
(the registry's submitCredit) at the largest provable credit minus the account's buffer,
and alerts when that capacity falls under what the account borrowed in a real
SolvencyGatedCredit market. Capacities are checked against hand arithmetic and against
the registry's creditOf and the market's own borrow check (the real EVM)."""
from __future__ import annotations

import pytest

from prover.monitor import Monitor, load_monitor_config
from tests.monitor.conftest import make_market
from verifier_contracts import credit_market as cm
from verifier_contracts import registry as reg
from verifier_contracts.revert import ContractRevert

USDC = 10**6                    # token base units
UNIT = 10**26                   # one USD in the credit value unit (10^-(8 + 18) USD)


def test_credit_kept_proven_and_alert_under_the_borrowed(anvil, credit_keys, tmp_path):
    m = make_market(anvil, credit_keys, tmp_path, ["alice"], credit=True)
    admin, alice = m.chain, m.chain.with_key(m.env()["ALICE_KEY"])
    token = cm.deploy_token(admin, "Dev USD Coin", "dUSDC", 6)
    market = cm.deploy_market(admin, m.registry, m.oracle, token, cm.MarketConfig.for_decimals(
        18, 6, min_bond=100 * USDC, liquidator_reward=10 * USDC, liquidation_grace=600))
    cm.mint(admin, token, admin.address, 10**5 * USDC)
    cm.approve(admin, token, market, 2**256 - 1)
    cm.act(admin, market, "supply", 10**5 * USDC)
    cm.mint(alice, token, alice.address, 100 * USDC)
    cm.approve(alice, token, market, 2**256 - 1)
    cm.act(alice, market, "postBond", 100 * USDC)
    toml = tmp_path / "zksolvency.toml"
    toml.write_text(toml.read_text() + f'kind = "credit"\ncredit_buffer_pct = 10\n'
                                       f'market = "{market}"\n')
    mon = Monitor(load_monitor_config(toml), env=m.env(), sinks=[])
    try:
        # ETH 3000: 10 ETH x 3000 x 0.8 / 1.5 - 14000 debt = 2000 USD provable; 90 % proven
        assert m.open(3000)["epoch"] == 1
        mon.step()
        assert reg.credit_of(m.chain, m.registry, alice.address) == 1800 * UNIT
        assert reg.proof_of(m.chain, m.registry, alice.address, reg.CREDIT)["epoch"] == 1
        assert reg.solvency_of(m.chain, m.registry, alice.address)["epoch"] == 0
        assert reg.is_solvent(m.chain, m.registry, alice.address)   # the credit proof counts
        mon.step()                                                  # current: nothing sent
        assert [r["type"] for r in mon.records].count("accepted") == 1
        with pytest.raises(ContractRevert, match="CreditExceeded"):  # the market agrees
            cm.act(alice, market, "borrow", 1801 * USDC)
        cm.act(alice, market, "borrow", 1500 * USDC)
        assert not [r for r in mon.records if r["kind"] == "alert"]
        # ETH 2900: 1466.66... USD provable, under the 1500 borrowed
        assert m.open(2900)["epoch"] == 2
        mon.step()
        alerts = [r for r in mon.records if r["kind"] == "alert"]
        assert [a["type"] for a in alerts] == ["credit_below_borrowed"]
        limit = 10 * 2900 * 8000 * UNIT // 15000 - 14000 * UNIT
        assert alerts[0]["data"]["provable"] == limit and limit < 1500 * UNIT
        assert alerts[0]["data"]["borrowed"] == 1500 * UNIT
        assert alerts[0]["epoch"] == 2 and alerts[0]["severity"] == "critical"
        # still re-proven at the lower capacity, accepted by the registry
        assert reg.credit_of(m.chain, m.registry, alice.address) == limit * 9000 // 10_000
        proven = [r for r in mon.records if r["type"] == "proven"]
        assert [r["data"]["credit"] for r in proven] == [1800 * UNIT, limit * 9000 // 10_000]
    finally:
        mon.close()
