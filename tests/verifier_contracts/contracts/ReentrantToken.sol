// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// TEST ONLY: an ERC-20 whose every balance update calls back into `target` once with
/// `payload` (a hostile token re-entering the market mid-transfer), recording the revert.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public payload;
    bool public reentered;
    bytes public lastRevert;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
        reentered = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (target != address(0) && !reentered && from != address(0)) {
            reentered = true;
            (bool ok, bytes memory ret) = target.call(payload);
            require(!ok, "re-entry succeeded");
            lastRevert = ret;
        }
    }
}
