// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ERC3525} from "@solvprotocol/erc-3525/ERC3525.sol";

/// @title ReferenceERC3525
/// @notice TEST ONLY. Solv's ERC-3525 reference implementation (npm @solvprotocol/erc-3525 1.5.0)
/// with a mint guarded to the deployer, as the yardstick for the receivables gas targets and as the
/// second implementation the shared ERC-3525 behaviour tests run against. Never deploy it.
contract ReferenceERC3525 is ERC3525 {
    /// @notice The caller is not the deployer, the only account allowed to mint.
    error ReferenceNotMinter(address caller);

    address private immutable _minter;

    constructor() ERC3525("Reference", "REF", 2) {
        _minter = msg.sender;
    }

    /// @notice Mints a token of `slot` holding `value` to `to` and returns its id.
    /// Requirements: the caller is the deployer.
    function mint(address to, uint256 slot, uint256 value) external returns (uint256) {
        if (msg.sender != _minter) revert ReferenceNotMinter(msg.sender);
        return _mint(to, slot, value);
    }
}
