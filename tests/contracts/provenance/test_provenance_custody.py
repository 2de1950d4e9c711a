"""Two-step custody (offer, accept, withdraw) and the seller shown to consumers."""

import brownie
import pytest
from brownie import chain

ZERO32 = b"\x00" * 32
GTIN_JUICE = 6901234567908  # the processor's product (conftest `provenance` fixture)
ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)


@pytest.fixture
def batch_id(make_batch):
    return make_batch("CUSTODY-1")


def _hand_over(provenance, batch_id, parties, src, dst):
    provenance.offerCustody(batch_id, parties[dst], {"from": parties[src]})
    return provenance.acceptCustody(batch_id, {"from": parties[dst]})


def test_offer_records_pending_custodian(provenance, parties, batch_id):
    tx = provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    assert provenance.pendingOffer(batch_id) == parties["logistics"]
    assert provenance.custodian(batch_id) == parties["producer"]
    assert tuple(tx.events["CustodyOffered"].values()) == (batch_id, parties["producer"], parties["logistics"])


def test_accept_moves_custody_and_clears_offer(provenance, parties, batch_id):
    tx = _hand_over(provenance, batch_id, parties, "producer", "logistics")
    assert provenance.custodian(batch_id) == parties["logistics"]
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS
    assert tuple(tx.events["CustodyAccepted"].values()) == (batch_id, parties["producer"], parties["logistics"])


def test_custody_passes_along_a_chain(provenance, parties, batch_id):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    _hand_over(provenance, batch_id, parties, "logistics", "retailer")
    assert provenance.custodian(batch_id) == parties["retailer"]


def test_operator_of_offeree_can_accept(provenance, parties, batch_id, registry, accounts):
    registry.addOperator(accounts[9], {"from": parties["logistics"]})
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    tx = provenance.acceptCustody(batch_id, {"from": accounts[9]})
    assert tx.events["CustodyAccepted"]["to"] == parties["logistics"]


def test_wrong_receiver_cannot_accept(provenance, parties, batch_id, custom_error):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    error = custom_error(provenance, "ProvenanceNotOfferee", batch_id, parties["retailer"], parties["logistics"])
    with brownie.reverts(error):
        provenance.acceptCustody(batch_id, {"from": parties["retailer"]})


def test_second_accept_reverts_already_custodian(provenance, parties, batch_id, custom_error):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    with brownie.reverts(custom_error(provenance, "ProvenanceAlreadyCustodian", batch_id, parties["logistics"])):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_accept_without_offer_reverts_no_offer(provenance, parties, batch_id, custom_error):
    with brownie.reverts(custom_error(provenance, "ProvenanceNoOffer", batch_id)):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_withdrawn_offer_cannot_be_accepted(provenance, parties, batch_id, custom_error):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    tx = provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    assert tuple(tx.events["CustodyOfferWithdrawn"].values()) == (
        batch_id, parties["producer"], parties["logistics"]
    )
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS
    with brownie.reverts(custom_error(provenance, "ProvenanceNoOffer", batch_id)):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_withdraw_without_offer_reverts_no_offer(provenance, parties, batch_id, custom_error):
    with brownie.reverts(custom_error(provenance, "ProvenanceNoOffer", batch_id)):
        provenance.withdrawOffer(batch_id, {"from": parties["producer"]})


def test_offeree_cannot_withdraw(provenance, parties, batch_id, custom_error):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    error = custom_error(provenance, "ProvenanceNotCustodian", batch_id, parties["logistics"], parties["producer"])
    with brownie.reverts(error):
        provenance.withdrawOffer(batch_id, {"from": parties["logistics"]})


def test_second_offer_while_pending_reverts(provenance, parties, batch_id, custom_error):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    with brownie.reverts(custom_error(provenance, "ProvenanceOfferPending", batch_id, parties["logistics"])):
        provenance.offerCustody(batch_id, parties["retailer"], {"from": parties["producer"]})


def test_offer_after_withdraw_goes_to_new_receiver(provenance, parties, batch_id):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    _hand_over(provenance, batch_id, parties, "producer", "retailer")
    assert provenance.custodian(batch_id) == parties["retailer"]


def test_previous_custodian_cannot_offer_again(provenance, parties, batch_id, custom_error):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    error = custom_error(provenance, "ProvenanceNotCustodian", batch_id, parties["producer"], parties["logistics"])
    with brownie.reverts(error):
        provenance.offerCustody(batch_id, parties["retailer"], {"from": parties["producer"]})


@pytest.mark.parametrize(
    "receiver", ["producer", "regulator", "quality_alliance", "platform", "suspended", "stranger", "producer_operator"]
)
def test_offer_to_ineligible_receiver_reverts(provenance, parties, batch_id, custom_error, receiver):
    # The custodian itself, enterprises without a custody role, inactive ones, non-enterprises and
    # operator accounts (custody goes to an enterprise's primary account).
    to = parties[receiver]
    with brownie.reverts(custom_error(provenance, "ProvenanceInvalidReceiver", batch_id, to)):
        provenance.offerCustody(batch_id, to, {"from": parties["producer"]})


def test_offer_to_zero_address_reverts(provenance, parties, batch_id, custom_error):
    with brownie.reverts(custom_error(provenance, "ProvenanceInvalidReceiver", batch_id, brownie.ZERO_ADDRESS)):
        provenance.offerCustody(batch_id, brownie.ZERO_ADDRESS, {"from": parties["producer"]})


@pytest.mark.parametrize("receiver", ["logistics", "retailer", "processor", "other_producer"])
def test_offer_to_each_custody_role_succeeds(provenance, parties, batch_id, receiver):
    provenance.offerCustody(batch_id, parties[receiver], {"from": parties["producer"]})
    assert provenance.pendingOffer(batch_id) == parties[receiver]


def test_suspended_custodian_cannot_offer(provenance, parties, batch_id, registry, admins, custom_error):
    registry.suspend(parties["producer"], {"from": admins[0]})
    error = custom_error(provenance, "ProvenanceNotCustodian", batch_id, parties["producer"], parties["producer"])
    with brownie.reverts(error):
        provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})


def test_offeree_suspended_after_offer_cannot_accept(provenance, parties, batch_id, registry, admins, custom_error):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["logistics"], {"from": admins[0]})
    error = custom_error(provenance, "ProvenanceNotOfferee", batch_id, parties["logistics"], parties["logistics"])
    with brownie.reverts(error):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_custody_of_unknown_batch_reverts(provenance, parties, custom_error):
    unknown = b"\x99" * 32
    with brownie.reverts(custom_error(provenance, "ProvenanceUnknownBatch", unknown)):
        provenance.offerCustody(unknown, parties["logistics"], {"from": parties["producer"]})


# ---------------------------------------------------------------------------------- recall


def test_recalled_batch_cannot_be_offered(provenance, parties, batch_id, custom_error):
    provenance.recall(batch_id, "农残超标", {"from": parties["regulator"]})
    with brownie.reverts(custom_error(provenance, "ProvenanceBatchRecalled", batch_id)):
        provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})


def test_offer_recalled_before_accept_cannot_be_accepted_but_can_be_withdrawn(
    provenance, parties, batch_id, custom_error
):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    provenance.recall(batch_id, "农残超标", {"from": parties["producer"]})
    with brownie.reverts(custom_error(provenance, "ProvenanceBatchRecalled", batch_id)):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})
    provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS


def test_consumed_batch_cannot_be_offered(provenance, parties, batch_id, custom_error):
    _hand_over(provenance, batch_id, parties, "producer", "processor")
    tx = provenance.transform(
        [batch_id], GTIN_JUICE, "JUICE-1", ORIGIN, chain.time() - 60, 100, ZERO32, ZERO32, "",
        {"from": parties["processor"]},
    )
    output = tx.events["BatchCreated"]["batchId"]
    with brownie.reverts(custom_error(provenance, "ProvenanceBatchConsumed", batch_id, output)):
        provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["processor"]})


# ---------------------------------------------------------------------------------- seller


def test_retailer_accepting_custody_becomes_seller(provenance, parties, batch_id):
    tx = _hand_over(provenance, batch_id, parties, "producer", "retailer")
    assert tuple(tx.events["SellerRecorded"].values()) == (batch_id, parties["retailer"])
    assert provenance.sellerOf(batch_id) == parties["retailer"]
    assert provenance.batch(batch_id)["seller"] == parties["retailer"]


def test_non_retailer_accepting_custody_records_no_seller(provenance, parties, batch_id):
    tx = _hand_over(provenance, batch_id, parties, "producer", "logistics")
    assert "SellerRecorded" not in tx.events
    assert provenance.sellerOf(batch_id) == brownie.ZERO_ADDRESS


def test_seller_is_the_last_retailer_custodian(provenance, parties, batch_id, onboard, accounts):
    second_retailer = onboard(accounts[8], "retailer", "logistics")
    parties = dict(parties, second_retailer=second_retailer)
    _hand_over(provenance, batch_id, parties, "producer", "retailer")
    _hand_over(provenance, batch_id, parties, "retailer", "logistics")
    assert provenance.sellerOf(batch_id) == parties["retailer"]  # logistics is not a seller
    _hand_over(provenance, batch_id, parties, "logistics", "second_retailer")
    assert provenance.sellerOf(batch_id) == second_retailer


def test_producer_holding_retailer_role_is_seller_from_creation(provenance, onboard, accounts):
    farm_shop = onboard(accounts[7], "producer", "retailer")
    provenance.registerProduct(6901234567915, "农家梨", "", ZERO32, {"from": farm_shop})
    tx = provenance.createBatch(
        6901234567915, "FARM-1", ORIGIN, chain.time() - 60, 10, ZERO32, ZERO32, "", {"from": farm_shop}
    )
    batch_id = tx.events["BatchCreated"]["batchId"]
    assert tx.events["SellerRecorded"]["seller"] == farm_shop
    assert provenance.sellerOf(batch_id) == farm_shop
