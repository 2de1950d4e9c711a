// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {IProductProvenance} from "../interfaces/IProductProvenance.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title ProductProvenance
/// @notice See {IProductProvenance}.
contract ProductProvenance is IProductProvenance {
    /// @inheritdoc IProductProvenance
    uint256 public constant MAX_LINEAGE_DEPTH = 8;
    /// @inheritdoc IProductProvenance
    uint256 public constant MAX_ANCESTORS = 64;
    /// @inheritdoc IProductProvenance
    uint256 public constant MAX_SCANS_PER_CALL = 500;

    uint256 private constant _MAX_LOT_LENGTH = 20;
    uint256 private constant _MAX_NAME_LENGTH = 96;
    uint256 private constant _MAX_FEATURES_LENGTH = 512;
    uint256 private constant _MAX_PLACE_LENGTH = 96;
    uint256 private constant _MAX_URI_LENGTH = 256;
    uint256 private constant _MAX_REASON_LENGTH = 256;
    uint256 private constant _SCAN_RECORD_BYTES = 36; // item hash 32, count 4
    uint64 private constant _GTIN_LIMIT = 1e14; // GTIN-14: at most 14 digits
    uint64 private constant _GLN_LIMIT = 1e13; // GLN-13: at most 13 digits
    uint64 private constant _KEY12_LIMIT = 1e12; // the twelve digits of a GS1 key that hold its prefix
    uint8 private constant _LAST_BIZ_STEP = uint8(BizStep.Recalling);
    /// @dev Bit c is set when ASCII byte c is in the GS1 AI encodable character set 82:
    /// ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z (no bits above 127).
    uint256 private constant _CSET82 = 0x7fffffe87fffffeffffffe600000000;

    /// @dev Roles an enterprise needs to take custody of a batch.
    uint32 private constant _CUSTODY_ROLES = Roles.LOGISTICS | Roles.RETAILER | Roles.PROCESSOR | Roles.PRODUCER;
    /// @dev Roles that may register products and transform batches.
    uint32 private constant _MAKER_ROLES = Roles.PRODUCER | Roles.PROCESSOR;

    IEnterpriseRegistry private immutable _registry;

    mapping(uint64 gtin => address producer) private _products;
    mapping(uint64 gln => address enterprise) private _locations;
    mapping(bytes32 batchId => Batch) private _batches;
    mapping(bytes32 batchId => Certification) private _certifications;
    mapping(bytes32 batchId => address alliance) private _certificationRequests;
    mapping(bytes32 batchId => bytes32[] inputBatchIds) private _inputs;
    mapping(bytes32 batchId => bytes32 outputBatchId) private _outputs;
    mapping(address platform => mapping(bytes32 scanBatch => bool recorded)) private _scanBatches;

    constructor(IEnterpriseRegistry registry_) {
        if (address(registry_) == address(0)) revert ProvenanceZeroAddress();
        _registry = registry_;
    }

    // ------------------------------------------------------------------ products and batches

    /// @inheritdoc IProductProvenance
    function registerProduct(uint64 gtin, string calldata name, string calldata features, bytes32 metadataHash)
        external
    {
        address producer = _actingFor(msg.sender, _MAKER_ROLES);
        if (producer == address(0)) revert ProvenanceNotAuthorized(msg.sender, _MAKER_ROLES);
        if (gtin == 0 || gtin >= _GTIN_LIMIT || !_checkDigitValid(gtin)) revert ProvenanceInvalidGtin(gtin);
        if (bytes(name).length == 0 || bytes(name).length > _MAX_NAME_LENGTH) {
            revert ProvenanceInvalidName(bytes(name).length);
        }
        if (bytes(features).length > _MAX_FEATURES_LENGTH) revert ProvenanceInvalidFeatures(bytes(features).length);
        address existing = _products[gtin];
        if (existing != address(0)) revert ProvenanceProductExists(gtin, existing);
        _requirePrefixHolder(gtin, (gtin / 10) % _KEY12_LIMIT, producer);
        _products[gtin] = producer;
        emit ProductRegistered(gtin, producer, name, features, metadataHash);
    }

    /// @inheritdoc IProductProvenance
    function createBatch(
        uint64 gtin,
        string calldata lot,
        Origin calldata origin,
        uint40 productionDate,
        uint32 quantity,
        bytes32 serialsRoot,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external returns (bytes32 batchId) {
        address producer = _products[gtin];
        if (producer == address(0)) revert ProvenanceUnknownProduct(gtin);
        if (_actingFor(msg.sender, Roles.PRODUCER) != producer) {
            revert ProvenanceNotProducer(msg.sender, producer);
        }
        _checkBatchFields(lot, origin, productionDate, quantity, metadataURI);
        batchId = _batchId(gtin, lot);
        _newBatch(batchId, gtin, producer, serialsRoot, 0, 0);
        _emitBatchCreated(
            batchId, gtin, producer, lot, origin, productionDate, quantity, serialsRoot, metadataHash, metadataURI
        );
        _recordSellerIfRetailer(batchId, producer);
    }

    /// @inheritdoc IProductProvenance
    function transform(
        bytes32[] calldata inputBatchIds,
        uint64 outputGtin,
        string calldata outputLot,
        Origin calldata origin,
        uint40 productionDate,
        uint32 quantity,
        bytes32 serialsRoot,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external returns (bytes32 outputBatchId) {
        address enterprise = _requireMaker(outputGtin);
        _checkBatchFields(outputLot, origin, productionDate, quantity, metadataURI);
        outputBatchId = _batchId(outputGtin, outputLot);
        _newOutputBatch(inputBatchIds, outputBatchId, outputGtin, enterprise, serialsRoot);
        _emitBatchCreated(
            outputBatchId,
            outputGtin,
            enterprise,
            outputLot,
            origin,
            productionDate,
            quantity,
            serialsRoot,
            metadataHash,
            metadataURI
        );
        _emitBatchTransformed(inputBatchIds, outputBatchId, enterprise);
        _recordSellerIfRetailer(outputBatchId, enterprise);
    }

    /// @inheritdoc IProductProvenance
    function claimProduct(uint64 gtin) external {
        address enterprise = _actingFor(msg.sender, _MAKER_ROLES);
        if (enterprise == address(0)) revert ProvenanceNotAuthorized(msg.sender, _MAKER_ROLES);
        address producer = _products[gtin];
        if (producer == address(0)) revert ProvenanceUnknownProduct(gtin);
        if (producer == enterprise) revert ProvenanceAlreadyRegistrant(gtin, enterprise);
        _requirePrefixHolder(gtin, (gtin / 10) % _KEY12_LIMIT, enterprise);
        _products[gtin] = enterprise;
        emit ProductReassigned(gtin, producer, enterprise);
    }

    // ------------------------------------------------------------------ certification

    /// @inheritdoc IProductProvenance
    function requestCertification(bytes32 batchId, address alliance) external {
        Batch storage record = _requireBatch(batchId);
        address producer = record.producer;
        if (_actingFor(msg.sender, Roles.ALL) != producer) revert ProvenanceNotProducer(msg.sender, producer);
        if (alliance == address(0) || _actingFor(alliance, Roles.QUALITY_ALLIANCE) != alliance) {
            revert ProvenanceInvalidCertifier(batchId, alliance);
        }
        if (_isRecalled(record, batchId)) revert ProvenanceBatchRecalled(batchId);
        _certificationRequests[batchId] = alliance;
        emit CertificationRequested(batchId, producer, alliance);
    }

    /// @inheritdoc IProductProvenance
    function certify(bytes32 batchId, bytes32 certificateHash, uint40 expiry) external {
        address alliance = _actingFor(msg.sender, Roles.QUALITY_ALLIANCE);
        if (alliance == address(0)) revert ProvenanceNotAuthorized(msg.sender, Roles.QUALITY_ALLIANCE);
        Batch storage record = _requireBatch(batchId);
        address requested = _certificationRequests[batchId];
        if (requested == alliance) {
            address producer = record.producer;
            if (_actingFor(producer, Roles.ALL) != producer) revert ProvenanceInactiveProducer(batchId, producer);
            delete _certificationRequests[batchId];
        } else if (_certifications[batchId].alliance != alliance) {
            revert ProvenanceNotRequested(batchId, alliance, requested);
        }
        if (_isRecalled(record, batchId)) revert ProvenanceBatchRecalled(batchId);
        if (certificateHash == 0 || expiry <= block.timestamp) {
            revert ProvenanceInvalidCertificate(certificateHash, expiry);
        }
        _certifications[batchId] = Certification(alliance, expiry, certificateHash);
        emit BatchCertified(batchId, alliance, certificateHash, expiry);
    }

    /// @inheritdoc IProductProvenance
    function revokeCertification(bytes32 batchId) external {
        _requireBatch(batchId);
        address alliance = _certifications[batchId].alliance;
        if (alliance == address(0)) revert ProvenanceNotCertified(batchId);
        address revokedBy = _actingFor(msg.sender, Roles.QUALITY_ALLIANCE);
        if (revokedBy != alliance) {
            revokedBy = _actingFor(msg.sender, Roles.REGULATOR);
            if (revokedBy == address(0)) revert ProvenanceNotCertifier(batchId, msg.sender, alliance);
        }
        delete _certifications[batchId];
        emit CertificationRevoked(batchId, alliance, revokedBy);
    }

    // ------------------------------------------------------------------ trace events

    /// @inheritdoc IProductProvenance
    function recordEvent(bytes32 batchId, bytes32 itemHash, uint8 bizStep, uint64 gln, bytes32 dataHash) external {
        Batch storage record = _batches[batchId];
        address holder = record.custodian;
        // Read together with the custodian (one slot), before the registry call.
        bool recalled = record.recalled;
        uint256 ancestors = record.ancestors;
        if (holder == address(0)) revert ProvenanceUnknownBatch(batchId);
        if (bizStep > _LAST_BIZ_STEP) revert ProvenanceInvalidBizStep(bizStep);
        if (gln >= _GLN_LIMIT) revert ProvenanceInvalidGln(gln);
        // The hot path (the custodian's own event) costs one registry call; others cost a second.
        address enterprise = _actingFor(msg.sender, Roles.ALL);
        if (enterprise != holder && (enterprise == address(0) || enterprise != record.producer)) {
            uint32 roles = bizStep == uint8(BizStep.Inspecting)
                ? Roles.REGULATOR | Roles.INSPECTOR | Roles.QUALITY_ALLIANCE
                : Roles.REGULATOR;
            enterprise = _actingFor(msg.sender, roles);
            if (enterprise == address(0)) revert ProvenanceCannotRecord(batchId, msg.sender, bizStep);
        }
        if (
            bizStep != uint8(BizStep.Recalling)
                && (recalled || (ancestors != 0 && _lineageRecalled(batchId, ancestors)))
        ) revert ProvenanceBatchRecalled(batchId);
        emit TraceEventRecorded(batchId, itemHash, enterprise, bizStep, gln, dataHash);
    }

    /// @inheritdoc IProductProvenance
    function registerLocation(uint64 gln, Origin calldata site) external {
        address enterprise = _actingFor(msg.sender, Roles.ALL);
        if (enterprise == address(0)) revert ProvenanceNotAuthorized(msg.sender, Roles.ALL);
        if (gln == 0 || gln >= _GLN_LIMIT || !_checkDigitValid(gln)) revert ProvenanceInvalidGln(gln);
        _checkSite(site);
        address holder = _locations[gln];
        if (holder != address(0)) revert ProvenanceLocationExists(gln, holder);
        _requirePrefixHolder(gln, gln / 10, enterprise);
        _locations[gln] = enterprise;
        emit LocationRegistered(gln, enterprise, site);
    }

    /// @inheritdoc IProductProvenance
    function claimLocation(uint64 gln) external {
        address enterprise = _actingFor(msg.sender, Roles.ALL);
        if (enterprise == address(0)) revert ProvenanceNotAuthorized(msg.sender, Roles.ALL);
        address holder = _locations[gln];
        if (holder == address(0)) revert ProvenanceUnknownLocation(gln);
        if (holder == enterprise) revert ProvenanceAlreadyRegistrant(gln, enterprise);
        _requirePrefixHolder(gln, gln / 10, enterprise);
        _locations[gln] = enterprise;
        emit LocationReassigned(gln, holder, enterprise);
    }

    // ------------------------------------------------------------------ custody

    /// @inheritdoc IProductProvenance
    function offerCustody(bytes32 batchId, address toEnterprise) external {
        Batch storage record = _requireBatch(batchId);
        address from = _requireCustodian(record, batchId);
        _requireMovable(record, batchId);
        address offeree = record.pendingCustodian;
        if (offeree != address(0)) revert ProvenanceOfferPending(batchId, offeree);
        if (
            toEnterprise == address(0) || toEnterprise == from
                || _actingFor(toEnterprise, _CUSTODY_ROLES) != toEnterprise
        ) revert ProvenanceInvalidReceiver(batchId, toEnterprise);
        record.pendingCustodian = toEnterprise;
        emit CustodyOffered(batchId, from, toEnterprise);
    }

    /// @inheritdoc IProductProvenance
    function acceptCustody(bytes32 batchId) external {
        Batch storage record = _requireBatch(batchId);
        address offeree = record.pendingCustodian;
        address enterprise = _actingFor(msg.sender, _CUSTODY_ROLES);
        if (offeree == address(0)) {
            if (enterprise != address(0) && enterprise == record.custodian) {
                revert ProvenanceAlreadyCustodian(batchId, enterprise);
            }
            revert ProvenanceNoOffer(batchId);
        }
        if (enterprise != offeree) revert ProvenanceNotOfferee(batchId, msg.sender, offeree);
        address from = record.custodian;
        if (_actingFor(from, Roles.ALL) != from) revert ProvenanceInactiveCustodian(batchId, from);
        // An offer never survives consumption (transform refuses inputs with an offer), so only a
        // recall can have happened since the offer.
        if (_isRecalled(record, batchId)) revert ProvenanceBatchRecalled(batchId);
        record.custodian = offeree;
        record.pendingCustodian = address(0);
        emit CustodyAccepted(batchId, from, offeree);
        _recordSellerIfRetailer(batchId, offeree);
    }

    /// @inheritdoc IProductProvenance
    function withdrawOffer(bytes32 batchId) external {
        Batch storage record = _requireBatch(batchId);
        address from = record.custodian;
        if (msg.sender != from && _actingFor(msg.sender, Roles.ALL) != from) {
            revert ProvenanceNotCustodian(batchId, msg.sender, from);
        }
        address offeree = record.pendingCustodian;
        if (offeree == address(0)) revert ProvenanceNoOffer(batchId);
        record.pendingCustodian = address(0);
        emit CustodyOfferWithdrawn(batchId, from, offeree);
    }

    // ------------------------------------------------------------------ recall and scans

    /// @inheritdoc IProductProvenance
    function recall(bytes32 batchId, string calldata reason) external {
        Batch storage record = _requireBatch(batchId);
        address enterprise = _actingFor(msg.sender, Roles.ALL);
        if (enterprise == address(0) || enterprise != record.producer) {
            enterprise = _actingFor(msg.sender, Roles.REGULATOR);
            if (enterprise == address(0)) revert ProvenanceCannotRecall(batchId, msg.sender);
        }
        if (bytes(reason).length == 0 || bytes(reason).length > _MAX_REASON_LENGTH) {
            revert ProvenanceInvalidReason(bytes(reason).length);
        }
        if (record.recalled) revert ProvenanceBatchRecalled(batchId);
        record.recalled = true;
        emit BatchRecalled(batchId, enterprise, reason);
    }

    /// @inheritdoc IProductProvenance
    function recordScans(bytes32 scanBatch, bytes32 batchId, bytes calldata scans) external {
        address platform = _actingFor(msg.sender, Roles.PLATFORM);
        if (platform == address(0)) revert ProvenanceNotAuthorized(msg.sender, Roles.PLATFORM);
        _requireBatch(batchId);
        uint256 length = scans.length;
        if (length % _SCAN_RECORD_BYTES != 0) revert ProvenanceMalformedScans(length);
        uint256 items = length / _SCAN_RECORD_BYTES;
        if (items == 0 || items > MAX_SCANS_PER_CALL) revert ProvenanceInvalidScanBatch(items);
        if (_scanBatches[platform][scanBatch]) revert ProvenanceScanBatchRecorded(platform, scanBatch);
        // The hot loop of scan counting, about 25 gas a record: one calldata load each, no copy.
        uint256 zeroAt = length; // offset of the first record whose count is zero, if any
        assembly ("memory-safe") {
            for { let at := 0 } lt(at, length) { at := add(at, _SCAN_RECORD_BYTES) } {
                // A count is the 4 bytes after its record's 32-byte item hash.
                if iszero(shr(224, calldataload(add(scans.offset, add(at, 32))))) {
                    zeroAt := at
                    break
                }
            }
        }
        if (zeroAt != length) revert ProvenanceZeroScanCount(bytes32(scans[zeroAt:zeroAt + 32]));
        _scanBatches[platform][scanBatch] = true;
        emit ScanBatchRecorded(platform, scanBatch, batchId, scans);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IProductProvenance
    function registry() external view returns (IEnterpriseRegistry) {
        return _registry;
    }

    /// @inheritdoc IProductProvenance
    function product(uint64 gtin) external view returns (address producer) {
        producer = _products[gtin];
        if (producer == address(0)) revert ProvenanceUnknownProduct(gtin);
    }

    /// @inheritdoc IProductProvenance
    function location(uint64 gln) external view returns (address enterprise) {
        enterprise = _locations[gln];
        if (enterprise == address(0)) revert ProvenanceUnknownLocation(gln);
    }

    /// @inheritdoc IProductProvenance
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32) {
        return _batchId(gtin, lot);
    }

    /// @inheritdoc IProductProvenance
    function batch(bytes32 batchId) external view returns (Batch memory) {
        return _requireBatch(batchId);
    }

    /// @inheritdoc IProductProvenance
    function custodian(bytes32 batchId) external view returns (address) {
        return _requireBatch(batchId).custodian;
    }

    /// @inheritdoc IProductProvenance
    function pendingOffer(bytes32 batchId) external view returns (address offeree) {
        return _requireBatch(batchId).pendingCustodian;
    }

    /// @inheritdoc IProductProvenance
    function sellerOf(bytes32 batchId) external view returns (address) {
        return _requireBatch(batchId).seller;
    }

    /// @inheritdoc IProductProvenance
    function certification(bytes32 batchId) external view returns (Certification memory) {
        _requireBatch(batchId);
        return _certifications[batchId];
    }

    /// @inheritdoc IProductProvenance
    function certificationStatus(bytes32 batchId) external view returns (CertificationStatus) {
        Batch storage record = _requireBatch(batchId);
        Certification storage current = _certifications[batchId];
        address alliance = current.alliance;
        if (alliance == address(0)) return CertificationStatus.None;
        if (_isRecalled(record, batchId)) return CertificationStatus.Recalled;
        if (current.expiry <= block.timestamp) return CertificationStatus.Expired;
        if (_actingFor(alliance, Roles.QUALITY_ALLIANCE) != alliance) return CertificationStatus.CertifierInactive;
        return CertificationStatus.Valid;
    }

    /// @inheritdoc IProductProvenance
    function certificationRequest(bytes32 batchId) external view returns (address alliance) {
        _requireBatch(batchId);
        return _certificationRequests[batchId];
    }

    /// @inheritdoc IProductProvenance
    function isRecalled(bytes32 batchId) external view returns (bool) {
        return _isRecalled(_requireBatch(batchId), batchId);
    }

    /// @inheritdoc IProductProvenance
    function inputsOf(bytes32 batchId) external view returns (bytes32[] memory) {
        _requireBatch(batchId);
        return _inputs[batchId];
    }

    /// @inheritdoc IProductProvenance
    function outputsOf(bytes32 batchId) external view returns (bytes32[] memory outputs) {
        _requireBatch(batchId);
        bytes32 output = _outputs[batchId];
        if (output == 0) return new bytes32[](0);
        outputs = new bytes32[](1);
        outputs[0] = output;
    }

    /// @inheritdoc IProductProvenance
    function isItemOf(bytes32 batchId, string calldata serial, bytes32[] calldata proof) external view returns (bool) {
        bytes32 root = _batches[batchId].serialsRoot;
        if (root == 0) return false;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(serial))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @inheritdoc IProductProvenance
    function scanBatchRecorded(address platform, bytes32 scanBatch) external view returns (bool) {
        return _scanBatches[platform][scanBatch];
    }

    // ------------------------------------------------------------------ internal

    /// @dev The one place a batch record is created.
    function _newBatch(
        bytes32 batchId,
        uint64 gtin,
        address producer,
        bytes32 serialsRoot,
        uint8 depth,
        uint8 ancestors
    ) private {
        Batch storage record = _batches[batchId];
        if (record.custodian != address(0)) revert ProvenanceBatchExists(batchId);
        record.custodian = producer;
        record.gtin = gtin;
        record.depth = depth;
        record.ancestors = ancestors;
        record.producer = producer;
        record.serialsRoot = serialsRoot;
    }

    /// @dev The caller's enterprise, if it holds PRODUCER or PROCESSOR and produces `outputGtin`.
    function _requireMaker(uint64 outputGtin) private view returns (address enterprise) {
        enterprise = _actingFor(msg.sender, _MAKER_ROLES);
        if (enterprise == address(0)) revert ProvenanceNotAuthorized(msg.sender, _MAKER_ROLES);
        address producer = _products[outputGtin];
        if (producer == address(0)) revert ProvenanceUnknownProduct(outputGtin);
        if (producer != enterprise) revert ProvenanceNotProducer(msg.sender, producer);
    }

    /// @dev Consumes the inputs and creates the output batch with its lineage.
    function _newOutputBatch(
        bytes32[] calldata inputBatchIds,
        bytes32 outputBatchId,
        uint64 outputGtin,
        address enterprise,
        bytes32 serialsRoot
    ) private {
        // Checked before the inputs too: an input must exist, so it can never be the output.
        if (_batches[outputBatchId].custodian != address(0)) revert ProvenanceBatchExists(outputBatchId);
        (uint8 depth, uint8 ancestors) = _consumeInputs(inputBatchIds, enterprise, outputBatchId);
        _newBatch(outputBatchId, outputGtin, enterprise, serialsRoot, depth, ancestors);
        _inputs[outputBatchId] = inputBatchIds;
    }

    /// @dev Takes the fields in the order of the external functions' parameters, which keeps the
    /// callers within the stack limit.
    function _emitBatchCreated(
        bytes32 batchId,
        uint64 gtin,
        address producer,
        string calldata lot,
        Origin calldata origin,
        uint40 productionDate,
        uint32 quantity,
        bytes32 serialsRoot,
        bytes32 metadataHash,
        string calldata metadataURI
    ) private {
        emit BatchCreated(
            batchId, gtin, producer, lot, origin, productionDate, quantity, serialsRoot, metadataHash, metadataURI
        );
    }

    /// @dev Inputs first, for the same stack reason as {_emitBatchCreated}.
    function _emitBatchTransformed(bytes32[] calldata inputBatchIds, bytes32 outputBatchId, address enterprise)
        private
    {
        emit BatchTransformed(outputBatchId, enterprise, inputBatchIds);
    }

    /// @dev Checks every input of a transformation into `output` and marks it consumed; returns the
    /// output's lineage depth and ancestor count.
    function _consumeInputs(bytes32[] calldata inputBatchIds, address enterprise, bytes32 output)
        private
        returns (uint8, uint8)
    {
        uint256 count = inputBatchIds.length;
        if (count == 0 || count > MAX_ANCESTORS) revert ProvenanceInvalidInputs(count);
        uint256 depth = 0;
        uint256 ancestors = 0;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 input = inputBatchIds[i];
            Batch storage record = _requireBatch(input);
            if (record.custodian != enterprise) revert ProvenanceNotCustodian(input, msg.sender, record.custodian);
            // Checked before the recall walk below, so that walk never exceeds MAX_ANCESTORS in total.
            ancestors += 1 + record.ancestors;
            if (record.depth + 1 > depth) depth = record.depth + 1;
            if (depth > MAX_LINEAGE_DEPTH || ancestors > MAX_ANCESTORS) {
                revert ProvenanceLineageTooLarge(depth, ancestors);
            }
            // A duplicate input is consumed by its first occurrence, so it fails here.
            _requireMovable(record, input);
            address offeree = record.pendingCustodian;
            if (offeree != address(0)) revert ProvenanceOfferPending(input, offeree);
            record.consumed = true;
            _outputs[input] = output;
        }
        // Both are at most MAX_ANCESTORS (64), checked above.
        return (uint8(depth), uint8(ancestors));
    }

    /// @dev `_registry.actingFor(actor, anyOfRoles)`, called without the ABI coder: about 300 gas less
    /// per call, which the trace-event gas target (35k per event) needs. A failed call bubbles up.
    function _actingFor(address actor, uint32 anyOfRoles) private view returns (address enterprise) {
        IEnterpriseRegistry registry_ = _registry;
        bytes4 selector = IEnterpriseRegistry.actingFor.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Arguments go above the free memory pointer (not claimed), the result into scratch space.
            let input := mload(0x40)
            mstore(input, selector)
            mstore(add(input, 0x04), actor)
            mstore(add(input, 0x24), anyOfRoles)
            if iszero(staticcall(gas(), registry_, input, 0x44, 0x00, 0x20)) {
                returndatacopy(input, 0x00, returndatasize())
                revert(input, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            enterprise := and(mload(0x00), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @dev Reverts unless `enterprise` holds the GS1 Company Prefix of `code`, whose twelve
    /// prefix-bearing digits are `key12`.
    function _requirePrefixHolder(uint64 code, uint64 key12, address enterprise) private view {
        // Only the holder decides; the prefix and its length are there for people reading the answer.
        // slither-disable-next-line unused-return
        (address holder,,) = _registry.prefixOf(key12);
        if (holder != enterprise) revert ProvenanceNotPrefixHolder(code, enterprise, holder);
    }

    function _recordSellerIfRetailer(bytes32 batchId, address enterprise) private {
        if (_actingFor(enterprise, Roles.RETAILER) == enterprise) {
            _batches[batchId].seller = enterprise;
            emit SellerRecorded(batchId, enterprise);
        }
    }

    function _requireBatch(bytes32 batchId) private view returns (Batch storage record) {
        record = _batches[batchId];
        if (record.custodian == address(0)) revert ProvenanceUnknownBatch(batchId);
    }

    /// @dev Returns the custodian if the caller acts for it (active, any role).
    function _requireCustodian(Batch storage record, bytes32 batchId) private view returns (address holder) {
        holder = record.custodian;
        if (_actingFor(msg.sender, Roles.ALL) != holder) {
            revert ProvenanceNotCustodian(batchId, msg.sender, holder);
        }
    }

    function _requireMovable(Batch storage record, bytes32 batchId) private view {
        if (record.consumed) revert ProvenanceBatchConsumed(batchId, _outputs[batchId]);
        if (_isRecalled(record, batchId)) revert ProvenanceBatchRecalled(batchId);
    }

    /// @dev Whether the batch or any ancestor is recalled. Visits `record.ancestors` batches at most
    /// (≤ MAX_ANCESTORS), depth-first; a created batch costs nothing beyond its own slot.
    function _isRecalled(Batch storage record, bytes32 batchId) private view returns (bool) {
        if (record.recalled) return true;
        uint256 ancestors = record.ancestors;
        return ancestors != 0 && _lineageRecalled(batchId, ancestors);
    }

    /// @dev Whether any of the batch's `ancestors` ancestors is recalled, walking its lineage
    /// depth-first. Visits at most `ancestors` (≤ MAX_ANCESTORS) batches.
    function _lineageRecalled(bytes32 batchId, uint256 ancestors) private view returns (bool) {
        // A batch feeds one transformation at most, so the lineage is a tree and every ancestor is
        // pushed exactly once: `ancestors` entries suffice.
        bytes32[] memory stack = new bytes32[](ancestors);
        uint256 top = _pushInputs(stack, 0, batchId);
        while (top != 0) {
            --top;
            bytes32 ancestor = stack[top];
            Batch storage ancestorRecord = _batches[ancestor];
            if (ancestorRecord.recalled) return true;
            if (ancestorRecord.ancestors != 0) top = _pushInputs(stack, top, ancestor);
        }
        return false;
    }

    function _pushInputs(bytes32[] memory stack, uint256 top, bytes32 batchId) private view returns (uint256) {
        bytes32[] storage inputs = _inputs[batchId];
        uint256 count = inputs.length;
        for (uint256 i = 0; i < count; ++i) {
            stack[top + i] = inputs[i];
        }
        return top + count;
    }

    function _checkBatchFields(
        string calldata lot,
        Origin calldata origin,
        uint40 productionDate,
        uint32 quantity,
        string calldata metadataURI
    ) private view {
        _checkLot(lot);
        _checkSite(origin);
        if (productionDate == 0 || productionDate > block.timestamp) {
            revert ProvenanceInvalidProductionDate(productionDate);
        }
        if (quantity == 0) revert ProvenanceInvalidQuantity(quantity);
        if (bytes(metadataURI).length > _MAX_URI_LENGTH) revert ProvenanceInvalidMetadataURI(bytes(metadataURI).length);
    }

    function _checkLot(string calldata lot) private pure {
        bytes calldata raw = bytes(lot);
        uint256 length = raw.length;
        if (length == 0 || length > _MAX_LOT_LENGTH) revert ProvenanceInvalidLotLength(length);
        for (uint256 i = 0; i < length; ++i) {
            // _CSET82 has no bit above 127, so non-ASCII bytes fail too.
            if ((_CSET82 >> uint8(raw[i])) & 1 == 0) revert ProvenanceInvalidLotCharacter(lot, i);
        }
    }

    function _checkSite(Origin calldata site) private pure {
        uint256 placeLength = bytes(site.place).length;
        if (placeLength == 0 || placeLength > _MAX_PLACE_LENGTH) revert ProvenanceInvalidPlace(placeLength);
        uint32 regionCode = site.regionCode;
        if (regionCode < 100000 || regionCode > 999999) revert ProvenanceInvalidRegion(regionCode);
        int32 latitude = site.latitude;
        int32 longitude = site.longitude;
        if (latitude < -90e6 || latitude > 90e6 || longitude < -180e6 || longitude > 180e6) {
            revert ProvenanceInvalidCoordinates(latitude, longitude);
        }
    }

    /// @dev GS1 mod-10 check digit over a code of at most 14 digits (caller checks the range).
    function _checkDigitValid(uint64 code) private pure returns (bool) {
        uint256 body = code / 10;
        uint256 sum = 0;
        // Weights alternate 3, 1, 3, ... from the digit next to the check digit; at most 7 rounds.
        // Cannot overflow: body < 10^13 and sum ≤ 13 × 27.
        unchecked {
            while (body != 0) {
                sum += (body % 10) * 3;
                body /= 10;
                sum += body % 10;
                body /= 10;
            }
        }
        return (10 - (sum % 10)) % 10 == code % 10;
    }

    function _batchId(uint64 gtin, string calldata lot) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(gtin, lot));
    }
}
