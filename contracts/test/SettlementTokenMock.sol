// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title SettlementTokenMock
/// @notice TEST ONLY. A 2-decimal ERC-20 standing in for a settlement token (e.g. a bank's digital CNY
/// deposit token); only the deployer mints.
contract SettlementTokenMock is ERC20 {
    error SettlementTokenMockNotMinter(address caller);

    address private immutable _minter;

    constructor() ERC20("Test CNY", "tCNY") {
        _minter = msg.sender;
    }

    function decimals() public pure override returns (uint8) {
        return 2;
    }

    function mint(address to, uint256 value) external {
        if (msg.sender != _minter) revert SettlementTokenMockNotMinter(msg.sender);
        _mint(to, value);
    }
}
