// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {IERC3525} from "../interfaces/IERC3525.sol";
import {IERC3525Receiver} from "../interfaces/IERC3525Receiver.sol";
import {IReceivables} from "../interfaces/IReceivables.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title Receivables
/// @notice See {IReceivables}.
/// @dev Storage is laid out for the two hot paths, issue and split:
/// - a fragment is one word (holder, value, parent index, flags). Its slot is not stored: the id is
///   `slot * 10**7 + index`, so `slotOf` is a division and the parent needs only its 24-bit index;
/// - a slot is three words written once at issue: the slot record (debtor, due date, currency, frozen,
///   fragment count) read by every move, the invoice record (creditor, slot, face value) keyed by the
///   invoice hash — which is also the one-invoice-one-receivable check — and the invoice hash by slot;
/// - settled value, offers and approvals live apart and cost nothing until used. Approvals carry an
///   epoch that advances when a fragment changes holder, which voids every earlier value allowance.
/// Fragments are created only in {_mint}; value moves only in {_updateValue}; holders change only in
/// {_setHolder}; fragments settle only in {_settle}.
contract Receivables is IReceivables {
    using SafeERC20 for IERC20;

    uint256 private constant _ID_BASE = 10_000_000;
    uint256 private constant _MAX_FRAGMENTS = _ID_BASE - 1;

    // Fragment flags.
    uint8 private constant _OFFERED = 1;
    uint8 private constant _FINANCED = 2;
    uint8 private constant _SETTLED = 4;
    uint8 private constant _FROZEN = 8;

    /// @dev Read by every move of the slot's fragments. One word.
    struct SlotRecord {
        address debtor;
        uint40 dueDate;
        bytes3 currency;
        bool frozen;
        uint24 fragments; // fragments created so far: the last index
    }

    /// @dev Keyed by invoice hash; a non-zero slot marks the invoice used. One word.
    struct InvoiceRecord {
        address creditor;
        uint32 slot;
        uint64 faceValue;
    }

    /// @dev One word. holder == address(0) means the fragment does not exist.
    struct FragmentRecord {
        address holder;
        uint64 value;
        uint24 parent; // index of the parent fragment in the same slot; 0 for the issued fragment
        uint8 flags;
    }

    struct Offer {
        address financier;
        uint64 price;
    }

    /// @dev The ERC-721 approved address and the epoch value allowances are filed under.
    struct Approvals {
        address operator;
        uint32 epoch;
        bool valueAllowances; // some value allowance was set in this epoch
    }

    IEnterpriseRegistry private immutable _registry;
    IERC20 private immutable _settlementToken;

    uint256 private _nextSlot;
    mapping(uint256 slot => SlotRecord) private _slots;
    mapping(uint256 slot => bytes32 invoiceHash) private _slotInvoices;
    // Written by {_storeInvoice} in one SSTORE through assembly, which slither does not see.
    // slither-disable-next-line uninitialized-state
    mapping(bytes32 invoiceHash => InvoiceRecord) private _invoices;
    mapping(uint256 slot => uint256 settledValue) private _settledValues;
    mapping(uint256 tokenId => FragmentRecord) private _fragments;
    mapping(uint256 tokenId => Offer) private _offers;
    mapping(uint256 tokenId => Approvals) private _approvals;
    mapping(uint256 tokenId => mapping(uint256 epoch => mapping(address operator => uint256 value))) private
        _allowances;
    mapping(address holder => mapping(address operator => bool approved)) private _operatorApprovals;
    mapping(address holder => uint256 fragments) private _balances;

    /// @param registry_ The enterprise registry that says who is active and in which role.
    /// @param settlementToken_ The ERC-20 {settle} pays in, or address(0) for off-chain settlement only.
    constructor(IEnterpriseRegistry registry_, IERC20 settlementToken_) {
        _registry = registry_;
        _settlementToken = settlementToken_;
        _nextSlot = 1; // slots count from 1; a non-zero word also keeps the first issue's counter write cheap
    }

    // ------------------------------------------------------------------ issue

    /// @inheritdoc IReceivables
    function issue(address creditor, uint128 faceValue, bytes3 currency, uint40 dueDate, bytes32 invoiceHash)
        external
        returns (uint256 tokenId)
    {
        address debtor = _actingFor(msg.sender, Roles.CORE_ENTERPRISE);
        if (debtor == address(0)) revert ReceivableNotCoreEnterprise(msg.sender);
        if (creditor == address(0) || creditor == debtor || _actingFor(creditor, Roles.SUPPLIER) != creditor) {
            revert ReceivableInvalidCreditor(creditor);
        }
        if (faceValue == 0 || faceValue > type(uint64).max) revert ReceivableInvalidFaceValue(faceValue);
        _checkCurrency(currency);
        if (dueDate <= block.timestamp) revert ReceivableInvalidDueDate(dueDate);
        if (invoiceHash == bytes32(0)) revert ReceivableInvalidInvoice(invoiceHash);
        InvoiceRecord storage invoice = _invoices[invoiceHash];
        uint32 usedBy = invoice.slot;
        if (usedBy != 0) revert ReceivableInvoiceUsed(invoiceHash, usedBy);

        uint256 slot = _nextSlot;
        if (slot > type(uint32).max) revert ReceivableTooManySlots();
        _nextSlot = slot + 1;
        _storeInvoice(invoice, creditor, uint32(slot), uint64(faceValue));
        _slotInvoices[slot] = invoiceHash;
        _storeSlot(_slots[slot], debtor, dueDate, currency);
        tokenId = _mint(creditor, slot, 1, 0, uint64(faceValue));
        emit ReceivableIssued(slot, debtor, creditor, invoiceHash);
    }

    // ------------------------------------------------------------------ ERC-3525 value transfers

    /// @inheritdoc IERC3525
    /// @dev The split (多级流转): always creates a new fragment for `to`, whose parent is `fromTokenId`.
    /// `to` must be the primary account of an active enterprise; `value` must be positive.
    /// Also emits a {ReceivableSplit} event.
    function transferFrom(uint256 fromTokenId, address to, uint256 value) external returns (uint256 tokenId) {
        FragmentRecord storage source = _fragments[fromTokenId];
        address holder = _requireExists(fromTokenId, source);
        _authorizeValue(fromTokenId, holder, value);
        uint256 slot = fromTokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        _requireMovable(fromTokenId, source.flags, slotRecord.frozen, slot);
        _requireValue(fromTokenId, source.value, value);
        _requireRecipient(to);

        uint256 index = slotRecord.fragments + 1;
        if (index > _MAX_FRAGMENTS) revert ReceivableTooManyFragments(slot);
        slotRecord.fragments = uint24(index);
        tokenId = _mint(to, slot, index, uint24(fromTokenId % _ID_BASE), 0);
        _updateValue(fromTokenId, tokenId, uint64(value));
        emit ReceivableSplit(fromTokenId, tokenId, to, uint128(value));
        _checkOnERC3525Received(to, fromTokenId, tokenId, value);
    }

    /// @inheritdoc IERC3525
    /// @dev Both fragments must be movable (not frozen, settled, financed or offered) and the holder of
    /// `toTokenId` an active enterprise; `value` must be positive.
    function transferFrom(uint256 fromTokenId, uint256 toTokenId, uint256 value) external {
        if (fromTokenId == toTokenId) revert ReceivableSameToken(fromTokenId);
        FragmentRecord storage source = _fragments[fromTokenId];
        FragmentRecord storage target = _fragments[toTokenId];
        address holder = _requireExists(fromTokenId, source);
        address recipient = _requireExists(toTokenId, target);
        uint256 slot = fromTokenId / _ID_BASE;
        if (toTokenId / _ID_BASE != slot) revert ReceivableSlotMismatch(fromTokenId, toTokenId);
        _authorizeValue(fromTokenId, holder, value);
        bool slotFrozen = _slots[slot].frozen;
        _requireMovable(fromTokenId, source.flags, slotFrozen, slot);
        _requireMovable(toTokenId, target.flags, slotFrozen, slot);
        _requireValue(fromTokenId, source.value, value);
        _requireRecipient(recipient);

        _updateValue(fromTokenId, toTokenId, uint64(value));
        _checkOnERC3525Received(recipient, fromTokenId, toTokenId, value);
    }

    /// @inheritdoc IERC3525
    /// @dev Approving does not move anything, so it is allowed in any state.
    function approve(uint256 tokenId, address operator, uint256 value) external {
        address holder = _requireExists(tokenId, _fragments[tokenId]);
        Approvals storage approvals = _approvals[tokenId];
        if (
            _actingFor(msg.sender, Roles.ALL) != holder && !_operatorApprovals[holder][msg.sender]
                && approvals.operator != msg.sender
        ) revert ReceivableNotAuthorized(msg.sender, tokenId);
        if (operator == address(0) || operator == holder) revert ReceivableInvalidOperator(operator);
        _allowances[tokenId][approvals.epoch][operator] = value;
        if (!approvals.valueAllowances) approvals.valueAllowances = true;
        emit ApprovalValue(tokenId, operator, value);
    }

    // ------------------------------------------------------------------ ERC-721 transfers and approvals

    /// @inheritdoc IERC721
    /// @dev `to` must be the primary account of an active enterprise, and the fragment movable.
    function transferFrom(address from, address to, uint256 tokenId) external {
        _transferToken(from, to, tokenId);
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        _transferToken(from, to, tokenId);
        _checkOnERC721Received(from, to, tokenId, "");
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata data) external {
        _transferToken(from, to, tokenId);
        _checkOnERC721Received(from, to, tokenId, data);
    }

    /// @inheritdoc IERC721
    /// @dev `to` may be address(0), which clears the approval.
    function approve(address to, uint256 tokenId) external {
        address holder = _requireExists(tokenId, _fragments[tokenId]);
        if (_actingFor(msg.sender, Roles.ALL) != holder && !_operatorApprovals[holder][msg.sender]) {
            revert ReceivableNotAuthorized(msg.sender, tokenId);
        }
        if (to == holder) revert ReceivableInvalidOperator(to);
        _approvals[tokenId].operator = to;
        emit Approval(holder, to, tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev The approval is given for the enterprise the caller acts for (itself, or the enterprise whose
    /// operator it is), which must be active.
    function setApprovalForAll(address operator, bool approved) external {
        address owner = _actingFor(msg.sender, Roles.ALL);
        if (owner == address(0)) revert ReceivableNotEnterprise(msg.sender);
        if (operator == address(0) || operator == owner) revert ReceivableInvalidOperator(operator);
        _operatorApprovals[owner][operator] = approved;
        emit ApprovalForAll(owner, operator, approved);
    }

    // ------------------------------------------------------------------ financing

    /// @inheritdoc IReceivables
    function offerFinancing(uint256 tokenId, address financier, uint128 price) external {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        if (_actingFor(msg.sender, Roles.ALL) != holder) revert ReceivableNotAuthorized(msg.sender, tokenId);
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        _requireMovable(tokenId, record.flags, slotRecord.frozen, slot);
        _requireBeforeMaturity(slot, slotRecord.dueDate);
        if (
            financier == address(0) || financier == holder
                || _actingFor(financier, Roles.FINANCIER) != financier
        ) revert ReceivableInvalidFinancier(financier);
        uint64 value = record.value;
        if (price == 0 || price > value) revert ReceivableInvalidPrice(price, value);

        record.flags = _OFFERED;
        _offers[tokenId] = Offer(financier, uint64(price));
        emit FinancingOffered(tokenId, holder, financier, price);
    }

    /// @inheritdoc IReceivables
    function withdrawOffer(uint256 tokenId) external {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        if (msg.sender != holder && _actingFor(msg.sender, Roles.ALL) != holder) {
            revert ReceivableNotAuthorized(msg.sender, tokenId);
        }
        uint8 flags = record.flags;
        if (flags & _OFFERED == 0) revert ReceivableNotOffered(tokenId);

        address financier = _offers[tokenId].financier;
        delete _offers[tokenId];
        record.flags = flags & ~_OFFERED;
        emit FinancingOfferWithdrawn(tokenId, financier);
    }

    /// @inheritdoc IReceivables
    function acceptFinancing(uint256 tokenId, bytes32 paymentReference) external {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        uint8 flags = record.flags;
        if (flags & _OFFERED == 0) revert ReceivableNotOffered(tokenId);
        Offer memory offer = _offers[tokenId];
        if (_actingFor(msg.sender, Roles.FINANCIER) != offer.financier) {
            revert ReceivableNotAuthorized(msg.sender, tokenId);
        }
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        // An offered fragment is neither settled nor financed: offering needs neither, settling withdraws it.
        _requireMovable(tokenId, flags & ~_OFFERED, slotRecord.frozen, slot);
        _requireBeforeMaturity(slot, slotRecord.dueDate);
        if (paymentReference == bytes32(0)) revert ReceivableInvalidPaymentReference(paymentReference);
        if (!_registry.isActive(holder)) revert ReceivableInactiveHolder(holder);

        delete _offers[tokenId];
        record.flags = _FINANCED;
        _setHolder(tokenId, record, holder, offer.financier);
        emit ReceivableFinanced(tokenId, holder, offer.financier, offer.price, paymentReference);
    }

    // ------------------------------------------------------------------ settlement

    /// @inheritdoc IReceivables
    function confirmSettlement(uint256 tokenId) external {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        if (_actingFor(msg.sender, Roles.ALL) != holder) revert ReceivableNotAuthorized(msg.sender, tokenId);
        _settle(tokenId, record, holder, false);
    }

    /// @inheritdoc IReceivables
    function settle(uint256 tokenId) external {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        if (address(_settlementToken) == address(0)) revert ReceivableNoSettlementToken();
        address debtor = _slots[tokenId / _ID_BASE].debtor;
        if (_actingFor(msg.sender, Roles.ALL) != debtor) revert ReceivableNotAuthorized(msg.sender, tokenId);
        uint256 value = _settle(tokenId, record, holder, true);
        // `debtor` is not arbitrary: the caller was just checked to act for the debtor itself.
        // slither-disable-next-line arbitrary-send-erc20
        _settlementToken.safeTransferFrom(debtor, holder, value);
    }

    // ------------------------------------------------------------------ regulator

    /// @inheritdoc IReceivables
    function freezeSlot(uint256 slot) external {
        address regulator = _requireRegulator();
        SlotRecord storage slotRecord = _requireSlot(slot);
        if (slotRecord.frozen) revert ReceivableSlotFrozen(slot);
        slotRecord.frozen = true;
        emit SlotFrozen(slot, regulator);
    }

    /// @inheritdoc IReceivables
    function unfreezeSlot(uint256 slot) external {
        address regulator = _requireRegulator();
        SlotRecord storage slotRecord = _requireSlot(slot);
        if (!slotRecord.frozen) revert ReceivableSlotNotFrozen(slot);
        slotRecord.frozen = false;
        emit SlotUnfrozen(slot, regulator);
    }

    /// @inheritdoc IReceivables
    function freezeFragment(uint256 tokenId) external {
        address regulator = _requireRegulator();
        FragmentRecord storage record = _fragments[tokenId];
        _requireExists(tokenId, record);
        uint8 flags = record.flags;
        if (flags & _SETTLED != 0) revert ReceivableAlreadySettled(tokenId);
        if (flags & _FROZEN != 0) revert ReceivableFrozen(tokenId);
        record.flags = flags | _FROZEN;
        emit FragmentFrozen(tokenId, regulator);
    }

    /// @inheritdoc IReceivables
    function unfreezeFragment(uint256 tokenId) external {
        address regulator = _requireRegulator();
        FragmentRecord storage record = _fragments[tokenId];
        _requireExists(tokenId, record);
        uint8 flags = record.flags;
        if (flags & _FROZEN == 0) revert ReceivableNotFrozen(tokenId);
        record.flags = flags & ~_FROZEN;
        emit FragmentUnfrozen(tokenId, regulator);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IERC721).interfaceId
            || interfaceId == type(IERC3525).interfaceId;
    }

    /// @inheritdoc IReceivables
    function name() external pure returns (string memory) {
        return "Shanglian Receivable";
    }

    /// @inheritdoc IReceivables
    function symbol() external pure returns (string memory) {
        return "SLR";
    }

    /// @inheritdoc IReceivables
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        _requireExists(tokenId, _fragments[tokenId]);
        return "";
    }

    /// @inheritdoc IERC3525
    function valueDecimals() external pure returns (uint8) {
        return 2;
    }

    /// @inheritdoc IERC3525
    function balanceOf(uint256 tokenId) external view returns (uint256) {
        FragmentRecord storage record = _fragments[tokenId];
        _requireExists(tokenId, record);
        return record.value;
    }

    /// @inheritdoc IERC3525
    function slotOf(uint256 tokenId) external view returns (uint256) {
        _requireExists(tokenId, _fragments[tokenId]);
        return tokenId / _ID_BASE;
    }

    /// @inheritdoc IERC3525
    function allowance(uint256 tokenId, address operator) external view returns (uint256) {
        _requireExists(tokenId, _fragments[tokenId]);
        return _allowances[tokenId][_approvals[tokenId].epoch][operator];
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ReceivableInvalidOwner(owner);
        return _balances[owner];
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address) {
        return _requireExists(tokenId, _fragments[tokenId]);
    }

    /// @inheritdoc IERC721
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireExists(tokenId, _fragments[tokenId]);
        return _approvals[tokenId].operator;
    }

    /// @inheritdoc IERC721
    function isApprovedForAll(address owner, address operator) external view returns (bool) {
        return _operatorApprovals[owner][operator];
    }

    /// @inheritdoc IReceivables
    function registry() external view returns (IEnterpriseRegistry) {
        return _registry;
    }

    /// @inheritdoc IReceivables
    function settlementToken() external view returns (IERC20) {
        return _settlementToken;
    }

    /// @inheritdoc IReceivables
    function obligation(uint256 slot) external view returns (Obligation memory) {
        SlotRecord storage slotRecord = _requireSlot(slot);
        bytes32 invoiceHash = _slotInvoices[slot];
        InvoiceRecord storage invoice = _invoices[invoiceHash];
        return Obligation(
            slotRecord.debtor, invoice.creditor, invoice.faceValue, slotRecord.currency, slotRecord.dueDate, invoiceHash
        );
    }

    /// @inheritdoc IReceivables
    function slotState(uint256 slot) external view returns (SlotState memory) {
        SlotRecord storage slotRecord = _requireSlot(slot);
        return SlotState(uint128(_settledValues[slot]), slotRecord.fragments, slotRecord.frozen);
    }

    /// @inheritdoc IReceivables
    function fragment(uint256 tokenId) external view returns (Fragment memory) {
        FragmentRecord memory record = _fragments[tokenId];
        if (record.holder == address(0)) revert ReceivableNonexistentToken(tokenId);
        Offer memory offer = _offers[tokenId];
        return Fragment(
            record.holder,
            record.value,
            tokenId / _ID_BASE,
            _parentId(tokenId, record.parent),
            record.flags & _OFFERED != 0,
            record.flags & _FINANCED != 0,
            record.flags & _SETTLED != 0,
            record.flags & _FROZEN != 0,
            offer.financier,
            offer.price
        );
    }

    /// @inheritdoc IReceivables
    function parentOf(uint256 tokenId) external view returns (uint256) {
        FragmentRecord storage record = _fragments[tokenId];
        _requireExists(tokenId, record);
        return _parentId(tokenId, record.parent);
    }

    /// @inheritdoc IReceivables
    function overdue(uint256 tokenId) external view returns (bool) {
        FragmentRecord storage record = _fragments[tokenId];
        _requireExists(tokenId, record);
        return record.flags & _SETTLED == 0 && block.timestamp > _slots[tokenId / _ID_BASE].dueDate;
    }

    /// @inheritdoc IReceivables
    function invoiceSlot(bytes32 invoiceHash) external view returns (uint256) {
        return _invoices[invoiceHash].slot;
    }

    /// @inheritdoc IReceivables
    function nextSlot() external view returns (uint256) {
        return _nextSlot;
    }

    /// @inheritdoc IReceivables
    function nextTokenId(uint256 slot) external view returns (uint256) {
        return slot * _ID_BASE + _requireSlot(slot).fragments + 1;
    }

    // ------------------------------------------------------------------ internal: the mutation paths

    /// @dev The one place fragments are created: fragment `index` of `slot` for `to`, split from fragment
    /// index `parent` (0: the issued fragment), created holding `value`. Stores the new word with one SSTORE
    /// (the legacy code generator would store each member apart); the layout is {FragmentRecord}'s from the
    /// low-order end: holder (160 bits), value (64), parent (24), flags (8, none).
    function _mint(address to, uint256 slot, uint256 index, uint24 parent, uint64 value)
        private
        returns (uint256 tokenId)
    {
        tokenId = slot * _ID_BASE + index;
        FragmentRecord storage record = _fragments[tokenId];
        assembly ("memory-safe") {
            let word := and(to, 0xffffffffffffffffffffffffffffffffffffffff)
            word := or(word, shl(160, and(value, 0xffffffffffffffff)))
            word := or(word, shl(224, and(parent, 0xffffff)))
            sstore(record.slot, word)
        }
        // A holder's count is bounded by the number of fragments ever created.
        unchecked {
            ++_balances[to];
        }
        emit Transfer(address(0), to, tokenId);
        emit SlotChanged(tokenId, 0, slot);
        emit TransferValue(0, tokenId, value);
    }

    /// @dev The one place value moves between existing fragments: `value` from `fromTokenId` to `toTokenId`.
    /// Callers check that the source holds `value`.
    function _updateValue(uint256 fromTokenId, uint256 toTokenId, uint64 value) private {
        // No overflow or underflow: callers check the source holds `value`, and the values of a slot's
        // fragments never sum above its face value, a uint64.
        unchecked {
            _fragments[fromTokenId].value -= value;
            _fragments[toTokenId].value += value;
        }
        emit TransferValue(fromTokenId, toTokenId, value);
    }

    /// @dev The one place an existing fragment changes holder, from `from` to `to`. A change of holder voids
    /// the fragment's ERC-721 approval and value allowances.
    function _setHolder(uint256 tokenId, FragmentRecord storage record, address from, address to) private {
        Approvals storage approvals = _approvals[tokenId];
        if (approvals.operator != address(0) || approvals.valueAllowances) {
            _approvals[tokenId] = Approvals(address(0), approvals.epoch + 1, false);
        }
        record.holder = to;
        // `from` holds this fragment, so it counts at least one; a count is bounded by the fragments created.
        unchecked {
            --_balances[from];
            ++_balances[to];
        }
        emit Transfer(from, to, tokenId);
    }

    /// @dev The one place fragments settle. Returns the settled value.
    function _settle(uint256 tokenId, FragmentRecord storage record, address holder, bool onChain)
        private
        returns (uint64 value)
    {
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        uint8 flags = record.flags;
        if (slotRecord.frozen) revert ReceivableSlotFrozen(slot);
        if (flags & _FROZEN != 0) revert ReceivableFrozen(tokenId);
        if (flags & _SETTLED != 0) revert ReceivableAlreadySettled(tokenId);
        uint40 dueDate = slotRecord.dueDate;
        if (block.timestamp < dueDate) revert ReceivableNotMatured(slot, dueDate);

        if (flags & _OFFERED != 0) delete _offers[tokenId]; // a pending offer lapses
        record.flags = (flags & _FINANCED) | _SETTLED;
        value = record.value;
        _settledValues[slot] += value;
        emit ReceivableSettled(tokenId, slot, holder, value, onChain);
    }

    function _transferToken(address from, address to, uint256 tokenId) private {
        FragmentRecord storage record = _fragments[tokenId];
        address holder = _requireExists(tokenId, record);
        if (from != holder) revert ReceivableIncorrectOwner(from, tokenId, holder);
        if (_actingFor(msg.sender, Roles.ALL) != holder) {
            if (!_operatorApprovals[holder][msg.sender] && _approvals[tokenId].operator != msg.sender) {
                revert ReceivableNotAuthorized(msg.sender, tokenId);
            }
            if (!_registry.isActive(holder)) revert ReceivableInactiveHolder(holder);
        }
        uint256 slot = tokenId / _ID_BASE;
        _requireMovable(tokenId, record.flags, _slots[slot].frozen, slot);
        _requireRecipient(to);
        _setHolder(tokenId, record, from, to);
    }

    /// @dev Stores a new slot record with one SSTORE (the legacy code generator stores struct members one
    /// by one, paying for each). The word follows {SlotRecord}'s layout from the low-order end: debtor
    /// (160 bits), dueDate (40), currency (24), frozen (8, false), fragments (24, 1: the issued fragment).
    function _storeSlot(SlotRecord storage record, address debtor, uint40 dueDate, bytes3 currency) private {
        assembly ("memory-safe") {
            let word := and(debtor, 0xffffffffffffffffffffffffffffffffffffffff)
            word := or(word, shl(160, and(dueDate, 0xffffffffff)))
            word := or(word, shl(200, shr(232, currency))) // bytes3 sits in the high-order bytes
            word := or(word, shl(232, 1))
            sstore(record.slot, word)
        }
    }

    /// @dev Stores a new invoice record with one SSTORE, as {_storeSlot}. Layout from the low-order end:
    /// creditor (160 bits), slot (32), faceValue (64).
    function _storeInvoice(InvoiceRecord storage record, address creditor, uint32 slot, uint64 faceValue) private {
        assembly ("memory-safe") {
            let word := and(creditor, 0xffffffffffffffffffffffffffffffffffffffff)
            word := or(word, shl(160, and(slot, 0xffffffff)))
            word := or(word, shl(192, and(faceValue, 0xffffffffffffffff)))
            sstore(record.slot, word)
        }
    }

    // ------------------------------------------------------------------ internal: checks

    /// @dev Lets the caller move `value` of fragment `tokenId` held by `holder`: the caller acts for the
    /// holder, or is approved for all its fragments or for this one, or spends a value allowance. Anyone
    /// but the holder's own accounts also needs the holder to be active.
    function _authorizeValue(uint256 tokenId, address holder, uint256 value) private {
        if (_actingFor(msg.sender, Roles.ALL) == holder) return;
        Approvals storage approvals = _approvals[tokenId];
        if (!_operatorApprovals[holder][msg.sender] && approvals.operator != msg.sender) {
            uint256 epoch = approvals.epoch;
            uint256 allowed = _allowances[tokenId][epoch][msg.sender];
            if (allowed == 0) revert ReceivableNotAuthorized(msg.sender, tokenId);
            if (allowed < value) revert ReceivableInsufficientAllowance(tokenId, msg.sender, allowed, value);
            if (allowed != type(uint256).max) {
                // No underflow: allowed >= value, checked above.
                unchecked {
                    allowed -= value;
                }
                _allowances[tokenId][epoch][msg.sender] = allowed;
                emit ApprovalValue(tokenId, msg.sender, allowed);
            }
        }
        if (!_registry.isActive(holder)) revert ReceivableInactiveHolder(holder);
    }

    /// @dev {IEnterpriseRegistry-actingFor} on the registry, as a bare STATICCALL: the high-level call's
    /// encoding, free-memory bookkeeping and decoding cost about 230 gas more, paid twice by every issue and
    /// every split. The registry is trusted (set once at construction), but its answer is still checked to
    /// be a full word, and a revert is passed on.
    function _actingFor(address actor, uint32 roles) private view returns (address enterprise) {
        address registry_ = address(_registry);
        bytes4 selector = IEnterpriseRegistry.actingFor.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40) // scratch beyond the free memory pointer; not kept
            mstore(ptr, selector)
            mstore(add(ptr, 4), and(actor, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 36), and(roles, 0xffffffff))
            if iszero(staticcall(gas(), registry_, ptr, 68, 0, 32)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 32) { revert(0, 0) }
            enterprise := and(mload(0), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    function _requireExists(uint256 tokenId, FragmentRecord storage record) private view returns (address holder) {
        holder = record.holder;
        if (holder == address(0)) revert ReceivableNonexistentToken(tokenId);
    }

    function _requireSlot(uint256 slot) private view returns (SlotRecord storage slotRecord) {
        slotRecord = _slots[slot];
        if (slotRecord.debtor == address(0)) revert ReceivableNonexistentSlot(slot);
    }

    /// @dev Reverts unless the fragment may move: neither it nor its slot frozen, not settled, financed or offered.
    function _requireMovable(uint256 tokenId, uint8 flags, bool slotFrozen, uint256 slot) private pure {
        if (slotFrozen) revert ReceivableSlotFrozen(slot);
        if (flags != 0) {
            if (flags & _FROZEN != 0) revert ReceivableFrozen(tokenId);
            if (flags & _SETTLED != 0) revert ReceivableAlreadySettled(tokenId);
            if (flags & _FINANCED != 0) revert ReceivableAlreadyFinanced(tokenId);
            revert ReceivableOfferPending(tokenId);
        }
    }

    function _requireValue(uint256 tokenId, uint64 available, uint256 value) private pure {
        if (value == 0) revert ReceivableZeroValue(tokenId);
        if (value > available) revert ReceivableInsufficientValue(tokenId, available, value);
    }

    /// @dev Fragments only go to primary accounts of active enterprises (the registry answers address(0)
    /// for address(0), hence the explicit check).
    function _requireRecipient(address to) private view {
        if (to == address(0) || _actingFor(to, Roles.ALL) != to) revert ReceivableInvalidRecipient(to);
    }

    function _requireBeforeMaturity(uint256 slot, uint40 dueDate) private view {
        if (block.timestamp >= dueDate) revert ReceivableMatured(slot, dueDate);
    }

    function _requireRegulator() private view returns (address regulator) {
        regulator = _actingFor(msg.sender, Roles.REGULATOR);
        if (regulator == address(0)) revert ReceivableNotRegulator(msg.sender);
    }

    /// @dev Three upper-case ASCII letters, tested on all three bytes at once: with the top bit of each
    /// byte cleared, adding 0x3f sets it exactly for bytes >= "A" (0x41) and adding 0x25 exactly for bytes
    /// > "Z" (0x5a); no byte carries into the next (0x7f + 0x3f < 0x100).
    function _checkCurrency(bytes3 currency) private pure {
        uint256 letters = uint24(currency);
        uint256 low = letters & 0x7f7f7f;
        uint256 atLeastA = low + 0x3f3f3f;
        uint256 aboveZ = low + 0x252525;
        if (atLeastA & ~aboveZ & ~letters & 0x808080 != 0x808080) revert ReceivableInvalidCurrency(currency);
    }

    function _parentId(uint256 tokenId, uint24 parent) private pure returns (uint256) {
        // The division truncates on purpose: it drops the fragment index, keeping the slot's base id.
        // slither-disable-next-line divide-before-multiply
        return parent == 0 ? 0 : (tokenId / _ID_BASE) * _ID_BASE + parent;
    }

    /// @dev ERC-3525: tells a contract that receives value and declares {IERC3525Receiver} through ERC-165.
    function _checkOnERC3525Received(address to, uint256 fromTokenId, uint256 toTokenId, uint256 value) private {
        if (to.code.length == 0) return;
        try IERC165(to).supportsInterface(type(IERC3525Receiver).interfaceId) returns (bool supported) {
            if (!supported) return;
        } catch {
            return;
        }
        bytes4 answer = IERC3525Receiver(to).onERC3525Received(msg.sender, fromTokenId, toTokenId, value, "");
        if (answer != IERC3525Receiver.onERC3525Received.selector) revert ReceivableInvalidReceiver(to);
    }

    /// @dev ERC-721 safe transfers: a contract recipient must answer {IERC721Receiver-onERC721Received}.
    function _checkOnERC721Received(address from, address to, uint256 tokenId, bytes memory data) private {
        if (to.code.length == 0) return;
        try IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data) returns (bytes4 answer) {
            if (answer != IERC721Receiver.onERC721Received.selector) revert ReceivableInvalidReceiver(to);
        } catch (bytes memory reason) {
            if (reason.length == 0) revert ReceivableInvalidReceiver(to);
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }
}
