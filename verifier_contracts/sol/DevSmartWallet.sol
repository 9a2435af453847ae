// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title DevSmartWallet: DEVELOPMENT AND TESTS ONLY. A minimal EIP-1271 contract wallet
/// that holds ETH and approves a hash when its owner's ECDSA key signed it.
/// @notice Used to show that ReservesRegistry accepts reserve addresses that are contract
/// wallets (Safe-like multisigs answer isValidSignature the same way). Not for funds.
contract DevSmartWallet is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    receive() external payable {}

    function isValidSignature(bytes32 hash, bytes memory signature)
        external view returns (bytes4)
    {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && signer == owner) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }
}
