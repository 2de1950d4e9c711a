// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title IERC3525
/// @notice ERC-3525 Semi-Fungible Token, written from the EIP text (https://eips.ethereum.org/EIPS/eip-3525).
/// A token has an ERC-721 id, a `slot` and a `value`; the value of tokens with the same slot is fungible.
/// The ERC-165 identifier of this interface is 0xd5358140.
/// @dev The EIP marks `approve` and both `transferFrom` as `payable`. Shanglian takes no ether, so they are
/// non-payable here; mutability is not part of a selector, so the interface id is unchanged.
interface IERC3525 is IERC721 {
    /// @notice Value moved from `_fromTokenId` to `_toTokenId` (0 when a token is created or destroyed).
    /// MUST be emitted for every value transfer, including zero-value ones and token creation.
    event TransferValue(uint256 indexed _fromTokenId, uint256 indexed _toTokenId, uint256 _value);

    /// @notice `_operator` may now manage up to `_value` of `_tokenId`.
    event ApprovalValue(uint256 indexed _tokenId, address indexed _operator, uint256 _value);

    /// @notice The slot of `_tokenId` was set (`_oldSlot` is 0 when the token is created) or changed.
    event SlotChanged(uint256 indexed _tokenId, uint256 indexed _oldSlot, uint256 indexed _newSlot);

    /// @notice The number of decimals of a token's value (the user representation is value / 10**decimals).
    function valueDecimals() external view returns (uint8);

    /// @notice The value of `_tokenId`.
    function balanceOf(uint256 _tokenId) external view returns (uint256);

    /// @notice The slot of `_tokenId`.
    function slotOf(uint256 _tokenId) external view returns (uint256);

    /// @notice Lets `_operator` manage up to `_value` of `_tokenId`.
    /// Requirements: the caller is the owner, an operator approved for all of the owner's tokens, or the
    /// address approved for `_tokenId`.
    /// Emits an {ApprovalValue} event.
    function approve(uint256 _tokenId, address _operator, uint256 _value) external;

    /// @notice The value of `_tokenId` that `_operator` may still manage.
    function allowance(uint256 _tokenId, address _operator) external view returns (uint256);

    /// @notice Moves `_value` from `_fromTokenId` to `_toTokenId`, a token of the same slot.
    /// Requirements: the caller owns `_fromTokenId`, is approved for it, or has an allowance of at least
    /// `_value`; both tokens exist; the slots match; `_value` does not exceed the value of `_fromTokenId`.
    /// Emits a {TransferValue} event.
    function transferFrom(uint256 _fromTokenId, uint256 _toTokenId, uint256 _value) external;

    /// @notice Moves `_value` from `_fromTokenId` to a token of the same slot owned by `_to`, and returns
    /// the id of the token that received it.
    /// Requirements: as the token-to-token {transferFrom}; `_to` is not the zero address.
    /// Emits {Transfer} and {TransferValue} events.
    function transferFrom(uint256 _fromTokenId, address _to, uint256 _value) external returns (uint256);
}
