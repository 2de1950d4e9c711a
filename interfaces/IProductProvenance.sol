// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IEnterpriseRegistry} from "./IEnterpriseRegistry.sol";

/// @title IProductProvenance
/// @notice Batch-level traceability (溯源) with GS1 identifiers. Producers register products (GTIN-14)
/// and create batches (GTIN + lot) whose serials are committed as one Merkle root; quality alliances
/// certify batches; custodians, producers, inspectors and regulators record EPCIS-shaped trace
/// events; custody moves in two signed steps (offer, accept); processors transform input batches
/// into output batches; producers and regulators recall; platforms record consumer scans.
///
/// Storage holds what contracts read back: a product's producer, a location's enterprise, per batch
/// its custodian, pending offer, producer, serials root, recall/consumed flags and lineage,
/// certifications and recorded scan keys, plus each batch's seller (one slot, so a consumer's
/// "who sold this?" is one call). Everything else (names, origins, lots, trace events, the custody
/// chain, scan counts) lives in events, and the SDK reads it from logs.
///
/// Every enterprise is an {IEnterpriseRegistry} primary account; any account acting for it
/// ({IEnterpriseRegistry-actingFor}) may call on its behalf, and only while it is active.
///
/// Lineage bound: a batch feeds at most one transformation (it is consumed), so every lineage is a
/// tree. A transformation's output may sit at most {MAX_LINEAGE_DEPTH} (8) transformations above
/// its created ancestors and have at most {MAX_ANCESTORS} (64) ancestors; transform reverts with
/// {ProvenanceLineageTooLarge} beyond that. Recall writes one flag (O(1) gas) and {isRecalled} walks
/// the at most 64 ancestors.
interface IProductProvenance {
    /// @notice Business steps, a subset of the GS1 Core Business Vocabulary, in this order (0..9).
    enum BizStep {
        Commissioning,
        Harvesting,
        Inspecting,
        Packing,
        Shipping,
        Receiving,
        Storing,
        Transforming,
        RetailSelling,
        Recalling
    }

    /// @notice Where a batch was produced, or where a registered location (GLN) lies.
    /// @param place Place name, 1..96 bytes of UTF-8 (e.g. "砀山县良梨镇").
    /// @param regionCode GB/T 2260 administrative division code, six digits (e.g. 341321).
    /// @param latitude Degrees × 10^6, -90e6..90e6.
    /// @param longitude Degrees × 10^6, -180e6..180e6.
    struct Origin {
        string place;
        uint32 regionCode;
        int32 latitude;
        int32 longitude;
    }

    /// @notice What contracts read about a batch; 5 storage slots.
    struct Batch {
        // slot 0, read by every trace event and custody move
        address custodian; // the enterprise holding the batch; the creator first
        uint64 gtin;
        bool recalled; // recalled itself; {isRecalled} also looks at the lineage
        bool consumed; // an input of a transformation: custody no longer moves
        uint8 depth; // transformations between this batch and its farthest created ancestor
        uint8 ancestors; // batches in its lineage tree (0 for a created batch)
        // slot 1
        address producer; // the enterprise that created the batch (by createBatch or transform)
        // slot 2
        address pendingCustodian; // enterprise offered custody, or address(0)
        // slot 3
        address seller; // last custodian that held RETAILER when it took custody, or address(0)
        // slot 4
        bytes32 serialsRoot; // OpenZeppelin StandardMerkleTree root over the serials, or 0
    }

    /// @notice What a batch's certification is worth now (see {certificationStatus}).
    /// `CertifierInactive`: the alliance is suspended, revoked, expired or no longer holds
    /// QUALITY_ALLIANCE — a certificate is only as good as its certifier's standing.
    enum CertificationStatus {
        None,
        Valid,
        Expired,
        CertifierInactive,
        Recalled
    }

    /// @notice A batch's certification by a quality alliance; 2 storage slots.
    struct Certification {
        address alliance;
        uint40 expiry;
        bytes32 certificateHash;
    }

    event ProductRegistered(
        uint64 indexed gtin, address indexed producer, string name, string features, bytes32 metadataHash
    );
    event BatchCreated(
        bytes32 indexed batchId,
        uint64 indexed gtin,
        address indexed producer,
        string lot,
        Origin origin,
        uint40 productionDate,
        uint32 quantity,
        bytes32 serialsRoot,
        bytes32 metadataHash,
        string metadataURI
    );
    event BatchTransformed(bytes32 indexed outputBatchId, address indexed enterprise, bytes32[] inputBatchIds);
    event BatchCertified(
        bytes32 indexed batchId, address indexed alliance, bytes32 certificateHash, uint40 expiry
    );
    /// @notice The batch's producer asked `alliance` to certify it; only that alliance may.
    event CertificationRequested(bytes32 indexed batchId, address indexed producer, address indexed alliance);
    /// @notice `alliance`'s certification of the batch was revoked, by the alliance or by the
    /// regulator `revokedBy`.
    event CertificationRevoked(bytes32 indexed batchId, address indexed alliance, address indexed revokedBy);
    /// @notice The holder of the GTIN's GS1 Company Prefix took over the product from `from`.
    event ProductReassigned(uint64 indexed gtin, address indexed from, address indexed to);
    /// @notice The holder of the GLN's GS1 Company Prefix took over the location from `from`.
    event LocationReassigned(uint64 indexed gln, address indexed from, address indexed to);
    /// @notice One EPCIS-shaped event: what (batch, item), when (the block's timestamp), where (a GLN,
    /// described once by {LocationRegistered}), why (business step), who (the acting enterprise), plus
    /// a hash of the full off-chain record.
    event TraceEventRecorded(
        bytes32 indexed batchId,
        bytes32 indexed itemHash,
        address indexed enterprise,
        uint8 bizStep,
        uint64 gln,
        bytes32 dataHash
    );
    /// @notice EPCIS location master data: the site `gln` belongs to `enterprise` and lies at `site`.
    event LocationRegistered(uint64 indexed gln, address indexed enterprise, Origin site);
    event CustodyOffered(bytes32 indexed batchId, address indexed from, address indexed to);
    event CustodyAccepted(bytes32 indexed batchId, address indexed from, address indexed to);
    event CustodyOfferWithdrawn(bytes32 indexed batchId, address indexed from, address indexed to);
    /// @notice `seller` held RETAILER when it became the custodian, so consumers see it as the seller.
    event SellerRecorded(bytes32 indexed batchId, address indexed seller);
    /// @notice The batch was recalled; batches transformed from it read as recalled too.
    event BatchRecalled(bytes32 indexed batchId, address indexed enterprise, string reason);
    /// @notice A platform recorded one batch of consumer scans of the batch `batchId`. `scans` holds one
    /// 36-byte record per item, as {recordScans} took them: the item hash (32 bytes; 0 for a lot-level
    /// code without serial), then its number of new scans (uint32, big-endian). An item's public scan
    /// count is the sum of its counts over these events. One event per scan batch, not per item, keeps
    /// a scan within its gas budget; the SDK decodes the records.
    event ScanBatchRecorded(address indexed platform, bytes32 indexed scanBatch, bytes32 indexed batchId, bytes scans);

    /// @notice The registry address given to the constructor is zero.
    error ProvenanceZeroAddress();
    /// @notice The caller does not act for an active enterprise holding any of `rolesNeeded`.
    error ProvenanceNotAuthorized(address caller, uint32 rolesNeeded);
    /// @notice The caller does not act for `producer`, the product's producer, with the needed role.
    error ProvenanceNotProducer(address caller, address producer);
    /// @notice The caller does not act for the batch's current custodian.
    error ProvenanceNotCustodian(bytes32 batchId, address caller, address custodian);
    /// @notice The caller may not record this business step for this batch.
    error ProvenanceCannotRecord(bytes32 batchId, address caller, uint8 bizStep);
    /// @notice The caller acts neither for the batch's producer nor for an active regulator.
    error ProvenanceCannotRecall(bytes32 batchId, address caller);
    /// @notice The caller does not act for `alliance`, the quality alliance that certified the batch.
    error ProvenanceNotCertifier(bytes32 batchId, address caller, address alliance);

    /// @notice The GS1 key `code` (a GTIN or GLN) is under a Company Prefix that `holder` holds
    /// (address(0): nobody), not the caller's enterprise `enterprise`. See
    /// {IEnterpriseRegistry-assignPrefix}.
    error ProvenanceNotPrefixHolder(uint64 code, address enterprise, address holder);
    /// @notice `enterprise` already holds the product or location `code`.
    error ProvenanceAlreadyRegistrant(uint64 code, address enterprise);
    error ProvenanceUnknownProduct(uint64 gtin);
    error ProvenanceProductExists(uint64 gtin, address producer);
    error ProvenanceUnknownBatch(bytes32 batchId);
    error ProvenanceBatchExists(bytes32 batchId);

    /// @notice Not a GTIN-14 (1..10^14-1) with a valid GS1 mod-10 check digit.
    error ProvenanceInvalidGtin(uint64 gtin);
    /// @notice Not a GLN-13 (1..10^13-1) with a valid GS1 mod-10 check digit; trace events check the
    /// range only (0 = no location) and leave the check digit to {registerLocation}.
    error ProvenanceInvalidGln(uint64 gln);
    /// @notice The GLN is already registered, by `enterprise`.
    error ProvenanceLocationExists(uint64 gln, address enterprise);
    error ProvenanceUnknownLocation(uint64 gln);
    /// @notice A lot must be 1..20 bytes long.
    error ProvenanceInvalidLotLength(uint256 length);
    /// @notice The byte at `position` (0-based) of `lot` is outside the GS1 AI character set 82.
    error ProvenanceInvalidLotCharacter(string lot, uint256 position);
    /// @notice A product name must be 1..96 bytes.
    error ProvenanceInvalidName(uint256 length);
    /// @notice Product features must be at most 512 bytes.
    error ProvenanceInvalidFeatures(uint256 length);
    /// @notice An origin or site place name must be 1..96 bytes.
    error ProvenanceInvalidPlace(uint256 length);
    /// @notice A metadata URI must be at most 256 bytes.
    error ProvenanceInvalidMetadataURI(uint256 length);
    /// @notice A recall reason must be 1..256 bytes.
    error ProvenanceInvalidReason(uint256 length);
    /// @notice Not a six-digit GB/T 2260 code.
    error ProvenanceInvalidRegion(uint32 regionCode);
    error ProvenanceInvalidCoordinates(int32 latitude, int32 longitude);
    /// @notice The production date is zero or later than the block's timestamp.
    error ProvenanceInvalidProductionDate(uint40 productionDate);
    error ProvenanceInvalidQuantity(uint32 quantity);
    error ProvenanceInvalidBizStep(uint8 bizStep);

    /// @notice `to` is zero, the current custodian, or not an active enterprise (primary account)
    /// holding LOGISTICS, RETAILER, PROCESSOR or PRODUCER.
    error ProvenanceInvalidReceiver(bytes32 batchId, address to);
    /// @notice The batch already has an offer to `offeree`; withdraw it first.
    error ProvenanceOfferPending(bytes32 batchId, address offeree);
    error ProvenanceNoOffer(bytes32 batchId);
    /// @notice The caller does not act for `offeree`, the enterprise offered custody.
    error ProvenanceNotOfferee(bytes32 batchId, address caller, address offeree);
    /// @notice The caller's enterprise already holds the batch (e.g. it accepted twice).
    error ProvenanceAlreadyCustodian(bytes32 batchId, address custodian);
    /// @notice The batch was transformed into `outputBatchId`; it no longer moves.
    error ProvenanceBatchConsumed(bytes32 batchId, bytes32 outputBatchId);
    /// @notice The batch, or a batch it was transformed from, is recalled.
    error ProvenanceBatchRecalled(bytes32 batchId);
    /// @notice A transformation needs 1..64 input batches.
    error ProvenanceInvalidInputs(uint256 count);
    /// @notice The output's lineage would exceed {MAX_LINEAGE_DEPTH} or {MAX_ANCESTORS}.
    error ProvenanceLineageTooLarge(uint256 depth, uint256 ancestors);

    /// @notice The certificate hash is zero or the expiry is not in the future.
    error ProvenanceInvalidCertificate(bytes32 certificateHash, uint40 expiry);
    error ProvenanceNotCertified(bytes32 batchId);
    /// @notice `alliance` is not an active QUALITY_ALLIANCE enterprise's primary account.
    error ProvenanceInvalidCertifier(bytes32 batchId, address alliance);
    /// @notice The batch's producer asked `requested` (address(0): nobody) to certify it, not the
    /// caller's alliance `alliance`, which does not hold its certification either.
    error ProvenanceNotRequested(bytes32 batchId, address alliance, address requested);
    /// @notice The batch's producer is not active: its certification request is void meanwhile.
    error ProvenanceInactiveProducer(bytes32 batchId, address producer);
    /// @notice The custodian that made the offer is not active: the offer is void meanwhile.
    error ProvenanceInactiveCustodian(bytes32 batchId, address custodian);

    /// @notice Packed scans must be whole 36-byte records (item hash, count); these are `length` bytes.
    error ProvenanceMalformedScans(uint256 length);
    /// @notice A scan batch holds 1..{MAX_SCANS_PER_CALL} items.
    error ProvenanceInvalidScanBatch(uint256 items);
    error ProvenanceZeroScanCount(bytes32 itemHash);
    /// @notice This platform already recorded the scan batch `scanBatch` (a resubmission).
    error ProvenanceScanBatchRecorded(address platform, bytes32 scanBatch);

    // ---------------------------------------------------------------- products and batches

    /// @notice Registers a product under its GTIN-14; the caller's enterprise becomes its producer.
    /// Requirements:
    /// - the caller acts for an active enterprise holding PRODUCER or PROCESSOR (a processor brands
    ///   the outputs of its transformations) that holds the GTIN's GS1 Company Prefix;
    /// - `gtin` is a GTIN-14 with a valid check digit, not registered before;
    /// - `name` is 1..96 bytes; `features` at most 512 bytes.
    /// Emits a {ProductRegistered} event.
    function registerProduct(uint64 gtin, string calldata name, string calldata features, bytes32 metadataHash)
        external;

    /// @notice Creates the batch `keccak256(abi.encodePacked(gtin, lot))`; the product's producer
    /// becomes its producer and first custodian. `serialsRoot` commits to every serial of the batch
    /// (see {isItemOf}), so one transaction registers any number of items.
    /// Requirements:
    /// - the product is registered and the caller acts for its producer, active and holding PRODUCER;
    /// - `lot` is 1..20 bytes of the GS1 AI character set 82; the batch does not exist;
    /// - origin place 1..96 bytes, six-digit region code, coordinates in range;
    /// - `productionDate` is not zero nor in the future; `quantity` is not zero;
    /// - `metadataURI` at most 256 bytes.
    /// Emits a {BatchCreated} event, and a {SellerRecorded} event if the producer holds RETAILER.
    function createBatch(
        uint64 gtin,
        string calldata lot,
        Origin calldata origin,
        uint40 productionDate,
        uint32 quantity,
        bytes32 serialsRoot,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external returns (bytes32 batchId);

    /// @notice Transforms input batches into a new output batch of `outputGtin` (pears → juice).
    /// The inputs become consumed; the output's producer and first custodian is the caller's enterprise.
    /// Requirements:
    /// - the caller acts for an active enterprise holding PROCESSOR or PRODUCER that is the output
    ///   product's producer and the custodian of every input;
    /// - 1..64 inputs, each existing, not consumed (no duplicates), not recalled, without a pending offer;
    /// - the output's lineage stays within {MAX_LINEAGE_DEPTH} and {MAX_ANCESTORS};
    /// - the output batch fields as in {createBatch}.
    /// Emits a {BatchCreated} event, a {BatchTransformed} event, and a {SellerRecorded} event if the
    /// enterprise holds RETAILER.
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
    ) external returns (bytes32 outputBatchId);

    /// @notice Takes over a product whose GTIN lies under a GS1 Company Prefix the caller's
    /// enterprise now holds (the admins reassigned it, e.g. from an enterprise that lost its
    /// standing, or the product was registered before prefixes were checked). Batches keep their
    /// producer; new batches are the new holder's.
    /// Requirements: the caller acts for an active PRODUCER or PROCESSOR enterprise holding the
    /// GTIN's prefix; the product is registered, by another enterprise.
    /// Emits a {ProductReassigned} event.
    function claimProduct(uint64 gtin) external;

    // ---------------------------------------------------------------- certification

    /// @notice Asks `alliance` to certify the batch (or to replace the current certification): a
    /// certification binds the batch's producer, so it needs the producer's consent. A new request
    /// replaces an earlier one.
    /// Requirements: the caller acts for the batch's producer (active); `alliance` is an active
    /// QUALITY_ALLIANCE enterprise's primary account; the batch is not recalled.
    /// Emits a {CertificationRequested} event.
    function requestCertification(bytes32 batchId, address alliance) external;

    /// @notice Certifies a batch at its producer's request, replacing any earlier certification, or
    /// renews the caller's own certification of it.
    /// Requirements:
    /// - the caller acts for an active QUALITY_ALLIANCE enterprise that the producer asked (see
    ///   {requestCertification}) or that holds the batch's certification;
    /// - for a request: the producer is active now (a request is void while its maker is not);
    /// - the batch exists and is not recalled;
    /// - `certificateHash` is not zero and `expiry` is in the future.
    /// Emits a {BatchCertified} event.
    function certify(bytes32 batchId, bytes32 certificateHash, uint40 expiry) external;

    /// @notice Revokes a batch's certification.
    /// Requirements: the batch is certified and the caller acts for the certifying alliance, active
    /// and still holding QUALITY_ALLIANCE, or for an active REGULATOR.
    /// Emits a {CertificationRevoked} event.
    function revokeCertification(bytes32 batchId) external;

    // ---------------------------------------------------------------- trace events

    /// @notice Records an EPCIS-shaped trace event for a batch or one of its items. When is the
    /// block's timestamp; who is the caller's enterprise; where is a GLN-13 (GS1 location number of a
    /// farm, warehouse, dock or shop; 0 if none) whose region, coordinates and name are registered
    /// once with {registerLocation}, as EPCIS keeps location attributes in master data.
    /// Requirements:
    /// - the batch exists; `bizStep` is a {BizStep}; `gln` is below 10^13;
    /// - the caller acts for the current custodian or the batch's producer (active), or for an
    ///   active REGULATOR, or, for the `Inspecting` step, an active INSPECTOR or QUALITY_ALLIANCE;
    /// - once the batch or any batch it was transformed from is recalled, only the `Recalling` step.
    /// A consumed batch (an input of a transformation) still takes events; its custody no longer moves.
    /// Emits a {TraceEventRecorded} event.
    /// @param itemHash 0 for the whole batch, else `keccak256(bytes(serial))`.
    /// @param dataHash Hash of the full off-chain EPCIS record.
    function recordEvent(bytes32 batchId, bytes32 itemHash, uint8 bizStep, uint64 gln, bytes32 dataHash) external;

    /// @notice Registers a location (EPCIS master data) of the caller's enterprise: its GLN-13 and
    /// where it is. Trace events then name the location by GLN alone.
    /// Requirements:
    /// - the caller acts for an active enterprise (any role) that holds the GLN's GS1 Company Prefix;
    /// - `gln` is a GLN-13 with a valid check digit, not registered before;
    /// - site place 1..96 bytes, six-digit region code, coordinates in range.
    /// Emits a {LocationRegistered} event.
    function registerLocation(uint64 gln, Origin calldata site) external;

    /// @notice Takes over a location whose GLN lies under a prefix the caller's enterprise now
    /// holds, as {claimProduct} does for products.
    /// Requirements: the caller acts for an active enterprise holding the GLN's prefix; the location
    /// is registered, by another enterprise.
    /// Emits a {LocationReassigned} event.
    function claimLocation(uint64 gln) external;

    // ---------------------------------------------------------------- custody

    /// @notice Offers custody of a batch to another enterprise (step one of two).
    /// Requirements:
    /// - the caller acts for the current custodian (active);
    /// - the batch is not consumed nor recalled and has no pending offer;
    /// - `toEnterprise` is an active enterprise's primary account holding LOGISTICS, RETAILER,
    ///   PROCESSOR or PRODUCER, and not the custodian.
    /// Emits a {CustodyOffered} event.
    function offerCustody(bytes32 batchId, address toEnterprise) external;

    /// @notice Accepts offered custody (step two); the caller's enterprise becomes the custodian, and
    /// the seller if it holds RETAILER.
    /// Requirements:
    /// - the batch has a pending offer and the caller acts for the offered enterprise, active and
    ///   holding LOGISTICS, RETAILER, PROCESSOR or PRODUCER;
    /// - the custodian that offered is active now (an offer is void while its maker is not);
    /// - the batch is not recalled.
    /// Emits a {CustodyAccepted} event, and a {SellerRecorded} event if the enterprise holds RETAILER.
    function acceptCustody(bytes32 batchId) external;

    /// @notice Withdraws a pending custody offer (also after a recall, which blocks accepting it).
    /// Requirements: the caller acts for the current custodian, or is its primary account whatever
    /// its standing (taking an offer back never needs standing); an offer is pending.
    /// Emits a {CustodyOfferWithdrawn} event.
    function withdrawOffer(bytes32 batchId) external;

    // ---------------------------------------------------------------- recall and scans

    /// @notice Recalls a batch; it and every batch transformed from it read as recalled.
    /// Requirements:
    /// - the batch exists; the caller acts for its producer (active) or an active REGULATOR;
    /// - `reason` is 1..256 bytes; the batch itself is not recalled already.
    /// Emits a {BatchRecalled} event.
    function recall(bytes32 batchId, string calldata reason) external;

    /// @notice Records consumer scans of a batch's items, relayed by a platform's resolver.
    /// `scanBatch` is the platform's key for this submission: a resubmission after a crash reverts
    /// instead of counting twice.
    /// Requirements:
    /// - the caller acts for an active PLATFORM enterprise; the batch exists;
    /// - `scans` is 1..{MAX_SCANS_PER_CALL} whole records; no count is zero;
    /// - the platform has not recorded `scanBatch` before.
    /// Emits a {ScanBatchRecorded} event carrying the records.
    /// @param scans One 36-byte record per item: `keccak256(bytes(serial))` (or 0 for a lot-level
    /// code), then the item's number of new scans as a big-endian uint32.
    function recordScans(bytes32 scanBatch, bytes32 batchId, bytes calldata scans) external;

    // ---------------------------------------------------------------- views

    /// @notice The enterprise registry this contract asks who acts for whom.
    function registry() external view returns (IEnterpriseRegistry);

    /// @notice The producer of a registered product. Reverts with {ProvenanceUnknownProduct} otherwise.
    function product(uint64 gtin) external view returns (address producer);

    /// @notice The enterprise that registered the location `gln`. Reverts with {ProvenanceUnknownLocation}
    /// otherwise.
    function location(uint64 gln) external view returns (address enterprise);

    /// @notice `keccak256(abi.encodePacked(gtin, lot))`, the id of the batch `lot` of `gtin`.
    function batchIdOf(uint64 gtin, string calldata lot) external pure returns (bytes32);

    /// @notice The stored record of a batch. Reverts with {ProvenanceUnknownBatch} for an unknown
    /// batch, as do the other views keyed by batch except {isItemOf}.
    function batch(bytes32 batchId) external view returns (Batch memory);

    /// @notice The enterprise currently holding the batch.
    function custodian(bytes32 batchId) external view returns (address);

    /// @notice The enterprise offered custody, or address(0).
    function pendingOffer(bytes32 batchId) external view returns (address offeree);

    /// @notice The last custodian that held RETAILER when it took custody, or address(0).
    function sellerOf(bytes32 batchId) external view returns (address);

    /// @notice The batch's certification record (zeros if none); see {certificationStatus} for
    /// whether it is valid now.
    function certification(bytes32 batchId) external view returns (Certification memory);

    /// @notice Whether the batch's certification is valid now: it exists, is unexpired, its alliance
    /// is active and still holds QUALITY_ALLIANCE, and the batch (or its lineage) is not recalled.
    function certificationStatus(bytes32 batchId) external view returns (CertificationStatus);

    /// @notice The alliance the batch's producer asked to certify it, or address(0).
    function certificationRequest(bytes32 batchId) external view returns (address alliance);

    /// @notice Whether the batch or any batch it was transformed from (at any depth) is recalled.
    function isRecalled(bytes32 batchId) external view returns (bool);

    /// @notice The batches this batch was transformed from (empty for a created batch).
    function inputsOf(bytes32 batchId) external view returns (bytes32[] memory);

    /// @notice The batches transformed from this batch: empty, or the one output that consumed it.
    function outputsOf(bytes32 batchId) external view returns (bytes32[] memory);

    /// @notice Whether `serial` belongs to the batch: `proof` proves the leaf
    /// `keccak256(bytes.concat(keccak256(abi.encode(serial))))` (OpenZeppelin StandardMerkleTree,
    /// value type `string`) into the batch's serials root. False for an unknown batch.
    function isItemOf(bytes32 batchId, string calldata serial, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether `platform` already recorded the scan batch `scanBatch`.
    function scanBatchRecorded(address platform, bytes32 scanBatch) external view returns (bool);

    /// @notice Most transformations between an output and its farthest created ancestor (8).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_LINEAGE_DEPTH() external view returns (uint256);

    /// @notice Most ancestors of a batch (64), and so most inputs of one transformation.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_ANCESTORS() external view returns (uint256);

    /// @notice Most items in one {recordScans} call (500).
    // solhint-disable-next-line func-name-mixedcase
    function MAX_SCANS_PER_CALL() external view returns (uint256);
}
