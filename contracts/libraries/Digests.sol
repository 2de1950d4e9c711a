// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Digests
/// @notice The digest algorithms a document's fingerprint may be computed with, as stored in the
/// service hall's records. The SDK mirrors these codes in `shanglian.digests.Algorithm`.
library Digests {
    uint8 internal constant SHA256 = 0; // FIPS 180-4
    uint8 internal constant SM3 = 1; // GB/T 32905-2016 (国密)
    uint8 internal constant LAST = SM3;
}
