// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEnterpriseRegistry} from "../../interfaces/IEnterpriseRegistry.sol";

/// @title Standing
/// @notice The one question the service-hall contracts ask the registry: which active enterprise,
/// holding one of `roles`, does `actor` act for ({IEnterpriseRegistry-actingFor})?
library Standing {
    /// @dev {IEnterpriseRegistry-actingFor} as a bare STATICCALL: the high-level call's encoding,
    /// free-memory bookkeeping and decoding cost a few hundred gas more, paid by every filing and
    /// co-signature. The registry is trusted (set once at construction); its answer is still checked
    /// to be a full word, and a revert is passed on.
    function actingFor(IEnterpriseRegistry registry, address actor, uint32 roles)
        internal
        view
        returns (address enterprise)
    {
        bytes4 selector = IEnterpriseRegistry.actingFor.selector;
        assembly ("memory-safe") {
            // Arguments go above the free memory pointer (not claimed), the result into scratch space.
            let input := mload(0x40)
            mstore(input, selector)
            mstore(add(input, 0x04), and(actor, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(input, 0x24), and(roles, 0xffffffff))
            if iszero(staticcall(gas(), registry, input, 0x44, 0x00, 0x20)) {
                returndatacopy(input, 0x00, returndatasize())
                revert(input, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            enterprise := and(mload(0x00), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @dev Whether `account` is itself the primary account of an active enterprise (holding any role).
    function isActiveEnterprise(IEnterpriseRegistry registry, address account, uint32 roles)
        internal
        view
        returns (bool)
    {
        return account != address(0) && actingFor(registry, account, roles) == account;
    }
}
