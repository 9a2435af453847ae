// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEpochOracle: per-epoch price snapshots, volatility and the circuit breaker.
/// @notice Assets are ordered as the circuit's statement orders them: collateral first,
/// then debt. Prices carry the circuit's 8 decimals (collateral rounded down, debt rounded
/// up) and are each below 2^64. `sigmaBps[i]` is asset i's volatility (square root of the
/// EWMA of squared epoch-to-epoch returns), in basis points, as of that epoch's opening.
interface IEpochOracle {
    enum BreakerCause { NONE, DEVIATION, DISAGREEMENT, STALE_FEED, SEQUENCER_DOWN, MANUAL }

    event EpochOpened(uint64 indexed epoch, uint256[] prices, uint256[] sigmaBps,
                      uint64 validUntil);
    event BreakerTripped(BreakerCause indexed cause, uint256 asset, uint256 observed,
                         uint256 bound);
    event BreakerReset(address indexed guardian, uint256[] referencePrices);

    function nCollateral() external view returns (uint256);
    function nDebt() external view returns (uint256);

    /// @notice The newest opened epoch (0 before the first).
    function latestEpoch() external view returns (uint64);

    /// @notice The snapshot taken when `epoch` opened (openedAt == 0: never opened).
    function snapshot(uint64 epoch) external view returns (
        uint64 openedAt, uint64 validUntil, uint256[] memory prices, uint256[] memory sigmaBps);

    /// @notice True while the breaker is tripped or the guardian has paused.
    function tripped() external view returns (bool);

    /// @notice Why the breaker is tripped (NONE if it is not), since when, and the asset.
    function breakerState() external view
        returns (BreakerCause cause, uint64 trippedAt, uint256 asset);

    /// @notice When the breaker last stopped being tripped (a reset, the end of a manual
    /// pause, or the end of the sequencer's grace period after it came back), 0 if it never
    /// was. Clocks that must not run on distrusted prices (a liquidation grace) start no
    /// earlier than this.
    function clearedAt() external view returns (uint64);
}
