"""Fixtures of the monitor tests: one anvil per session (stopped by PID), development keys
for the smallest collateral shape (2 collateral + 1 debt asset) made once, and a market
(verifier, SolvencyRegistry, pushed EpochOracle, recorded positions) per test."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from prover import collateral as col
from prover.workflow import VK_NAME, read_vk
from tests.verifier_contracts.conftest import ANVIL_KEYS, running_anvil
from verifier_contracts import connect, deploy_verifier
from verifier_contracts import epoch_registry as ereg
from verifier_contracts import oracle as orc
from verifier_contracts import registry as reg
from zk import atomic

E8 = 10**8
POLICY = {"chain_id": "31337", "registry": "0x" + "00" * 19 + "01", "min_ratio_bps": "15000",
          "collateral": [{"asset": "ETH", "decimals": "18", "haircut_bps": "2000"},
                         {"asset": "BTC", "decimals": "8", "haircut_bps": "1000"}],
          "debt": [{"asset": "USDC", "decimals": "6"}]}
#: name -> (anvil key index, portfolio). ALICE: 14.3 % margin at ETH 3000, fails below 2625.
PORTFOLIOS = {
    "alice": (1, {"salt": "11", "collateral": {"ETH": "10"}, "debt": {"USDC": "14000"}}),
    "bob": (2, {"salt": "22", "collateral": {"ETH": "5", "BTC": "1"},
                "debt": {"USDC": "1000"}}),
    "carol": (3, {"salt": "33", "collateral": {"BTC": "1"}, "debt": {"USDC": "100"}}),
}
BTC, USDC = 60_000 * E8, E8


@pytest.fixture(scope="session")
def anvil():
    """anvil on 127.0.0.1 (a free port), stopped by PID."""
    with running_anvil() as url:
        yield url


@pytest.fixture(scope="session")
def monitor_keys(tmp_path_factory) -> tuple[Path, Path]:
    """(policy file, key folder) with DEVELOPMENT keys of the 2+1 collateral shape."""
    root = tmp_path_factory.mktemp("monitor-keys")
    atomic.write_json(root / "policy.json", POLICY)
    policy = col.load_policy(root / "policy.json")
    col.setup(policy, root / "keys")
    return root / "policy.json", root / "keys"


@dataclass
class Market:
    """A deployed market the test drives as its oracle."""

    chain: object
    registry: str
    oracle: str
    folder: Path
    url: str
    epoch: int = 0
    on_oracle: bool = False      # an EpochSolvencyRegistry reading `oracle`

    @property
    def reg(self):
        """The registry's Python module."""
        return ereg if self.on_oracle else reg

    def open(self, eth: int, *, validity: int = 3600) -> dict:
        """Open the next epoch at ETH = `eth` dollars on the oracle; if it opens there,
        post the same prices to the registry. Returns the oracle's outcome."""
        out = orc.open_epoch_with_prices(self.chain, self.oracle, [eth * E8, BTC, USDC])
        if out["epoch"] and not self.on_oracle:
            self.epoch += 1
            reg.post_prices(self.chain, self.registry, self.epoch, [eth * E8, BTC], [USDC],
                            self.chain.timestamp() + validity)
        return out

    def proven_epoch(self, name: str) -> int:
        who = connect(self.url, private_key=ANVIL_KEYS[PORTFOLIOS[name][0]]).address
        return int(self.reg.solvency_of(self.chain, self.registry, who)["epoch"])

    def address(self, name: str) -> str:
        return connect(self.url, private_key=ANVIL_KEYS[PORTFOLIOS[name][0]]).address

    def env(self) -> dict:
        return {f"{n.upper()}_KEY": ANVIL_KEYS[i] for n, (i, _) in PORTFOLIOS.items()}


def make_market(url: str, keys: tuple[Path, Path], folder: Path, names: list[str], *,
                extra: str = "", rpc_url: str | None = None, on_oracle: bool = False,
                feeds: list | None = None) -> Market:
    """Deploy verifier, registry (REGISTERED, grace 900 s, haircuts 2000/1000, ratio 150 %)
    and an EpochOracle (pushed, or on `feeds`: FeedSpecs); with `on_oracle` the registry
    is an EpochSolvencyRegistry reading that oracle. Record each account's position; write
    the portfolios and a zksolvency.toml with [monitor]."""
    policy_path, key_dir = keys
    chain = connect(url, private_key=ANVIL_KEYS[0])
    policy = col.load_policy(policy_path)
    folder_keys = col.shape_dir(key_dir, policy)
    vk_path = folder_keys / VK_NAME
    vk = json.loads(vk_path.read_text())
    statement = read_vk(vk_path)[1]
    verifier = deploy_verifier(chain, vk, self_test=False)
    oracle = orc.deploy_oracle(chain, 2, 1, feeds=feeds, config=orc.OracleConfig(
        min_epoch_interval=0, reset_delay=0), admin_delay=0)
    mod = ereg if on_oracle else reg
    registry = mod.deploy_registry(chain, verifier, vk, statement, mode=mod.REGISTERED,
                                   haircuts_bps=[2000, 1000], min_ratio_bps=15000,
                                   dev_keys=True, admin_delay=0, grace=900,
                                   **({"oracle": oracle} if on_oracle else {}))
    folder.mkdir(parents=True, exist_ok=True)
    accounts = []
    for name in names:
        idx, portfolio = PORTFOLIOS[name]
        atomic.write_json(folder / f"{name}.json", portfolio)
        p = col.load_portfolio(folder / f"{name}.json", policy)
        who = connect(url, private_key=ANVIL_KEYS[idx]).address
        mod.record_position(chain, registry, who, p.commitment())
        accounts.append(f'[[monitor.accounts]]\nname = "{name}"\nkey_env = '
                        f'"{name.upper()}_KEY"\nposition = "{name}.json"\n'
                        f'margin_buffer_pct = 10\n')
    (folder / "zksolvency.toml").write_text(
        f'[profile.local]\nrpc_url = "{rpc_url or url}"\nchain_id = 31337\n\n'
        f'[monitor]\nprofile = "local"\nregistry = "{registry}"\noracle = "{oracle}"\n'
        f'policy = "{policy_path}"\nkeys = "{key_dir}"\nstate = "monitor.sqlite"\n'
        f'confirmations = 0\npoll_interval = 0.2\ndeadline_margin = 600\n'
        f'stuck_after = 2\n{extra}\n' + "\n".join(accounts))
    return Market(chain, registry, oracle, folder, url, on_oracle=on_oracle)
