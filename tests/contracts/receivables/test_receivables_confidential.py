"""Confidential receivables on chain: shares instead of amounts, commitments, sealed facts, published keys,
the calls that refuse a confidential slot, and the explicit way to pay one through the settlement token."""

import brownie
import pytest
from brownie import ZERO_ADDRESS
from eth_utils import keccak

from shanglian.confidential import (
    TOTAL_SHARES,
    InvoiceDocument,
    amount_of,
    commitment,
    invoice_key,
    open_envelope,
    public_key_from_x,
    public_key_of,
    seal,
)

DAY = 24 * 3600
ID_BASE = 10**7
FACE = 100_000_000  # ¥1,000,000.00 in fen
SEALED = b"\x01sealed"  # the contract does not read envelopes: any non-empty bytes do


@pytest.fixture(scope="module")
def funded(settlement_token, receivables, parties, accounts):
    settlement_token.mint(parties.core, 10**12, {"from": accounts[0]})
    settlement_token.approve(receivables, 2**256 - 1, {"from": parties.core})


def mature(chain, receivables, token_id):
    # From the last block's time, with an hour to spare: brownie's clock (wall time plus its offset)
    # and Anvil's can drift apart across snapshot reverts.
    chain.sleep(max(0, receivables.confidentialObligation(token_id // ID_BASE)["dueDate"] - chain[-1].timestamp) + 3600)
    chain.mine()


def sealed_event(tx):
    return dict(tx.events["FactsSealed"])


# ---------------------------------------------------------------------------------------- keys


def test_account_publishes_its_own_key(receivables, parties, key_of):
    public_key = public_key_of(key_of(parties.producer))
    tx = receivables.publishEncryptionKey(public_key, {"from": parties.producer})
    x = receivables.encryptionKey(parties.producer)
    assert public_key_from_x(bytes(x), parties.producer.address) == public_key
    assert tuple(tx.events["EncryptionKeyPublished"].values()) == (parties.producer, "0x" + public_key.hex())


def test_nobody_publishes_a_key_for_another_account(receivables, parties, key_of, custom_error):
    public_key = public_key_of(key_of(parties.producer))
    with brownie.reverts(custom_error("ReceivableInvalidEncryptionKey", parties.stranger, parties.producer)):
        receivables.publishEncryptionKey(public_key, {"from": parties.stranger})


def test_a_key_is_64_bytes(receivables, parties, key_of, custom_error):
    compressed = b"\x02" + public_key_of(key_of(parties.producer))[:32]
    with brownie.reverts(custom_error("ReceivableInvalidEncryptionKey", parties.producer, ZERO_ADDRESS)):
        receivables.publishEncryptionKey(compressed, {"from": parties.producer})


def test_a_key_is_published_once(receivables, keyed, key_of, custom_error):
    with brownie.reverts(custom_error("ReceivableEncryptionKeyPublished", keyed.supplier)):
        receivables.publishEncryptionKey(public_key_of(key_of(keyed.supplier)), {"from": keyed.supplier})


def test_publishing_a_key_does_not_change_the_fragment_count(receivables, keyed, issue_confidential):
    assert receivables.balanceOf["address"](keyed.supplier2) == 0
    issue_confidential(creditor=keyed.supplier2)
    assert receivables.balanceOf["address"](keyed.supplier2) == 1


# ---------------------------------------------------------------------------------------- issue


def test_confidential_issue_records_shares_and_the_root_only(receivables, keyed, issue_confidential):
    token_id, document = issue_confidential()
    slot = token_id // ID_BASE
    assert receivables.isConfidential(slot)
    assert tuple(receivables.confidentialObligation(slot)) == (keyed.core, document.due, "0x" + document.root.hex())
    assert receivables.balanceOf["uint256"](token_id) == TOTAL_SHARES == receivables.totalShares()
    assert tuple(receivables.slotState(slot)) == (0, 1, False)


def test_confidential_issue_emits_the_root_and_the_sealed_facts(receivables, keyed, chain, key_of):
    document = InvoiceDocument("INV-A1", "2026-01-02", FACE, "CNY", chain.time() + 90 * DAY)
    envelope = seal({"k": "i", "d": document.to_payload()}, [public_key_of(key_of(keyed.supplier))])
    key = invoice_key(b"secret", document.invoice_number)
    tx = receivables.issueConfidential(keyed.supplier, document.due, key, document.root, envelope, {"from": keyed.core})
    slot = tx.return_value // ID_BASE
    assert tuple(tx.events["ReceivableIssuedConfidentially"].values()) == (
        slot, keyed.core, keyed.supplier, "0x" + key.hex(), "0x" + document.root.hex()
    )
    assert tuple(tx.events["FactsSealed"].values()) == (tx.return_value, keyed.core, "0x" + envelope.hex())
    opened = open_envelope(bytes(tx.events["FactsSealed"]["envelope"]), key_of(keyed.supplier))
    assert InvoiceDocument.from_payload(opened["d"]) == document
    assert open_envelope(bytes(tx.events["FactsSealed"]["envelope"]), key_of(keyed.supplier2)) is None


def test_confidential_issue_needs_the_creditors_key(issue_confidential, onboard, new_account, key_of, custom_error):
    keyless = onboard(new_account("keyless supplier"), "supplier")
    with brownie.reverts(custom_error("ReceivableNoEncryptionKey", keyless)):
        issue_confidential(creditor=keyless)


def test_confidential_issue_needs_a_root_and_an_envelope(receivables, keyed, chain, custom_error):
    due = chain.time() + DAY
    with brownie.reverts(custom_error("ReceivableInvalidDocument", b"\x00" * 32)):
        receivables.issueConfidential(keyed.supplier, due, b"\x01" * 32, b"\x00" * 32, SEALED, {"from": keyed.core})
    with brownie.reverts(custom_error("ReceivableEmptyEnvelope")):
        receivables.issueConfidential(keyed.supplier, due, b"\x01" * 32, b"\x02" * 32, b"", {"from": keyed.core})


def test_obligation_of_a_confidential_slot_is_refused(receivables, issue_confidential, custom_error):
    slot = issue_confidential()[0] // ID_BASE
    with brownie.reverts(custom_error("ReceivableConfidential", slot)):
        receivables.obligation(slot)


def test_confidential_obligation_of_a_transparent_slot_is_refused(receivables, issue, custom_error):
    slot = issue() // ID_BASE
    with brownie.reverts(custom_error("ReceivableNotConfidential", slot)):
        receivables.confidentialObligation(slot)


def test_an_invoice_key_backs_one_receivable_of_its_debtor(issue_confidential, keyed, custom_error):
    token_id, document = issue_confidential(number="INV-7")
    key = invoice_key(b"test issuer secret", "inv-7")  # the same invoice however it is typed
    with brownie.reverts(custom_error("ReceivableInvoiceUsed", key, token_id // ID_BASE)):
        issue_confidential(number="inv-7", sender=keyed.core_operator)


def test_another_debtor_cannot_take_an_invoice_key_first(receivables, issue_confidential, keyed):
    """A competitor that copies the invoice key and root of a pending confidential issue gets a
    receivable of its own; the debtor's issue still goes through."""
    taken, _ = issue_confidential(number="INV-8", sender=keyed.core2)
    mine, _ = issue_confidential(number="INV-8", sender=keyed.core)
    key = invoice_key(b"test issuer secret", "INV-8")
    assert receivables.invoiceSlot(keyed.core2, key) == taken // ID_BASE
    assert receivables.invoiceSlot(keyed.core, key) == mine // ID_BASE


# ---------------------------------------------------------------------------------------- split and transfer


def test_confidential_split_moves_shares_and_seals_facts_to_the_recipient(receivables, keyed, issue_confidential):
    root, _ = issue_confidential()
    tx = receivables.splitConfidential(root, keyed.supplier2, 3 * 10**17, SEALED, {"from": keyed.supplier})
    child = tx.return_value
    assert receivables.balanceOf["uint256"](root) == 7 * 10**17
    assert receivables.balanceOf["uint256"](child) == 3 * 10**17
    assert receivables.parentOf(child) == root
    assert tuple(tx.events["ReceivableSplit"].values()) == (root, child, keyed.supplier2, 3 * 10**17)
    assert tuple(tx.events["FactsSealed"].values()) == (child, keyed.supplier, "0x" + SEALED.hex())


def test_confidential_fragments_go_only_to_keyed_accounts(receivables, keyed, issue_confidential, custom_error):
    root, _ = issue_confidential()
    with brownie.reverts(custom_error("ReceivableNoEncryptionKey", keyed.producer)):
        receivables.splitConfidential(root, keyed.producer, 1, SEALED, {"from": keyed.supplier})
    with brownie.reverts(custom_error("ReceivableNoEncryptionKey", keyed.producer)):
        receivables.transferFrom["uint256,address,uint256"](root, keyed.producer, 1, {"from": keyed.supplier})
    with brownie.reverts(custom_error("ReceivableNoEncryptionKey", keyed.producer)):
        receivables.transferFrom["address,address,uint256"](keyed.supplier, keyed.producer, root, {"from": keyed.supplier})


def test_confidential_split_needs_an_envelope_and_a_confidential_slot(receivables, keyed, issue, issue_confidential, custom_error):
    root, _ = issue_confidential()
    with brownie.reverts(custom_error("ReceivableEmptyEnvelope")):
        receivables.splitConfidential(root, keyed.supplier2, 1, b"", {"from": keyed.supplier})
    plain = issue()
    with brownie.reverts(custom_error("ReceivableNotConfidential", plain // ID_BASE)):
        receivables.splitConfidential(plain, keyed.supplier2, 1, SEALED, {"from": keyed.supplier})


def test_holder_seals_facts_in_any_state(receivables, keyed, issue_confidential, chain):
    root, _ = issue_confidential(due_in=DAY)
    receivables.freezeFragment(root, {"from": keyed.regulator})
    tx = receivables.sealFacts(root, SEALED, {"from": keyed.operator})
    assert tuple(tx.events["FactsSealed"].values()) == (root, keyed.supplier, "0x" + SEALED.hex())


def test_facts_of_a_transparent_slot_are_not_sealed(receivables, keyed, issue, custom_error):
    plain = issue()
    with brownie.reverts(custom_error("ReceivableNotConfidential", plain // ID_BASE)):
        receivables.sealFacts(plain, SEALED, {"from": keyed.supplier})


# ---------------------------------------------------------------------------------------- financing


@pytest.fixture
def offered(receivables, keyed, issue_confidential):
    """A confidential fragment of the supplier offered to the financier at a committed price."""
    root, document = issue_confidential()
    price = commitment("price", 97_000_000, b"\x05" * 32)
    receivables.offerFinancingConfidential(root, keyed.financier, price, SEALED, {"from": keyed.supplier})
    return root, price


def test_confidential_offer_records_the_commitment_not_the_price(receivables, keyed, offered):
    root, price = offered
    fragment = receivables.fragment(root)
    assert (fragment["offered"], fragment["financier"], fragment["offerPrice"]) == (True, keyed.financier, 0)
    assert receivables.offerCommitment(root) == "0x" + price.hex()


def test_confidential_offer_needs_the_financiers_key(receivables, keyed, issue_confidential, onboard, new_account, custom_error):
    root, _ = issue_confidential()
    bank = onboard(new_account("keyless bank"), "financier")
    with brownie.reverts(custom_error("ReceivableNoEncryptionKey", bank)):
        receivables.offerFinancingConfidential(root, bank, b"\x01" * 32, SEALED, {"from": keyed.supplier})


def test_confidential_offer_needs_a_commitment_and_an_envelope(receivables, keyed, issue_confidential, custom_error):
    root, _ = issue_confidential()
    with brownie.reverts(custom_error("ReceivableInvalidCommitment", b"\x00" * 32)):
        receivables.offerFinancingConfidential(root, keyed.financier, b"\x00" * 32, SEALED, {"from": keyed.supplier})
    with brownie.reverts(custom_error("ReceivableEmptyEnvelope")):
        receivables.offerFinancingConfidential(root, keyed.financier, b"\x01" * 32, b"", {"from": keyed.supplier})


def test_a_price_in_clear_is_refused_for_a_confidential_fragment(receivables, keyed, issue_confidential, custom_error):
    root, _ = issue_confidential()
    with brownie.reverts(custom_error("ReceivableConfidential", root // ID_BASE)):
        receivables.offerFinancing(root, keyed.financier, 1, {"from": keyed.supplier})


def test_a_commitment_is_refused_for_a_transparent_fragment(receivables, keyed, issue, custom_error):
    plain = issue()
    with brownie.reverts(custom_error("ReceivableNotConfidential", plain // ID_BASE)):
        receivables.offerFinancingConfidential(plain, keyed.financier, b"\x01" * 32, SEALED, {"from": keyed.supplier})


def test_financier_accepts_the_offer_it_read(receivables, keyed, offered):
    root, price = offered
    reference = commitment("reference", "ZSB-PAY-0001", b"\x06" * 32)
    tx = receivables.acceptFinancingConfidential(root, price, reference, SEALED, {"from": keyed.financier})
    fragment = receivables.fragment(root)
    assert (fragment["holder"], fragment["financed"], fragment["offered"]) == (keyed.financier, True, False)
    assert receivables.offerCommitment(root) == "0x" + "00" * 32
    assert tuple(tx.events["ConfidentialReceivableFinanced"].values()) == (
        root, keyed.supplier, keyed.financier, "0x" + price.hex(), "0x" + reference.hex()
    )
    assert tuple(tx.events["FactsSealed"].values()) == (root, keyed.financier, "0x" + SEALED.hex())


def test_a_changed_offer_is_not_accepted(receivables, keyed, offered, custom_error):
    root, price = offered
    receivables.withdrawOffer(root, {"from": keyed.supplier})
    dearer = commitment("price", 99_000_000, b"\x05" * 32)
    receivables.offerFinancingConfidential(root, keyed.financier, dearer, SEALED, {"from": keyed.supplier})
    with brownie.reverts(custom_error("ReceivableOfferChanged", root, dearer)):
        receivables.acceptFinancingConfidential(root, price, b"\x01" * 32, SEALED, {"from": keyed.financier})


def test_withdrawing_clears_the_price_commitment(receivables, keyed, offered):
    root, _ = offered
    receivables.withdrawOffer(root, {"from": keyed.supplier})
    assert receivables.offerCommitment(root) == "0x" + "00" * 32


def test_acceptance_needs_a_reference_commitment(receivables, keyed, offered, custom_error):
    root, price = offered
    with brownie.reverts(custom_error("ReceivableInvalidCommitment", b"\x00" * 32)):
        receivables.acceptFinancingConfidential(root, price, b"\x00" * 32, SEALED, {"from": keyed.financier})


def test_a_reference_in_clear_is_refused_for_a_confidential_offer(receivables, keyed, offered, custom_error):
    root, _ = offered
    with brownie.reverts(custom_error("ReceivableConfidential", root // ID_BASE)):
        receivables.acceptFinancing(root, 0, b"\x01" * 32, {"from": keyed.financier})


def test_confidential_offer_is_void_while_its_maker_is_suspended(receivables, keyed, offered, registry, admins, custom_error):
    root, price = offered
    registry.suspend(keyed.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInactiveHolder", keyed.supplier)):
        receivables.acceptFinancingConfidential(root, price, b"\x01" * 32, SEALED, {"from": keyed.financier})


def test_financed_confidential_fragment_is_not_financed_again(receivables, keyed, offered, custom_error):
    root, price = offered
    receivables.acceptFinancingConfidential(root, price, b"\x01" * 32, SEALED, {"from": keyed.financier})
    with brownie.reverts(custom_error("ReceivableAlreadyFinanced", root)):
        receivables.offerFinancingConfidential(root, keyed.financier2, b"\x02" * 32, SEALED, {"from": keyed.financier})


# ---------------------------------------------------------------------------------------- settlement


def test_holder_confirms_a_confidential_fragment_once(receivables, keyed, issue_confidential, chain, custom_error):
    root, _ = issue_confidential(due_in=DAY)
    child = receivables.splitConfidential(root, keyed.supplier2, 4 * 10**17, SEALED, {"from": keyed.supplier}).return_value
    mature(chain, receivables, root)
    tx = receivables.confirmSettlement(child, {"from": keyed.supplier2})
    assert tuple(tx.events["ReceivableSettled"].values()) == (child, root // ID_BASE, keyed.supplier2, 4 * 10**17, False)
    assert receivables.slotState(root // ID_BASE)["settledValue"] == 4 * 10**17
    with brownie.reverts(custom_error("ReceivableAlreadySettled", child)):
        receivables.confirmSettlement(child, {"from": keyed.supplier2})


def test_paying_a_confidential_fragment_through_the_token_is_refused(
    receivables, keyed, issue_confidential, chain, funded, custom_error
):
    root, _ = issue_confidential(due_in=DAY)
    mature(chain, receivables, root)
    with brownie.reverts(custom_error("ReceivableConfidential", root // ID_BASE)):
        receivables.settle(root, {"from": keyed.core})


def test_debtor_pays_a_confidential_fragment_by_revealing_the_face_value(
    receivables, keyed, issue_confidential, chain, funded, settlement_token
):
    root, document = issue_confidential(due_in=DAY, face=100_000_001)
    split = receivables.splitConfidential(root, keyed.supplier2, 333_333_333_333_333_333, SEALED, {"from": keyed.supplier})
    child = split.return_value
    mature(chain, receivables, root)
    before = settlement_token.balanceOf(keyed.supplier2)
    salt, proof = document.salt("face_value"), document.proof("face_value")
    tx = receivables.settleRevealing(child, document.face_value, salt, proof, {"from": keyed.core_operator})
    paid = settlement_token.balanceOf(keyed.supplier2) - before
    assert paid == amount_of(333_333_333_333_333_333, 100_000_001) == 33_333_334
    assert tx.events["ReceivableSettled"]["onChain"] is True


def test_a_face_value_that_does_not_prove_pays_nothing(receivables, keyed, issue_confidential, chain, funded, custom_error):
    root, document = issue_confidential(due_in=DAY)
    mature(chain, receivables, root)
    salt, proof = document.salt("face_value"), document.proof("face_value")
    with brownie.reverts(custom_error("ReceivableInvalidDisclosure", root // ID_BASE)):
        receivables.settleRevealing(root, document.face_value - 1, salt, proof, {"from": keyed.core})
    with brownie.reverts(custom_error("ReceivableInvalidDisclosure", root // ID_BASE)):
        receivables.settleRevealing(root, document.face_value, keccak(b"other salt"), proof, {"from": keyed.core})


def test_revealing_settlement_is_refused_for_a_transparent_slot(receivables, keyed, issue, chain, funded, custom_error):
    plain = issue(due_in=DAY)
    chain.sleep(2 * DAY)
    with brownie.reverts(custom_error("ReceivableNotConfidential", plain // ID_BASE)):
        receivables.settleRevealing(plain, 1, b"\x00" * 32, [], {"from": keyed.core})


# ---------------------------------------------------------------------------------------- freeze


def test_nothing_of_a_frozen_confidential_slot_moves(receivables, keyed, issue_confidential, chain, custom_error):
    root, _ = issue_confidential(due_in=DAY)
    slot = root // ID_BASE
    receivables.freezeSlot(slot, {"from": keyed.regulator})
    with brownie.reverts(custom_error("ReceivableSlotFrozen", slot)):
        receivables.splitConfidential(root, keyed.supplier2, 1, SEALED, {"from": keyed.supplier})
    with brownie.reverts(custom_error("ReceivableSlotFrozen", slot)):
        receivables.offerFinancingConfidential(root, keyed.financier, b"\x01" * 32, SEALED, {"from": keyed.supplier})
    mature(chain, receivables, root)
    with brownie.reverts(custom_error("ReceivableSlotFrozen", slot)):
        receivables.confirmSettlement(root, {"from": keyed.supplier})
