// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Roles
/// @notice The enterprise roles of the consortium, as bits of a uint32 mask. The SDK mirrors these
/// values in `shanglian.roles.Role`; change them together.
library Roles {
    uint32 internal constant PRODUCER = 1 << 0;
    uint32 internal constant PROCESSOR = 1 << 1;
    uint32 internal constant LOGISTICS = 1 << 2;
    uint32 internal constant RETAILER = 1 << 3;
    uint32 internal constant QUALITY_ALLIANCE = 1 << 4;
    uint32 internal constant INSPECTOR = 1 << 5;
    uint32 internal constant CORE_ENTERPRISE = 1 << 6;
    uint32 internal constant SUPPLIER = 1 << 7;
    uint32 internal constant FINANCIER = 1 << 8;
    uint32 internal constant REGULATOR = 1 << 9;
    uint32 internal constant PLATFORM = 1 << 10;
    uint32 internal constant NOTARY = 1 << 11; // 公证处: attests evidence, annotates disputes

    /// @dev Every defined role; a mask with other bits set is invalid.
    uint32 internal constant ALL = (1 << 12) - 1;
}
