"""Fixtures of the monitor tests: one anvil per session (stopped by PID), development keys
for the smallest collateral shape (2 collateral + 1 debt asset) made once, and a market
(verifier, pushed-price EpochOracle, SolvencyRegistry reading it, recorded
positions) per test."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from prover import collateral as col
from prover.workflow import VK_NAME, read_vk
from tests.verifier_contracts.conftest import ANVIL_KEYS, running_anvil
from verifier_contracts import connect, deploy_verifier
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


@pytest.fixture(scope="session")
def credit_keys(monitor_keys) -> tuple[Path, Path]:
    """monitor_keys plus DEVELOPMENT keys of the 2+1 credit-capacity shape, same folder."""
    from prover import credit
    credit.setup(col.load_policy(monitor_keys[0]), monitor_keys[1])
    return monitor_keys


def _vk(folder: Path) -> tuple[dict, object]:
    return json.loads((folder / VK_NAME).read_text()), read_vk(folder / VK_NAME)[1]


@dataclass
class Market:
    """A deployed market the test drives as its oracle."""

    chain: object
    registry: str
    oracle: str
    folder: Path
    url: str

    def open(self, eth: int) -> dict:
        """Open the next epoch at ETH = `eth` dollars on the oracle (pushed prices); the
        oracle's outcome (the epoch, or the breaker's trip)."""
        return orc.open_epoch_with_prices(self.chain, self.oracle, [eth * E8, BTC, USDC])

    def opened_at(self) -> int:
        """When the oracle's latest epoch opened (its snapshot's time)."""
        return int(orc.snapshot(self.chain, self.oracle)["opened_at"])

    def proven_epoch(self, name: str) -> int:
        return int(reg.solvency_of(self.chain, self.registry, self.address(name))["epoch"])

    def address(self, name: str) -> str:
        return connect(self.url, private_key=ANVIL_KEYS[PORTFOLIOS[name][0]]).address

    def env(self) -> dict:
        return {f"{n.upper()}_KEY": ANVIL_KEYS[i] for n, (i, _) in PORTFOLIOS.items()}


def make_market(url: str, keys: tuple[Path, Path], folder: Path, names: list[str], *,
                extra: str = "", rpc_url: str | None = None,
                feeds: list | None = None, validity: int = 3600, credit: bool = False,
                account_extra: dict[str, str] | None = None) -> Market:
    """Deploy a verifier, an EpochOracle (pushed prices, or on `feeds`: FeedSpecs; snapshots
    valid `validity` s) and a SolvencyRegistry reading it (REGISTERED, grace 900 s,
    haircuts 2000/1000, ratio 150 %; with `credit`, a CREDIT module too). Record each
    account's position; write the portfolios and a zksolvency.toml with [monitor]
    (`account_extra`: more lines per account name)."""
    policy_path, key_dir = keys
    chain = connect(url, private_key=ANVIL_KEYS[0])
    policy = col.load_policy(policy_path)
    vk, statement = _vk(col.shape_dir(key_dir, policy))
    verifier = deploy_verifier(chain, vk, self_test=False)
    credit_module = None
    if credit:
        from prover import credit as pcredit
        from prover.flow import key_folder
        c_vk, c_statement = _vk(key_folder(key_dir, pcredit.KIND, pcredit.circuit(policy)))
        credit_module = (deploy_verifier(chain, c_vk, self_test=False), c_vk, c_statement)
    oracle = orc.deploy_oracle(chain, 2, 1, feeds=feeds, config=orc.OracleConfig(
        min_epoch_interval=0, reset_delay=0, snapshot_validity=validity), admin_delay=0)
    registry = reg.deploy_registry(chain, verifier, vk, statement, oracle=oracle,
                                   mode=reg.REGISTERED, haircuts_bps=[2000, 1000],
                                   min_ratio_bps=15000, dev_keys=True, admin_delay=0,
                                   grace=900, credit=credit_module)
    folder.mkdir(parents=True, exist_ok=True)
    accounts = []
    for name in names:
        idx, portfolio = PORTFOLIOS[name]
        atomic.write_json(folder / f"{name}.json", portfolio)
        p = col.load_portfolio(folder / f"{name}.json", policy)
        who = connect(url, private_key=ANVIL_KEYS[idx]).address
        reg.record_position(chain, registry, who, p.commitment())
        accounts.append(f'[[monitor.accounts]]\nname = "{name}"\nkey_env = '
                        f'"{name.upper()}_KEY"\nposition = "{name}.json"\n'
                        f'margin_buffer_pct = 10\n{(account_extra or {}).get(name, "")}')
    (folder / "zksolvency.toml").write_text(
        f'[profile.local]\nrpc_url = "{rpc_url or url}"\nchain_id = 31337\n\n'
        f'[monitor]\nprofile = "local"\nregistry = "{registry}"\noracle = "{oracle}"\n'
        f'policy = "{policy_path}"\nkeys = "{key_dir}"\nstate = "monitor.sqlite"\n'
        f'confirmations = 0\npoll_interval = 0.2\ndeadline_margin = 600\n'
        f'stuck_after = 2\n{extra}\n' + "\n".join(accounts))
    return Market(chain, registry, oracle, folder, url)
