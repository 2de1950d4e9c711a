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
/// Confidential receivables. A slot issued with {issueConfidential} keeps every amount off the chain: its
/// fragments' values count shares of {totalShares} (10**18 per slot, whatever the face value), so a split
/// shows a fraction, never yuan; the face value, invoice fields, financing price and payment reference
/// reach the chain only as salted commitments (the slot's document root, the price and reference
/// commitments) and as ciphertext in {FactsSealed} events, sealed (ECIES over secp256k1) to the parties'
/// published encryption keys ({publishEncryptionKey}). The calls that would publish an amount refuse a
/// confidential slot ({offerFinancing}, {acceptFinancing}, {settle}, {obligation}: `ReceivableConfidential`);
/// the debtor may pay through the settlement token only by revealing the face value ({settleRevealing}).
/// Confidential fragments go only to accounts with a published key. Shares obey every rule values do.
///
/// One invoice backs one receivable of its debtor, ever: the used-invoice record is keyed by the debtor
/// and its invoice hash (or, for a confidential receivable, its secret-keyed invoice key), so no other
/// account can take a debtor's invoice first.
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

    /// @notice The public record of a confidential obligation (slot).
    struct ConfidentialObligation {
        address debtor; // the core enterprise that owes
        uint40 dueDate; // unix seconds; settlement opens at this moment
        bytes32 documentRoot; // Merkle root of the invoice's salted fields
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
        uint128 offerPrice; // the offer's price in minor units, while offered; 0 for a confidential offer
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
    /// @notice `debtor` issued confidential receivable `slot` to `creditor`. `invoiceKey` is the debtor's
    /// secret-keyed key of the invoice (its one-receivable check); `documentRoot` the Merkle root of the
    /// invoice's salted fields. Its first fragment holds every share; the facts are in {FactsSealed}.
    event ReceivableIssuedConfidentially(
        uint256 indexed slot, address indexed debtor, address indexed creditor, bytes32 invoiceKey, bytes32 documentRoot
    );
    /// @notice `sender` sealed `envelope` (ciphertext for the parties of fragment `tokenId`) on chain.
    event FactsSealed(uint256 indexed tokenId, address indexed sender, bytes envelope);
    /// @notice The holder offered confidential fragment `tokenId` to `financier` at the price committed to.
    event ConfidentialFinancingOffered(
        uint256 indexed tokenId, address indexed holder, address indexed financier, bytes32 priceCommitment
    );
    /// @notice `financier` accepted the confidential offer of fragment `tokenId` from `seller`, at the price
    /// committed to, paying under the payment reference committed to.
    event ConfidentialReceivableFinanced(
        uint256 indexed tokenId,
        address indexed seller,
        address indexed financier,
        bytes32 priceCommitment,
        bytes32 referenceCommitment
    );
    /// @notice `account` published its public key (64 bytes, x then y) for confidential facts.
    event EncryptionKeyPublished(address indexed account, bytes publicKey);
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
    /// @notice The due date is not in the future, or after 2106-02-07 (2**32 - 1).
    error ReceivableInvalidDueDate(uint40 dueDate);
    /// @notice The invoice hash (or invoice key) is zero.
    error ReceivableInvalidInvoice(bytes32 invoiceHash);
    /// @notice The debtor's invoice already backs receivable `slot`.
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
    /// @notice Slot `slot` is confidential: this call would publish what it hides (use the confidential call).
    error ReceivableConfidential(uint256 slot);
    /// @notice Slot `slot` is transparent: the confidential call does not apply.
    error ReceivableNotConfidential(uint256 slot);
    /// @notice `account` has not published an encryption key, so no confidential facts can be sealed to it.
    error ReceivableNoEncryptionKey(address account);
    /// @notice The key is not 64 bytes, or it belongs to `keyOwner`, not to the caller.
    error ReceivableInvalidEncryptionKey(address caller, address keyOwner);
    /// @notice `account` has already published its key (an account's key never changes).
    error ReceivableEncryptionKeyPublished(address account);
    /// @notice The envelope of confidential facts is empty.
    error ReceivableEmptyEnvelope();
    /// @notice A price or payment-reference commitment is zero.
    error ReceivableInvalidCommitment(bytes32 commitment);
    /// @notice The document root is zero.
    error ReceivableInvalidDocument(bytes32 documentRoot);
    /// @notice The revealed face value and salt do not prove into the document root of `slot`.
    error ReceivableInvalidDisclosure(uint256 slot);
    /// @notice Fragment `tokenId` is now offered at the price committed to as `priceCommitment`, not the one
    /// accepted.
    error ReceivableOfferChanged(uint256 tokenId, bytes32 priceCommitment);
    /// @notice Fragment `tokenId` is now offered at `price`, not the price accepted.
    error ReceivablePriceChanged(uint256 tokenId, uint128 price);

    // ---------------------------------------------------------------- issue

    /// @notice Issues a receivable: the caller's core enterprise (the debtor) confirms it owes `creditor`
    /// `faceValue` minor units of `currency` on `dueDate`, backed by the invoice `invoiceHash`. Creates the
    /// next slot and mints its first fragment, of the whole face value, to `creditor`.
    /// Requirements (checked in this order):
    /// - `currency` is three upper-case letters;
    /// - the caller acts for an active core enterprise;
    /// - `creditor` is the primary account of an active supplier, other than the debtor;
    /// - `faceValue` is 1 .. 2**64 - 1; `dueDate` is in the future;
    /// - `invoiceHash` is not zero and has never backed a receivable of this debtor.
    /// Emits {Transfer}, {SlotChanged}, {TransferValue} and {ReceivableIssued} events.
    /// @return tokenId The first fragment, `slot * 10**7 + 1`.
    function issue(address creditor, uint128 faceValue, bytes3 currency, uint40 dueDate, bytes32 invoiceHash)
        external
        returns (uint256 tokenId);

    /// @notice Issues a confidential receivable: the caller's core enterprise (the debtor) confirms it owes
    /// `creditor` what the document committed to as `documentRoot` says, on `dueDate`. Creates the next slot
    /// and mints its first fragment, holding all {totalShares}, to `creditor`. No amount is passed.
    /// `invoiceKey` is the debtor's secret-keyed key of the invoice (an HMAC of its number), so no one can
    /// confirm a guessed invoice; `envelope` is the facts sealed to the parties.
    /// Requirements:
    /// - the caller acts for an active core enterprise;
    /// - `creditor` is the primary account of an active supplier, other than the debtor, and has published its
    ///   encryption key;
    /// - `documentRoot` is not zero; `envelope` is not empty; `dueDate` is in the future;
    /// - `invoiceKey` is not zero and has never backed a receivable of this debtor.
    /// Emits {Transfer}, {SlotChanged}, {TransferValue}, {ReceivableIssuedConfidentially} and {FactsSealed}.
    /// @return tokenId The first fragment, `slot * 10**7 + 1`.
    function issueConfidential(
        address creditor,
        uint40 dueDate,
        bytes32 invoiceKey,
        bytes32 documentRoot,
        bytes calldata envelope
    ) external returns (uint256 tokenId);

    /// @notice The split of a confidential fragment, with the facts sealed to the new holder: as
    /// `transferFrom(fromTokenId, to, shares)`, then emits {FactsSealed} for the new fragment.
    /// Requirements: those of the split; `to` has published its encryption key; the slot is confidential;
    /// `envelope` is not empty.
    /// @return tokenId The new fragment.
    function splitConfidential(uint256 fromTokenId, address to, uint256 shares, bytes calldata envelope)
        external
        returns (uint256 tokenId);

    /// @notice The holder seals `envelope` (facts of fragment `tokenId`, encrypted to whom it chooses: a
    /// new holder after a whole-fragment transfer, a bank it discloses fields to) on chain. Moves nothing,
    /// so it is allowed in any state.
    /// Requirements: the caller acts for the holder; the slot is confidential; `envelope` is not empty.
    /// Emits a {FactsSealed} event.
    function sealFacts(uint256 tokenId, bytes calldata envelope) external;

    // ---------------------------------------------------------------- encryption keys

    /// @notice Publishes the caller's own secp256k1 public key (64 bytes, x then y), to which confidential
    /// facts are sealed. Only the account itself can publish it (the key must hash to the caller), and only
    /// once. Publishing is the account's consent to hold confidential fragments.
    /// Emits an {EncryptionKeyPublished} event.
    function publishEncryptionKey(bytes calldata publicKey) external;

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

    /// @notice Offers confidential fragment `tokenId` to `financier` at the price committed to as
    /// `priceCommitment`; `envelope` seals the price and the receivable's facts to the financier.
    /// Requirements: those of {offerFinancing} but the price; the slot is confidential; `financier` has
    /// published its encryption key; `priceCommitment` is not zero; `envelope` is not empty.
    /// Emits {ConfidentialFinancingOffered} and {FactsSealed} events.
    function offerFinancingConfidential(
        uint256 tokenId,
        address financier,
        bytes32 priceCommitment,
        bytes calldata envelope
    ) external;

    /// @notice Withdraws the pending offer of fragment `tokenId`. Allowed while frozen: it moves nothing.
    /// Requirements: the caller acts for the holder, or is the holder's primary account whatever its
    /// standing (taking an offer back never needs standing); the fragment is offered.
    /// Emits a {FinancingOfferWithdrawn} event.
    function withdrawOffer(uint256 tokenId) external;

    /// @notice Accepts the offer of fragment `tokenId` at `price`, the price the financier read: the
    /// fragment becomes the financier's, financed. Naming the price is the financier's consent to it, so
    /// a holder that withdraws and offers again at another price in between cannot bind the financier.
    /// Requirements:
    /// - the fragment is offered at `price`, and the caller acts for the offered financier (as a financier);
    /// - the holder is still an active enterprise;
    /// - the fragment and its slot are not frozen; the due date has not come;
    /// - `paymentReference` (the reference of the payment to the seller) is not zero.
    /// Emits {Transfer} and {ReceivableFinanced} events.
    function acceptFinancing(uint256 tokenId, uint128 price, bytes32 paymentReference) external;

    /// @notice Accepts the confidential offer of fragment `tokenId` at the price committed to as
    /// `priceCommitment` (the offer the financier read: a changed offer is refused), paying under the payment
    /// reference committed to as `referenceCommitment`; `envelope` seals the reference to the seller.
    /// Requirements: those of {acceptFinancing} but the reference; the slot is confidential; the offer's
    /// commitment is `priceCommitment`; `referenceCommitment` is not zero; `envelope` is not empty.
    /// Emits {Transfer}, {ConfidentialReceivableFinanced} and {FactsSealed} events.
    function acceptFinancingConfidential(
        uint256 tokenId,
        bytes32 priceCommitment,
        bytes32 referenceCommitment,
        bytes calldata envelope
    ) external;

    // ---------------------------------------------------------------- settlement

    /// @notice The holder confirms that the debtor paid fragment `tokenId` off-chain; settles it.
    /// Requirements: the caller acts for the holder; the due date has come; the fragment and its slot are not
    /// frozen; the fragment is not settled. A pending offer lapses.
    /// Emits a {ReceivableSettled} event.
    function confirmSettlement(uint256 tokenId) external;

    /// @notice The debtor pays fragment `tokenId`: its value in the settlement token moves from the debtor's
    /// account to the holder (the debtor's account must have approved this contract); settles it.
    /// Requirements: a settlement token is configured; the caller acts for the debtor; the slot is not
    /// confidential (paying through a token publishes the amount: see {settleRevealing}); the due date has
    /// come; the fragment and its slot are not frozen; the fragment is not settled. A pending offer lapses.
    /// Emits a {ReceivableSettled} event.
    function settle(uint256 tokenId) external;

    /// @notice The debtor pays confidential fragment `tokenId` through the settlement token, publishing the
    /// face value and so the fragment's amount (its shares of `faceValue`, rounded half up) to everyone: the
    /// explicit way out of confidentiality. `faceValue` and `salt` must prove into the slot's document root
    /// with `proof` (the `face_value` field's leaf).
    /// Requirements: those of {settle}, but the slot is confidential and the disclosure proves.
    /// Emits a {ReceivableSettled} event (with the fragment's shares).
    function settleRevealing(uint256 tokenId, uint128 faceValue, bytes32 salt, bytes32[] calldata proof) external;

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

    /// @notice The obligation of slot `slot`. Reverts for a slot never issued, and for a confidential slot.
    function obligation(uint256 slot) external view returns (Obligation memory);

    /// @notice The public record of confidential slot `slot`. Reverts for a slot never issued or transparent.
    function confidentialObligation(uint256 slot) external view returns (ConfidentialObligation memory);

    /// @notice Whether slot `slot` is confidential. Reverts for a slot never issued.
    function isConfidential(uint256 slot) external view returns (bool);

    /// @notice The shares every confidential slot counts (10**18): a fragment's value over this is its
    /// fraction of the face value.
    function totalShares() external pure returns (uint256);

    /// @notice The x coordinate of `account`'s published public key, or zero (the y coordinate is the one of
    /// the two whose key hashes to `account`).
    function encryptionKey(address account) external view returns (bytes32);

    /// @notice The price commitment of confidential fragment `tokenId`'s pending offer, or zero.
    function offerCommitment(uint256 tokenId) external view returns (bytes32);

    /// @notice The settlement state of slot `slot`. Reverts for a slot never issued.
    function slotState(uint256 slot) external view returns (SlotState memory);

    /// @notice Fragment `tokenId`. Reverts for a token that does not exist.
    function fragment(uint256 tokenId) external view returns (Fragment memory);

    /// @notice The fragment `tokenId` was split from; 0 for an issued fragment.
    function parentOf(uint256 tokenId) external view returns (uint256);

    /// @notice Whether fragment `tokenId` is past its due date and not settled.
    function overdue(uint256 tokenId) external view returns (bool);

    /// @notice The slot `debtor`'s invoice `invoiceHash` (or confidential invoice key) backs, or 0.
    function invoiceSlot(address debtor, bytes32 invoiceHash) external view returns (uint256);

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
