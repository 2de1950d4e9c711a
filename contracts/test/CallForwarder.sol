// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title CallForwarder
/// @notice TEST ONLY. An account that is a contract, as a consortium member's multisig wallet would
/// be: its deployer makes it call any contract, so a transaction's input is the forwarder's, not the
/// call the target sees.
contract CallForwarder {
    error CallForwarderNotOwner(address caller);

    address private immutable _owner;

    constructor() {
        _owner = msg.sender;
    }

    /// @notice Calls `target` with `data`; a revert there reverts here with the same data.
    function forward(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != _owner) revert CallForwarderNotOwner(msg.sender);
        bool ok;
        // Forwarding any call is this contract's whole point.
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
