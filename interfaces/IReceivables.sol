// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IEnterpriseRegistry} from "./IEnterpriseRegistry.sol";
import {IERC3525} from "./IERC3525.sol";

/// @title IReceivables
/// @notice Supply-chain receivables (应收款链) as ERC-3525 semi-fungible tokens.
///
/// A slot is one obligation: a core enterprise (the debtor) confirms (确权) that it owes a supplier (the
/// original creditor) a face value in a currency on a due date, backed by one invoice document. A token is
/// a fragment of that obligation held by one enterprise; its value is an amount in minor units (fen:
/// {valueDecimals} is 2).
///
/// Ids. Slots are numbered 1, 2, 3 … in issue order. A fragment's id is `slot * 10**7 + index`, where
/// index counts the fragments of its slot from 1 (the issued fragment) in creation order: fragment 3 of
/// receivable 42 is 420000003. Lineage is kept: every split records its parent fragment.
///
/// Life of a fragment:
/// - issued to the creditor, then split or moved (多级流转) among active enterprises;
/// - offered to a financier and accepted (保理): it becomes the financier's, financed. A fragment is financed
///   at most once, and a financed fragment no longer moves: it can only be settled;
/// - settled once, at or after maturity: its holder confirms the debtor paid off-chain, or the debtor pays
///   its value through the settlement token. A settled fragment never moves again.
/// A regulator may freeze a slot or a fragment; nothing of it moves (transfer, split, offer, acceptance,
/// settlement) until it is unfrozen. A settled fragment keeps its value ({balanceOf}) as the record of what
/// was paid; {fragment} tells it is settled.
///
/// ERC-3525/721 transfers follow the EIPs with these domain rules: fragments go only to the primary
/// account of an active enterprise; `transferFrom(tokenId, to, value)` always creates a new fragment for
/// `to` (the split) and moves a positive value; value moves only between movable fragments (not frozen,
/// offered, financed or settled) of the same slot; the caller acts for the holder (itself or one of its
/// registered operators), or is approved for all of the holder's fragments or for this one, or spends a
/// value allowance — and then the holder must still be active. {setApprovalForAll} approves for the
/// enterprise the caller acts for. A change of holder voids the fragment's approval and value allowances.
///
/// Invariants: per slot, the value of its unsettled fragments plus its settled value equals its face
/// value; no fragment is settled or financed twice; fragments only move to active enterprises; nothing
/// moves while frozen or after settlement.
///
/// Parties are enterprise primary accounts in the {registry}; an operator account registered there acts
/// for its enterprise wherever this contract checks "the caller acts for X". Values are stored in 64 bits:
/// a face value is at most 2**64 - 1 fen (about 1.8e17 yuan); the ABI keeps 128-bit amounts.
interface IReceivables is IERC3525 {
    /// @notice One obligation (a slot).
    struct Obligation {
        address debtor; // the core enterprise that owes
        address creditor; // the supplier it was issued to
        uint128 faceValue; // minor units
        bytes3 currency; // ISO 4217, e.g. "CNY"
        uint40 dueDate; // unix seconds; settlement opens at this moment
        bytes32 invoiceHash; // hash of the invoice document; backs this receivable only, ever
    }

    /// @notice The settlement state of a slot.
    struct SlotState {
        uint128 settledValue; // value of its settled fragments
        uint32 fragments; // fragments created so far (the last index)
        bool frozen;
    }

    /// @notice One fragment (a token), with its pending financing offer if any.
    struct Fragment {
        address holder;
        uint128 value;
        uint256 slot;
        uint256 parent; // the fragment it was split from; 0 for the issued fragment
        bool offered;
        bool financed;
        bool settled;
        bool frozen;
        address financier; // the offer's financier, while offered
        uint128 offerPrice; // the offer's price in minor units, while offered
    }

    /// @notice `debtor` issued receivable `slot`, backed by `invoiceHash`, to `creditor`. Its first fragment is
    /// `slot * 10**7 + 1`; the face value is in the {TransferValue} event that creates it, and the whole
    /// obligation in {obligation}.
    event ReceivableIssued(uint256 indexed slot, address indexed debtor, address indexed creditor, bytes32 invoiceHash);
    /// @notice `value` of fragment `parent` became the new fragment `tokenId` held by `holder`.
    event ReceivableSplit(uint256 indexed parent, uint256 indexed tokenId, address indexed holder, uint128 value);
    /// @notice The holder offered fragment `tokenId` to `financier` for `price`.
    event FinancingOffered(uint256 indexed tokenId, address indexed holder, address indexed financier, uint128 price);
    /// @notice The holder withdrew its offer of fragment `tokenId` to `financier`.
    event FinancingOfferWithdrawn(uint256 indexed tokenId, address indexed financier);
    /// @notice `financier` accepted the offer of fragment `tokenId` from `seller`, paying `price` under
    /// `paymentReference`.
    event ReceivableFinanced(
        uint256 indexed tokenId,
        address indexed seller,
        address indexed financier,
        uint128 price,
        bytes32 paymentReference
    );
    /// @notice Fragment `tokenId` of `slot` was settled: `value` paid to `holder`, through the settlement token
    /// when `onChain`, otherwise confirmed by the holder.
    event ReceivableSettled(
        uint256 indexed tokenId, uint256 indexed slot, address indexed holder, uint128 value, bool onChain
    );
    event SlotFrozen(uint256 indexed slot, address indexed regulator);
    event SlotUnfrozen(uint256 indexed slot, address indexed regulator);
    event FragmentFrozen(uint256 indexed tokenId, address indexed regulator);
    event FragmentUnfrozen(uint256 indexed tokenId, address indexed regulator);

    /// @notice The caller does not act for an active core enterprise.
    error ReceivableNotCoreEnterprise(address caller);
    /// @notice The creditor is not the primary account of an active supplier, or is the debtor itself.
    error ReceivableInvalidCreditor(address creditor);
    /// @notice The face value is zero or above 2**64 - 1.
    error ReceivableInvalidFaceValue(uint128 faceValue);
    /// @notice The currency is not three upper-case ASCII letters.
    error ReceivableInvalidCurrency(bytes3 currency);
    /// @notice The due date is not in the future.
    error ReceivableInvalidDueDate(uint40 dueDate);
    /// @notice The invoice hash is zero.
    error ReceivableInvalidInvoice(bytes32 invoiceHash);
    /// @notice The invoice already backs receivable `slot`.
    error ReceivableInvoiceUsed(bytes32 invoiceHash, uint256 slot);
    error ReceivableNonexistentToken(uint256 tokenId);
    error ReceivableNonexistentSlot(uint256 slot);
    /// @notice The caller may not do this to fragment `tokenId`.
    error ReceivableNotAuthorized(address caller, uint256 tokenId);
    /// @notice The operator's allowance on `tokenId` is below the value it tries to move.
    error ReceivableInsufficientAllowance(uint256 tokenId, address operator, uint256 allowance, uint256 value);
    /// @notice Fragment `tokenId` holds `value`, less than the `requested` value.
    error ReceivableInsufficientValue(uint256 tokenId, uint256 value, uint256 requested);
    /// @notice A split or value transfer of zero from `tokenId`.
    error ReceivableZeroValue(uint256 tokenId);
    /// @notice `to` is not the primary account of an active enterprise.
    error ReceivableInvalidRecipient(address to);
    /// @notice The holder of the fragment is no longer an active enterprise, so only it (once reinstated) may act.
    error ReceivableInactiveHolder(address holder);
    error ReceivableSlotMismatch(uint256 fromTokenId, uint256 toTokenId);
    error ReceivableSameToken(uint256 tokenId);
    /// @notice `from` is not the holder of `tokenId`.
    error ReceivableIncorrectOwner(address from, uint256 tokenId, address holder);
    /// @notice The zero address holds nothing.
    error ReceivableInvalidOwner(address owner);
    /// @notice The operator is the zero address or the holder itself.
    error ReceivableInvalidOperator(address operator);
    /// @notice The caller does not act for an active enterprise.
    error ReceivableNotEnterprise(address caller);
    error ReceivableSlotFrozen(uint256 slot);
    error ReceivableFrozen(uint256 tokenId);
    error ReceivableSlotNotFrozen(uint256 slot);
    error ReceivableNotFrozen(uint256 tokenId);
    error ReceivableAlreadySettled(uint256 tokenId);
    error ReceivableAlreadyFinanced(uint256 tokenId);
    /// @notice Fragment `tokenId` is offered for financing; withdraw the offer first.
    error ReceivableOfferPending(uint256 tokenId);
    error ReceivableNotOffered(uint256 tokenId);
    /// @notice The financier is not the primary account of an active financier, or is the holder itself.
    error ReceivableInvalidFinancier(address financier);
    /// @notice The price is zero or above the fragment's value.
    error ReceivableInvalidPrice(uint128 price, uint256 value);
    error ReceivableInvalidPaymentReference(bytes32 paymentReference);
    /// @notice Settlement opens at the due date.
    error ReceivableNotMatured(uint256 slot, uint40 dueDate);
    /// @notice Financing closes at the due date.
    error ReceivableMatured(uint256 slot, uint40 dueDate);
    /// @notice No settlement token is configured: settle off-chain and confirm with {confirmSettlement}.
    error ReceivableNoSettlementToken();
    /// @notice The caller does not act for an active regulator.
    error ReceivableNotRegulator(address caller);
    /// @notice The receiving contract rejected the transfer.
    error ReceivableInvalidReceiver(address receiver);
    /// @notice Slot `slot` already has the most fragments an id can number (9,999,999).
    error ReceivableTooManyFragments(uint256 slot);
    /// @notice All 2**32 - 1 slot ids are taken.
    error ReceivableTooManySlots();

    // ---------------------------------------------------------------- issue

    /// @notice Issues a receivable: the caller's core enterprise (the debtor) confirms it owes `creditor`
    /// `faceValue` minor units of `currency` on `dueDate`, backed by the invoice `invoiceHash`. Creates the
    /// next slot and mints its first fragment, of the whole face value, to `creditor`.
    /// Requirements:
    /// - the caller acts for an active core enterprise;
    /// - `creditor` is the primary account of an active supplier, other than the debtor;
    /// - `faceValue` is 1 .. 2**64 - 1; `currency` is three upper-case letters; `dueDate` is in the future;
    /// - `invoiceHash` is not zero and has never backed a receivable.
    /// Emits {Transfer}, {SlotChanged}, {TransferValue} and {ReceivableIssued} events.
    /// @return tokenId The first fragment, `slot * 10**7 + 1`.
    function issue(address creditor, uint128 faceValue, bytes3 currency, uint40 dueDate, bytes32 invoiceHash)
        external
        returns (uint256 tokenId);

    // ---------------------------------------------------------------- financing

    /// @notice Offers fragment `tokenId` to `financier` for `price` minor units (paid off-chain on acceptance).
    /// Requirements:
    /// - the caller acts for the holder;
    /// - the fragment and its slot are not frozen; it is not settled, financed or already offered;
    /// - the due date has not come;
    /// - `financier` is the primary account of an active financier, other than the holder;
    /// - `price` is 1 .. the fragment's value.
    /// Emits a {FinancingOffered} event.
    function offerFinancing(uint256 tokenId, address financier, uint128 price) external;

    /// @notice Withdraws the pending offer of fragment `tokenId`. Allowed while frozen: it moves nothing.
    /// Requirements: the caller acts for the holder, or is the holder's primary account whatever its
    /// standing (taking an offer back never needs standing); the fragment is offered.
    /// Emits a {FinancingOfferWithdrawn} event.
    function withdrawOffer(uint256 tokenId) external;

    /// @notice Accepts the offer of fragment `tokenId`: the fragment becomes the financier's, financed.
    /// Requirements:
    /// - the fragment is offered, and the caller acts for the offered financier (as a financier);
    /// - the holder is still an active enterprise;
    /// - the fragment and its slot are not frozen; the due date has not come;
    /// - `paymentReference` (the reference of the payment to the seller) is not zero.
    /// Emits {Transfer} and {ReceivableFinanced} events.
    function acceptFinancing(uint256 tokenId, bytes32 paymentReference) external;

    // ---------------------------------------------------------------- settlement

    /// @notice The holder confirms that the debtor paid fragment `tokenId` off-chain; settles it.
    /// Requirements: the caller acts for the holder; the due date has come; the fragment and its slot are not
    /// frozen; the fragment is not settled. A pending offer lapses.
    /// Emits a {ReceivableSettled} event.
    function confirmSettlement(uint256 tokenId) external;

    /// @notice The debtor pays fragment `tokenId`: its value in the settlement token moves from the debtor's
    /// account to the holder (the debtor's account must have approved this contract); settles it.
    /// Requirements: a settlement token is configured; the caller acts for the debtor; the due date has
    /// come; the fragment and its slot are not frozen; the fragment is not settled. A pending offer lapses.
    /// Emits a {ReceivableSettled} event.
    function settle(uint256 tokenId) external;

    // ---------------------------------------------------------------- regulator

    /// @notice Freezes slot `slot`: none of its fragments moves until it is unfrozen.
    /// Requirements: the caller acts for an active regulator; the slot exists and is not frozen.
    /// Emits a {SlotFrozen} event.
    function freezeSlot(uint256 slot) external;

    /// @notice Unfreezes slot `slot`.
    /// Requirements: the caller acts for an active regulator; the slot is frozen.
    /// Emits a {SlotUnfrozen} event.
    function unfreezeSlot(uint256 slot) external;

    /// @notice Freezes fragment `tokenId`: it does not move until it is unfrozen.
    /// Requirements: the caller acts for an active regulator; the fragment exists, is not settled and is
    /// not frozen.
    /// Emits a {FragmentFrozen} event.
    function freezeFragment(uint256 tokenId) external;

    /// @notice Unfreezes fragment `tokenId`.
    /// Requirements: the caller acts for an active regulator; the fragment is frozen.
    /// Emits a {FragmentUnfrozen} event.
    function unfreezeFragment(uint256 tokenId) external;

    // ---------------------------------------------------------------- views

    /// @notice The enterprise registry that says who is active and in which role.
    function registry() external view returns (IEnterpriseRegistry);

    /// @notice The ERC-20 token {settle} pays in; address(0) when settlement is off-chain only.
    function settlementToken() external view returns (IERC20);

    /// @notice The obligation of slot `slot`. Reverts for a slot never issued.
    function obligation(uint256 slot) external view returns (Obligation memory);

    /// @notice The settlement state of slot `slot`. Reverts for a slot never issued.
    function slotState(uint256 slot) external view returns (SlotState memory);

    /// @notice Fragment `tokenId`. Reverts for a token that does not exist.
    function fragment(uint256 tokenId) external view returns (Fragment memory);

    /// @notice The fragment `tokenId` was split from; 0 for an issued fragment.
    function parentOf(uint256 tokenId) external view returns (uint256);

    /// @notice Whether fragment `tokenId` is past its due date and not settled.
    function overdue(uint256 tokenId) external view returns (bool);

    /// @notice The slot backed by `invoiceHash`, or 0.
    function invoiceSlot(bytes32 invoiceHash) external view returns (uint256);

    /// @notice The slot the next {issue} creates.
    function nextSlot() external view returns (uint256);

    /// @notice The id the next fragment of slot `slot` gets (from a split of one of its fragments).
    function nextTokenId(uint256 slot) external view returns (uint256);

    /// @notice "Shanglian Receivable".
    function name() external view returns (string memory);

    /// @notice "SLR".
    function symbol() external view returns (string memory);

    /// @notice Empty: fragments carry no off-chain metadata (use {fragment} and {obligation}). Reverts for a
    /// token that does not exist. The ERC-721 metadata interface id is therefore not advertised.
    function tokenURI(uint256 tokenId) external view returns (string memory);
}
