// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {ILicences} from "../interfaces/ILicences.sol";
import {Digests} from "./libraries/Digests.sol";
import {Roles} from "./libraries/Roles.sol";
import {Standing} from "./libraries/Standing.sol";

/// @title Licences
/// @notice See {ILicences}.
/// @dev Storage is laid out for issuing, the hot path, and for verifying from a document:
/// - a licence is two words keyed by its id, the digest of its first document: what changes (holder,
///   validity, status, kind: the word every verification reads) and what was issued (issuer, time,
///   algorithm, renewal count). The number lives in the {LicenceIssued} event, which nothing on chain
///   reads back;
/// - a renewal adds its document's digest to `_documents` (pointing at the id) and records it as the
///   licence's current document, so a renewed document leads to the licence in one read. It also marks
///   that digest's word in `_licences` ({_RENEWAL_DOCUMENT}: no status, so no licence), which lets
///   {issue} find every used document in the one word it writes anyway instead of a second cold read.
/// The first word changes only in {_setState}; the second is written in {issue} and changes only by a
/// renewal's count in {renew}.
contract Licences is ILicences {
    // First word, low bits first: holder 160, validFrom 40, validUntil 40, status 8, kind 8.
    uint256 private constant _VALID_FROM_SHIFT = 160;
    uint256 private constant _VALID_UNTIL_SHIFT = 200;
    uint256 private constant _STATUS_SHIFT = 240;
    uint256 private constant _KIND_SHIFT = 248;
    // Second word: issuer 160, issuedAt 40, algorithm 8, renewals 16.
    uint256 private constant _ISSUED_AT_SHIFT = 160;
    uint256 private constant _ALGORITHM_SHIFT = 200;
    uint256 private constant _RENEWALS_SHIFT = 208;
    /// @dev The first word under a renewal document's digest: non-zero, with status None.
    uint256 private constant _RENEWAL_DOCUMENT = 1;

    IEnterpriseRegistry private immutable _registry;

    mapping(bytes32 id => uint256 state) private _licences;
    mapping(bytes32 id => uint256 issuance) private _issuances;
    mapping(bytes32 documentDigest => bytes32 id) private _documents; // renewal documents
    mapping(bytes32 id => bytes32 documentDigest) private _currentDocuments; // once renewed

    constructor(IEnterpriseRegistry registry_) {
        _registry = registry_;
    }

    /// @inheritdoc ILicences
    function issue(
        address holder,
        uint8 kind,
        bytes32 number,
        uint8 algorithm,
        bytes32 documentDigest,
        uint40 validFrom,
        uint40 validUntil
    ) external returns (bytes32 id) {
        address issuer = Standing.actingFor(_registry, msg.sender, Roles.REGULATOR);
        if (issuer == address(0)) revert LicenceNotRegulator(msg.sender);
        if (holder == address(0) || holder == issuer) revert LicenceInvalidHolder(holder);
        if (kind == 0) revert LicenceInvalidKind(kind);
        if (number == bytes32(0)) revert LicenceInvalidNumber(number);
        if (algorithm > Digests.LAST) revert LicenceInvalidAlgorithm(algorithm);
        _requireNewDocument(documentDigest);
        _checkValidity(validFrom, validUntil);
        id = documentDigest;
        _issuances[id] = uint256(uint160(issuer)) | block.timestamp << _ISSUED_AT_SHIFT
            | uint256(algorithm) << _ALGORITHM_SHIFT;
        _setState(id, holder, validFrom, validUntil, Status.Active, kind);
        emit LicenceIssued(id, holder, issuer, kind, number, validFrom, validUntil);
    }

    /// @inheritdoc ILicences
    function renew(bytes32 id, bytes32 documentDigest, uint40 validFrom, uint40 validUntil) external {
        uint256 state = _requireIssuer(id);
        _requireStatus(id, state, Status.Active, Status.Active);
        _requireNewDocument(documentDigest);
        _checkValidity(validFrom, validUntil);
        _documents[documentDigest] = id;
        _licences[documentDigest] = _RENEWAL_DOCUMENT;
        _currentDocuments[id] = documentDigest;
        // A licence is renewed at most once per transaction, far fewer than 2**16 times in its life.
        _issuances[id] += 1 << _RENEWALS_SHIFT;
        _setState(id, address(uint160(state)), validFrom, validUntil, Status.Active, uint8(state >> _KIND_SHIFT));
        emit LicenceRenewed(id, documentDigest, validFrom, validUntil);
    }

    /// @inheritdoc ILicences
    function suspend(bytes32 id, bytes32 decisionDigest) external {
        _changeStatus(id, decisionDigest, Status.Active, Status.Active, Status.Suspended);
        emit LicenceSuspended(id, decisionDigest);
    }

    /// @inheritdoc ILicences
    function reinstate(bytes32 id, bytes32 decisionDigest) external {
        _changeStatus(id, decisionDigest, Status.Suspended, Status.Suspended, Status.Active);
        emit LicenceReinstated(id, decisionDigest);
    }

    /// @inheritdoc ILicences
    function revoke(bytes32 id, bytes32 decisionDigest) external {
        _changeStatus(id, decisionDigest, Status.Active, Status.Suspended, Status.Revoked);
        emit LicenceRevoked(id, decisionDigest);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILicences
    function registry() external view returns (IEnterpriseRegistry) {
        return _registry;
    }

    /// @inheritdoc ILicences
    function licence(bytes32 id) external view returns (Licence memory) {
        uint256 state = _licences[id];
        if (state == _RENEWAL_DOCUMENT) state = 0;
        uint256 issuance = _issuances[id];
        bytes32 current = _currentDocuments[id];
        return Licence(
            address(uint160(state)),
            address(uint160(issuance)),
            uint8(state >> _KIND_SHIFT),
            uint8(issuance >> _ALGORITHM_SHIFT),
            Status(uint8(state >> _STATUS_SHIFT)),
            uint40(issuance >> _ISSUED_AT_SHIFT),
            uint40(state >> _VALID_FROM_SHIFT),
            uint40(state >> _VALID_UNTIL_SHIFT),
            uint16(issuance >> _RENEWALS_SHIFT),
            current != bytes32(0) || state == 0 ? current : id
        );
    }

    /// @inheritdoc ILicences
    function licenceOfDocument(bytes32 documentDigest) external view returns (bytes32) {
        uint256 state = _licences[documentDigest];
        if (state == _RENEWAL_DOCUMENT) return _documents[documentDigest];
        return state == 0 ? bytes32(0) : documentDigest;
    }

    /// @inheritdoc ILicences
    function isValid(bytes32 id) external view returns (bool) {
        uint256 state = _licences[id];
        return Status(uint8(state >> _STATUS_SHIFT)) == Status.Active
            && uint40(state >> _VALID_FROM_SHIFT) <= block.timestamp
            && block.timestamp < uint40(state >> _VALID_UNTIL_SHIFT);
    }

    // ------------------------------------------------------------------ internal

    /// @dev The one place a licence's state word is written.
    function _setState(bytes32 id, address holder, uint40 validFrom, uint40 validUntil, Status status, uint8 kind)
        private
    {
        _licences[id] = uint256(uint160(holder)) | uint256(validFrom) << _VALID_FROM_SHIFT
            | uint256(validUntil) << _VALID_UNTIL_SHIFT | uint256(status) << _STATUS_SHIFT
            | uint256(kind) << _KIND_SHIFT;
    }

    function _changeStatus(bytes32 id, bytes32 decisionDigest, Status from1, Status from2, Status to) private {
        uint256 state = _requireIssuer(id);
        _requireStatus(id, state, from1, from2);
        if (decisionDigest == bytes32(0)) revert LicenceInvalidDigest(decisionDigest);
        _setState(
            id,
            address(uint160(state)),
            uint40(state >> _VALID_FROM_SHIFT),
            uint40(state >> _VALID_UNTIL_SHIFT),
            to,
            uint8(state >> _KIND_SHIFT)
        );
    }

    /// @dev Reverts unless licence `id` exists and the caller acts for its issuer, an active regulator;
    /// returns the licence's state word.
    function _requireIssuer(bytes32 id) private view returns (uint256 state) {
        state = _licences[id];
        if (state == 0 || state == _RENEWAL_DOCUMENT) revert LicenceUnknown(id);
        address issuer = address(uint160(_issuances[id]));
        if (Standing.actingFor(_registry, msg.sender, Roles.REGULATOR) != issuer) {
            revert LicenceNotIssuer(id, msg.sender, issuer);
        }
    }

    function _requireStatus(bytes32 id, uint256 state, Status a, Status b) private pure {
        Status status = Status(uint8(state >> _STATUS_SHIFT));
        if (status != a && status != b) revert LicenceWrongStatus(id, status);
    }

    function _requireNewDocument(bytes32 documentDigest) private view {
        if (documentDigest == bytes32(0)) revert LicenceInvalidDigest(documentDigest);
        uint256 state = _licences[documentDigest];
        if (state == _RENEWAL_DOCUMENT) revert LicenceDocumentUsed(documentDigest, _documents[documentDigest]);
        if (state != 0) revert LicenceDocumentUsed(documentDigest, documentDigest);
    }

    function _checkValidity(uint40 validFrom, uint40 validUntil) private view {
        if (validUntil <= validFrom || validUntil <= block.timestamp) {
            revert LicenceInvalidValidity(validFrom, validUntil);
        }
    }
}
