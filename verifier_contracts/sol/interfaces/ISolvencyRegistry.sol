// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISolvencyRegistry: what a protocol reads from the solvency registry.
/// @notice Everything here is re-checked at read time: a proof counts only for the current
/// epoch (or the previous one within the grace period), under a policy no looser than
/// today's, with its snapshot unexpired and its binding (attester or registered
/// commitment) still valid.
interface ISolvencyRegistry {
    /// @notice True while `account` has a fresh, anchored solvency proof.
    function isSolvent(address account) external view returns (bool);

    /// @notice The extra debt value `account` proved it can carry at the epoch's prices,
    /// haircuts and minimum ratio (the credit circuit's public `credit`, in the circuit's
    /// value unit: base units x price with 8 decimals). 0 without a fresh credit proof.
    function creditOf(address account) external view returns (uint256);

    /// @notice True while the price breaker is tripped or paused: consumers must block new
    /// borrowing and liquidations.
    function tripped() external view returns (bool);

    /// @notice The epoch proofs are currently checked against.
    function currentEpoch() external view returns (uint64);
}
