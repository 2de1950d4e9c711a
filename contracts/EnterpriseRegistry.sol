// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title EnterpriseRegistry
/// @notice See {IEnterpriseRegistry}.
/// @dev Every account's record is one packed word (layout at {_word}); {actingFor}, which every
/// other contract calls, reads one slot for an enterprise account and two for an operator. Records
/// are written in two places only: {_store}, for every change made one record at a time
/// (application, votes, operators, renewal), and {_importRow}, bulk import's hot loop, which
/// writes a new enterprise's word and its credit code's holder into slots it has addressed once.
/// Operator bindings end only in {_unbindOperator}. A credit code and a GS1 prefix are bound to an
/// account only by the admins (approval, import, assignment), never by the claimant alone.
contract EnterpriseRegistry is IEnterpriseRegistry {
    uint256 private constant _MAX_NAME_LENGTH = 96;
    uint256 private constant _MAX_URI_LENGTH = 256;
    uint256 private constant _MAX_ADMINS = 256; // one bit per admin in a vote mask
    uint8 private constant _MIN_PREFIX_DIGITS = 4; // GS1 Company Prefixes have 4..12 digits
    uint8 private constant _MAX_PREFIX_DIGITS = 12;
    // Packed import row: account 20, roles 4, expiry 5, credit code 18, licence hash 32, name length 1.
    uint256 private constant _ROW_HEADER = 80;

    // Packed record layout, low bits first: credit code 144, roles 32, licence expiry 40, status 8,
    // version 32 (256 bits in all).
    uint256 private constant _ROLES_SHIFT = 144;
    uint256 private constant _EXPIRY_SHIFT = 176;
    uint256 private constant _STATUS_SHIFT = 216;
    uint256 private constant _VERSION_SHIFT = 224;

    // Governed actions, mixed into proposal ids so two actions with equal arguments never collide.
    bytes32 private constant _APPROVE = "approve";
    bytes32 private constant _REJECT = "reject";
    bytes32 private constant _SET_ROLES = "setRoles";
    bytes32 private constant _REINSTATE = "reinstate";
    bytes32 private constant _REVOKE = "revoke";
    bytes32 private constant _RENEW_LICENCE = "renewLicence";
    bytes32 private constant _ADD_ADMIN = "addAdmin";
    bytes32 private constant _REMOVE_ADMIN = "removeAdmin";
    bytes32 private constant _SET_THRESHOLD = "setThreshold";
    bytes32 private constant _APPROVE_IMPORT = "approveImport";
    bytes32 private constant _ASSIGN_PREFIX = "assignPrefix";
    bytes32 private constant _REVOKE_PREFIX = "revokePrefix";

    mapping(address account => uint256 record) private _records;
    mapping(bytes18 creditCode => address account) private _accountByCode;
    mapping(address operator => address account) private _operators;
    mapping(address operator => mapping(address account => bool offered)) private _operatorOffers;
    // Keyed by digits << 64 | prefix, so "0690" and "690" are different prefixes.
    mapping(uint256 prefixKey => address holder) private _prefixHolders;

    address[] private _admins;
    mapping(address admin => uint256 position) private _adminPosition; // index + 1; 0 = not an admin
    uint256 private _threshold;
    // Bumped whenever the admin set or threshold changes: votes of an older consortium lapse.
    uint256 private _epoch;
    mapping(bytes32 proposal => uint256 votes) private _votes;

    mapping(bytes32 importRoot => uint256 chunks) private _importChunks;
    mapping(bytes32 importRoot => mapping(uint256 word => uint256 bits)) private _appliedChunks;

    constructor(address[] memory initialAdmins, uint256 initialThreshold) {
        for (uint256 i = 0; i < initialAdmins.length; ++i) {
            _addAdmin(initialAdmins[i]);
        }
        _setThreshold(initialThreshold);
    }

    modifier onlyAdmin() {
        if (_adminPosition[msg.sender] == 0) revert RegistryNotAdmin(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ enterprise self-service

    /// @inheritdoc IEnterpriseRegistry
    function applyToJoin(
        string calldata name,
        bytes18 creditCode,
        uint32 roles,
        bytes32 licenceHash,
        uint40 licenceExpiry,
        string calldata metadataURI
    ) external {
        Enterprise memory record = _load(msg.sender);
        if (record.status != Status.None && record.status != Status.Rejected) {
            revert RegistryWrongStatus(msg.sender, record.status);
        }
        _checkName(bytes(name).length);
        if (bytes(metadataURI).length > _MAX_URI_LENGTH) revert RegistryInvalidMetadataURI(bytes(metadataURI).length);
        _checkRoles(roles);
        _checkExpiry(licenceExpiry);
        _checkCreditCodeFree(creditCode);
        _store(msg.sender, Enterprise(creditCode, roles, licenceExpiry, Status.Applied, record.version + 1));
        emit EnterpriseApplied(msg.sender, creditCode, roles, licenceExpiry, licenceHash, name, metadataURI);
    }

    /// @inheritdoc IEnterpriseRegistry
    function addOperator(address operator) external {
        if (!_isActive(msg.sender)) revert RegistryNotActive(msg.sender);
        if (operator == address(0)) revert RegistryZeroAddress();
        _requireUnbound(operator);
        _operatorOffers[operator][msg.sender] = true;
        emit OperatorOffered(msg.sender, operator);
    }

    /// @inheritdoc IEnterpriseRegistry
    function acceptOperator(address account) external {
        if (!_operatorOffers[msg.sender][account]) revert RegistryNoOperatorOffer(account, msg.sender);
        if (!_isActive(account)) revert RegistryNotActive(account);
        Enterprise memory record = _requireUnbound(msg.sender);
        delete _operatorOffers[msg.sender][account];
        _operators[msg.sender] = account;
        _store(msg.sender, Enterprise(bytes18(0), 0, 0, Status.Operator, record.version + 1));
        emit OperatorAdded(account, msg.sender);
    }

    /// @inheritdoc IEnterpriseRegistry
    function removeOperator(address operator) external {
        if (_operators[operator] == msg.sender) {
            _unbindOperator(msg.sender, operator);
        } else if (_operatorOffers[operator][msg.sender]) {
            delete _operatorOffers[operator][msg.sender];
            emit OperatorOfferWithdrawn(msg.sender, operator);
        } else {
            revert RegistryNotOperator(msg.sender, operator);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function resignOperator() external {
        address account = _operators[msg.sender];
        if (account == address(0)) revert RegistryNotOperator(account, msg.sender);
        _unbindOperator(account, msg.sender);
    }

    // ------------------------------------------------------------------ governed

    /// @inheritdoc IEnterpriseRegistry
    function approve(address account, uint32 roles) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Applied, Status.Applied);
        _checkRoles(roles);
        if (_vote(keccak256(abi.encode(_APPROVE, account, roles, record.version, _epoch)))) {
            _claimCreditCode(record.creditCode, account);
            record.roles = roles;
            record.status = Status.Active;
            _update(account, record);
            emit EnterpriseApproved(account, roles);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function reject(address account) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Applied, Status.Applied);
        if (_vote(keccak256(abi.encode(_REJECT, account, record.version, _epoch)))) {
            record.status = Status.Rejected;
            _update(account, record);
            emit EnterpriseRejected(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function setRoles(address account, uint32 roles) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Active, Status.Suspended);
        _checkRoles(roles);
        if (_vote(keccak256(abi.encode(_SET_ROLES, account, roles, record.version, _epoch)))) {
            record.roles = roles;
            _update(account, record);
            emit EnterpriseRolesChanged(account, roles);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function reinstate(address account) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Suspended, Status.Suspended);
        if (_vote(keccak256(abi.encode(_REINSTATE, account, record.version, _epoch)))) {
            record.status = Status.Active;
            _update(account, record);
            emit EnterpriseReinstated(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function revoke(address account) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Active, Status.Suspended);
        if (_vote(keccak256(abi.encode(_REVOKE, account, record.version, _epoch)))) {
            record.status = Status.Revoked;
            _update(account, record);
            emit EnterpriseRevoked(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function renewLicence(address account, bytes32 licenceHash, uint40 licenceExpiry) external onlyAdmin {
        Enterprise memory record = _load(account);
        Status status = record.status;
        if (status != Status.Applied && status != Status.Active && status != Status.Suspended) {
            revert RegistryWrongStatus(account, status);
        }
        _checkExpiry(licenceExpiry);
        bytes32 proposal =
            keccak256(abi.encode(_RENEW_LICENCE, account, licenceHash, licenceExpiry, record.version, _epoch));
        if (_vote(proposal)) {
            record.licenceExpiry = licenceExpiry;
            _update(account, record);
            emit LicenceRenewed(account, licenceHash, licenceExpiry);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function addAdmin(address admin) external onlyAdmin {
        if (admin == address(0)) revert RegistryZeroAddress();
        if (_adminPosition[admin] != 0) revert RegistryAdminExists(admin);
        if (_vote(keccak256(abi.encode(_ADD_ADMIN, admin, _epoch)))) {
            _addAdmin(admin);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function removeAdmin(address admin) external onlyAdmin {
        if (_adminPosition[admin] == 0) revert RegistryNotAdmin(admin);
        if (_admins.length - 1 < _threshold) revert RegistryTooFewAdmins(_admins.length - 1, _threshold);
        if (_vote(keccak256(abi.encode(_REMOVE_ADMIN, admin, _epoch)))) {
            uint256 position = _adminPosition[admin];
            address last = _admins[_admins.length - 1];
            _admins[position - 1] = last;
            _adminPosition[last] = position;
            _admins.pop();
            delete _adminPosition[admin];
            ++_epoch;
            emit AdminRemoved(admin);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function setThreshold(uint256 newThreshold) external onlyAdmin {
        if (newThreshold == 0 || newThreshold > _admins.length) {
            revert RegistryInvalidThreshold(newThreshold, _admins.length);
        }
        if (_vote(keccak256(abi.encode(_SET_THRESHOLD, newThreshold, _epoch)))) {
            _setThreshold(newThreshold);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function approveImport(bytes32 importRoot, uint256 chunks) external onlyAdmin {
        if (_importChunks[importRoot] != 0) revert RegistryImportAlreadyApproved(importRoot);
        if (chunks == 0) revert RegistryImportEmpty(importRoot);
        if (_vote(keccak256(abi.encode(_APPROVE_IMPORT, importRoot, chunks, _epoch)))) {
            _importChunks[importRoot] = chunks;
            emit ImportApproved(importRoot, chunks);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function assignPrefix(address account, uint64 prefix, uint8 digits) external onlyAdmin {
        uint256 key = _prefixKey(prefix, digits);
        Enterprise memory record = _requireStatus(account, Status.Active, Status.Active);
        address holder = _prefixHolders[key];
        if (holder == account || (holder != address(0) && _isActive(holder))) {
            revert RegistryPrefixTaken(prefix, digits, holder);
        }
        if (_vote(keccak256(abi.encode(_ASSIGN_PREFIX, account, key, holder, record.version, _epoch)))) {
            _prefixHolders[key] = account;
            emit PrefixAssigned(account, prefix, digits, holder);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function revokePrefix(uint64 prefix, uint8 digits) external onlyAdmin {
        uint256 key = _prefixKey(prefix, digits);
        address holder = _prefixHolders[key];
        if (holder == address(0)) revert RegistryPrefixNotAssigned(prefix, digits);
        if (_vote(keccak256(abi.encode(_REVOKE_PREFIX, key, holder, _epoch)))) {
            delete _prefixHolders[key];
            emit PrefixRevoked(holder, prefix, digits);
        }
    }

    // ------------------------------------------------------------------ single admin

    /// @inheritdoc IEnterpriseRegistry
    function clearOperator(address operator) external onlyAdmin {
        address account = _operators[operator];
        if (account == address(0)) revert RegistryNotOperator(account, operator);
        if (_isActive(account)) revert RegistryEnterpriseActive(account);
        _unbindOperator(account, operator);
    }

    /// @inheritdoc IEnterpriseRegistry
    function suspend(address account) external onlyAdmin {
        Enterprise memory record = _requireStatus(account, Status.Active, Status.Active);
        record.status = Status.Suspended;
        _update(account, record);
        emit EnterpriseSuspended(account, msg.sender);
    }

    /// @inheritdoc IEnterpriseRegistry
    function importChunk(bytes32 importRoot, uint256 chunk, bytes calldata rows, bytes32[] calldata proof)
        external
        onlyAdmin
    {
        if (chunk >= _importChunks[importRoot]) revert RegistryImportNotApproved(importRoot);
        uint256 bit = 1 << (chunk & 255);
        uint256 applied = _appliedChunks[importRoot][chunk >> 8];
        if (applied & bit != 0) revert RegistryImportChunkApplied(importRoot, chunk);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encodePacked(chunk, rows))));
        if (!MerkleProof.verifyCalldata(proof, importRoot, leaf)) revert RegistryImportInvalidProof(importRoot, chunk);
        _appliedChunks[importRoot][chunk >> 8] = applied | bit;

        for (uint256 offset = 0; offset < rows.length;) {
            offset = _importRow(importRoot, rows, offset);
        }
        emit ImportChunkApplied(importRoot, chunk, rows);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IEnterpriseRegistry
    function actingFor(address actor, uint32 anyOfRoles) external view returns (address) {
        uint256 word = _records[actor];
        address account = actor;
        if (Status(uint8(word >> _STATUS_SHIFT)) == Status.Operator) {
            account = _operators[actor];
            word = _records[account];
        }
        if (
            Status(uint8(word >> _STATUS_SHIFT)) != Status.Active || uint32(word >> _ROLES_SHIFT) & anyOfRoles == 0
                || uint40(word >> _EXPIRY_SHIFT) <= block.timestamp
        ) {
            return address(0);
        }
        return account;
    }

    /// @inheritdoc IEnterpriseRegistry
    function enterprise(address account) external view returns (Enterprise memory) {
        return _load(account);
    }

    /// @inheritdoc IEnterpriseRegistry
    function isActive(address account) external view returns (bool) {
        return _isActive(account);
    }

    /// @inheritdoc IEnterpriseRegistry
    function accountOfCreditCode(bytes18 creditCode) external view returns (address) {
        return _accountByCode[creditCode];
    }

    /// @inheritdoc IEnterpriseRegistry
    function operatorOf(address operator) external view returns (address) {
        return _operators[operator];
    }

    /// @inheritdoc IEnterpriseRegistry
    function operatorOffered(address account, address operator) external view returns (bool) {
        return _operatorOffers[operator][account];
    }

    /// @inheritdoc IEnterpriseRegistry
    function prefixHolder(uint64 prefix, uint8 digits) external view returns (address) {
        return _prefixHolders[_prefixKey(prefix, digits)];
    }

    /// @inheritdoc IEnterpriseRegistry
    function prefixOf(uint64 key12) external view returns (address holder, uint64 prefix, uint8 digits) {
        // Longest first: should the consortium ever assign a prefix inside another, the more
        // specific one decides. At most nine reads; only registrations and claims ask.
        prefix = key12;
        for (digits = _MAX_PREFIX_DIGITS; digits >= _MIN_PREFIX_DIGITS; --digits) {
            holder = _prefixHolders[uint256(digits) << 64 | prefix];
            if (holder != address(0)) return (holder, prefix, digits);
            prefix /= 10;
        }
        return (address(0), 0, 0);
    }

    /// @inheritdoc IEnterpriseRegistry
    function admins() external view returns (address[] memory) {
        return _admins;
    }

    /// @inheritdoc IEnterpriseRegistry
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IEnterpriseRegistry
    function votesOf(bytes32 proposal) external view returns (uint256) {
        return _votes[proposal];
    }

    /// @inheritdoc IEnterpriseRegistry
    function importState(bytes32 importRoot, uint256 chunk) external view returns (uint256 chunks, bool applied) {
        chunks = _importChunks[importRoot];
        applied = _appliedChunks[importRoot][chunk >> 8] & (1 << (chunk & 255)) != 0;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Records the caller's vote; true when this vote reaches the threshold (the proposal is
    /// then cleared, and the caller executes it).
    function _vote(bytes32 proposal) private returns (bool) {
        uint256 bit = 1 << (_adminPosition[msg.sender] - 1);
        uint256 votes = _votes[proposal];
        if (votes & bit != 0) revert RegistryAlreadyVoted(proposal, msg.sender);
        votes |= bit;
        uint256 count = _popcount(votes);
        emit ProposalVoted(proposal, msg.sender, count, _threshold);
        if (count >= _threshold) {
            delete _votes[proposal];
            return true;
        }
        _votes[proposal] = votes;
        return false;
    }

    /// @dev Registers the row starting at `offset` as an active enterprise; returns the next offset.
    /// The hot loop of bulk onboarding: two new storage slots per row (the record, and the credit
    /// code's holder that keeps codes unique) are the floor, so the row is read with three calldata
    /// loads rather than slices, its two slots are each addressed once, its record is packed
    /// without a memory struct, and nothing is emitted per row unless it is skipped. Calldata past
    /// a short row reads as something, but such a row ends past the rows' end and is refused.
    function _importRow(bytes32 importRoot, bytes calldata rows, uint256 offset) private returns (uint256 next) {
        uint256 head;
        bytes18 code;
        uint256 nameLength;
        assembly ("memory-safe") {
            let at := add(rows.offset, offset)
            head := calldataload(at) // account 20 | roles 4 | expiry 5 | 3 bytes of credit code
            code := and(calldataload(add(at, 29)), not(sub(shl(112, 1), 1))) // credit code 18 | …
            nameLength := byte(31, calldataload(add(at, 48))) // the byte after the licence hash
            // Cannot overflow: offset is at most rows.length, which calldata keeps far below 2^64.
            next := add(add(offset, _ROW_HEADER), nameLength)
        }
        if (next > rows.length || nameLength == 0 || nameLength > _MAX_NAME_LENGTH) {
            revert RegistryImportMalformedRow(offset);
        }
        address account = address(uint160(head >> 96));
        uint32 roles = uint32(head >> 64);
        if (account == address(0)) revert RegistryZeroAddress();
        _checkRoles(roles);
        if (code == bytes18(0)) revert RegistryInvalidCreditCode(code);
        uint256 recordSlot;
        uint256 codeSlot;
        uint256 word;
        address holder;
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, _records.slot)
            recordSlot := keccak256(0x00, 0x40)
            word := sload(recordSlot)
            mstore(0x00, code)
            mstore(0x20, _accountByCode.slot)
            codeSlot := keccak256(0x00, 0x40)
            holder := sload(codeSlot)
        }
        Status status = Status(uint8(word >> _STATUS_SHIFT));
        // An application (or a rejected one) is the account's own and the import supersedes it; any
        // other record (an enterprise, or an operator that accepted a binding) stays as it is.
        if (status != Status.None && status != Status.Applied && status != Status.Rejected) {
            emit ImportRowSkipped(importRoot, account, status, address(0));
            return next;
        }
        if (holder != address(0)) {
            emit ImportRowSkipped(importRoot, account, status, holder);
            return next;
        }
        uint32 version = uint32(word >> _VERSION_SHIFT) + 1; // a former operator has a history
        uint256 record = _word(code, roles, uint40(head >> 24), Status.Active, version);
        assembly ("memory-safe") {
            sstore(codeSlot, account) // _accountByCode[code] = account
            sstore(recordSlot, record) // _records[account] = record
        }
    }

    /// @dev Reverts unless `account` is free to become an operator (no record, no binding).
    function _requireUnbound(address account) private view returns (Enterprise memory record) {
        record = _load(account);
        if (record.status == Status.Operator) revert RegistryOperatorTaken(account, _operators[account]);
        if (record.status != Status.None) revert RegistryOperatorTaken(account, account);
    }

    /// @dev The one place an operator binding ends.
    function _unbindOperator(address account, address operator) private {
        delete _operators[operator];
        _store(operator, Enterprise(bytes18(0), 0, 0, Status.None, _load(operator).version + 1));
        emit OperatorRemoved(account, operator);
    }

    function _isActive(address account) private view returns (bool) {
        uint256 word = _records[account];
        return Status(uint8(word >> _STATUS_SHIFT)) == Status.Active && uint40(word >> _EXPIRY_SHIFT) > block.timestamp;
    }

    function _prefixKey(uint64 prefix, uint8 digits) private pure returns (uint256) {
        if (digits < _MIN_PREFIX_DIGITS || digits > _MAX_PREFIX_DIGITS || prefix >= uint256(10) ** digits) {
            revert RegistryInvalidPrefix(prefix, digits);
        }
        return uint256(digits) << 64 | prefix;
    }

    function _requireStatus(address account, Status a, Status b) private view returns (Enterprise memory record) {
        record = _load(account);
        if (record.status != a && record.status != b) revert RegistryWrongStatus(account, record.status);
    }

    /// @dev Stores a changed record with its version bumped, so votes for the old one lapse.
    function _update(address account, Enterprise memory record) private {
        ++record.version;
        _store(account, record);
    }

    /// @dev Writes a record one at a time (every write but bulk import's, see {_importRow}), with
    /// the packing of {_word} written out: through a call to it, every application and approval
    /// costs 69 gas more (measured), since the optimizer does not inline a function two paths call.
    function _store(address account, Enterprise memory record) private {
        _records[account] = uint256(uint144(record.creditCode)) | uint256(record.roles) << _ROLES_SHIFT
            | uint256(record.licenceExpiry) << _EXPIRY_SHIFT | uint256(record.status) << _STATUS_SHIFT
            | uint256(record.version) << _VERSION_SHIFT;
    }

    function _load(address account) private view returns (Enterprise memory) {
        uint256 word = _records[account];
        return Enterprise(
            bytes18(bytes32(uint256(uint144(word)) << 112)),
            uint32(word >> _ROLES_SHIFT),
            uint40(word >> _EXPIRY_SHIFT),
            Status(uint8(word >> _STATUS_SHIFT)),
            uint32(word >> _VERSION_SHIFT)
        );
    }

    /// @dev A record's packed word, low bits first: credit code 144, roles 32, licence expiry 40,
    /// status 8, version 32.
    function _word(bytes18 creditCode, uint32 roles, uint40 licenceExpiry, Status status, uint32 version)
        private
        pure
        returns (uint256)
    {
        return uint256(uint144(creditCode)) | uint256(roles) << _ROLES_SHIFT | uint256(licenceExpiry) << _EXPIRY_SHIFT
            | uint256(status) << _STATUS_SHIFT | uint256(version) << _VERSION_SHIFT;
    }

    function _checkCreditCodeFree(bytes18 creditCode) private view {
        if (creditCode == bytes18(0)) revert RegistryInvalidCreditCode(creditCode);
        address holder = _accountByCode[creditCode];
        if (holder != address(0)) revert RegistryCreditCodeTaken(creditCode, holder);
    }

    function _claimCreditCode(bytes18 creditCode, address account) private {
        _checkCreditCodeFree(creditCode);
        _accountByCode[creditCode] = account;
    }

    function _addAdmin(address admin) private {
        if (admin == address(0)) revert RegistryZeroAddress();
        if (_adminPosition[admin] != 0) revert RegistryAdminExists(admin);
        if (_admins.length == _MAX_ADMINS) revert RegistryTooManyAdmins(_admins.length);
        _admins.push(admin);
        _adminPosition[admin] = _admins.length;
        ++_epoch;
        emit AdminAdded(admin);
    }

    function _setThreshold(uint256 newThreshold) private {
        if (newThreshold == 0 || newThreshold > _admins.length) {
            revert RegistryInvalidThreshold(newThreshold, _admins.length);
        }
        _threshold = newThreshold;
        ++_epoch;
        emit ThresholdChanged(newThreshold);
    }

    function _checkRoles(uint32 roles) private pure {
        if (roles == 0 || roles & ~Roles.ALL != 0) revert RegistryInvalidRoles(roles);
    }

    function _checkName(uint256 length) private pure {
        if (length == 0 || length > _MAX_NAME_LENGTH) revert RegistryInvalidName(length);
    }

    function _checkExpiry(uint40 licenceExpiry) private view {
        if (licenceExpiry <= block.timestamp) revert RegistryLicenceExpired(licenceExpiry);
    }

    function _popcount(uint256 x) private pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1; // clears the lowest set bit
            ++count;
        }
    }
}
