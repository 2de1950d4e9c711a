// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IEnterpriseRegistry
/// @notice The consortium's vetted list of enterprises (企业上链). Admins govern it M-of-N: an
/// admin votes for an action by calling its function; the action takes effect on the M-th vote.
/// Votes are bound to the enterprise's record version and to the admin set, so a vote never
/// carries over to a changed record or a changed consortium. Any single admin may suspend at once.
/// Other contracts ask one cheap question: {actingFor}.
interface IEnterpriseRegistry {
    /// @notice What an account is to the registry. `Operator`: it acts for an enterprise (see
    /// {operatorOf}) and cannot itself apply or be imported.
    enum Status {
        None,
        Applied,
        Active,
        Suspended,
        Revoked,
        Rejected,
        Operator
    }

    /// @notice One account's record, kept packed in a single storage slot.
    struct Enterprise {
        bytes18 creditCode; // 统一社会信用代码, 18 ASCII characters
        uint32 roles; // bit mask, see contracts/libraries/Roles.sol
        uint40 licenceExpiry; // unix seconds; the enterprise is inactive from this moment
        Status status;
        uint32 version; // bumped by every governed change; votes name the version they approve
    }

    event EnterpriseApplied(
        address indexed account,
        bytes18 creditCode,
        uint32 roles,
        uint40 licenceExpiry,
        bytes32 licenceHash,
        string name,
        string metadataURI
    );
    event ProposalVoted(bytes32 indexed proposal, address indexed admin, uint256 votes, uint256 threshold);
    event EnterpriseApproved(address indexed account, uint32 roles);
    event EnterpriseRejected(address indexed account);
    event EnterpriseRolesChanged(address indexed account, uint32 roles);
    event EnterpriseSuspended(address indexed account, address indexed admin);
    event EnterpriseReinstated(address indexed account);
    event EnterpriseRevoked(address indexed account);
    event LicenceRenewed(address indexed account, bytes32 licenceHash, uint40 licenceExpiry);
    /// @notice `account` offered `operator` to act for it; the operator's {acceptOperator} binds it.
    event OperatorOffered(address indexed account, address indexed operator);
    event OperatorOfferWithdrawn(address indexed account, address indexed operator);
    event OperatorAdded(address indexed account, address indexed operator);
    /// @notice The binding ended: removed by the enterprise, resigned by the operator, or cleared by
    /// an admin because the enterprise is not active.
    event OperatorRemoved(address indexed account, address indexed operator);
    event AdminAdded(address indexed admin);
    event AdminRemoved(address indexed admin);
    event ThresholdChanged(uint256 threshold);
    event ImportApproved(bytes32 indexed importRoot, uint256 chunks);
    /// @notice One chunk of an import was applied; `rows` are its packed rows (see {importChunk}),
    /// each an enterprise now active, with its name and licence hash, unless an {ImportRowSkipped}
    /// said otherwise. The rows ride in the log, so any indexer reads them with eth_getLogs alone,
    /// whoever applied the chunk (an admin account or an admin contract such as a multisig).
    event ImportChunkApplied(bytes32 indexed importRoot, uint256 indexed chunk, bytes rows);
    /// @notice A row of an applied chunk was not registered: its account already had a record of
    /// `status` (an enterprise or an operator), or its credit code is held by the vetted enterprise
    /// `creditCodeHolder`. Nobody can make an approved import fail; conflicts are reported instead.
    event ImportRowSkipped(
        bytes32 indexed importRoot, address indexed account, Status status, address creditCodeHolder
    );
    /// @notice The GS1 Company Prefix `prefix` of `digits` digits now belongs to `account` (it was
    /// `previousHolder`'s, or nobody's): GTINs and GLNs under it are `account`'s to register.
    event PrefixAssigned(address indexed account, uint64 prefix, uint8 digits, address previousHolder);
    event PrefixRevoked(address indexed account, uint64 prefix, uint8 digits);

    /// @notice `account` is not an active enterprise (status Active and licence unexpired).
    error RegistryNotActive(address account);
    /// @notice `account` has not offered `operator` to act for it.
    error RegistryNoOperatorOffer(address account, address operator);
    /// @notice `account` is active: only the enterprise itself or its operator can end the binding.
    error RegistryEnterpriseActive(address account);
    /// @notice A GS1 Company Prefix has 4 to 12 digits; `prefix` must fit in `digits` digits.
    error RegistryInvalidPrefix(uint64 prefix, uint8 digits);
    /// @notice The prefix is held by `holder`, which is active (or is the account named).
    error RegistryPrefixTaken(uint64 prefix, uint8 digits, address holder);
    /// @notice No enterprise holds this prefix.
    error RegistryPrefixNotAssigned(uint64 prefix, uint8 digits);
    /// @notice The caller is not a consortium admin.
    error RegistryNotAdmin(address caller);
    /// @notice This admin already voted for this proposal.
    error RegistryAlreadyVoted(bytes32 proposal, address admin);
    /// @notice The enterprise's status does not allow this action.
    error RegistryWrongStatus(address account, Status status);
    /// @notice Another enterprise already holds this credit code.
    error RegistryCreditCodeTaken(bytes18 creditCode, address holder);
    /// @notice The credit code is empty.
    error RegistryInvalidCreditCode(bytes18 creditCode);
    /// @notice The role mask is empty or has bits of no defined role.
    error RegistryInvalidRoles(uint32 roles);
    /// @notice A name must be 1 to 96 bytes of UTF-8.
    error RegistryInvalidName(uint256 length);
    /// @notice A metadata URI must be at most 256 bytes.
    error RegistryInvalidMetadataURI(uint256 length);
    /// @notice The zero address cannot be an enterprise, operator or admin.
    error RegistryZeroAddress();
    /// @notice The licence expiry is not in the future.
    error RegistryLicenceExpired(uint40 licenceExpiry);
    /// @notice The operator already acts for an enterprise, or is itself an enterprise account.
    error RegistryOperatorTaken(address operator, address enterprise);
    /// @notice The account is not an operator of this enterprise.
    error RegistryNotOperator(address account, address operator);
    /// @notice The threshold must be between 1 and the number of admins.
    error RegistryInvalidThreshold(uint256 threshold, uint256 admins);
    /// @notice The account is already an admin.
    error RegistryAdminExists(address admin);
    /// @notice A consortium has at most 256 admins (one bit each in a vote).
    error RegistryTooManyAdmins(uint256 admins);
    /// @notice Removing this admin would leave fewer admins than the threshold.
    error RegistryTooFewAdmins(uint256 admins, uint256 threshold);
    /// @notice The import was not approved, or the chunk index is past its last chunk.
    error RegistryImportNotApproved(bytes32 importRoot);
    /// @notice This import root was approved before.
    error RegistryImportAlreadyApproved(bytes32 importRoot);
    /// @notice An import needs at least one chunk.
    error RegistryImportEmpty(bytes32 importRoot);
    /// @notice This chunk of the import was applied before.
    error RegistryImportChunkApplied(bytes32 importRoot, uint256 chunk);
    /// @notice The chunk's rows do not prove into the approved import root.
    error RegistryImportInvalidProof(bytes32 importRoot, uint256 chunk);
    /// @notice A packed import row ends early, or its name is empty or longer than 96 bytes.
    error RegistryImportMalformedRow(uint256 offset);

    // ---------------------------------------------------------------- enterprise self-service

    /// @notice Applies to join the consortium from the enterprise's own primary account. An
    /// application claims nothing: the credit code is bound to the account only when the admins
    /// approve it, so an unvetted applicant can never hold another company's code.
    /// Requirements:
    /// - the caller has no record, or its earlier application was rejected (an operator cannot apply);
    /// - `creditCode` is not empty nor held by a vetted enterprise; `roles` is a non-empty valid mask;
    /// - `name` is 1..96 bytes; `metadataURI` at most 256 bytes; `licenceExpiry` is in the future.
    /// Emits an {EnterpriseApplied} event.
    function applyToJoin(
        string calldata name,
        bytes18 creditCode,
        uint32 roles,
        bytes32 licenceHash,
        uint40 licenceExpiry,
        string calldata metadataURI
    ) external;

    /// @notice Offers `operator` to act for the caller's enterprise (step one of two): nothing binds
    /// the operator until it accepts with {acceptOperator}.
    /// Requirements: the caller is an active enterprise's primary account; `operator` is not zero,
    /// acts for no enterprise and has no record of its own.
    /// Emits an {OperatorOffered} event.
    function addOperator(address operator) external;

    /// @notice Accepts `account`'s offer (step two): the caller then acts for `account`.
    /// Requirements: `account` offered the caller and is active now (an offer is void while its
    /// maker is not active); the caller has no record (not an enterprise, not another's operator).
    /// Emits an {OperatorAdded} event.
    function acceptOperator(address account) external;

    /// @notice Stops `operator` acting for the caller's enterprise, or withdraws an offer to it.
    /// Allowed whatever the enterprise's status: taking a right back never needs standing.
    /// Requirements: `operator` acts for the caller, or the caller offered it.
    /// Emits an {OperatorRemoved} or {OperatorOfferWithdrawn} event.
    function removeOperator(address operator) external;

    /// @notice The caller stops acting for its enterprise (an operator may always leave).
    /// Requirements: the caller is an operator. Emits an {OperatorRemoved} event.
    function resignOperator() external;

    // ---------------------------------------------------------------- governed by M-of-N admins

    /// @notice Votes to approve an application with `roles`: the admins decide the roles granted,
    /// which may differ from those applied for. The M-th vote binds the credit code to the account.
    /// Requirements: caller is an admin who has not voted for this proposal; status Applied; on the
    /// M-th vote, no vetted enterprise holds the credit code.
    /// Emits {ProposalVoted}, and {EnterpriseApproved} on the M-th vote.
    function approve(address account, uint32 roles) external;

    /// @notice Votes to reject an application.
    /// Requirements: as {approve}. Emits {ProposalVoted}, and {EnterpriseRejected} on the M-th vote.
    function reject(address account) external;

    /// @notice Votes to replace an active or suspended enterprise's roles.
    /// Emits {ProposalVoted}, and {EnterpriseRolesChanged} on the M-th vote.
    function setRoles(address account, uint32 roles) external;

    /// @notice Votes to reinstate a suspended enterprise.
    /// Emits {ProposalVoted}, and {EnterpriseReinstated} on the M-th vote.
    function reinstate(address account) external;

    /// @notice Votes to revoke an active or suspended enterprise for good.
    /// Emits {ProposalVoted}, and {EnterpriseRevoked} on the M-th vote.
    function revoke(address account) external;

    /// @notice Votes to record a renewed licence for an enterprise that is not revoked or rejected.
    /// Requirements: `licenceExpiry` is in the future.
    /// Emits {ProposalVoted}, and {LicenceRenewed} on the M-th vote.
    function renewLicence(address account, bytes32 licenceHash, uint40 licenceExpiry) external;

    /// @notice Votes to add an admin. Emits {ProposalVoted}, and {AdminAdded} on the M-th vote.
    function addAdmin(address admin) external;

    /// @notice Votes to remove an admin; the threshold must still be reachable afterwards.
    /// Emits {ProposalVoted}, and {AdminRemoved} on the M-th vote.
    function removeAdmin(address admin) external;

    /// @notice Votes to change the threshold to `newThreshold` (1..number of admins).
    /// Emits {ProposalVoted}, and {ThresholdChanged} on the M-th vote.
    function setThreshold(uint256 newThreshold) external;

    /// @notice Votes to approve a bulk import of `chunks` chunks. `importRoot` is the Merkle root
    /// (OpenZeppelin MerkleProof, sorted pairs) over one leaf per chunk,
    /// `keccak256(bytes.concat(keccak256(abi.encodePacked(uint256 chunk, bytes rows))))`, as built by
    /// `shanglian.registry.ImportPlan`.
    /// Emits {ProposalVoted}, and {ImportApproved} on the M-th vote.
    function approveImport(bytes32 importRoot, uint256 chunks) external;

    /// @notice Votes to give the GS1 Company Prefix `prefix` (`digits` digits, 4..12; leading zeros
    /// count) to `account`: only the holder of a prefix registers GTINs and GLNs under it, and it
    /// may claim those registered by an earlier holder (see {IProductProvenance-claimProduct}).
    /// Requirements: `account` is Active; the prefix is unassigned, or its holder is not active
    /// (suspended, revoked or expired: the governed way to reassign the codes of an enterprise that
    /// lost its standing). Votes name the current holder, so they lapse if it changes.
    /// Emits {ProposalVoted}, and {PrefixAssigned} on the M-th vote.
    function assignPrefix(address account, uint64 prefix, uint8 digits) external;

    /// @notice Votes to take a prefix from its holder (e.g. its GS1 membership lapsed).
    /// Requirements: the prefix is assigned. Emits {ProposalVoted}, and {PrefixRevoked} on the M-th vote.
    function revokePrefix(uint64 prefix, uint8 digits) external;

    // ---------------------------------------------------------------- single admin

    /// @notice Ends the binding of `operator` to an enterprise that is not active (suspended,
    /// revoked, rejected or expired), so a stale binding never outlives its maker's standing.
    /// Requirements: caller is an admin; `operator` is an operator; its enterprise is not active.
    /// Emits an {OperatorRemoved} event.
    function clearOperator(address operator) external;

    /// @notice Suspends an active enterprise at once (emergency). Any single admin may do this.
    /// Emits an {EnterpriseSuspended} event.
    function suspend(address account) external;

    /// @notice Registers the rows of one chunk of an approved import as active enterprises.
    /// Each row is packed: account (20 bytes), roles (4), licence expiry (5), credit code (18),
    /// licence hash (32), name length (1), name (UTF-8).
    /// Requirements: caller is an admin; the import is approved; the chunk proves into its root
    /// and was not applied before; every row's account is not zero, its credit code not empty, its
    /// roles valid and its name 1..96 bytes (all fixed when the admins approved the root).
    /// Nothing anybody does after the approval can make a chunk fail: a row whose account already
    /// has a record (other than an application, which the import supersedes) or whose credit code a
    /// vetted enterprise holds is skipped with an {ImportRowSkipped} event; a licence that expired
    /// since the approval leaves the enterprise inactive until a renewal is approved.
    /// Emits an {ImportChunkApplied} event carrying the rows.
    function importChunk(bytes32 importRoot, uint256 chunk, bytes calldata rows, bytes32[] calldata proof)
        external;

    // ---------------------------------------------------------------- views

    /// @notice The enterprise that `actor` acts for (itself or as operator), if it is active (status
    /// Active and licence unexpired) and holds any of `anyOfRoles`; otherwise address(0).
    function actingFor(address actor, uint32 anyOfRoles) external view returns (address enterpriseAccount);

    /// @notice The record of the enterprise whose primary account is `account`.
    function enterprise(address account) external view returns (Enterprise memory);

    /// @notice Whether `account` is active now (status Active and licence unexpired).
    function isActive(address account) external view returns (bool);

    /// @notice The vetted enterprise (approved or imported) holding `creditCode`, or address(0).
    function accountOfCreditCode(bytes18 creditCode) external view returns (address);

    /// @notice The enterprise `operator` acts for, or address(0).
    function operatorOf(address operator) external view returns (address);

    /// @notice Whether `account` has offered `operator` to act for it (and the offer is not taken up).
    function operatorOffered(address account, address operator) external view returns (bool);

    /// @notice The holder of the GS1 Company Prefix `prefix` of `digits` digits, or address(0).
    function prefixHolder(uint64 prefix, uint8 digits) external view returns (address);

    /// @notice The holder of the longest assigned GS1 Company Prefix that begins `key12`, a GS1 key's
    /// twelve digits after its indicator and before its check digit (a GTIN-14's digits 2..13, a
    /// GLN-13's digits 1..12), with that prefix; zeros if none.
    function prefixOf(uint64 key12) external view returns (address holder, uint64 prefix, uint8 digits);

    function admins() external view returns (address[] memory);

    function threshold() external view returns (uint256);

    /// @notice Votes cast so far for `proposal`, as a bit mask over {admins}.
    function votesOf(bytes32 proposal) external view returns (uint256);

    /// @notice Chunks of an import: how many were approved and whether `chunk` was applied.
    function importState(bytes32 importRoot, uint256 chunk) external view returns (uint256 chunks, bool applied);
}
