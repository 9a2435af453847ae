// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {AggregatorV3Interface} from
    "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IEpochOracle} from "./interfaces/IEpochOracle.sol";
import {RiskMath} from "./lib/RiskMath.sol";

/// @title EpochOracle: per-epoch price snapshots from Chainlink feeds (or an ORACLE that
/// pushes prices), an automatic circuit breaker, and EWMA volatility per asset.
/// @notice Anyone may open an epoch, at most once per `minEpochInterval`. Each asset's
/// price is read from its primary feed (fresh within its heartbeat, positive, normalised to
/// 8 decimals: collateral rounded down, debt up, below 2^64) and, when configured,
/// compared with a secondary feed. The breaker trips, without reverting, on a stale or
/// unusable feed, on primary/secondary disagreement, or on a move larger than
/// `maxDeviationBps` from the asset's reference price (re-anchored at most once per
/// `referenceWindow`, so small steps cannot walk past it). While tripped or paused (by
/// the GUARDIAN) no epoch opens; the guardian resets a trip after `resetDelay`, which
/// re-anchors the references at the feeds' current prices. An optional L2 sequencer
/// uptime feed (answer 0 = up, 1 = down, startedAt = since) blocks epochs while the
/// sequencer is down and for `sequencerGrace` seconds after it is back. Volatility: per
/// asset, varBps2 <- ewma(varBps2, returnBps(last epoch price, new price), lambdaBps),
/// sigma = floor(sqrt(varBps2)), all in RiskMath (mirrored by verifier_contracts/risk.py).
contract EpochOracle is IEpochOracle, AccessControlDefaultAdminRules, Pausable {
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// Most assets an oracle tracks (bounds openEpoch's gas).
    uint256 public constant MAX_ASSETS = 32;

    /// A feed pair of one asset; `secondary` is optional (zero address).
    struct Feed {
        AggregatorV3Interface primary;
        uint32 heartbeat;
        AggregatorV3Interface secondary;
        uint32 secondaryHeartbeat;
    }

    /// Risk and timing parameters (seconds, bps, bps^2), fixed at deployment.
    struct Config {
        uint64 minEpochInterval;
        uint64 snapshotValidity;
        uint64 referenceWindow;
        uint64 resetDelay;
        uint32 maxDeviationBps;
        uint32 maxDisagreementBps;
        uint16 lambdaBps;
        uint128 initialVarBps2;
        AggregatorV3Interface sequencerFeed;
        uint64 sequencerGrace;
    }

    /// Per-asset state: EWMA variance (bps^2, <= 2^112), last epoch price, reference price
    /// (0: not anchored yet; the next accepted price anchors it).
    struct AssetState {
        uint128 varBps2;
        uint64 lastPrice;
        uint64 referencePrice;
    }

    struct Epoch {
        uint64 openedAt;
        uint64 validUntil;
        mapping(uint256 => uint256) words;   // asset i in word i / 2, bits 128 * (i % 2):
                                             // price | sigmaBps << 64
    }

    error AssetCountOutOfRange(uint256 actual, uint256 max);
    error FeedCountMismatch(uint256 expected, uint256 actual);
    error FeedInvalid(uint256 asset, address feed, uint256 heartbeat);
    error ConfigOutOfRange(bytes32 field, uint256 actual, uint256 min, uint256 max);
    error ZeroAddress(bytes32 role);
    error PushedMode();
    error FeedsMode();
    error EpochTooEarly(uint256 nextAt, uint256 nowAt);
    error BreakerIsTripped(BreakerCause cause, uint256 trippedAt);
    error SequencerDown(uint256 since);
    error SequencerGracePeriod(uint256 readyAt, uint256 nowAt);
    error PriceCountMismatch(uint256 expected, uint256 actual);
    error PriceOutOfRange(uint256 asset, uint256 price, uint256 bound);
    error NotTripped();
    error ResetTooEarly(uint256 readyAt, uint256 nowAt);
    error FeedUnusable(uint256 asset, uint256 observed, uint256 bound);

    uint256 internal immutable _nCollateral;
    uint256 internal immutable _nDebt;
    bool public immutable pushedMode;
    uint64 internal immutable _minEpochInterval;
    uint64 internal immutable _snapshotValidity;
    uint64 internal immutable _referenceWindow;
    uint64 internal immutable _resetDelay;
    uint32 internal immutable _maxDeviationBps;
    uint32 internal immutable _maxDisagreementBps;
    uint16 internal immutable _lambdaBps;
    uint128 internal immutable _initialVarBps2;
    AggregatorV3Interface internal immutable _sequencer;
    uint64 internal immutable _sequencerGrace;

    Feed[] internal _feeds;
    AssetState[] internal _assets;
    mapping(uint64 => Epoch) internal _epochs;

    uint64 public latestEpoch;
    uint64 public lastOpenedAt;
    uint64 public referenceAnchoredAt;

    BreakerCause internal _cause;
    uint64 internal _trippedAt;
    uint64 internal _tripAsset;
    uint64 public pausedAt;
    uint64 internal _clearedAt;

    /// @param feeds one per asset (collateral first, then debt), or none for pushed mode.
    constructor(uint256 nCollateral_, uint256 nDebt_, Feed[] memory feeds, Config memory cfg,
                uint48 adminDelay, address admin, address guardian, address oracle)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        uint256 n = nCollateral_ + nDebt_;
        if (n == 0 || n > MAX_ASSETS) revert AssetCountOutOfRange(n, MAX_ASSETS);
        if (feeds.length != 0 && feeds.length != n) revert FeedCountMismatch(n, feeds.length);
        for (uint256 i; i < feeds.length; ++i) {
            Feed memory f = feeds[i];
            _checkFeed(i, f.primary, f.heartbeat, false);
            _checkFeed(i, f.secondary, f.secondaryHeartbeat, true);
            _feeds.push(f);
        }
        _range("lambdaBps", cfg.lambdaBps, 0, RiskMath.BPS);
        _range("initialVarBps2", cfg.initialVarBps2, 0, RiskMath.VAR_CAP);
        _range("maxDeviationBps", cfg.maxDeviationBps, 1, type(uint32).max);
        _range("maxDisagreementBps", cfg.maxDisagreementBps, 1, type(uint32).max);
        _range("snapshotValidity", cfg.snapshotValidity, 1, type(uint32).max);
        _range("referenceWindow", cfg.referenceWindow, 1, type(uint32).max);
        if (address(cfg.sequencerFeed) != address(0)) _checkFeed(n, cfg.sequencerFeed, 1, false);
        if (guardian == address(0)) revert ZeroAddress("guardian");
        if (feeds.length == 0 && oracle == address(0)) revert ZeroAddress("oracle");
        _nCollateral = nCollateral_;
        _nDebt = nDebt_;
        pushedMode = feeds.length == 0;
        _minEpochInterval = cfg.minEpochInterval;
        _snapshotValidity = cfg.snapshotValidity;
        _referenceWindow = cfg.referenceWindow;
        _resetDelay = cfg.resetDelay;
        _maxDeviationBps = cfg.maxDeviationBps;
        _maxDisagreementBps = cfg.maxDisagreementBps;
        _lambdaBps = cfg.lambdaBps;
        _initialVarBps2 = cfg.initialVarBps2;
        _sequencer = cfg.sequencerFeed;
        _sequencerGrace = cfg.sequencerGrace;
        for (uint256 i; i < n; ++i) _assets.push(AssetState(cfg.initialVarBps2, 0, 0));
        _grantRole(GUARDIAN_ROLE, guardian);
        if (oracle != address(0)) _grantRole(ORACLE_ROLE, oracle);
    }

    // ----------------------------------------------------------------- opening epochs

    /// @notice Read every feed and open the next epoch; anyone may call. Returns the new
    /// epoch, or 0 when a check tripped the breaker (the trip is recorded, not reverted).
    function openEpoch() external whenNotPaused returns (uint64) {
        if (pushedMode) revert PushedMode();
        _precheck();
        uint256 n = _nCollateral + _nDebt;
        uint256[] memory prices = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            (uint256 p, BreakerCause cause, uint256 observed, uint256 bound) = _readAsset(i);
            if (cause != BreakerCause.NONE) return _trip(cause, i, observed, bound);
            prices[i] = p;
        }
        return _open(prices);
    }

    /// @notice ORACLE (pushed mode): open the next epoch at `prices` (8 decimals, collateral
    /// then debt), through the same interval, breaker and volatility rules as feeds.
    function openEpochWithPrices(uint256[] calldata prices)
        external whenNotPaused returns (uint64)
    {
        if (!pushedMode) revert FeedsMode();
        _checkRole(ORACLE_ROLE);
        uint256 n = _nCollateral + _nDebt;
        if (prices.length != n) revert PriceCountMismatch(n, prices.length);
        for (uint256 i; i < n; ++i) {
            if (prices[i] == 0 || prices[i] >= RiskMath.PRICE_BOUND) {
                revert PriceOutOfRange(i, prices[i], RiskMath.PRICE_BOUND);
            }
        }
        _precheck();
        return _open(prices);
    }

    function _precheck() internal view {
        if (_cause != BreakerCause.NONE) revert BreakerIsTripped(_cause, _trippedAt);
        uint256 next = uint256(lastOpenedAt) + _minEpochInterval;
        if (lastOpenedAt != 0 && block.timestamp < next) revert EpochTooEarly(next, block.timestamp);
        (bool down, uint256 since, uint256 readyAt) = _sequencerStatus();
        if (down) {
            if (readyAt == 0) revert SequencerDown(since);
            revert SequencerGracePeriod(readyAt, block.timestamp);
        }
    }

    /// Deviation check against the references, then (all assets passed) the state update.
    function _open(uint256[] memory prices) internal returns (uint64 epoch) {
        uint256 n = prices.length;
        AssetState[] memory s = new AssetState[](n);
        for (uint256 i; i < n; ++i) {
            s[i] = _assets[i];
            if (s[i].referencePrice != 0) {
                uint256 d = RiskMath.deviationBps(s[i].referencePrice, prices[i]);
                if (d > _maxDeviationBps) return _trip(BreakerCause.DEVIATION, i, d, _maxDeviationBps);
            }
        }
        bool reanchor = block.timestamp >= uint256(referenceAnchoredAt) + _referenceWindow;
        if (reanchor) referenceAnchoredAt = uint64(block.timestamp);
        uint256[] memory sigmas = new uint256[](n);
        uint256[] memory packed = new uint256[]((n + 1) / 2);
        for (uint256 i; i < n; ++i) {
            uint256 p = prices[i];
            uint256 v = s[i].varBps2;
            if (s[i].lastPrice != 0) {
                v = RiskMath.ewma(v, RiskMath.returnBps(s[i].lastPrice, p), _lambdaBps);
            }
            uint64 ref = (reanchor || s[i].referencePrice == 0) ? uint64(p) : s[i].referencePrice;
            _assets[i] = AssetState(uint128(v), uint64(p), ref);
            sigmas[i] = RiskMath.sigmaBps(v);
            packed[i / 2] |= (p | (sigmas[i] << 64)) << (128 * (i % 2));   // sigma < 2^57
        }
        epoch = latestEpoch + 1;
        uint64 validUntil = uint64(block.timestamp) + _snapshotValidity;
        Epoch storage e = _epochs[epoch];
        (e.openedAt, e.validUntil) = (uint64(block.timestamp), validUntil);
        for (uint256 w; w < packed.length; ++w) e.words[w] = packed[w];
        latestEpoch = epoch;
        lastOpenedAt = uint64(block.timestamp);
        emit EpochOpened(epoch, prices, sigmas, validUntil);
    }

    function _trip(BreakerCause cause, uint256 asset, uint256 observed, uint256 bound)
        internal returns (uint64)
    {
        _cause = cause;
        _trippedAt = uint64(block.timestamp);
        _tripAsset = uint64(asset);
        emit BreakerTripped(cause, asset, observed, bound);
        return 0;
    }

    // ----------------------------------------------------------------- feeds

    /// Asset i's price from its primary feed, checked against the secondary if any.
    function _readAsset(uint256 i)
        internal view returns (uint256 p, BreakerCause cause, uint256 observed, uint256 bound)
    {
        Feed memory f = _feeds[i];
        bool up = i >= _nCollateral;
        (p, observed, bound) = _readFeed(f.primary, f.heartbeat, up);
        if (p == 0) return (0, BreakerCause.STALE_FEED, observed, bound);
        if (address(f.secondary) == address(0)) return (p, BreakerCause.NONE, 0, 0);
        uint256 q;
        (q, observed, bound) = _readFeed(f.secondary, f.secondaryHeartbeat, up);
        if (q == 0) return (0, BreakerCause.STALE_FEED, observed, bound);
        uint256 d = RiskMath.deviationBps(p, q);
        if (d > _maxDisagreementBps) return (0, BreakerCause.DISAGREEMENT, d, _maxDisagreementBps);
    }

    /// (price, 0, 0) for a usable answer, else (0, observed, bound): (age, heartbeat) when
    /// stale or never updated, (answer, 2^64) when not positive or out of range after
    /// normalisation, (0, 0) when the feed reverted. A caller cannot fake a revert by
    /// starving the call of gas: the 1/64 of gas left after an out-of-gas feed call is far
    /// below the cost of recording a trip, so such a transaction reverts as a whole.
    function _readFeed(AggregatorV3Interface feed, uint256 heartbeat, bool roundUp)
        internal view returns (uint256, uint256, uint256)
    {
        try feed.latestRoundData() returns (uint80, int256 answer, uint256, uint256 updatedAt,
                                            uint80) {
            if (updatedAt == 0 || updatedAt > block.timestamp) return (0, updatedAt, 0);
            uint256 age = block.timestamp - updatedAt;
            if (age > heartbeat) return (0, age, heartbeat);
            if (answer <= 0) return (0, 0, RiskMath.PRICE_BOUND);
            try feed.decimals() returns (uint8 d) {
                uint256 p = RiskMath.normalise(uint256(answer), d, roundUp);
                return (p, p == 0 ? uint256(answer) : 0, p == 0 ? RiskMath.PRICE_BOUND : 0);
            } catch {
                return (0, 0, 0);
            }
        } catch {
            return (0, 0, 0);
        }
    }

    /// (down, since, readyAt): down while the sequencer is down (readyAt 0) or inside the
    /// grace period after it came back (readyAt = when epochs may open again).
    function _sequencerStatus() internal view returns (bool, uint256, uint256) {
        if (address(_sequencer) == address(0)) return (false, 0, 0);
        (, int256 answer, uint256 startedAt,,) = _sequencer.latestRoundData();
        if (answer != 0 || startedAt == 0) return (true, startedAt, 0);
        uint256 readyAt = startedAt + _sequencerGrace;
        if (block.timestamp < readyAt) return (true, startedAt, readyAt);
        return (false, startedAt, readyAt);
    }

    // ----------------------------------------------------------------- guardian

    /// @notice GUARDIAN: halt epochs now (manual trip).
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
        pausedAt = uint64(block.timestamp);
        emit BreakerTripped(BreakerCause.MANUAL, 0, 0, 0);
    }

    /// @notice GUARDIAN: lift a manual pause.
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
        _clearedAt = uint64(block.timestamp);
    }

    /// @notice GUARDIAN, `resetDelay` after an automatic trip: clear it and re-anchor the
    /// reference prices at the primary feeds' current prices (pushed mode: the next pushed
    /// prices anchor them), so the new level does not trip the breaker again. The epoch
    /// price and variance are kept: the move counts in the next epoch's volatility.
    function reset() external onlyRole(GUARDIAN_ROLE) {
        if (_cause == BreakerCause.NONE) revert NotTripped();
        uint256 readyAt = uint256(_trippedAt) + _resetDelay;
        if (block.timestamp < readyAt) revert ResetTooEarly(readyAt, block.timestamp);
        uint256 n = _nCollateral + _nDebt;
        uint256[] memory refs = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            if (!pushedMode) {
                Feed memory f = _feeds[i];
                (uint256 p, uint256 observed, uint256 bound) =
                    _readFeed(f.primary, f.heartbeat, i >= _nCollateral);
                if (p == 0) revert FeedUnusable(i, observed, bound);
                refs[i] = p;
            }
            _assets[i].referencePrice = uint64(refs[i]);
        }
        referenceAnchoredAt = uint64(block.timestamp);
        _cause = BreakerCause.NONE;
        _trippedAt = 0;
        _tripAsset = 0;
        _clearedAt = uint64(block.timestamp);
        emit BreakerReset(msg.sender, refs);
    }

    // ----------------------------------------------------------------- views

    function nCollateral() external view returns (uint256) {
        return _nCollateral;
    }

    function nDebt() external view returns (uint256) {
        return _nDebt;
    }

    function snapshot(uint64 epoch) external view returns (
        uint64 openedAt, uint64 validUntil, uint256[] memory prices, uint256[] memory sigmaBps)
    {
        Epoch storage e = _epochs[epoch];
        uint256 n = e.openedAt == 0 ? 0 : _nCollateral + _nDebt;
        prices = new uint256[](n);
        sigmaBps = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 w = e.words[i / 2] >> (128 * (i % 2));
            prices[i] = uint64(w);
            sigmaBps[i] = uint64(w >> 64);
        }
        return (e.openedAt, e.validUntil, prices, sigmaBps);
    }

    function tripped() external view returns (bool) {
        (BreakerCause cause,,) = breakerState();
        return cause != BreakerCause.NONE;
    }

    /// @notice An automatic trip first, then a manual pause, then the sequencer (down or in
    /// its grace period; `trippedAt` is when its status last changed).
    function breakerState() public view returns (BreakerCause, uint64, uint256) {
        if (_cause != BreakerCause.NONE) return (_cause, _trippedAt, _tripAsset);
        if (paused()) return (BreakerCause.MANUAL, pausedAt, 0);
        (bool down, uint256 since,) = _sequencerStatus();
        if (down) return (BreakerCause.SEQUENCER_DOWN, uint64(since), 0);
        return (BreakerCause.NONE, 0, 0);
    }

    /// @notice When the breaker last stopped being tripped: the latest reset, the end of
    /// the latest manual pause, or the end of the sequencer's grace period after it came
    /// back, whichever is latest (0: never). While tripped, the end of the previous trip.
    function clearedAt() external view returns (uint64 at) {
        at = _clearedAt;
        (bool down,, uint256 readyAt) = _sequencerStatus();
        if (!down && readyAt > at) at = uint64(readyAt);
    }

    function config() external view returns (Config memory) {
        return Config(_minEpochInterval, _snapshotValidity, _referenceWindow, _resetDelay,
                      _maxDeviationBps, _maxDisagreementBps, _lambdaBps, _initialVarBps2,
                      _sequencer, _sequencerGrace);
    }

    function feed(uint256 asset) external view returns (Feed memory) {
        return _feeds[asset];
    }

    function assetState(uint256 asset) external view returns (AssetState memory) {
        return _assets[asset];
    }

    // ----------------------------------------------------------------- checks

    function _checkFeed(uint256 asset, AggregatorV3Interface f, uint256 heartbeat,
                        bool optional) internal view {
        if (optional && address(f) == address(0)) return;
        if (address(f).code.length == 0 || heartbeat == 0) {
            revert FeedInvalid(asset, address(f), heartbeat);
        }
    }

    function _range(bytes32 field, uint256 actual, uint256 min, uint256 max) internal pure {
        if (actual < min || actual > max) revert ConfigOutOfRange(field, actual, min, max);
    }
}
