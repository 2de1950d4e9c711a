// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
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
/// - a slot is three words written once at issue: the slot record (debtor, due date, currency — zero for a
///   confidential slot —, frozen, fragment count) read by every move; the invoice record (creditor, slot, face value)
///   keyed by the hash of the debtor and its invoice hash (or invoice key) — the one-invoice-one-receivable
///   check, scoped to the debtor so that no one else can take a debtor's invoice first; and by slot the
///   invoice hash, or for a confidential slot the root of its committed document. A confidential slot
///   stores no face value and no currency: its fragments count shares of {totalShares};
/// - settled value, offers and approvals live apart and cost nothing until used. Approvals carry an
///   epoch that advances when a fragment changes holder, which voids every earlier value allowance;
/// - encryption keys are one word per account (the x coordinate; the parity is found by hashing to
///   the account), and a flag in the top bit of the account's fragment count: the check that a
///   confidential fragment's recipient published a key reads the word the mint then updates, and a
///   published key has made that word non-zero already. Ciphertext is never stored: envelopes are in
///   {FactsSealed} events (and calldata).
/// Fragments are created only in {_mint}; value moves only in {_updateValue}; holders change only in
/// {_setHolder}; fragments settle only in {_settle}; slots are created only in {_issue}.
contract Receivables is IReceivables {
    using SafeERC20 for IERC20;

    uint256 private constant _ID_BASE = 10_000_000;
    uint256 private constant _MAX_FRAGMENTS = _ID_BASE - 1;
    uint64 private constant _TOTAL_SHARES = 1e18; // value of a confidential slot, whatever its face value
    uint256 private constant _KEY_PUBLISHED = 1 << 255; // in a holder's {_balances} word

    // Fragment flags.
    uint8 private constant _OFFERED = 1;
    uint8 private constant _FINANCED = 2;
    uint8 private constant _SETTLED = 4;
    uint8 private constant _FROZEN = 8;

    /// @dev Read by every move of the slot's fragments. One word.
    struct SlotRecord {
        address debtor;
        uint40 dueDate;
        bytes3 currency; // zero exactly when the slot is confidential (a transparent issue checks it)
        bool frozen;
        uint24 fragments; // fragments created so far: the last index
    }

    /// @dev Keyed by {_invoiceKey}; a non-zero slot marks the invoice used. One word.
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
    mapping(uint256 slot => bytes32 invoiceHashOrDocumentRoot) private _slotInvoices;
    // Written by {_issue} in one SSTORE through assembly, which slither does not see.
    // slither-disable-next-line uninitialized-state
    mapping(bytes32 debtorInvoiceKey => InvoiceRecord) private _invoices;
    mapping(uint256 slot => uint256 settledValue) private _settledValues;
    mapping(uint256 tokenId => FragmentRecord) private _fragments;
    mapping(uint256 tokenId => Offer) private _offers;
    mapping(uint256 tokenId => Approvals) private _approvals;
    mapping(uint256 tokenId => mapping(uint256 epoch => mapping(address operator => uint256 value))) private
        _allowances;
    mapping(address holder => mapping(address operator => bool approved)) private _operatorApprovals;
    mapping(address holder => uint256 fragmentsAndKeyFlag) private _balances;
    mapping(uint256 tokenId => bytes32 priceCommitment) private _priceCommitments;
    mapping(address account => bytes32 x) private _encryptionKeys;

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
        _checkCurrency(currency); // first: a zero currency would make {_issue} take it for a confidential issue
        return _issue(creditor, faceValue, currency, dueDate, invoiceHash, invoiceHash);
    }

    /// @inheritdoc IReceivables
    function issueConfidential(
        address creditor,
        uint40 dueDate,
        bytes32 invoiceKey,
        bytes32 documentRoot,
        bytes calldata envelope
    ) external returns (uint256 tokenId) {
        tokenId = _issue(creditor, _TOTAL_SHARES, bytes3(0), dueDate, invoiceKey, documentRoot);
        _seal(tokenId, _slots[tokenId / _ID_BASE].debtor, envelope);
    }

    // ------------------------------------------------------------------ encryption keys

    /// @inheritdoc IReceivables
    function publishEncryptionKey(bytes calldata publicKey) external {
        if (publicKey.length != 64) revert ReceivableInvalidEncryptionKey(msg.sender, address(0));
        address owner = address(uint160(uint256(keccak256(publicKey))));
        if (owner != msg.sender) revert ReceivableInvalidEncryptionKey(msg.sender, owner);
        if (_encryptionKeys[owner] != 0) revert ReceivableEncryptionKeyPublished(owner);
        _encryptionKeys[owner] = bytes32(publicKey[:32]);
        _balances[owner] |= _KEY_PUBLISHED;
        emit EncryptionKeyPublished(owner, publicKey);
    }

    /// @inheritdoc IReceivables
    function sealFacts(uint256 tokenId, bytes calldata envelope) external {
        address holder = _requireExists(tokenId, _fragments[tokenId]);
        if (_actingFor(msg.sender, Roles.ALL) != holder) revert ReceivableNotAuthorized(msg.sender, tokenId);
        _requireConfidential(tokenId / _ID_BASE);
        _seal(tokenId, holder, envelope);
    }

    // ------------------------------------------------------------------ ERC-3525 value transfers

    /// @inheritdoc IERC3525
    /// @dev The split (多级流转): always creates a new fragment for `to`, whose parent is `fromTokenId`.
    /// `to` must be the primary account of an active enterprise; `value` must be positive.
    /// Also emits a {ReceivableSplit} event.
    function transferFrom(uint256 fromTokenId, address to, uint256 value) external returns (uint256 tokenId) {
        (tokenId,) = _split(fromTokenId, to, value);
        _checkOnERC3525Received(to, fromTokenId, tokenId, value);
    }

    /// @inheritdoc IReceivables
    function splitConfidential(uint256 fromTokenId, address to, uint256 shares, bytes calldata envelope)
        external
        returns (uint256 tokenId)
    {
        address holder;
        (tokenId, holder) = _split(fromTokenId, to, shares);
        // Checked after the split, which has read the slot and checked the fragment exists.
        _requireConfidential(fromTokenId / _ID_BASE);
        _seal(tokenId, holder, envelope);
        _checkOnERC3525Received(to, fromTokenId, tokenId, shares);
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
        (FragmentRecord storage record, address holder) = _requireOfferable(tokenId, financier, false);
        uint64 value = record.value;
        if (price == 0 || price > value) revert ReceivableInvalidPrice(price, value);

        record.flags = _OFFERED;
        _offers[tokenId] = Offer(financier, uint64(price));
        emit FinancingOffered(tokenId, holder, financier, price);
    }

    /// @inheritdoc IReceivables
    function offerFinancingConfidential(
        uint256 tokenId,
        address financier,
        bytes32 priceCommitment,
        bytes calldata envelope
    ) external {
        (FragmentRecord storage record, address holder) = _requireOfferable(tokenId, financier, true);
        if (priceCommitment == bytes32(0)) revert ReceivableInvalidCommitment(priceCommitment);

        record.flags = _OFFERED;
        _offers[tokenId] = Offer(financier, 0);
        _priceCommitments[tokenId] = priceCommitment;
        emit ConfidentialFinancingOffered(tokenId, holder, financier, priceCommitment);
        _seal(tokenId, holder, envelope);
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
        _clearOffer(tokenId);
        record.flags = flags & ~_OFFERED;
        emit FinancingOfferWithdrawn(tokenId, financier);
    }

    /// @inheritdoc IReceivables
    function acceptFinancing(uint256 tokenId, uint128 price, bytes32 paymentReference) external {
        (FragmentRecord storage record, address holder, Offer memory offer) = _requireAcceptable(tokenId, false);
        if (price != offer.price) revert ReceivablePriceChanged(tokenId, offer.price);
        if (paymentReference == bytes32(0)) revert ReceivableInvalidPaymentReference(paymentReference);
        if (!_registry.isActive(holder)) revert ReceivableInactiveHolder(holder);

        delete _offers[tokenId];
        record.flags = _FINANCED;
        _setHolder(tokenId, record, holder, offer.financier);
        emit ReceivableFinanced(tokenId, holder, offer.financier, offer.price, paymentReference);
    }

    /// @inheritdoc IReceivables
    function acceptFinancingConfidential(
        uint256 tokenId,
        bytes32 priceCommitment,
        bytes32 referenceCommitment,
        bytes calldata envelope
    ) external {
        (FragmentRecord storage record, address holder, Offer memory offer) = _requireAcceptable(tokenId, true);
        bytes32 offered = _priceCommitments[tokenId];
        if (priceCommitment != offered) revert ReceivableOfferChanged(tokenId, offered);
        if (referenceCommitment == bytes32(0)) revert ReceivableInvalidCommitment(referenceCommitment);
        if (!_registry.isActive(holder)) revert ReceivableInactiveHolder(holder);

        _clearOffer(tokenId);
        record.flags = _FINANCED;
        _setHolder(tokenId, record, holder, offer.financier);
        emit ConfidentialReceivableFinanced(tokenId, holder, offer.financier, priceCommitment, referenceCommitment);
        _seal(tokenId, offer.financier, envelope);
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
        (FragmentRecord storage record, address holder, address debtor) = _requirePayer(tokenId, false);
        uint256 value = _settle(tokenId, record, holder, true);
        // `debtor` is not arbitrary: the caller was just checked to act for the debtor itself.
        // slither-disable-next-line arbitrary-send-erc20
        _settlementToken.safeTransferFrom(debtor, holder, value);
    }

    /// @inheritdoc IReceivables
    function settleRevealing(uint256 tokenId, uint128 faceValue, bytes32 salt, bytes32[] calldata proof) external {
        (FragmentRecord storage record, address holder, address debtor) = _requirePayer(tokenId, true);
        uint256 slot = tokenId / _ID_BASE;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode("face_value", abi.encode(faceValue), salt))));
        if (!MerkleProof.verifyCalldata(proof, _slotInvoices[slot], leaf)) revert ReceivableInvalidDisclosure(slot);
        uint256 shares = _settle(tokenId, record, holder, true);
        // The fragment's amount: its shares of the face value, rounded half up, as the parties compute it.
        // No overflow: shares <= 1e18 and faceValue < 2**128.
        uint256 amount = (2 * shares * faceValue + _TOTAL_SHARES) / (2 * _TOTAL_SHARES);
        // `debtor` is not arbitrary: the caller was just checked to act for the debtor itself.
        // slither-disable-next-line arbitrary-send-erc20
        _settlementToken.safeTransferFrom(debtor, holder, amount);
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
        return _balances[owner] & ~_KEY_PUBLISHED;
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
        _requireMode(slot, slotRecord.currency == bytes3(0), false);
        address debtor = slotRecord.debtor;
        bytes32 invoiceHash = _slotInvoices[slot];
        InvoiceRecord storage invoice = _invoices[_invoiceKey(debtor, invoiceHash)];
        return Obligation(
            debtor, invoice.creditor, invoice.faceValue, slotRecord.currency, slotRecord.dueDate, invoiceHash
        );
    }

    /// @inheritdoc IReceivables
    function confidentialObligation(uint256 slot) external view returns (ConfidentialObligation memory) {
        SlotRecord storage slotRecord = _requireSlot(slot);
        _requireMode(slot, slotRecord.currency == bytes3(0), true);
        return ConfidentialObligation(slotRecord.debtor, slotRecord.dueDate, _slotInvoices[slot]);
    }

    /// @inheritdoc IReceivables
    function isConfidential(uint256 slot) external view returns (bool) {
        return _requireSlot(slot).currency == bytes3(0);
    }

    /// @inheritdoc IReceivables
    function totalShares() external pure returns (uint256) {
        return _TOTAL_SHARES;
    }

    /// @inheritdoc IReceivables
    function encryptionKey(address account) external view returns (bytes32) {
        return _encryptionKeys[account];
    }

    /// @inheritdoc IReceivables
    function offerCommitment(uint256 tokenId) external view returns (bytes32) {
        _requireExists(tokenId, _fragments[tokenId]);
        return _priceCommitments[tokenId];
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
    function invoiceSlot(address debtor, bytes32 invoiceHash) external view returns (uint256) {
        return _invoices[_invoiceKey(debtor, invoiceHash)].slot;
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

    /// @dev The one place slots are created, transparent (`currency` checked by the caller) or, with
    /// `currency` zero, confidential: the
    /// caller's core enterprise (the debtor) owes `creditor` the next slot, due on `dueDate`; the debtor's
    /// invoice `invoiceKey` is marked used; `slotDocument` (invoice hash, or document root) is stored by slot;
    /// the first fragment is minted to `creditor` holding `value` (the face value, or every share of a
    /// confidential slot, which its invoice record also keeps as its face value). Checks in the order the
    /// interface lists them, and emits {ReceivableIssued} or {ReceivableIssuedConfidentially}.
    /// The slot and invoice records are each written with one SSTORE (the legacy code generator stores
    /// struct members one by one, paying for each). From the low-order end, the slot word is {SlotRecord}'s
    /// layout: debtor (160 bits), dueDate (40), currency (24, zero: confidential), frozen (8, false),
    /// fragments (24, 1: the issued fragment); the invoice word {InvoiceRecord}'s: creditor (160), slot
    /// (32), faceValue (64).
    function _issue(
        address creditor,
        uint128 value,
        bytes3 currency,
        uint40 dueDate,
        bytes32 invoiceKey,
        bytes32 slotDocument
    ) private returns (uint256 tokenId) {
        address debtor = _actingFor(msg.sender, Roles.CORE_ENTERPRISE);
        if (debtor == address(0)) revert ReceivableNotCoreEnterprise(msg.sender);
        if (creditor == address(0) || creditor == debtor || _actingFor(creditor, Roles.SUPPLIER) != creditor) {
            revert ReceivableInvalidCreditor(creditor);
        }
        if (currency == bytes3(0)) {
            _requireEncryptionKey(creditor);
            if (slotDocument == bytes32(0)) revert ReceivableInvalidDocument(slotDocument);
        } else if (value == 0 || value > type(uint64).max) {
            revert ReceivableInvalidFaceValue(value);
        }
        if (dueDate <= block.timestamp) revert ReceivableInvalidDueDate(dueDate);
        if (invoiceKey == bytes32(0)) revert ReceivableInvalidInvoice(invoiceKey);
        InvoiceRecord storage invoice = _invoices[_invoiceKey(debtor, invoiceKey)];
        if (invoice.slot != 0) revert ReceivableInvoiceUsed(invoiceKey, invoice.slot);
        uint256 slot = _nextSlot;
        if (slot > type(uint32).max) revert ReceivableTooManySlots();
        // No overflow: slot <= 2**32 - 1.
        unchecked {
            _nextSlot = slot + 1;
        }
        _slotInvoices[slot] = slotDocument;
        SlotRecord storage slotRecord = _slots[slot];
        // Both addresses are clean (ABI-decoded or masked by {_actingFor}); slot < 2**32; bytes3 sits high.
        assembly ("memory-safe") {
            sstore(invoice.slot, or(or(creditor, shl(160, slot)), shl(192, and(value, 0xffffffffffffffff))))
            let word := or(debtor, shl(160, and(dueDate, 0xffffffffff)))
            sstore(slotRecord.slot, or(or(word, shl(200, shr(232, currency))), shl(232, 1)))
        }
        tokenId = _mint(creditor, slot, 1, 0, uint64(value));
        if (currency == bytes3(0)) {
            emit ReceivableIssuedConfidentially(slot, debtor, creditor, invoiceKey, slotDocument);
        } else {
            // emit ReceivableIssued(slot, debtor, creditor, invoiceKey), logged directly as {_mint} logs.
            bytes32 topic = ReceivableIssued.selector;
            assembly ("memory-safe") {
                mstore(0, invoiceKey)
                log4(0, 32, topic, slot, debtor, creditor) // both addresses came in clean (checked above)
            }
        }
    }

    /// @dev The split (多级流转): `value` of `fromTokenId` into a new fragment for `to`, whose parent it is.
    /// Returns the new fragment and the holder of `fromTokenId`.
    function _split(uint256 fromTokenId, address to, uint256 value) private returns (uint256 tokenId, address holder) {
        FragmentRecord storage source = _fragments[fromTokenId];
        holder = _requireExists(fromTokenId, source);
        _authorizeValue(fromTokenId, holder, value);
        uint256 slot = fromTokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        _requireMovable(fromTokenId, source.flags, slotRecord.frozen, slot);
        _requireValue(fromTokenId, source.value, value);
        _requireRecipient(to);
        if (slotRecord.currency == bytes3(0)) _requireEncryptionKey(to);

        uint256 index;
        // No overflow: a slot's fragment count is a uint24.
        unchecked {
            index = uint256(slotRecord.fragments) + 1;
        }
        if (index > _MAX_FRAGMENTS) revert ReceivableTooManyFragments(slot);
        slotRecord.fragments = uint24(index);
        tokenId = _mint(to, slot, index, uint24(fromTokenId % _ID_BASE), 0);
        _updateValue(fromTokenId, tokenId, uint64(value));
        emit ReceivableSplit(fromTokenId, tokenId, to, uint128(value));
    }

    /// @dev The one place fragments are created: fragment `index` of `slot` for `to`, split from fragment
    /// index `parent` (0: the issued fragment), created holding `value`. Stores the new word with one SSTORE
    /// (the legacy code generator would store each member apart); the layout is {FragmentRecord}'s from the
    /// low-order end: holder (160 bits), value (64), parent (24), flags (8, none).
    function _mint(address to, uint256 slot, uint256 index, uint24 parent, uint64 value)
        private
        returns (uint256 tokenId)
    {
        // No overflow: slot < 2**32 and index < _ID_BASE.
        unchecked {
            tokenId = slot * _ID_BASE + index;
        }
        FragmentRecord storage record = _fragments[tokenId];
        assembly ("memory-safe") {
            let word := and(to, 0xffffffffffffffffffffffffffffffffffffffff)
            word := or(word, shl(160, and(value, 0xffffffffffffffff)))
            word := or(word, shl(224, and(parent, 0xffffff)))
            sstore(record.slot, word)
        }
        // A holder's count is bounded by the number of fragments ever created, far below the key flag.
        unchecked {
            ++_balances[to];
        }
        // emit Transfer(address(0), to, tokenId); emit SlotChanged(tokenId, 0, slot);
        // emit TransferValue(0, tokenId, value): logged directly, which saves the encoder's memory
        // bookkeeping on every issue and split (the logs are byte for byte the same).
        bytes32 transferTopic = Transfer.selector;
        bytes32 slotChangedTopic = SlotChanged.selector;
        bytes32 transferValueTopic = TransferValue.selector;
        assembly ("memory-safe") {
            log4(0, 0, transferTopic, 0, and(to, 0xffffffffffffffffffffffffffffffffffffffff), tokenId)
            log4(0, 0, slotChangedTopic, tokenId, 0, slot)
            mstore(0, and(value, 0xffffffffffffffff))
            log3(0, 32, transferValueTopic, 0, tokenId)
        }
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

        if (flags & _OFFERED != 0) _clearOffer(tokenId); // a pending offer lapses
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
        SlotRecord storage slotRecord = _slots[slot];
        _requireMovable(tokenId, record.flags, slotRecord.frozen, slot);
        _requireRecipient(to);
        if (slotRecord.currency == bytes3(0)) _requireEncryptionKey(to);
        _setHolder(tokenId, record, from, to);
    }

    /// @dev The key of {_invoices}: keccak256(abi.encode(debtor, invoiceKey)), hashed in scratch space. Scoping
    /// the key to the debtor means an invoice hash seen in a pending transaction cannot be used first by
    /// anyone else to block it.
    function _invoiceKey(address debtor, bytes32 invoiceKey) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0, and(debtor, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(32, invoiceKey)
            key := keccak256(0, 64)
        }
    }

    /// @dev Removes the pending offer of `tokenId` (with its price commitment, when confidential).
    function _clearOffer(uint256 tokenId) private {
        delete _offers[tokenId];
        if (_priceCommitments[tokenId] != 0) delete _priceCommitments[tokenId];
    }

    /// @dev The one place envelopes are logged: refuses an empty one, emits {FactsSealed}.
    function _seal(uint256 tokenId, address sender, bytes calldata envelope) private {
        if (envelope.length == 0) revert ReceivableEmptyEnvelope();
        emit FactsSealed(tokenId, sender, envelope);
    }

    // ------------------------------------------------------------------ internal: checks

    /// @dev The checks of an offer before its price: the caller acts for the holder; the slot's mode is the
    /// call's; the fragment is movable and not matured; `financier` is an active financier's primary account
    /// other than the holder (with a published encryption key, for a confidential offer).
    function _requireOfferable(uint256 tokenId, address financier, bool confidential)
        private
        view
        returns (FragmentRecord storage record, address holder)
    {
        record = _fragments[tokenId];
        holder = _requireExists(tokenId, record);
        if (_actingFor(msg.sender, Roles.ALL) != holder) revert ReceivableNotAuthorized(msg.sender, tokenId);
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        _requireMode(slot, slotRecord.currency == bytes3(0), confidential);
        _requireMovable(tokenId, record.flags, slotRecord.frozen, slot);
        _requireBeforeMaturity(slot, slotRecord.dueDate);
        if (
            financier == address(0) || financier == holder
                || _actingFor(financier, Roles.FINANCIER) != financier
        ) revert ReceivableInvalidFinancier(financier);
        if (confidential) _requireEncryptionKey(financier);
    }

    /// @dev The checks of an acceptance before its payment reference: the fragment is offered to the
    /// financier the caller acts for; the slot's mode is the call's; it is movable and not matured.
    function _requireAcceptable(uint256 tokenId, bool confidential)
        private
        view
        returns (FragmentRecord storage record, address holder, Offer memory offer)
    {
        record = _fragments[tokenId];
        holder = _requireExists(tokenId, record);
        uint8 flags = record.flags;
        if (flags & _OFFERED == 0) revert ReceivableNotOffered(tokenId);
        offer = _offers[tokenId];
        if (_actingFor(msg.sender, Roles.FINANCIER) != offer.financier) {
            revert ReceivableNotAuthorized(msg.sender, tokenId);
        }
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        _requireMode(slot, slotRecord.currency == bytes3(0), confidential);
        // An offered fragment is neither settled nor financed: offering needs neither, settling withdraws it.
        _requireMovable(tokenId, flags & ~_OFFERED, slotRecord.frozen, slot);
        _requireBeforeMaturity(slot, slotRecord.dueDate);
    }

    /// @dev The checks of a payment through the settlement token: the fragment exists, a token is configured,
    /// the caller acts for the debtor, and the slot's mode is the call's.
    function _requirePayer(uint256 tokenId, bool confidential)
        private
        view
        returns (FragmentRecord storage record, address holder, address debtor)
    {
        record = _fragments[tokenId];
        holder = _requireExists(tokenId, record);
        if (address(_settlementToken) == address(0)) revert ReceivableNoSettlementToken();
        uint256 slot = tokenId / _ID_BASE;
        SlotRecord storage slotRecord = _slots[slot];
        debtor = slotRecord.debtor;
        if (_actingFor(msg.sender, Roles.ALL) != debtor) revert ReceivableNotAuthorized(msg.sender, tokenId);
        _requireMode(slot, slotRecord.currency == bytes3(0), confidential);
    }

    /// @dev Reverts unless slot `slot` is confidential exactly when the call is meant for a confidential slot.
    function _requireMode(uint256 slot, bool slotConfidential, bool callConfidential) private pure {
        if (slotConfidential != callConfidential) {
            if (slotConfidential) revert ReceivableConfidential(slot);
            revert ReceivableNotConfidential(slot);
        }
    }

    function _requireConfidential(uint256 slot) private view {
        if (_slots[slot].currency != bytes3(0)) revert ReceivableNotConfidential(slot);
    }

    /// @dev Confidential fragments go only to accounts that published the key their facts are sealed to.
    function _requireEncryptionKey(address account) private view {
        if (_balances[account] & _KEY_PUBLISHED == 0) revert ReceivableNoEncryptionKey(account);
    }

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
