// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProofVerifierModule: one circuit kind's verifying key and public-input layout.
/// @notice A module is bound at deployment to a Groth16 verifier and the circuit's
/// Statement (key id = keccak256(vkHash || statementHash)); it reads the named public
/// inputs out of a proof's input vector and runs the pairing check. The registry holds one
/// module per circuit kind and re-points a kind (a new circuit version) through its
/// timelock.
interface IProofVerifierModule {
    /// First index of each named public input (type(uint256).max if the statement lacks it).
    struct Layout {
        uint256 numPublic;
        uint256 nCollateral;
        uint256 nDebt;
        uint256 collateralPrices;
        uint256 haircutsBps;
        uint256 debtPrices;
        uint256 minRatioBps;
        uint256 epoch;
        uint256 prover;
        uint256 chainId;
        uint256 registry;
        uint256 commitment;
        uint256 attesterAx;
        uint256 attesterAy;
        uint256 asOf;
        uint256 credit;
    }

    /// The named public inputs of one proof. `prices` are collateral then debt (the
    /// oracle's asset order); absent inputs read as 0.
    struct Decoded {
        uint256 epoch;
        uint256 prover;
        uint256 chainId;
        uint256 registry;
        uint256 commitment;
        uint256 attesterAx;
        uint256 attesterAy;
        uint256 asOf;
        uint256 minRatioBps;
        uint256 credit;
        uint256[] prices;
        uint256[] haircutsBps;
    }

    /// @notice 0 = SOLVENCY (the collateral-ratio circuit), 1 = CREDIT (credit capacity).
    function kind() external view returns (uint8);

    /// @notice 0 = ATTESTED (attester key and as_of), 1 = REGISTERED (commitment).
    function mode() external view returns (uint8);

    function verifier() external view returns (address);
    function keyId() external view returns (bytes32);
    function statementHash() external view returns (bytes32);
    function nCollateral() external view returns (uint256);
    function nDebt() external view returns (uint256);
    function layout() external view returns (Layout memory);

    /// @notice The named inputs of `pub`; reverts BadInputLength / InputNotInField.
    function decode(uint256[] calldata pub) external view returns (Decoded memory);

    /// @notice True iff (a, b, c) is a valid proof for `pub` under the module's key.
    function verify(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c,
                    uint256[] calldata pub) external view returns (bool);
}
