// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title RiskMath: integer arithmetic of prices, returns, volatility and haircuts.
/// @notice Every function is pure, rounds down unless stated, and is mirrored bit for bit
/// by `verifier_contracts/risk.py`. Units: prices carry 8 decimals; returns, deviations,
/// volatility (sigma) and haircuts are in basis points (1 bps = 1/10000); variances are in
/// bps^2.
///
/// Bounds (why nothing overflows). Oracle prices are in [1, 2^64). A return of such prices
/// is below 10^4 * 2^64 < 2^78; `ewma` saturates it at RETURN_CAP_BPS = 2^56 (a
/// 7.2e12-fold move, never reached by a market) and its variance input at VAR_CAP = 2^112, so
/// lambda * var <= 10^4 * 2^112 < 2^126 and (10^4 - lambda) * r^2 <= 10^4 * 2^112 < 2^126:
/// the sum is far below 2^256, and the result (a convex combination of two values
/// <= 2^112) is again <= VAR_CAP, so the state stays in range epoch after epoch. Then
/// sigma <= 2^56. `returnBps` / `deviationBps` use OZ's 512-bit mulDiv: they revert (Panic
/// 0x11) only if the exact quotient is >= 2^256, impossible for prices below 2^64. `haircutBps` is exact for every uint256 input.
library RiskMath {
    uint256 internal constant BPS = 10_000;
    /// Prices carry this many decimals (the circuit's fixed point).
    uint8 internal constant PRICE_DECIMALS = 8;
    /// Prices are below this bound (the circuit range-checks them to 64 bits).
    uint256 internal constant PRICE_BOUND = 1 << 64;
    /// Saturation of a return fed to `ewma`, in bps.
    uint256 internal constant RETURN_CAP_BPS = 1 << 56;
    /// Saturation of a variance fed to `ewma` (= RETURN_CAP_BPS^2), in bps^2.
    uint256 internal constant VAR_CAP = 1 << 112;

    /// lambda must be at most 10000 bps.
    error LambdaOutOfRange(uint256 lambdaBps, uint256 maxBps);
    /// Haircut clamps must satisfy base <= cap <= 10000.
    error HaircutBoundsInvalid(uint256 baseBps, uint256 capBps, uint256 maxBps);
    /// Returns and deviations are relative to a positive reference.
    error ZeroReference();

    /// @notice `answer` with `feedDecimals` decimals scaled to 8 decimals: rounded down
    /// (collateral) or up (`roundUp`, debt). Returns 0 when the result is not a usable
    /// price, i.e. outside [1, 2^64) (0 is never a valid price, so callers fail safe).
    function normalise(uint256 answer, uint8 feedDecimals, bool roundUp)
        internal pure returns (uint256 p)
    {
        if (feedDecimals <= PRICE_DECIMALS) {
            if (answer >= PRICE_BOUND) return 0;          // scaling only grows it
            p = answer * 10 ** (PRICE_DECIMALS - feedDecimals);   // < 2^64 * 10^8
        } else {
            uint256 shift = feedDecimals - PRICE_DECIMALS;
            if (shift > 77) {                              // 10^shift > 2^256 > answer
                p = (roundUp && answer != 0) ? 1 : 0;
            } else {
                uint256 unit = 10 ** shift;
                p = answer / unit;
                if (roundUp && p * unit != answer) p += 1;
            }
        }
        if (p >= PRICE_BOUND) return 0;
    }

    /// @notice floor(|cur - prev| * 10000 / prev), the size of a move in bps.
    function returnBps(uint256 prev, uint256 cur) internal pure returns (uint256) {
        return deviationBps(prev, cur);
    }

    /// @notice floor(|p - ref| * 10000 / ref): how far p is from the reference, in bps.
    function deviationBps(uint256 ref, uint256 p) internal pure returns (uint256) {
        if (ref == 0) revert ZeroReference();
        return Math.mulDiv(p > ref ? p - ref : ref - p, BPS, ref);
    }

    /// @notice One EWMA step of the squared return, in bps^2:
    /// floor((lambda * var + (10000 - lambda) * r^2) / 10000), with var saturated at
    /// VAR_CAP and r at RETURN_CAP_BPS (see the bounds above). Result <= VAR_CAP.
    function ewma(uint256 varBps2, uint256 rBps, uint256 lambdaBps)
        internal pure returns (uint256)
    {
        if (lambdaBps > BPS) revert LambdaOutOfRange(lambdaBps, BPS);
        uint256 v = varBps2 < VAR_CAP ? varBps2 : VAR_CAP;
        uint256 r = rBps < RETURN_CAP_BPS ? rBps : RETURN_CAP_BPS;
        return (lambdaBps * v + (BPS - lambdaBps) * r * r) / BPS;
    }

    /// @notice Volatility in bps: floor(sqrt(var)) (OpenZeppelin Math.sqrt).
    function sigmaBps(uint256 varBps2) internal pure returns (uint256) {
        return Math.sqrt(varBps2);
    }

    /// @notice min(cap, base + floor(k * sigma / 10000)); k in bps (k = 20000: the haircut
    /// rises 2 bps per bps of sigma). Requires base <= cap <= 10000. Exact for all inputs:
    /// a product k * sigma >= 2^256 is far above any cap, so it clamps.
    function haircutBps(uint256 baseBps, uint256 kBps, uint256 capBps, uint256 sigma)
        internal pure returns (uint256)
    {
        if (baseBps > capBps || capBps > BPS) revert HaircutBoundsInvalid(baseBps, capBps, BPS);
        if (sigma != 0 && kBps > type(uint256).max / sigma) return capBps;
        uint256 add = kBps * sigma / BPS;
        return add >= capBps - baseBps ? capBps : baseBps + add;
    }
}
