// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

/// @title DevFeed: Chainlink's MockV3Aggregator, for DEVELOPMENT chains and tests only.
/// @notice Anyone can set its answer (`updateAnswer`, `updateRoundData`): never point a
/// production EpochOracle at it. Also serves as an L2 sequencer-uptime feed in tests
/// (answer 0 = up, 1 = down; startedAt = since).
contract DevFeed is MockV3Aggregator {
    constructor(uint8 decimals_, int256 initialAnswer) MockV3Aggregator(decimals_, initialAnswer) {}
}
