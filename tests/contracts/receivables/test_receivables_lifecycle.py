"""Receivables domain behaviour: issue (确权), split (多级流转), financing (保理), settlement, freezing,
and the views the SDK reads."""

import brownie
import pytest
from brownie import ZERO_ADDRESS

DAY = 24 * 3600
FACE = 1_000_000
ID_BASE = 10**7
PAYMENT_REF = b"\x42" * 32


@pytest.fixture(scope="module")
def funded(settlement_token, receivables, parties, accounts):
    """The debtor holds settlement tokens and has approved the receivables contract."""
    settlement_token.mint(parties.core, 10**12, {"from": accounts[0]})
    settlement_token.approve(receivables, 2**256 - 1, {"from": parties.core})


@pytest.fixture
def split(receivables, parties):
    def _split(token_id, to, value, sender=None):
        return receivables.transferFrom["uint256,address,uint256"](
            token_id, to, value, {"from": sender or parties.supplier}
        ).return_value

    return _split


def due_of(receivables, token_id):
    return receivables.obligation(token_id // ID_BASE)["dueDate"]


def mature(chain, receivables, token_id):
    # From the last block's time, with an hour to spare: brownie's clock (wall time plus its offset)
    # and Anvil's can drift apart across snapshot reverts.
    chain.sleep(max(0, due_of(receivables, token_id) - chain[-1].timestamp) + 3600)
    chain.mine()


def invoice(n):
    return (0xB0 << 248 | n).to_bytes(32, "big")


# ---------------------------------------------------------------------------------------- issue


def test_issue_records_obligation_and_first_fragment(receivables, parties, chain):
    due = chain.time() + 90 * DAY
    tx = receivables.issue(parties.supplier, FACE, b"CNY", due, invoice(1), {"from": parties.core})
    token_id = tx.return_value
    assert token_id == 1 * ID_BASE + 1
    assert tuple(receivables.obligation(1)) == (parties.core, parties.supplier, FACE, "0x434e59", due, "0x" + invoice(1).hex())
    assert tuple(receivables.slotState(1)) == (0, 1, False)
    assert tuple(receivables.fragment(token_id)) == (
        parties.supplier, FACE, 1, 0, False, False, False, False, ZERO_ADDRESS, 0
    )
    assert receivables.invoiceSlot(parties.core, invoice(1)) == 1
    assert receivables.invoiceSlot(parties.core2, invoice(1)) == 0
    assert receivables.nextSlot() == 2
    assert receivables.nextTokenId(1) == token_id + 1
    assert tuple(tx.events["ReceivableIssued"].values()) == (1, parties.core, parties.supplier, "0x" + invoice(1).hex())
    assert tuple(tx.events["TransferValue"].values()) == (0, token_id, FACE)


def test_slots_are_numbered_in_issue_order(issue):
    assert [issue() // ID_BASE for _ in range(3)] == [1, 2, 3]


def test_operator_of_core_issues_for_its_enterprise(receivables, parties, issue):
    token_id = issue(sender=parties.core_operator)
    assert receivables.obligation(token_id // ID_BASE)["debtor"] == parties.core


def test_creditor_must_be_a_supplier(issue, parties, custom_error):
    with brownie.reverts(custom_error("ReceivableInvalidCreditor", parties.producer)):
        issue(creditor=parties.producer)


def test_creditor_must_be_an_enterprise_primary_account(issue, parties, custom_error):
    for creditor in (parties.stranger, parties.operator, ZERO_ADDRESS):
        with brownie.reverts(custom_error("ReceivableInvalidCreditor", creditor)):
            issue(creditor=creditor)


def test_core_cannot_issue_to_itself(issue, onboard, accounts, custom_error):
    both = accounts.add()
    accounts[0].transfer(both, "1 ether")
    onboard(both, "core_enterprise", "supplier")
    with brownie.reverts(custom_error("ReceivableInvalidCreditor", both)):
        issue(creditor=both, sender=both)


def test_creditor_must_be_active(issue, parties, registry, admins, custom_error):
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInvalidCreditor", parties.supplier)):
        issue()


def test_suspended_core_cannot_issue(issue, parties, registry, admins, custom_error):
    registry.suspend(parties.core, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableNotCoreEnterprise", parties.core)):
        issue()


@pytest.mark.parametrize("face", [0, 2**64])
def test_face_value_must_fit(issue, custom_error, face):
    with brownie.reverts(custom_error("ReceivableInvalidFaceValue", face)):
        issue(face=face)


def test_largest_face_value_is_accepted(receivables, issue):
    token_id = issue(face=2**64 - 1)
    assert receivables.balanceOf["uint256"](token_id) == 2**64 - 1


@pytest.mark.parametrize("currency", [b"cny", b"CN\x00", b"C1Y", b"\x00\x00\x00"])
def test_currency_must_be_three_capital_letters(issue, custom_error, currency):
    with brownie.reverts(custom_error("ReceivableInvalidCurrency", currency)):
        issue(currency=currency)


def test_due_date_must_be_in_the_future(receivables, parties, chain, custom_error):
    now = chain[-1].timestamp  # the next block is later
    with brownie.reverts(custom_error("ReceivableInvalidDueDate", now)):
        receivables.issue(parties.supplier, FACE, b"CNY", now, invoice(2), {"from": parties.core})


def test_invoice_hash_must_be_set(issue, custom_error):
    with brownie.reverts(custom_error("ReceivableInvalidInvoice", b"\x00" * 32)):
        issue(invoice=b"\x00" * 32)


def test_invoice_backs_one_receivable_of_its_debtor_ever(issue, parties, custom_error):
    token_id = issue(invoice=invoice(3))
    with brownie.reverts(custom_error("ReceivableInvoiceUsed", invoice(3), token_id // ID_BASE)):
        issue(invoice=invoice(3), sender=parties.core_operator, creditor=parties.supplier2)


def test_another_debtor_cannot_take_an_invoice_first(receivables, issue, parties):
    """A core enterprise that copies the invoice hash of another's pending issue (front-running it) gets a
    receivable of its own and does not block the debtor's."""
    taken = issue(invoice=invoice(4), sender=parties.core2)
    mine = issue(invoice=invoice(4), sender=parties.core)
    assert receivables.invoiceSlot(parties.core2, invoice(4)) == taken // ID_BASE
    assert receivables.invoiceSlot(parties.core, invoice(4)) == mine // ID_BASE != taken // ID_BASE


# ---------------------------------------------------------------------------------------- split


def test_split_keeps_lineage(receivables, parties, issue, split):
    root = issue()
    child = split(root, parties.supplier2, 300_000)
    grandchild = split(child, parties.producer, 100_000, sender=parties.supplier2)
    assert (child, grandchild) == (root + 1, root + 2)
    assert receivables.parentOf(root) == 0
    assert receivables.parentOf(child) == root
    assert receivables.parentOf(grandchild) == child
    assert receivables.fragment(grandchild)["parent"] == child
    assert [receivables.balanceOf["uint256"](t) for t in (root, child, grandchild)] == [700_000, 200_000, 100_000]
    assert receivables.slotState(root // ID_BASE)["fragments"] == 3


def test_split_emits_receivable_split(receivables, parties, issue):
    root = issue()
    tx = receivables.transferFrom["uint256,address,uint256"](root, parties.supplier2, 5, {"from": parties.supplier})
    assert tuple(tx.events["ReceivableSplit"].values()) == (root, tx.return_value, parties.supplier2, 5)


def test_operator_of_holder_splits(receivables, parties, issue, split):
    root = issue()
    child = split(root, parties.supplier2, 1, sender=parties.operator)
    assert receivables.ownerOf(child) == parties.supplier2


def test_fragments_go_only_to_enterprise_primary_accounts(issue, split, parties, custom_error):
    root = issue()
    for to in (parties.operator, parties.stranger, ZERO_ADDRESS):
        with brownie.reverts(custom_error("ReceivableInvalidRecipient", to)):
            split(root, to, 1)


def test_fragments_go_only_to_active_enterprises(issue, split, parties, registry, admins, custom_error):
    root = issue()
    registry.suspend(parties.supplier2, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInvalidRecipient", parties.supplier2)):
        split(root, parties.supplier2, 1)


def test_value_into_a_fragment_of_a_suspended_holder_reverts(receivables, issue, split, parties, registry, admins, custom_error):
    root = issue()
    other = split(root, parties.supplier2, 10)
    registry.suspend(parties.supplier2, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInvalidRecipient", parties.supplier2)):
        receivables.transferFrom["uint256,uint256,uint256"](root, other, 1, {"from": parties.supplier})


def test_zero_value_split_reverts(issue, split, custom_error):
    root = issue()
    with brownie.reverts(custom_error("ReceivableZeroValue", root)):
        split(root, brownie.accounts[5], 0)


def test_value_transfer_to_the_same_fragment_reverts(receivables, issue, parties, custom_error):
    root = issue()
    with brownie.reverts(custom_error("ReceivableSameToken", root)):
        receivables.transferFrom["uint256,uint256,uint256"](root, root, 1, {"from": parties.supplier})


def test_suspended_holder_cannot_split(issue, split, parties, registry, admins, custom_error):
    root = issue()
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableNotAuthorized", parties.supplier, root)):
        split(root, parties.supplier2, 1)


def test_approved_operator_cannot_move_fragments_of_suspended_holder(
    receivables, issue, split, parties, registry, admins, custom_error
):
    root = issue()
    receivables.setApprovalForAll(parties.stranger, True, {"from": parties.supplier})
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInactiveHolder", parties.supplier)):
        split(root, parties.supplier2, 1, sender=parties.stranger)


def test_approved_operator_cannot_move_a_suspended_holders_fragment_whole(
    receivables, issue, parties, registry, admins, custom_error
):
    root = issue()
    receivables.setApprovalForAll(parties.stranger, True, {"from": parties.supplier})
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInactiveHolder", parties.supplier)):
        receivables.transferFrom["address,address,uint256"](
            parties.supplier, parties.supplier2, root, {"from": parties.stranger})


def test_operator_approval_is_given_for_the_enterprise(receivables, parties):
    tx = receivables.setApprovalForAll(parties.stranger, True, {"from": parties.operator})
    assert tuple(tx.events["ApprovalForAll"].values()) == (parties.supplier, parties.stranger, True)
    assert receivables.isApprovedForAll(parties.supplier, parties.stranger)


def test_the_zero_address_cannot_be_approved_for_all(receivables, parties, custom_error):
    with brownie.reverts(custom_error("ReceivableInvalidOperator", ZERO_ADDRESS)):
        receivables.setApprovalForAll(ZERO_ADDRESS, True, {"from": parties.supplier})


def test_financing_cannot_be_offered_to_the_zero_address(receivables, issue, parties, custom_error):
    root = issue()
    with brownie.reverts(custom_error("ReceivableInvalidFinancier", ZERO_ADDRESS)):
        receivables.offerFinancing(root, ZERO_ADDRESS, 1, {"from": parties.supplier})


def test_safe_transfer_to_a_contract_without_the_receiver_function_reverts(
    receivables, issue, parties, onboard, accounts, web3, SettlementTokenMock, custom_error
):
    holder = SettlementTokenMock.deploy({"from": accounts[0]})  # an active enterprise, but no onERC721Received
    web3.provider.make_request("anvil_setBalance", [holder.address, hex(10**19)])
    onboard(accounts.at(holder.address, force=True), "supplier")
    root = issue()
    with brownie.reverts(custom_error("ReceivableInvalidReceiver", holder.address)):
        receivables.safeTransferFrom["address,address,uint256"](parties.supplier, holder, root, {"from": parties.supplier})


def test_value_allowance_lapses_when_the_fragment_changes_holder(receivables, issue, parties, split):
    root = issue()
    receivables.approve["uint256,address,uint256"](root, parties.stranger, 100, {"from": parties.supplier})
    receivables.transferFrom["address,address,uint256"](parties.supplier, parties.supplier2, root, {"from": parties.supplier})
    receivables.transferFrom["address,address,uint256"](parties.supplier2, parties.supplier, root, {"from": parties.supplier2})
    assert receivables.allowance(root, parties.stranger) == 0  # not revived by the return to the old holder


def test_unlimited_value_allowance_is_not_spent(receivables, issue, parties, split):
    root = issue()
    receivables.approve["uint256,address,uint256"](root, parties.stranger, 2**256 - 1, {"from": parties.supplier})
    split(root, parties.supplier2, 100, sender=parties.stranger)
    assert receivables.allowance(root, parties.stranger) == 2**256 - 1


# ---------------------------------------------------------------------------------------- financing


def test_offer_is_recorded(receivables, issue, parties):
    root = issue()
    tx = receivables.offerFinancing(root, parties.financier, 950_000, {"from": parties.supplier})
    fragment = receivables.fragment(root)
    assert (fragment["offered"], fragment["financier"], fragment["offerPrice"]) == (True, parties.financier, 950_000)
    assert tuple(tx.events["FinancingOffered"].values()) == (root, parties.supplier, parties.financier, 950_000)


def test_offered_fragment_does_not_move(receivables, issue, split, parties, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    expected = custom_error("ReceivableOfferPending", root)
    with brownie.reverts(expected):
        split(root, parties.supplier2, 1)
    with brownie.reverts(expected):
        receivables.transferFrom["address,address,uint256"](parties.supplier, parties.supplier2, root, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.offerFinancing(root, parties.financier2, 1, {"from": parties.supplier})


def test_value_does_not_flow_into_an_offered_fragment(receivables, issue, split, parties, custom_error):
    root = issue()
    other = split(root, parties.supplier, 10)
    receivables.offerFinancing(other, parties.financier, 1, {"from": parties.supplier})
    with brownie.reverts(custom_error("ReceivableOfferPending", other)):
        receivables.transferFrom["uint256,uint256,uint256"](root, other, 1, {"from": parties.supplier})


@pytest.mark.parametrize("name", ["producer", "supplier2", "stranger"])
def test_offer_goes_only_to_an_active_financier(receivables, issue, parties, custom_error, name):
    root = issue()
    target = getattr(parties, name)
    with brownie.reverts(custom_error("ReceivableInvalidFinancier", target)):
        receivables.offerFinancing(root, target, 1, {"from": parties.supplier})


def test_holder_that_is_a_financier_cannot_offer_to_itself(receivables, issue, split, parties, custom_error):
    root = issue()
    owned = split(root, parties.financier, 10)
    with brownie.reverts(custom_error("ReceivableInvalidFinancier", parties.financier)):
        receivables.offerFinancing(owned, parties.financier, 1, {"from": parties.financier})


@pytest.mark.parametrize("price", [0, FACE + 1])
def test_offer_price_is_between_one_and_the_value(receivables, issue, parties, custom_error, price):
    root = issue()
    with brownie.reverts(custom_error("ReceivableInvalidPrice", price, FACE)):
        receivables.offerFinancing(root, parties.financier, price, {"from": parties.supplier})


def test_financing_closes_at_maturity(receivables, issue, parties, chain, custom_error):
    root = issue()
    mature(chain, receivables, root)
    with brownie.reverts(custom_error("ReceivableMatured", root // ID_BASE, due_of(receivables, root))):
        receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})


def test_withdrawn_offer_frees_the_fragment(receivables, issue, split, parties, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    tx = receivables.withdrawOffer(root, {"from": parties.supplier})
    assert tuple(tx.events["FinancingOfferWithdrawn"].values()) == (root, parties.financier)
    assert tuple(receivables.fragment(root))[4:] == (False, False, False, False, ZERO_ADDRESS, 0)
    split(root, parties.supplier2, 1)
    with brownie.reverts(custom_error("ReceivableNotOffered", root)):
        receivables.acceptFinancing(root, 1, PAYMENT_REF, {"from": parties.financier})


def test_suspended_holder_may_withdraw_its_offer(receivables, registry, admins, issue, parties):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    registry.suspend(parties.supplier, {"from": admins[0]})
    tx = receivables.withdrawOffer(root, {"from": parties.supplier})
    assert "FinancingOfferWithdrawn" in tx.events


def test_operator_of_a_suspended_holder_cannot_withdraw(receivables, registry, admins, issue, parties, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableNotAuthorized", parties.operator, root)):
        receivables.withdrawOffer(root, {"from": parties.operator})


def test_withdraw_without_offer_reverts(receivables, issue, parties, custom_error):
    root = issue()
    with brownie.reverts(custom_error("ReceivableNotOffered", root)):
        receivables.withdrawOffer(root, {"from": parties.supplier})


def test_accepted_fragment_belongs_to_the_financier(receivables, issue, parties):
    root = issue()
    receivables.approve["address,uint256"](parties.stranger, root, {"from": parties.supplier})
    receivables.offerFinancing(root, parties.financier, 950_000, {"from": parties.supplier})
    tx = receivables.acceptFinancing(root, 950_000, PAYMENT_REF, {"from": parties.financier})
    assert receivables.ownerOf(root) == parties.financier
    assert tuple(receivables.fragment(root))[4:] == (False, True, False, False, ZERO_ADDRESS, 0)
    assert receivables.balanceOf["address"](parties.financier) == 1
    assert receivables.balanceOf["address"](parties.supplier) == 0
    assert receivables.getApproved(root) == ZERO_ADDRESS
    assert tuple(tx.events["Transfer"].values()) == (parties.supplier, parties.financier, root)
    assert tuple(tx.events["ReceivableFinanced"].values()) == (
        root, parties.supplier, parties.financier, 950_000, "0x" + PAYMENT_REF.hex()
    )


@pytest.fixture
def financed(receivables, issue, parties):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 900_000, {"from": parties.supplier})
    receivables.acceptFinancing(root, 900_000, PAYMENT_REF, {"from": parties.financier})
    return root


def test_fragment_is_financed_once(receivables, financed, parties, custom_error):
    with brownie.reverts(custom_error("ReceivableAlreadyFinanced", financed)):
        receivables.offerFinancing(financed, parties.financier2, 1, {"from": parties.financier})


def test_financed_fragment_only_settles(receivables, financed, parties, custom_error, split):
    expected = custom_error("ReceivableAlreadyFinanced", financed)
    with brownie.reverts(expected):
        split(financed, parties.supplier2, 1, sender=parties.financier)
    with brownie.reverts(expected):
        receivables.transferFrom["address,address,uint256"](
            parties.financier, parties.financier2, financed, {"from": parties.financier}
        )


def test_an_offer_made_again_at_another_price_is_not_accepted_at_the_old_one(receivables, issue, parties, custom_error):
    """The financier's named price is its consent: a holder that withdraws and offers again at another
    price before the acceptance lands cannot bind the financier to it."""
    root = issue()
    receivables.offerFinancing(root, parties.financier, 900_000, {"from": parties.supplier})
    receivables.withdrawOffer(root, {"from": parties.supplier})
    receivables.offerFinancing(root, parties.financier, 990_000, {"from": parties.supplier})
    with brownie.reverts(custom_error("ReceivablePriceChanged", root, 990_000)):
        receivables.acceptFinancing(root, 900_000, PAYMENT_REF, {"from": parties.financier})


def test_acceptance_needs_a_payment_reference(receivables, issue, parties, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    with brownie.reverts(custom_error("ReceivableInvalidPaymentReference", b"\x00" * 32)):
        receivables.acceptFinancing(root, 1, b"\x00" * 32, {"from": parties.financier})


def test_acceptance_needs_an_active_seller(receivables, issue, parties, registry, admins, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    registry.suspend(parties.supplier, {"from": admins[0]})
    with brownie.reverts(custom_error("ReceivableInactiveHolder", parties.supplier)):
        receivables.acceptFinancing(root, 1, PAYMENT_REF, {"from": parties.financier})


def test_acceptance_closes_at_maturity(receivables, issue, parties, chain, custom_error):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    mature(chain, receivables, root)
    with brownie.reverts(custom_error("ReceivableMatured", root // ID_BASE, due_of(receivables, root))):
        receivables.acceptFinancing(root, 1, PAYMENT_REF, {"from": parties.financier})


# ---------------------------------------------------------------------------------------- settlement


def test_settlement_opens_at_maturity(receivables, issue, parties, custom_error):
    root = issue()
    with brownie.reverts(custom_error("ReceivableNotMatured", root // ID_BASE, due_of(receivables, root))):
        receivables.confirmSettlement(root, {"from": parties.supplier})


def test_holder_confirms_settlement(receivables, issue, split, parties, chain):
    root = issue()
    split(root, parties.supplier2, 300_000)
    mature(chain, receivables, root)
    tx = receivables.confirmSettlement(root, {"from": parties.supplier})
    assert tuple(tx.events["ReceivableSettled"].values()) == (root, root // ID_BASE, parties.supplier, 700_000, False)
    assert receivables.fragment(root)["settled"]
    assert receivables.slotState(root // ID_BASE)["settledValue"] == 700_000


def test_debtor_pays_holder_through_the_settlement_token(receivables, financed, parties, chain, settlement_token, funded):
    mature(chain, receivables, financed)
    tx = receivables.settle(financed, {"from": parties.core_operator})
    assert settlement_token.balanceOf(parties.financier) == FACE
    assert settlement_token.balanceOf(parties.core) == 10**12 - FACE
    assert tuple(tx.events["ReceivableSettled"].values()) == (financed, financed // ID_BASE, parties.financier, FACE, True)
    assert tuple(receivables.fragment(financed))[5:7] == (True, True)  # financed and settled


def test_settlement_needs_the_debtors_allowance(receivables, issue, parties, chain, settlement_token, custom_error):
    root = issue()
    mature(chain, receivables, root)
    settlement_token.approve(receivables, 0, {"from": parties.core})
    with brownie.reverts(custom_error("ERC20InsufficientAllowance", receivables, 0, FACE)):
        receivables.settle(root, {"from": parties.core})


def test_settlement_token_is_optional(Receivables, registry, parties, chain, accounts, custom_error):
    offchain = Receivables.deploy(registry, ZERO_ADDRESS, {"from": accounts[0]})
    root = offchain.issue(parties.supplier, FACE, b"CNY", chain.time() + DAY, invoice(9), {"from": parties.core}).return_value
    chain.sleep(2 * DAY)
    with brownie.reverts(custom_error("ReceivableNoSettlementToken")):
        offchain.settle(root, {"from": parties.core})
    offchain.confirmSettlement(root, {"from": parties.supplier})
    assert offchain.settlementToken() == ZERO_ADDRESS


def test_fragment_settles_once(receivables, issue, parties, chain, custom_error, funded):
    root = issue()
    mature(chain, receivables, root)
    receivables.confirmSettlement(root, {"from": parties.supplier})
    expected = custom_error("ReceivableAlreadySettled", root)
    with brownie.reverts(expected):
        receivables.confirmSettlement(root, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.settle(root, {"from": parties.core})


def test_settled_fragment_never_moves(receivables, issue, split, parties, chain, custom_error):
    root = issue()
    other = split(root, parties.supplier, 10)
    mature(chain, receivables, root)
    receivables.confirmSettlement(root, {"from": parties.supplier})
    expected = custom_error("ReceivableAlreadySettled", root)
    with brownie.reverts(expected):
        split(root, parties.supplier2, 1)
    with brownie.reverts(expected):
        receivables.transferFrom["uint256,uint256,uint256"](root, other, 1, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.transferFrom["address,address,uint256"](parties.supplier, parties.supplier2, root, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.freezeFragment(root, {"from": parties.regulator})
    with brownie.reverts(custom_error("ReceivableAlreadySettled", root)):
        receivables.transferFrom["uint256,uint256,uint256"](other, root, 1, {"from": parties.supplier})


def test_settling_an_offered_fragment_lapses_the_offer(receivables, issue, parties, chain):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    mature(chain, receivables, root)
    receivables.confirmSettlement(root, {"from": parties.supplier})
    assert tuple(receivables.fragment(root))[4:] == (False, False, True, False, ZERO_ADDRESS, 0)


def test_overdue_until_settled(receivables, issue, parties, chain):
    root = issue()
    assert not receivables.overdue(root)
    mature(chain, receivables, root)
    chain.sleep(1)
    chain.mine()
    assert receivables.overdue(root)
    receivables.confirmSettlement(root, {"from": parties.supplier})
    assert not receivables.overdue(root)


def test_settled_and_unsettled_values_add_up_to_face_value(receivables, issue, split, parties, chain):
    root = issue()
    children = [split(root, parties.supplier2, 100_000) for _ in range(3)]
    mature(chain, receivables, root)
    for token_id in children[:2]:
        receivables.confirmSettlement(token_id, {"from": parties.supplier2})
    unsettled = sum(receivables.balanceOf["uint256"](t) for t in [root, children[2]])
    assert unsettled + receivables.slotState(root // ID_BASE)["settledValue"] == FACE


# ---------------------------------------------------------------------------------------- freezing


def test_frozen_slot_does_not_move(receivables, issue, split, parties, chain, custom_error, funded):
    root = issue()
    other = split(root, parties.supplier, 10)
    receivables.offerFinancing(other, parties.financier, 1, {"from": parties.supplier})
    slot = root // ID_BASE
    tx = receivables.freezeSlot(slot, {"from": parties.regulator})
    assert tuple(tx.events["SlotFrozen"].values()) == (slot, parties.regulator)
    assert receivables.slotState(slot)["frozen"]
    expected = custom_error("ReceivableSlotFrozen", slot)
    calls = [
        lambda: split(root, parties.supplier2, 1),
        lambda: receivables.transferFrom["address,address,uint256"](parties.supplier, parties.supplier2, root, {"from": parties.supplier}),
        lambda: receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier}),
        lambda: receivables.acceptFinancing(other, 1, PAYMENT_REF, {"from": parties.financier}),
    ]
    for call in calls:
        with brownie.reverts(expected):
            call()
    mature(chain, receivables, root)
    with brownie.reverts(expected):
        receivables.confirmSettlement(root, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.settle(root, {"from": parties.core})
    receivables.unfreezeSlot(slot, {"from": parties.regulator})
    receivables.settle(root, {"from": parties.core})


def test_frozen_fragment_does_not_move_but_its_slot_does(receivables, issue, split, parties, chain, custom_error):
    root = issue()
    other = split(root, parties.supplier, 10)
    tx = receivables.freezeFragment(root, {"from": parties.regulator})
    assert tuple(tx.events["FragmentFrozen"].values()) == (root, parties.regulator)
    assert receivables.fragment(root)["frozen"]
    expected = custom_error("ReceivableFrozen", root)
    with brownie.reverts(expected):
        split(root, parties.supplier2, 1)
    with brownie.reverts(expected):
        receivables.transferFrom["uint256,uint256,uint256"](other, root, 1, {"from": parties.supplier})
    with brownie.reverts(expected):
        receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    split(other, parties.supplier2, 1)
    mature(chain, receivables, root)
    with brownie.reverts(expected):
        receivables.confirmSettlement(root, {"from": parties.supplier})
    receivables.unfreezeFragment(root, {"from": parties.regulator})
    receivables.confirmSettlement(root, {"from": parties.supplier})


def test_offer_can_be_withdrawn_while_frozen(receivables, issue, parties):
    root = issue()
    receivables.offerFinancing(root, parties.financier, 1, {"from": parties.supplier})
    receivables.freezeFragment(root, {"from": parties.regulator})
    receivables.withdrawOffer(root, {"from": parties.supplier})
    assert tuple(receivables.fragment(root))[4:8] == (False, False, False, True)


def test_freeze_and_unfreeze_are_not_repeated(receivables, issue, parties, custom_error):
    root = issue()
    slot = root // ID_BASE
    with brownie.reverts(custom_error("ReceivableSlotNotFrozen", slot)):
        receivables.unfreezeSlot(slot, {"from": parties.regulator})
    with brownie.reverts(custom_error("ReceivableNotFrozen", root)):
        receivables.unfreezeFragment(root, {"from": parties.regulator})
    receivables.freezeSlot(slot, {"from": parties.regulator})
    receivables.freezeFragment(root, {"from": parties.regulator})
    with brownie.reverts(custom_error("ReceivableSlotFrozen", slot)):
        receivables.freezeSlot(slot, {"from": parties.regulator})
    with brownie.reverts(custom_error("ReceivableFrozen", root)):
        receivables.freezeFragment(root, {"from": parties.regulator})


def test_freezing_unknown_ids_reverts(receivables, parties, custom_error):
    with brownie.reverts(custom_error("ReceivableNonexistentSlot", 7)):
        receivables.freezeSlot(7, {"from": parties.regulator})
    with brownie.reverts(custom_error("ReceivableNonexistentToken", 70000001)):
        receivables.freezeFragment(70000001, {"from": parties.regulator})


# ---------------------------------------------------------------------------------------- views


def test_views_of_unknown_ids_revert(receivables, parties, custom_error):
    with brownie.reverts(custom_error("ReceivableNonexistentSlot", 1)):
        receivables.obligation(1)
    with brownie.reverts(custom_error("ReceivableNonexistentSlot", 1)):
        receivables.slotState(1)
    with brownie.reverts(custom_error("ReceivableNonexistentSlot", 1)):
        receivables.nextTokenId(1)
    for view in (receivables.fragment, receivables.parentOf, receivables.overdue, receivables.tokenURI, receivables.getApproved):
        with brownie.reverts(custom_error("ReceivableNonexistentToken", 10000001)):
            view(10000001)
    assert receivables.invoiceSlot(parties.core, invoice(1)) == 0


def test_collection_views(receivables, registry, settlement_token, issue):
    token_id = issue()
    assert receivables.name() == "Shanglian Receivable"
    assert receivables.symbol() == "SLR"
    assert receivables.tokenURI(token_id) == ""
    assert receivables.registry() == registry
    assert receivables.settlementToken() == settlement_token
    assert not receivables.supportsInterface("0x5b5e139f")  # no ERC-721 metadata (empty tokenURI)
