// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEnterpriseRegistry} from "./IEnterpriseRegistry.sol";

/// @title ILicences
/// @notice Digital licences (数字证照): a regulator issues a licence (a business licence, a food production
/// licence ...) to an enterprise, and renews, suspends, reinstates and revokes it. Anyone verifies a
/// licence from its document (the digest of the PDF or scan) or from the QR code printed on it, which
/// carries the licence id: {licenceOfDocument} and {licence} say who holds it, who issued it, how long
/// it is valid and whether it is in force.
///
/// A licence's id is the digest of the document it was issued with; a renewal adds the digest of the
/// renewed document, which then leads to the same licence. A document digest belongs to one licence,
/// ever. What was issued (holder, issuer, kind, issue time) never changes; validity and status change
/// only by the issuer's acts, each an event. The licence number and the digests of the decisions behind
/// suspensions and revocations are in the events.
///
/// Authority and standing: only the primary account of an active regulator, or an operator acting for
/// it, issues; only the issuing regulator, while active, renews, suspends, reinstates and revokes. The
/// holder's consent is not asked (a licence is an act of authority, and may precede the holder's
/// onboarding: the registry's onboarding licence can point at it by id); a regulator cannot license
/// itself. An enterprise's registry standing and its licences are separate facts: a verifier reads both.
interface ILicences {
    /// @notice Where a licence stands. It is in force ({isValid}) while Active and within its validity.
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice One licence as it stands now; two storage slots (three once renewed).
    struct Licence {
        address holder;
        address issuer; // the regulator enterprise
        uint8 kind; // a code of the SDK's table (1 business licence, 2 food production licence, ...)
        uint8 algorithm; // of the document digests: 0 SHA-256, 1 SM3
        Status status;
        uint40 issuedAt;
        uint40 validFrom;
        uint40 validUntil; // the licence lapses at this moment
        uint16 renewals;
        bytes32 currentDocument; // digest of the latest document: the id until a renewal
    }

    /// @notice `issuer` issued licence `id` (its document's digest) numbered `number` to `holder`.
    event LicenceIssued(
        bytes32 indexed id,
        address indexed holder,
        address indexed issuer,
        uint8 kind,
        bytes32 number,
        uint40 validFrom,
        uint40 validUntil
    );
    /// @notice Licence `id` was renewed with a new document, valid from `validFrom` until `validUntil`.
    event LicenceRenewed(bytes32 indexed id, bytes32 indexed documentDigest, uint40 validFrom, uint40 validUntil);
    /// @notice Licence `id` was suspended by the decision with digest `decisionDigest`.
    event LicenceSuspended(bytes32 indexed id, bytes32 decisionDigest);
    /// @notice Licence `id` was reinstated by the decision with digest `decisionDigest`.
    event LicenceReinstated(bytes32 indexed id, bytes32 decisionDigest);
    /// @notice Licence `id` was revoked for good by the decision with digest `decisionDigest`.
    event LicenceRevoked(bytes32 indexed id, bytes32 decisionDigest);

    /// @notice The caller does not act for an active regulator.
    error LicenceNotRegulator(address caller);
    /// @notice The caller does not act for the active regulator that issued licence `id`.
    error LicenceNotIssuer(bytes32 id, address caller, address issuer);
    /// @notice The holder is the zero address or the issuing regulator itself.
    error LicenceInvalidHolder(address holder);
    /// @notice The kind is zero.
    error LicenceInvalidKind(uint8 kind);
    /// @notice The licence number is empty.
    error LicenceInvalidNumber(bytes32 number);
    /// @notice The algorithm is neither 0 (SHA-256) nor 1 (SM3).
    error LicenceInvalidAlgorithm(uint8 algorithm);
    /// @notice A document or decision digest is zero.
    error LicenceInvalidDigest(bytes32 digest);
    /// @notice The document digest already belongs to licence `id`.
    error LicenceDocumentUsed(bytes32 documentDigest, bytes32 id);
    /// @notice The validity must end after it starts, and in the future.
    error LicenceInvalidValidity(uint40 validFrom, uint40 validUntil);
    /// @notice No licence `id`.
    error LicenceUnknown(bytes32 id);
    /// @notice Licence `id` is `status`, which does not allow this act.
    error LicenceWrongStatus(bytes32 id, Status status);

    /// @notice Issues a licence to `holder`; its id is `documentDigest`.
    /// Requirements:
    /// - the caller acts for an active regulator, which is not `holder`; `holder` is not the zero address;
    /// - `kind` and `number` are not zero; `algorithm` is 0 (SHA-256) or 1 (SM3);
    /// - `documentDigest` is not zero and belongs to no licence;
    /// - `validUntil` is after `validFrom` and in the future (`validFrom` may be past).
    /// Emits a {LicenceIssued} event.
    /// @param number The licence number as printed (ASCII, left-aligned, zero-padded), e.g. "SC11136072100123".
    function issue(
        address holder,
        uint8 kind,
        bytes32 number,
        uint8 algorithm,
        bytes32 documentDigest,
        uint40 validFrom,
        uint40 validUntil
    ) external returns (bytes32 id);

    /// @notice Renews licence `id` with a new document and validity.
    /// Requirements: the caller acts for the issuer, which is active; the licence is Active; the document
    /// digest is not zero and belongs to no licence; the validity as for {issue}.
    /// Emits a {LicenceRenewed} event.
    function renew(bytes32 id, bytes32 documentDigest, uint40 validFrom, uint40 validUntil) external;

    /// @notice Suspends licence `id`. Requirements: the caller acts for the issuer, which is active; the
    /// licence is Active; `decisionDigest` is not zero. Emits a {LicenceSuspended} event.
    function suspend(bytes32 id, bytes32 decisionDigest) external;

    /// @notice Reinstates suspended licence `id`. Requirements: as {suspend}, for a Suspended licence.
    /// Emits a {LicenceReinstated} event.
    function reinstate(bytes32 id, bytes32 decisionDigest) external;

    /// @notice Revokes licence `id` for good. Requirements: as {suspend}, for an Active or Suspended
    /// licence. Emits a {LicenceRevoked} event.
    function revoke(bytes32 id, bytes32 decisionDigest) external;

    /// @notice The registry that says who is an active regulator.
    function registry() external view returns (IEnterpriseRegistry);

    /// @notice Licence `id` as it stands; all zero when there is none.
    function licence(bytes32 id) external view returns (Licence memory);

    /// @notice The licence the document with `documentDigest` belongs to (issued with it or renewed with
    /// it), or zero.
    function licenceOfDocument(bytes32 documentDigest) external view returns (bytes32 id);

    /// @notice Whether licence `id` is in force: Active, and now within its validity.
    function isValid(bytes32 id) external view returns (bool);
}
