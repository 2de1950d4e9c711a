// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {IEvidence} from "../interfaces/IEvidence.sol";
import {Annotations} from "./Annotations.sol";
import {Digests} from "./libraries/Digests.sol";
import {Roles} from "./libraries/Roles.sol";
import {Standing} from "./libraries/Standing.sol";

/// @title Evidence
/// @notice See {IEvidence}.
/// @dev Storage is laid out for the two hot paths, filing and co-signing:
/// - a record is one word (filer, time, algorithm, kind, co-signer count, document count) keyed by
///   `keccak256(filer, digest)`; filing writes that word and nothing else, and the metadata digest
///   lives only in the {EvidenceFiled} event, as nothing on chain reads it back;
/// - each named co-signer has one word keyed by (record, co-signer) holding the filer, its position
///   and the time it signed, so co-signing reads and rewrites that one word: it finds the filer (whose
///   standing it checks) without reading the record. The co-signers' addresses are kept apart by
///   position, for {cosignersOf} and {isComplete};
/// - a notarisation (request, then attestation) is one word plus the certificate digest, written only
///   when asked for.
/// Records are written only in {_file}, where the one word is never written again; a signature changes
/// only in {cosign}; a notarisation only in {requestNotarisation} and {notarise}.
contract Evidence is IEvidence, Annotations {
    /// @inheritdoc IEvidence
    uint256 public constant MAX_COSIGNERS = 16;

    // Record word, low bits first: filer 160, filedAt 40, algorithm 8, kind 8, co-signers 8, documents 32.
    uint256 private constant _FILED_AT_SHIFT = 160;
    uint256 private constant _ALGORITHM_SHIFT = 200;
    uint256 private constant _KIND_SHIFT = 208;
    uint256 private constant _COSIGNERS_SHIFT = 216;
    uint256 private constant _DOCUMENTS_SHIFT = 224;
    // Signature word: filer 160, signedAt 40 (0: not yet), position 8.
    uint256 private constant _SIGNED_AT_SHIFT = 160;
    uint256 private constant _POSITION_SHIFT = 200;
    // Notarisation word: notary 160, requestedAt 40, notarisedAt 40.
    uint256 private constant _REQUESTED_AT_SHIFT = 160;
    uint256 private constant _NOTARISED_AT_SHIFT = 200;
    uint256 private constant _TIME_MASK = type(uint40).max;

    IEnterpriseRegistry private immutable _registry;

    mapping(bytes32 id => uint256 record) private _records;
    mapping(bytes32 id => mapping(address cosigner => uint256 signature)) private _signatures;
    mapping(bytes32 id => mapping(uint256 position => address cosigner)) private _cosigners;
    mapping(bytes32 id => uint256 notarisation) private _notarisations;
    mapping(bytes32 id => bytes32 certificateDigest) private _certificates;

    constructor(IEnterpriseRegistry registry_) {
        _registry = registry_;
    }

    // ------------------------------------------------------------------ filing

    /// @inheritdoc IEvidence
    function file(bytes32 digest, uint8 algorithm, uint8 kind, uint32 documents, bytes32 metadataDigest)
        external
        returns (bytes32 id)
    {
        address filer = Standing.actingFor(_registry, msg.sender, Roles.ALL);
        if (filer == address(0)) revert EvidenceNotEnterprise(msg.sender);
        id = _file(filer, digest, algorithm, kind, documents, 0);
        emit EvidenceFiled(digest, filer, metadataDigest);
    }

    /// @inheritdoc IEvidence
    function fileWithCosigners(
        bytes32 digest,
        uint8 algorithm,
        uint8 kind,
        uint32 documents,
        bytes32 metadataDigest,
        address[] calldata cosigners
    ) external returns (bytes32 id) {
        address filer = Standing.actingFor(_registry, msg.sender, Roles.ALL);
        if (filer == address(0)) revert EvidenceNotEnterprise(msg.sender);
        uint256 count = cosigners.length;
        if (count == 0 || count > MAX_COSIGNERS) revert EvidenceInvalidCosigners(count);
        id = _file(filer, digest, algorithm, kind, documents, count);
        emit EvidenceFiled(digest, filer, metadataDigest);
        for (uint256 position = 0; position < count; ++position) {
            address cosigner = cosigners[position];
            mapping(address => uint256) storage signatures = _signatures[id];
            if (
                cosigner == filer || signatures[cosigner] != 0
                    || !Standing.isActiveEnterprise(_registry, cosigner, Roles.ALL)
            ) revert EvidenceInvalidCosigner(cosigner);
            signatures[cosigner] = uint256(uint160(filer)) | position << _POSITION_SHIFT;
            _cosigners[id][position] = cosigner;
            emit CosignatureRequested(id, cosigner);
        }
    }

    // ------------------------------------------------------------------ appended facts

    /// @inheritdoc IEvidence
    function cosign(bytes32 id) external {
        address cosigner = Standing.actingFor(_registry, msg.sender, Roles.ALL);
        if (cosigner == address(0)) revert EvidenceNotEnterprise(msg.sender);
        uint256 signature = _signatures[id][cosigner];
        if (signature == 0) revert EvidenceNotCosigner(id, msg.sender);
        if ((signature >> _SIGNED_AT_SHIFT) & _TIME_MASK != 0) revert EvidenceAlreadyCosigned(id, cosigner);
        address filer = address(uint160(signature));
        if (Standing.actingFor(_registry, filer, Roles.ALL) != filer) revert EvidenceFilerInactive(id, filer);
        _signatures[id][cosigner] = signature | block.timestamp << _SIGNED_AT_SHIFT;
        emit EvidenceCosigned(id, cosigner);
    }

    /// @inheritdoc IEvidence
    function requestNotarisation(bytes32 id, address notary) external {
        address filer = address(uint160(_records[id]));
        if (filer == address(0)) revert EvidenceUnknown(id);
        if (Standing.actingFor(_registry, msg.sender, Roles.ALL) != filer) {
            revert EvidenceNotFiler(id, msg.sender, filer);
        }
        uint256 current = _notarisations[id];
        if ((current >> _NOTARISED_AT_SHIFT) & _TIME_MASK != 0) {
            revert EvidenceAlreadyNotarised(id, address(uint160(current)));
        }
        if (
            notary == filer || _signatures[id][notary] != 0
                || !Standing.isActiveEnterprise(_registry, notary, Roles.NOTARY)
        ) revert EvidenceInvalidNotary(notary);
        _notarisations[id] = uint256(uint160(notary)) | block.timestamp << _REQUESTED_AT_SHIFT;
        emit NotarisationRequested(id, notary);
    }

    /// @inheritdoc IEvidence
    function notarise(bytes32 id, bytes32 certificateDigest) external {
        uint256 current = _notarisations[id];
        address notary = address(uint160(current));
        if (notary == address(0) || Standing.actingFor(_registry, msg.sender, Roles.NOTARY) != notary) {
            revert EvidenceNotRequestedNotary(id, msg.sender, notary);
        }
        if ((current >> _NOTARISED_AT_SHIFT) & _TIME_MASK != 0) revert EvidenceAlreadyNotarised(id, notary);
        uint256 word = _records[id];
        address filer = address(uint160(word));
        if (Standing.actingFor(_registry, filer, Roles.ALL) != filer) revert EvidenceFilerInactive(id, filer);
        uint256 named = uint8(word >> _COSIGNERS_SHIFT);
        uint256 signed = _signedCount(id, named);
        if (signed != named) revert EvidenceIncomplete(id, signed, named);
        if (certificateDigest == bytes32(0)) revert EvidenceInvalidCertificate(certificateDigest);
        _notarisations[id] = current | block.timestamp << _NOTARISED_AT_SHIFT;
        _certificates[id] = certificateDigest;
        emit EvidenceNotarised(id, notary, certificateDigest);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IEvidence
    function registry() external view returns (IEnterpriseRegistry) {
        return _registry;
    }

    /// @inheritdoc IEvidence
    function evidenceId(address filer, bytes32 digest) external pure returns (bytes32) {
        return _id(filer, digest);
    }

    /// @inheritdoc IEvidence
    function record(bytes32 id) external view returns (Record memory) {
        uint256 word = _records[id];
        return Record(
            address(uint160(word)),
            uint40(word >> _FILED_AT_SHIFT),
            uint8(word >> _ALGORITHM_SHIFT),
            uint8(word >> _KIND_SHIFT),
            uint8(word >> _COSIGNERS_SHIFT),
            uint32(word >> _DOCUMENTS_SHIFT)
        );
    }

    /// @inheritdoc IEvidence
    function cosignersOf(bytes32 id) external view returns (address[] memory cosigners, uint40[] memory signedAt) {
        uint256 count = uint8(_records[id] >> _COSIGNERS_SHIFT);
        cosigners = new address[](count);
        signedAt = new uint40[](count);
        for (uint256 position = 0; position < count; ++position) {
            address cosigner = _cosigners[id][position];
            cosigners[position] = cosigner;
            signedAt[position] = uint40(_signatures[id][cosigner] >> _SIGNED_AT_SHIFT);
        }
    }

    /// @inheritdoc IEvidence
    function isComplete(bytes32 id) external view returns (bool) {
        uint256 word = _records[id];
        uint256 named = uint8(word >> _COSIGNERS_SHIFT);
        // A count of signatures, not a time: slither's strict-equality taint comes from the signing time
        // the count is read from.
        // slither-disable-next-line incorrect-equality
        return address(uint160(word)) != address(0) && _signedCount(id, named) == named;
    }

    /// @inheritdoc IEvidence
    function notarisation(bytes32 id) external view returns (Notarisation memory) {
        uint256 word = _notarisations[id];
        return Notarisation(
            address(uint160(word)),
            uint40(word >> _REQUESTED_AT_SHIFT),
            uint40(word >> _NOTARISED_AT_SHIFT),
            _certificates[id]
        );
    }

    /// @inheritdoc IEvidence
    function isInBatch(bytes32 root, bytes32 documentDigest, bytes32[] calldata proof) external pure returns (bool) {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(documentDigest))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    // ------------------------------------------------------------------ internal

    /// @dev The one place records are written: checks the filing and stores its word, once.
    function _file(address filer, bytes32 digest, uint8 algorithm, uint8 kind, uint32 documents, uint256 cosigners)
        private
        returns (bytes32 id)
    {
        if (digest == bytes32(0)) revert EvidenceInvalidDigest(digest);
        if (algorithm > Digests.LAST) revert EvidenceInvalidAlgorithm(algorithm);
        if (documents == 0) revert EvidenceInvalidDocuments(documents);
        id = _id(filer, digest);
        uint256 existing = _records[id];
        if (existing != 0) revert EvidenceAlreadyFiled(id, filer, uint40(existing >> _FILED_AT_SHIFT));
        _records[id] = uint256(uint160(filer)) | block.timestamp << _FILED_AT_SHIFT
            | uint256(algorithm) << _ALGORITHM_SHIFT | uint256(kind) << _KIND_SHIFT | cosigners << _COSIGNERS_SHIFT
            | uint256(documents) << _DOCUMENTS_SHIFT;
    }

    function _signedCount(bytes32 id, uint256 named) private view returns (uint256 signed) {
        for (uint256 position = 0; position < named; ++position) {
            if ((_signatures[id][_cosigners[id][position]] >> _SIGNED_AT_SHIFT) & _TIME_MASK != 0) ++signed;
        }
    }

    function _id(address filer, bytes32 digest) private pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, and(filer, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, digest)
            id := keccak256(0x00, 0x40)
        }
    }

    function _annotationRegistry() internal view override returns (IEnterpriseRegistry) {
        return _registry;
    }

    function _requireAnnotatable(bytes32 subject) internal view override {
        if (address(uint160(_records[subject])) == address(0)) revert EvidenceUnknown(subject);
    }
}
