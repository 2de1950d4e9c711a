// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC3525Receiver} from "../../interfaces/IERC3525Receiver.sol";

/// @title ERC3525ReceiverMock
/// @notice TEST ONLY. A contract recipient for the ERC-3525 behaviour tests: records every
/// {onERC3525Received} and {onERC721Received} call in an event, and answers as its mode says.
contract ERC3525ReceiverMock is IERC3525Receiver, IERC721Receiver, IERC165 {
    enum Mode {
        Accept, // answer the right selector
        WrongAnswer, // answer another value (a rejection)
        Revert, // revert with ReceiverMockRejected
        Undeclared // do not declare IERC3525Receiver through ERC-165 (hooks must not be called)
    }

    event Received3525(address operator, uint256 fromTokenId, uint256 toTokenId, uint256 value, bytes data);
    event Received721(address operator, address from, uint256 tokenId, bytes data);

    error ReceiverMockRejected();
    error ReceiverMockNotOwner(address caller);

    address private immutable _owner;
    Mode private _mode;

    constructor() {
        _owner = msg.sender;
    }

    function setMode(Mode mode_) external {
        if (msg.sender != _owner) revert ReceiverMockNotOwner(msg.sender);
        _mode = mode_;
    }

    function mode() external view returns (Mode) {
        return _mode;
    }

    function supportsInterface(bytes4 interfaceId) external view returns (bool) {
        if (interfaceId == type(IERC3525Receiver).interfaceId) return _mode != Mode.Undeclared;
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IERC721Receiver).interfaceId;
    }

    function onERC3525Received(
        address operator,
        uint256 fromTokenId,
        uint256 toTokenId,
        uint256 value,
        bytes calldata data
    )
        external
        returns (bytes4)
    {
        if (_mode == Mode.Revert) revert ReceiverMockRejected();
        emit Received3525(operator, fromTokenId, toTokenId, value, data);
        return _mode == Mode.WrongAnswer ? bytes4(0xdeadbeef) : IERC3525Receiver.onERC3525Received.selector;
    }

    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        if (_mode == Mode.Revert) revert ReceiverMockRejected();
        emit Received721(operator, from, tokenId, data);
        return _mode == Mode.WrongAnswer ? bytes4(0xdeadbeef) : IERC721Receiver.onERC721Received.selector;
    }
}
