// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IERC3525Receiver
/// @notice Implemented by contracts that want to be told when they receive ERC-3525 value, written from
/// the EIP text. Its ERC-165 identifier is 0x009ce20b; an ERC-3525 contract calls it only on recipients
/// that declare it through ERC-165.
interface IERC3525Receiver {
    /// @notice Called after `_value` moved from `_fromTokenId` to `_toTokenId`, a token the receiver owns.
    /// @param _operator The account that made the transfer.
    /// @return The selector `0x009ce20b` to accept; anything else, or a revert, rejects the transfer.
    function onERC3525Received(
        address _operator,
        uint256 _fromTokenId,
        uint256 _toTokenId,
        uint256 _value,
        bytes calldata _data
    ) external returns (bytes4);
}
