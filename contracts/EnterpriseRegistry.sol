// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title EnterpriseRegistry
/// @notice See {IEnterpriseRegistry}.
contract EnterpriseRegistry is IEnterpriseRegistry {
    uint256 private constant _MAX_NAME_LENGTH = 96;
    uint256 private constant _MAX_ADMINS = 256; // one bit per admin in a vote mask
    // Packed import row: account 20, roles 4, expiry 5, credit code 18, licence hash 32, name length 1.
    uint256 private constant _ROW_HEADER = 80;

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

    mapping(address account => Enterprise) private _enterprises;
    mapping(bytes18 creditCode => address account) private _accountByCode;
    mapping(address operator => address account) private _operators;

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
        Enterprise storage record = _enterprises[msg.sender];
        if (record.status != Status.None && record.status != Status.Rejected) {
            revert RegistryWrongStatus(msg.sender, record.status);
        }
        if (_operators[msg.sender] != address(0)) revert RegistryOperatorTaken(msg.sender, _operators[msg.sender]);
        _checkName(bytes(name).length);
        _checkRoles(roles);
        _checkExpiry(licenceExpiry);
        _claimCreditCode(creditCode, msg.sender);
        record.creditCode = creditCode;
        record.roles = roles;
        record.licenceExpiry = licenceExpiry;
        record.status = Status.Applied;
        ++record.version;
        emit EnterpriseApplied(msg.sender, creditCode, roles, licenceExpiry, licenceHash, name, metadataURI);
    }

    /// @inheritdoc IEnterpriseRegistry
    function addOperator(address operator) external {
        Status status = _enterprises[msg.sender].status;
        if (status == Status.None || status == Status.Revoked || status == Status.Rejected) {
            revert RegistryWrongStatus(msg.sender, status);
        }
        if (operator == address(0)) revert RegistryZeroAddress();
        address current = _operators[operator];
        if (current != address(0)) revert RegistryOperatorTaken(operator, current);
        if (_enterprises[operator].status != Status.None) revert RegistryOperatorTaken(operator, operator);
        _operators[operator] = msg.sender;
        emit OperatorAdded(msg.sender, operator);
    }

    /// @inheritdoc IEnterpriseRegistry
    function removeOperator(address operator) external {
        if (_operators[operator] != msg.sender) revert RegistryNotOperator(msg.sender, operator);
        delete _operators[operator];
        emit OperatorRemoved(msg.sender, operator);
    }

    // ------------------------------------------------------------------ governed

    /// @inheritdoc IEnterpriseRegistry
    function approve(address account, uint32 roles) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Applied, Status.Applied);
        _checkRoles(roles);
        if (_vote(keccak256(abi.encode(_APPROVE, account, roles, record.version, _epoch)))) {
            record.roles = roles;
            record.status = Status.Active;
            ++record.version;
            emit EnterpriseApproved(account, roles);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function reject(address account) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Applied, Status.Applied);
        if (_vote(keccak256(abi.encode(_REJECT, account, record.version, _epoch)))) {
            delete _accountByCode[record.creditCode];
            record.status = Status.Rejected;
            ++record.version;
            emit EnterpriseRejected(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function setRoles(address account, uint32 roles) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Active, Status.Suspended);
        _checkRoles(roles);
        if (_vote(keccak256(abi.encode(_SET_ROLES, account, roles, record.version, _epoch)))) {
            record.roles = roles;
            ++record.version;
            emit EnterpriseRolesChanged(account, roles);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function reinstate(address account) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Suspended, Status.Suspended);
        if (_vote(keccak256(abi.encode(_REINSTATE, account, record.version, _epoch)))) {
            record.status = Status.Active;
            ++record.version;
            emit EnterpriseReinstated(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function revoke(address account) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Active, Status.Suspended);
        if (_vote(keccak256(abi.encode(_REVOKE, account, record.version, _epoch)))) {
            record.status = Status.Revoked;
            ++record.version;
            emit EnterpriseRevoked(account);
        }
    }

    /// @inheritdoc IEnterpriseRegistry
    function renewLicence(address account, bytes32 licenceHash, uint40 licenceExpiry) external onlyAdmin {
        Enterprise storage record = _enterprises[account];
        Status status = record.status;
        if (status == Status.None || status == Status.Revoked || status == Status.Rejected) {
            revert RegistryWrongStatus(account, status);
        }
        _checkExpiry(licenceExpiry);
        bytes32 proposal = keccak256(abi.encode(_RENEW_LICENCE, account, licenceHash, licenceExpiry, record.version, _epoch));
        if (_vote(proposal)) {
            record.licenceExpiry = licenceExpiry;
            ++record.version;
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
        if (chunks == 0) revert RegistryImportNotApproved(importRoot);
        if (_vote(keccak256(abi.encode(_APPROVE_IMPORT, importRoot, chunks, _epoch)))) {
            _importChunks[importRoot] = chunks;
            emit ImportApproved(importRoot, chunks);
        }
    }

    // ------------------------------------------------------------------ single admin

    /// @inheritdoc IEnterpriseRegistry
    function suspend(address account) external onlyAdmin {
        Enterprise storage record = _requireStatus(account, Status.Active, Status.Active);
        record.status = Status.Suspended;
        ++record.version;
        emit EnterpriseSuspended(account, msg.sender);
    }

    /// @inheritdoc IEnterpriseRegistry
    function importChunk(bytes32 importRoot, uint256 chunk, bytes calldata rows, bytes32[] calldata proof)
        external
        onlyAdmin
    {
        uint256 chunks = _importChunks[importRoot];
        if (chunk >= chunks) revert RegistryImportNotApproved(importRoot);
        uint256 bit = 1 << (chunk & 255);
        uint256 applied = _appliedChunks[importRoot][chunk >> 8];
        if (applied & bit != 0) revert RegistryImportChunkApplied(importRoot, chunk);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encodePacked(chunk, rows))));
        if (!MerkleProof.verifyCalldata(proof, importRoot, leaf)) revert RegistryImportInvalidProof(importRoot, chunk);
        _appliedChunks[importRoot][chunk >> 8] = applied | bit;

        uint256 offset = 0;
        uint256 count = 0;
        while (offset < rows.length) {
            offset = _importRow(importRoot, rows, offset);
            ++count;
        }
        emit ImportChunkApplied(importRoot, chunk, count);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IEnterpriseRegistry
    function actingFor(address actor, uint32 anyOfRoles) external view returns (address) {
        Enterprise storage record = _enterprises[actor];
        address account = actor;
        if (record.status == Status.None) {
            account = _operators[actor];
            if (account == address(0)) return address(0);
            record = _enterprises[account];
        }
        if (record.status != Status.Active || record.roles & anyOfRoles == 0 || record.licenceExpiry <= block.timestamp) {
            return address(0);
        }
        return account;
    }

    /// @inheritdoc IEnterpriseRegistry
    function enterprise(address account) external view returns (Enterprise memory) {
        return _enterprises[account];
    }

    /// @inheritdoc IEnterpriseRegistry
    function isActive(address account) external view returns (bool) {
        Enterprise storage record = _enterprises[account];
        return record.status == Status.Active && record.licenceExpiry > block.timestamp;
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

    /// @dev Registers the row starting at `offset` and returns the offset of the next row.
    function _importRow(bytes32 importRoot, bytes calldata rows, uint256 offset) private returns (uint256 next) {
        if (rows.length < offset + _ROW_HEADER) revert RegistryImportMalformedRow(offset);
        next = offset + _ROW_HEADER + uint8(rows[offset + 79]);
        if (next > rows.length || next == offset + _ROW_HEADER) revert RegistryImportMalformedRow(offset);
        bytes calldata row = rows[offset:next];
        address account = address(bytes20(row[0:20]));
        bytes18 creditCode = bytes18(row[29:47]);
        _registerImported(account, uint32(bytes4(row[20:24])), uint40(bytes5(row[24:29])), creditCode);
        emit EnterpriseImported(
            account,
            importRoot,
            creditCode,
            uint32(bytes4(row[20:24])),
            uint40(bytes5(row[24:29])),
            bytes32(row[47:79]),
            string(row[_ROW_HEADER:])
        );
    }

    function _registerImported(address account, uint32 roles, uint40 licenceExpiry, bytes18 creditCode) private {
        if (account == address(0)) revert RegistryZeroAddress();
        _checkRoles(roles);
        _checkExpiry(licenceExpiry);
        Status status = _enterprises[account].status;
        if (status != Status.None) revert RegistryWrongStatus(account, status);
        if (_operators[account] != address(0)) revert RegistryOperatorTaken(account, _operators[account]);
        _claimCreditCode(creditCode, account);
        _enterprises[account] = Enterprise(creditCode, roles, licenceExpiry, Status.Active, 1);
    }

    function _requireStatus(address account, Status a, Status b) private view returns (Enterprise storage record) {
        record = _enterprises[account];
        if (record.status != a && record.status != b) revert RegistryWrongStatus(account, record.status);
    }

    function _claimCreditCode(bytes18 creditCode, address account) private {
        if (creditCode == bytes18(0)) revert RegistryInvalidCreditCode(creditCode);
        address holder = _accountByCode[creditCode];
        if (holder != address(0)) revert RegistryCreditCodeTaken(creditCode, holder);
        _accountByCode[creditCode] = account;
    }

    function _addAdmin(address admin) private {
        if (admin == address(0)) revert RegistryZeroAddress();
        if (_adminPosition[admin] != 0) revert RegistryAdminExists(admin);
        if (_admins.length == _MAX_ADMINS) revert RegistryInvalidThreshold(_threshold, _admins.length + 1);
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
