"""Bit-exact Python mirror of `sol/lib/RiskMath.sol` (prices, returns, EWMA volatility,
haircuts), so provers pre-check with the numbers the chain will use.

Units: prices have 8 decimals and lie in [1, 2^64); returns, deviations, sigma and
haircuts are in basis points; variances in bps^2. Every function rounds like the
Solidity one and raises `MalformedInput` where the contract reverts. `OracleModel`
replays EpochOracle's epoch decisions (trips, reference re-anchoring, EWMA state).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt

from zk.errors import MalformedInput

BPS = 10_000
PRICE_DECIMALS = 8
PRICE_BOUND = 1 << 64
RETURN_CAP_BPS = 1 << 56
VAR_CAP = 1 << 112
UINT256 = 1 << 256


def _uint(value: int, name: str, bits: int = 256) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise MalformedInput(f"risk math: {name} must be an integer in [0, 2^{bits})")
    return value


def normalise(answer: int, feed_decimals: int, round_up: bool) -> int:
    """`answer` scaled from `feed_decimals` to 8 decimals, rounded down (collateral) or up
    (debt); 0 when the result is outside [1, 2^64) (not a usable price)."""
    _uint(answer, "answer")
    _uint(feed_decimals, "feed decimals", 8)
    if feed_decimals <= PRICE_DECIMALS:
        if answer >= PRICE_BOUND:
            return 0
        p = answer * 10 ** (PRICE_DECIMALS - feed_decimals)
    else:
        unit = 10 ** (feed_decimals - PRICE_DECIMALS)
        p = -(-answer // unit) if round_up else answer // unit
    return p if p < PRICE_BOUND else 0


def deviation_bps(ref: int, p: int) -> int:
    """floor(|p - ref| * 10000 / ref); the contract reverts if ref == 0 or on a quotient
    >= 2^256 (Panic 0x11, impossible for prices below 2^64)."""
    _uint(ref, "reference")
    _uint(p, "price")
    if ref == 0:
        raise MalformedInput("risk math: deviation from a zero reference (ZeroReference)")
    out = abs(p - ref) * BPS // ref
    if out >= UINT256:
        raise MalformedInput("risk math: deviation overflows uint256 (Panic 0x11)")
    return out


def return_bps(prev: int, cur: int) -> int:
    """floor(|cur - prev| * 10000 / prev)."""
    return deviation_bps(prev, cur)


def ewma(var_bps2: int, r_bps: int, lambda_bps: int) -> int:
    """floor((lambda * var + (10000 - lambda) * r^2) / 10000), var saturated at 2^112 and
    r at 2^56 like the contract; the result is at most 2^112."""
    _uint(var_bps2, "variance")
    _uint(r_bps, "return")
    _uint(lambda_bps, "lambda")
    if lambda_bps > BPS:
        raise MalformedInput(f"risk math: lambda {lambda_bps} bps above {BPS} "
                             "(LambdaOutOfRange)")
    v = min(var_bps2, VAR_CAP)
    r = min(r_bps, RETURN_CAP_BPS)
    return (lambda_bps * v + (BPS - lambda_bps) * r * r) // BPS


def sigma_bps(var_bps2: int) -> int:
    """floor(sqrt(var)), in bps."""
    return isqrt(_uint(var_bps2, "variance"))


def haircut_bps(base_bps: int, k_bps: int, cap_bps: int, sigma: int) -> int:
    """min(cap, base + floor(k * sigma / 10000)); requires base <= cap <= 10000."""
    for v, name in ((base_bps, "base"), (k_bps, "k"), (cap_bps, "cap"), (sigma, "sigma")):
        _uint(v, name)
    if base_bps > cap_bps or cap_bps > BPS:
        raise MalformedInput(f"risk math: haircut bounds base {base_bps} <= cap {cap_bps} "
                             f"<= {BPS} do not hold (HaircutBoundsInvalid)")
    return min(cap_bps, base_bps + k_bps * sigma // BPS)


def haircuts_bps(sigmas: list[int], base: list[int], k: list[int], cap: list[int]) -> list[int]:
    """The epoch's haircut per collateral asset from its sigma and the policy's clamps."""
    if not len(sigmas) == len(base) == len(k) == len(cap):
        raise MalformedInput("risk math: sigmas, base, k and cap must have one entry per asset")
    return [haircut_bps(b, kk, c, s) for s, b, kk, c in zip(sigmas, base, k, cap)]


# ------------------------------------------------------------------ the oracle's decisions

#: IEpochOracle.BreakerCause, by value.
CAUSES = ("NONE", "DEVIATION", "DISAGREEMENT", "STALE_FEED", "SEQUENCER_DOWN", "MANUAL")


@dataclass
class AssetModel:
    """One asset's state in EpochOracle: EWMA variance, last epoch price, reference."""

    var_bps2: int
    last_price: int = 0
    reference: int = 0


@dataclass
class Decision:
    """What opening an epoch does: `opened` with prices and sigmas, or a breaker trip."""

    opened: bool
    prices: list[int] = field(default_factory=list)
    sigmas: list[int] = field(default_factory=list)
    cause: str = "NONE"
    asset: int = 0
    observed: int = 0
    bound: int = 0


@dataclass
class OracleModel:
    """Pure-Python model of EpochOracle's epoch decisions (deviation and disagreement
    trips, reference re-anchoring, EWMA volatility) for tests and the prover's pre-check.
    Feed freshness, the sequencer and the epoch interval are not modelled."""

    n_assets: int
    lambda_bps: int
    initial_var_bps2: int
    max_deviation_bps: int
    max_disagreement_bps: int
    reference_window: int
    assets: list[AssetModel] = field(default_factory=list)
    anchored_at: int = 0
    tripped: bool = False

    def __post_init__(self) -> None:
        if not self.assets:
            self.assets = [AssetModel(self.initial_var_bps2) for _ in range(self.n_assets)]

    def open(self, now: int, prices: list[int],
             secondary: list[int | None] | None = None) -> Decision:
        """Apply one openEpoch at time `now` with the (normalised) primary `prices` and
        optional secondary prices; returns the decision and updates the state."""
        if self.tripped:
            raise MalformedInput("oracle model: the breaker is tripped (BreakerIsTripped)")
        if len(prices) != self.n_assets:
            raise MalformedInput(f"oracle model: {len(prices)} prices for {self.n_assets} "
                                 "assets")
        for i, q in enumerate(secondary or []):
            if q is not None and deviation_bps(prices[i], q) > self.max_disagreement_bps:
                return self._trip("DISAGREEMENT", i, deviation_bps(prices[i], q),
                                  self.max_disagreement_bps)
        for i, (a, p) in enumerate(zip(self.assets, prices)):
            if a.reference and deviation_bps(a.reference, p) > self.max_deviation_bps:
                return self._trip("DEVIATION", i, deviation_bps(a.reference, p),
                                  self.max_deviation_bps)
        reanchor = now >= self.anchored_at + self.reference_window
        if reanchor:
            self.anchored_at = now
        sigmas = []
        for a, p in zip(self.assets, prices):
            if a.last_price:
                a.var_bps2 = ewma(a.var_bps2, return_bps(a.last_price, p), self.lambda_bps)
            a.last_price = p
            if reanchor or not a.reference:
                a.reference = p
            sigmas.append(sigma_bps(a.var_bps2))
        return Decision(True, list(prices), sigmas)

    def _trip(self, cause: str, asset: int, observed: int, bound: int) -> Decision:
        self.tripped = True
        return Decision(False, cause=cause, asset=asset, observed=observed, bound=bound)

    def trip(self) -> None:
        """Record a trip decided outside the model (a stale feed)."""
        self.tripped = True

    def reset(self, now: int, references: list[int] | None) -> None:
        """Guardian reset: references re-anchored at `references` (feeds) or cleared (None:
        pushed mode, the next prices anchor them)."""
        for i, a in enumerate(self.assets):
            a.reference = references[i] if references else 0
        self.anchored_at = now
        self.tripped = False
