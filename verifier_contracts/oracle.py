"""EpochOracle from Python: deploy (Chainlink feeds or pushed prices), open epochs, read
snapshots and the breaker, pause / unpause / reset; development feeds for local chains.

Feeds mode reads each asset from a Chainlink `AggregatorV3Interface` (primary and
optional secondary); pushed mode lets the ORACLE_ROLE post 8-decimal prices. Both go
through the same breaker and EWMA volatility (see `verifier_contracts.risk`).
"""
from __future__ import annotations

from dataclasses import astuple, dataclass

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from verifier_contracts.abi import deploy_code, read_fn, role_id, send_fn
from verifier_contracts.chain import Chain
from verifier_contracts.deploy_state import DeployState, deploy_step
from verifier_contracts.risk import CAUSES, VAR_CAP, AssetModel, Decision, OracleModel
from zk import parse
from zk.errors import MalformedInput
from zk.parse import to_checksum

CONTRACT = "EpochOracle"
DEV_FEED = "DevFeed"
ZERO = "0x" + "00" * 20
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
_EPOCH_OPENED = keccak(text="EpochOpened(uint64,uint256[],uint256[],uint64)")
_TRIPPED = keccak(text="BreakerTripped(uint8,uint256,uint256,uint256)")


@dataclass
class OracleConfig:
    """EpochOracle.Config (seconds, bps, bps^2); defaults suit hourly epochs."""

    min_epoch_interval: int = 3600
    snapshot_validity: int = 2 * 3600
    reference_window: int = 24 * 3600
    reset_delay: int = 3600
    max_deviation_bps: int = 2500
    max_disagreement_bps: int = 200
    lambda_bps: int = 9400
    initial_var_bps2: int = 10_000          # sigma 100 bps before any return is seen
    sequencer_feed: str = ZERO
    sequencer_grace: int = 3600

    def check(self) -> OracleConfig:
        """MalformedInput naming the field the contract would refuse."""
        rules = {"lambda_bps": (0, 10_000), "initial_var_bps2": (0, VAR_CAP),
                 "max_deviation_bps": (1, 2**32 - 1), "max_disagreement_bps": (1, 2**32 - 1),
                 "snapshot_validity": (1, 2**32 - 1), "reference_window": (1, 2**32 - 1),
                 "min_epoch_interval": (0, 2**64 - 1), "reset_delay": (0, 2**64 - 1),
                 "sequencer_grace": (0, 2**64 - 1)}
        for name, (lo, hi) in rules.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
                raise MalformedInput(f"oracle config: {name} must be an integer in "
                                     f"[{lo}, {hi}], got {v!r}")
        return self

    def as_tuple(self) -> tuple:
        values = list(astuple(self))
        values[8] = to_checksum_address(values[8])
        return tuple(values)


@dataclass
class FeedSpec:
    """One asset's feeds: a primary (with its heartbeat, seconds) and an optional
    secondary used only to detect disagreement."""

    primary: str
    heartbeat: int
    secondary: str | None = None
    secondary_heartbeat: int = 0

    def as_tuple(self) -> tuple:
        return (to_checksum_address(self.primary), self.heartbeat,
                to_checksum_address(self.secondary or ZERO),
                self.secondary_heartbeat if self.secondary else 0)


def parse_feeds(data: dict, where: str = "feeds") -> tuple[int, int, list[FeedSpec]]:
    """(n_collateral, n_debt, feeds) from {"collateral": [...], "debt": [...]}, each entry
    {"primary": address, "heartbeat": seconds, "secondary"?: address,
    "secondary_heartbeat"?: seconds}, in the circuit's asset order."""
    if not isinstance(data, dict) or set(data) - {"collateral", "debt"}:
        raise MalformedInput(f"{where}: expected an object with 'collateral' and 'debt' lists")
    out: dict[str, list[FeedSpec]] = {}
    for side in ("collateral", "debt"):
        entries = data.get(side, [])
        if not isinstance(entries, list):
            raise MalformedInput(f"{where}: '{side}' must be a list")
        out[side] = [_feed_spec(e, f"{where}: {side}[{i}]") for i, e in enumerate(entries)]
    return len(out["collateral"]), len(out["debt"]), out["collateral"] + out["debt"]


def _feed_spec(entry, where: str) -> FeedSpec:
    if not isinstance(entry, dict) or set(entry) - {"primary", "heartbeat", "secondary",
                                                    "secondary_heartbeat"}:
        raise MalformedInput(f"{where}: expected primary, heartbeat[, secondary, "
                             "secondary_heartbeat]")
    primary = to_checksum(parse.address(entry.get("primary"), f"{where}: primary"))
    secondary = entry.get("secondary")
    if secondary is not None:
        secondary = to_checksum(parse.address(secondary, f"{where}: secondary"))
    beats = {}
    for name in ("heartbeat",) + (("secondary_heartbeat",) if secondary else ()):
        v = entry.get(name)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**32:
            raise MalformedInput(f"{where}: {name} must be a positive number of seconds")
        beats[name] = v
    return FeedSpec(primary, beats["heartbeat"], secondary, beats.get("secondary_heartbeat", 0))


def deploy_oracle(chain: Chain, n_collateral: int, n_debt: int, *,
                  feeds: list[FeedSpec] | None = None, config: OracleConfig | None = None,
                  admin: str | None = None, admin_delay: int = DEFAULT_ADMIN_DELAY,
                  guardian: str | None = None, oracle: str | None = None,
                  state: DeployState | None = None) -> str:
    """Deploy an EpochOracle; feeds mode when `feeds` (one per asset, collateral first)
    is given, else pushed mode with `oracle` (default: the admin) posting prices. The
    guardian defaults to the admin, the admin to the sender. Returns its address."""
    config = (config or OracleConfig()).check()
    feeds = list(feeds or [])
    if feeds and len(feeds) != n_collateral + n_debt:
        raise MalformedInput(f"oracle: {len(feeds)} feeds for {n_collateral} collateral + "
                             f"{n_debt} debt assets")
    admin = to_checksum_address(admin or chain.address)
    args = [n_collateral, n_debt, [f.as_tuple() for f in feeds], config.as_tuple(),
            admin_delay, admin, to_checksum_address(guardian or admin),
            to_checksum_address(oracle or (ZERO if feeds else admin))]
    code = deploy_code(CONTRACT, args)
    return deploy_step(chain, "epoch_oracle", code, state)


def read(chain: Chain, oracle: str, name: str, *args):
    """Call an EpochOracle view; a single output is returned unwrapped."""
    return read_fn(chain, CONTRACT, oracle, name, *args)


def _outcome(receipt: dict) -> dict:
    """{"epoch": n} when an epoch opened, or the trip: {"epoch": 0, "tripped": cause,
    "asset", "observed", "bound"}; plus the gas used."""
    out: dict = {"epoch": 0, "gas_used": int(receipt["gasUsed"])}
    for log in receipt["logs"]:
        topics = [bytes(t) for t in log["topics"]]
        if topics and topics[0] == _EPOCH_OPENED:
            out["epoch"] = int.from_bytes(topics[1], "big")
            prices, sigmas, valid_until = abi_decode(["uint256[]", "uint256[]", "uint64"],
                                                     bytes(log["data"]))
            out.update(prices=list(prices), sigma_bps=list(sigmas), valid_until=valid_until)
        elif topics and topics[0] == _TRIPPED:
            asset, observed, bound = abi_decode(["uint256"] * 3, bytes(log["data"]))
            out.update(tripped=CAUSES[int.from_bytes(topics[1], "big")], asset=asset,
                       observed=observed, bound=bound)
    return out


def open_epoch(chain: Chain, oracle: str) -> dict:
    """Open the next epoch from the feeds (anyone may). A failed check trips the breaker
    instead of reverting: the result then names the cause (see `_outcome`)."""
    return _outcome(send_fn(chain, CONTRACT, oracle, "openEpoch"))


def open_epoch_with_prices(chain: Chain, oracle: str, prices: list[int]) -> dict:
    """ORACLE_ROLE, pushed mode: open the next epoch at `prices` (8 decimals)."""
    return _outcome(send_fn(chain, CONTRACT, oracle, "openEpochWithPrices", list(prices)))


def snapshot(chain: Chain, oracle: str, epoch: int | None = None) -> dict:
    """The snapshot of `epoch` (default: the latest)."""
    if epoch is None:
        epoch = int(read(chain, oracle, "latestEpoch"))
    opened_at, valid_until, prices, sigmas = read(chain, oracle, "snapshot", epoch)
    return {"epoch": epoch, "opened_at": opened_at, "valid_until": valid_until,
            "prices": list(prices), "sigma_bps": list(sigmas)}


def breaker_state(chain: Chain, oracle: str) -> dict:
    cause, since, asset = read(chain, oracle, "breakerState")
    return {"cause": CAUSES[cause], "since": since, "asset": asset,
            "tripped": CAUSES[cause] != "NONE"}


def asset_state(chain: Chain, oracle: str, asset: int) -> dict:
    var, last, ref = read(chain, oracle, "assetState", asset)
    return {"var_bps2": var, "last_price": last, "reference_price": ref}


def status(chain: Chain, oracle: str) -> dict:
    """Mode, assets, latest snapshot, breaker and per-asset state."""
    n_c, n_d = int(read(chain, oracle, "nCollateral")), int(read(chain, oracle, "nDebt"))
    names = ("min_epoch_interval", "snapshot_validity", "reference_window", "reset_delay",
             "max_deviation_bps", "max_disagreement_bps", "lambda_bps", "initial_var_bps2",
             "sequencer_feed", "sequencer_grace")
    return {"oracle": to_checksum_address(oracle),
            "mode": "pushed" if read(chain, oracle, "pushedMode") else "feeds",
            "n_collateral": n_c, "n_debt": n_d,
            "config": dict(zip(names, read(chain, oracle, "config"))),
            "latest": snapshot(chain, oracle),
            "breaker": breaker_state(chain, oracle),
            "assets": [asset_state(chain, oracle, i) for i in range(n_c + n_d)],
            "block_timestamp": chain.timestamp()}


def model_of(chain: Chain, oracle: str) -> OracleModel:
    """The oracle's current state as an `OracleModel` (config, per-asset variance, last
    epoch price and reference, re-anchoring time, breaker), to replay what comes next."""
    cfg = read(chain, oracle, "config")
    n = int(read(chain, oracle, "nCollateral")) + int(read(chain, oracle, "nDebt"))
    assets = [AssetModel(*read(chain, oracle, "assetState", i)) for i in range(n)]
    return OracleModel(n, cfg[6], cfg[7], cfg[4], cfg[5], cfg[2], assets,
                       int(read(chain, oracle, "referenceAnchoredAt")),
                       breaker_state(chain, oracle)["tripped"])


def preview_epoch(chain: Chain, oracle: str, prices: list[int],
                  secondary: list[int | None] | None = None,
                  at: int | None = None) -> Decision:
    """What opening the next epoch at these (8-decimal) prices would do, at time `at`
    (default: the latest block's): the sigmas a prover's haircuts follow, or the trip.
    Nothing is sent. Feed freshness, the sequencer and the interval are not checked."""
    m = model_of(chain, oracle)
    if m.tripped:
        return Decision(False, cause=breaker_state(chain, oracle)["cause"])
    return m.open(chain.timestamp() if at is None else at, list(prices), secondary)


def pause(chain: Chain, oracle: str) -> dict:
    """GUARDIAN: halt epochs (manual trip)."""
    return send_fn(chain, CONTRACT, oracle, "pause")


def unpause(chain: Chain, oracle: str) -> dict:
    """GUARDIAN: lift a manual pause."""
    return send_fn(chain, CONTRACT, oracle, "unpause")


def reset(chain: Chain, oracle: str) -> dict:
    """GUARDIAN, resetDelay after a trip: clear it and re-anchor the reference prices."""
    return send_fn(chain, CONTRACT, oracle, "reset")


def grant_role(chain: Chain, oracle: str, role: str, account: str) -> dict:
    """Default admin: grant GUARDIAN_ROLE or ORACLE_ROLE to `account`."""
    return send_fn(chain, CONTRACT, oracle, "grantRole", role_id(role),
                   to_checksum_address(account))


# ------------------------------------------------------------------ development feeds

def deploy_dev_feed(chain: Chain, decimals: int, answer: int) -> str:
    """DEVELOPMENT ONLY: a Chainlink MockV3Aggregator anyone can move."""
    address, _ = chain.deploy(deploy_code(DEV_FEED, [decimals, answer]),
                              action="deploy development feed")
    return address


def set_answer(chain: Chain, feed: str, answer: int) -> dict:
    """Development feed: a new round with `answer`, updated now."""
    return send_fn(chain, DEV_FEED, feed, "updateAnswer", answer)


def set_round(chain: Chain, feed: str, answer: int, updated_at: int,
              started_at: int | None = None) -> dict:
    """Development feed: a new round with `answer` and explicit timestamps (staleness,
    sequencer status changes)."""
    round_id = int(read_fn(chain, DEV_FEED, feed, "latestRound")) + 1
    return send_fn(chain, DEV_FEED, feed, "updateRoundData", round_id, answer, updated_at,
                   updated_at if started_at is None else started_at)
