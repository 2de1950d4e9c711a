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
    event OperatorAdded(address indexed account, address indexed operator);
    event OperatorRemoved(address indexed account, address indexed operator);
    event AdminAdded(address indexed admin);
    event AdminRemoved(address indexed admin);
    event ThresholdChanged(uint256 threshold);
    event ImportApproved(bytes32 indexed importRoot, uint256 chunks);
    /// @notice One chunk of an import was applied; `rows` are its packed rows (see {importChunk}),
    /// each an enterprise now active, with its name and licence hash. One event per chunk keeps bulk
    /// onboarding within its gas budget; the SDK decodes the rows.
    event ImportChunkApplied(bytes32 indexed importRoot, uint256 indexed chunk, bytes rows);

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

    /// @notice Applies to join the consortium from the enterprise's own primary account.
    /// Requirements:
    /// - the caller has no record, or its earlier application was rejected (an operator cannot apply);
    /// - `creditCode` is not held by another enterprise; `roles` is a non-empty valid mask;
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

    /// @notice Lets `operator` act for the caller's enterprise.
    /// Requirements: the caller is an enterprise's primary account, not revoked; `operator` acts for
    /// no enterprise and is not an enterprise account itself.
    /// Emits an {OperatorAdded} event.
    function addOperator(address operator) external;

    /// @notice Stops `operator` acting for the caller's enterprise.
    /// Requirements: `operator` is an operator of the caller's enterprise.
    /// Emits an {OperatorRemoved} event.
    function removeOperator(address operator) external;

    // ---------------------------------------------------------------- governed by M-of-N admins

    /// @notice Votes to approve an application with `roles`: the admins decide the roles granted,
    /// which may differ from those applied for.
    /// Requirements: caller is an admin who has not voted for this proposal; status Applied.
    /// Emits {ProposalVoted}, and {EnterpriseApproved} on the M-th vote.
    function approve(address account, uint32 roles) external;

    /// @notice Votes to reject an application; the credit code becomes free again.
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

    // ---------------------------------------------------------------- single admin

    /// @notice Suspends an active enterprise at once (emergency). Any single admin may do this.
    /// Emits an {EnterpriseSuspended} event.
    function suspend(address account) external;

    /// @notice Registers the rows of one chunk of an approved import as active enterprises.
    /// Each row is packed: account (20 bytes), roles (4), licence expiry (5), credit code (18),
    /// licence hash (32), name length (1), name (UTF-8).
    /// Requirements: caller is an admin; the import is approved; the chunk proves into its root
    /// and was not applied before; every row's account and credit code are new, its roles valid and
    /// its name 1..96 bytes. A licence that expired since the import was approved does not block
    /// the chunk (the enterprise is then inactive until a renewal is approved), so an approved
    /// import can always be completed.
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

    /// @notice The primary account holding `creditCode`, or address(0).
    function accountOfCreditCode(bytes18 creditCode) external view returns (address);

    /// @notice The enterprise `operator` acts for, or address(0).
    function operatorOf(address operator) external view returns (address);

    function admins() external view returns (address[] memory);

    function threshold() external view returns (uint256);

    /// @notice Votes cast so far for `proposal`, as a bit mask over {admins}.
    function votesOf(bytes32 proposal) external view returns (uint256);

    /// @notice Chunks of an import: how many were approved and whether `chunk` was applied.
    function importState(bytes32 importRoot, uint256 chunk) external view returns (uint256 chunks, bool applied);
}
