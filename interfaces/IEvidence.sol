// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAnnotations} from "./IAnnotations.sol";
import {IEnterpriseRegistry} from "./IEnterpriseRegistry.sol";

/// @title IEvidence
/// @notice Evidence (存证) and notarisation (公证). An active enterprise files the digest of a document
/// (SHA-256, or SM3 per GB/T 32905), or the Merkle root over the digests of many documents, with the
/// document's kind and the digest of its metadata. The chain then says: this enterprise held this
/// document at this time.
///
/// A record is identified by its filer and digest ({evidenceId}): every enterprise files its own
/// records, so nobody can pre-empt or block another's filing of the same document, and one filer's
/// second filing of a digest is refused naming the first. A record is never overwritten or deleted;
/// later facts are appended to it:
/// - co-signatures: a record may name up to {MAX_COSIGNERS} other enterprises (both sides of a
///   contract); each signs it to consent, and it reads complete ({isComplete}) when all have signed;
/// - notarisation: the filer asks a notary (an enterprise with the notary role, 公证处), which attests
///   the complete record with the digest of its notarial certificate, once;
/// - annotations: a regulator or notary appends dispute and court annotations ({IAnnotations}).
///
/// Consent and standing: every party is an {IEnterpriseRegistry} primary account, and an operator
/// acting for it ({IEnterpriseRegistry-actingFor}) may call on its behalf. A co-signature request and a
/// notarisation request are the filer's; they are void while the filer is not an active enterprise
/// (co-signing and notarising then revert) and count again once it is. Named co-signers and notaries
/// must be active when named and when they sign.
///
/// Batches: `documents` > 1 says the digest is the root of an OpenZeppelin StandardMerkleTree whose
/// leaves are the documents' digests, leaf = `keccak256(bytes.concat(keccak256(abi.encode(digest))))`;
/// {isInBatch} checks a document's proof.
interface IEvidence is IAnnotations {
    /// @notice One record as filed; one storage slot, written once.
    struct Record {
        address filer; // the enterprise; address(0): no such record
        uint40 filedAt; // unix seconds
        uint8 algorithm; // 0 SHA-256, 1 SM3
        uint8 kind; // what the document is: a code of the SDK's table (contract, delivery note, ...)
        uint8 cosigners; // how many other enterprises it names
        uint32 documents; // 1: the digest of one document; more: the Merkle root over that many
    }

    /// @notice A record's notarisation: requested by the filer, then attested by that notary.
    struct Notarisation {
        address notary; // the notary asked (and, once notarisedAt is set, the one that attested)
        uint40 requestedAt;
        uint40 notarisedAt; // 0 until attested
        bytes32 certificateDigest; // digest of the notarial certificate (公证书); 0 until attested
    }

    /// @notice `filer` filed `digest` (record {evidenceId}(filer, digest)) with `metadataDigest`; kind,
    /// algorithm and document count are in {record}.
    event EvidenceFiled(bytes32 indexed digest, address indexed filer, bytes32 metadataDigest);
    /// @notice Record `id` names `cosigner`, whose signature it awaits.
    event CosignatureRequested(bytes32 indexed id, address indexed cosigner);
    /// @notice `cosigner` signed record `id`.
    event EvidenceCosigned(bytes32 indexed id, address indexed cosigner);
    /// @notice The filer of record `id` asked `notary` to attest it.
    event NotarisationRequested(bytes32 indexed id, address indexed notary);
    /// @notice `notary` attested record `id` with its certificate's digest.
    event EvidenceNotarised(bytes32 indexed id, address indexed notary, bytes32 certificateDigest);

    /// @notice The caller does not act for an active enterprise.
    error EvidenceNotEnterprise(address caller);
    /// @notice The digest is zero.
    error EvidenceInvalidDigest(bytes32 digest);
    /// @notice The algorithm is neither 0 (SHA-256) nor 1 (SM3).
    error EvidenceInvalidAlgorithm(uint8 algorithm);
    /// @notice A record covers at least one document.
    error EvidenceInvalidDocuments(uint32 documents);
    /// @notice This filer filed this digest before, as record `id` at `filedAt`.
    error EvidenceAlreadyFiled(bytes32 id, address filer, uint40 filedAt);
    /// @notice A record names 1 to {MAX_COSIGNERS} co-signers.
    error EvidenceInvalidCosigners(uint256 count);
    /// @notice A co-signer is the zero address, the filer, named twice, or not the primary account of an
    /// active enterprise.
    error EvidenceInvalidCosigner(address cosigner);
    /// @notice No record `id`.
    error EvidenceUnknown(bytes32 id);
    /// @notice Record `id` names no co-signer the caller acts for.
    error EvidenceNotCosigner(bytes32 id, address caller);
    /// @notice `cosigner` signed record `id` before.
    error EvidenceAlreadyCosigned(bytes32 id, address cosigner);
    /// @notice The filer of record `id` is not an active enterprise, so its requests are void.
    error EvidenceFilerInactive(bytes32 id, address filer);
    /// @notice Only the filer may do this to record `id`.
    error EvidenceNotFiler(bytes32 id, address caller, address filer);
    /// @notice The notary is not the primary account of an active notary, or is a party to the record.
    error EvidenceInvalidNotary(address notary);
    /// @notice The caller does not act for the notary that record `id` asked (`notary`, maybe none).
    error EvidenceNotRequestedNotary(bytes32 id, address caller, address notary);
    /// @notice Record `id` was notarised by `notary` before.
    error EvidenceAlreadyNotarised(bytes32 id, address notary);
    /// @notice Record `id` has `signed` of its `named` co-signatures; a notary attests complete records.
    error EvidenceIncomplete(bytes32 id, uint256 signed, uint256 named);
    /// @notice The certificate digest is zero.
    error EvidenceInvalidCertificate(bytes32 certificateDigest);

    /// @notice Files evidence of one document, or of many by their Merkle root, for the caller's enterprise.
    /// Requirements:
    /// - the caller acts for an active enterprise (any role);
    /// - `digest` is not zero; `algorithm` is 0 (SHA-256) or 1 (SM3); `documents` is at least 1;
    /// - the enterprise has not filed `digest` before.
    /// Emits an {EvidenceFiled} event.
    /// @param kind What the document is, a code of the SDK's table; not interpreted on chain.
    /// @param metadataDigest Digest of the record's metadata (title, file name, parties), or zero.
    /// @return id The record's id, {evidenceId}(enterprise, digest).
    function file(bytes32 digest, uint8 algorithm, uint8 kind, uint32 documents, bytes32 metadataDigest)
        external
        returns (bytes32 id);

    /// @notice As {file}, naming enterprises that must co-sign the record.
    /// Requirements, beyond {file}'s: 1 to {MAX_COSIGNERS} co-signers, each the primary account of an
    /// active enterprise, none the filer, none twice.
    /// Emits an {EvidenceFiled} event and a {CosignatureRequested} event per co-signer.
    function fileWithCosigners(
        bytes32 digest,
        uint8 algorithm,
        uint8 kind,
        uint32 documents,
        bytes32 metadataDigest,
        address[] calldata cosigners
    ) external returns (bytes32 id);

    /// @notice Signs record `id` for the caller's enterprise, which the record names.
    /// Requirements:
    /// - the caller acts for an active enterprise that record `id` names as a co-signer and that has not
    ///   signed it yet;
    /// - the filer is an active enterprise.
    /// Emits an {EvidenceCosigned} event.
    function cosign(bytes32 id) external;

    /// @notice Asks `notary` to attest record `id`; a later request replaces an unanswered one.
    /// Requirements:
    /// - the caller acts for the record's filer, which is active;
    /// - the record is not notarised;
    /// - `notary` is the primary account of an active enterprise with the notary role, neither the filer
    ///   nor a co-signer of the record.
    /// Emits a {NotarisationRequested} event.
    function requestNotarisation(bytes32 id, address notary) external;

    /// @notice Attests record `id` with the digest of the notarial certificate.
    /// Requirements:
    /// - the caller acts for the active notary the record's filer asked, and the record is not notarised;
    /// - the filer is an active enterprise; every co-signer has signed;
    /// - `certificateDigest` is not zero.
    /// Emits an {EvidenceNotarised} event.
    function notarise(bytes32 id, bytes32 certificateDigest) external;

    /// @notice The registry that says who is an active enterprise and in which role.
    function registry() external view returns (IEnterpriseRegistry);

    /// @notice The id of the record `filer` files for `digest`: `keccak256(abi.encode(filer, digest))`.
    function evidenceId(address filer, bytes32 digest) external pure returns (bytes32);

    /// @notice Record `id` as filed; all zero when there is no such record.
    function record(bytes32 id) external view returns (Record memory);

    /// @notice The co-signers record `id` names, and when each signed (0: not yet).
    function cosignersOf(bytes32 id) external view returns (address[] memory cosigners, uint40[] memory signedAt);

    /// @notice Whether record `id` exists and every co-signer it names has signed.
    function isComplete(bytes32 id) external view returns (bool);

    /// @notice Record `id`'s notarisation request and attestation; all zero when none.
    function notarisation(bytes32 id) external view returns (Notarisation memory);

    /// @notice Whether `proof` proves the document with `documentDigest` into the Merkle `root`.
    function isInBatch(bytes32 root, bytes32 documentDigest, bytes32[] calldata proof) external pure returns (bool);

    /// @notice The most co-signers a record can name (16).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_COSIGNERS() external view returns (uint256);
}
