"""Two-step custody (offer, accept, withdraw) and the seller shown to consumers."""

import brownie
import pytest
from brownie import chain
from codes import GTIN_JUICE, gs1_key  # juice: the processor's product (conftest `provenance` fixture)

ZERO32 = b"\x00" * 32
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


def test_operator_of_offeree_can_accept(provenance, parties, batch_id, bind_operator, accounts):
    bind_operator(parties["logistics"], accounts[9])
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    tx = provenance.acceptCustody(batch_id, {"from": accounts[9]})
    assert tx.events["CustodyAccepted"]["to"] == parties["logistics"]


def test_offer_of_a_suspended_custodian_cannot_be_accepted(provenance, registry, admins, parties, batch_id, reverts_with):
    """The review's finding: a suspended producer's last offer still moved the goods."""
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["producer"], {"from": admins[0]})
    with reverts_with("ProvenanceInactiveCustodian", batch_id, parties["producer"]):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_offer_of_a_revoked_custodian_cannot_be_accepted(provenance, parties, batch_id, govern, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    govern("revoke", parties["producer"])
    with reverts_with("ProvenanceInactiveCustodian", batch_id, parties["producer"]):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_offer_of_a_reinstated_custodian_can_be_accepted(provenance, registry, admins, parties, batch_id, govern):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["producer"], {"from": admins[0]})
    govern("reinstate", parties["producer"])
    provenance.acceptCustody(batch_id, {"from": parties["logistics"]})
    assert provenance.custodian(batch_id) == parties["logistics"]


def test_suspended_custodian_may_withdraw_its_offer(provenance, registry, admins, parties, batch_id):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["producer"], {"from": admins[0]})
    tx = provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    assert "CustodyOfferWithdrawn" in tx.events
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS


def test_operator_of_a_suspended_custodian_cannot_withdraw(provenance, registry, admins, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["producer"], {"from": admins[0]})
    with reverts_with("ProvenanceNotCustodian", batch_id, parties["producer_operator"], parties["producer"]):
        provenance.withdrawOffer(batch_id, {"from": parties["producer_operator"]})


def test_wrong_receiver_cannot_accept(provenance, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    with reverts_with("ProvenanceNotOfferee", batch_id, parties["retailer"], parties["logistics"]):
        provenance.acceptCustody(batch_id, {"from": parties["retailer"]})


def test_second_accept_reverts_already_custodian(provenance, parties, batch_id, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    with reverts_with("ProvenanceAlreadyCustodian", batch_id, parties["logistics"]):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_accept_without_offer_reverts_no_offer(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceNoOffer", batch_id):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_withdrawn_offer_cannot_be_accepted(provenance, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    tx = provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    assert tuple(tx.events["CustodyOfferWithdrawn"].values()) == (
        batch_id, parties["producer"], parties["logistics"]
    )
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS
    with reverts_with("ProvenanceNoOffer", batch_id):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_withdraw_without_offer_reverts_no_offer(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceNoOffer", batch_id):
        provenance.withdrawOffer(batch_id, {"from": parties["producer"]})


def test_offeree_cannot_withdraw(provenance, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    with reverts_with("ProvenanceNotCustodian", batch_id, parties["logistics"], parties["producer"]):
        provenance.withdrawOffer(batch_id, {"from": parties["logistics"]})


def test_second_offer_while_pending_reverts(provenance, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    with reverts_with("ProvenanceOfferPending", batch_id, parties["logistics"]):
        provenance.offerCustody(batch_id, parties["retailer"], {"from": parties["producer"]})


def test_offer_after_withdraw_goes_to_new_receiver(provenance, parties, batch_id):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    _hand_over(provenance, batch_id, parties, "producer", "retailer")
    assert provenance.custodian(batch_id) == parties["retailer"]


def test_previous_custodian_cannot_offer_again(provenance, parties, batch_id, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    with reverts_with("ProvenanceNotCustodian", batch_id, parties["producer"], parties["logistics"]):
        provenance.offerCustody(batch_id, parties["retailer"], {"from": parties["producer"]})


@pytest.mark.parametrize(
    "receiver", ["producer", "regulator", "quality_alliance", "platform", "suspended", "stranger", "producer_operator"]
)
def test_offer_to_ineligible_receiver_reverts(provenance, parties, batch_id, reverts_with, receiver):
    # The custodian itself, enterprises without a custody role, inactive ones, non-enterprises and
    # operator accounts (custody goes to an enterprise's primary account).
    to = parties[receiver]
    with reverts_with("ProvenanceInvalidReceiver", batch_id, to):
        provenance.offerCustody(batch_id, to, {"from": parties["producer"]})


def test_offer_to_zero_address_reverts(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceInvalidReceiver", batch_id, brownie.ZERO_ADDRESS):
        provenance.offerCustody(batch_id, brownie.ZERO_ADDRESS, {"from": parties["producer"]})


@pytest.mark.parametrize("receiver", ["logistics", "retailer", "processor", "other_producer"])
def test_offer_to_each_custody_role_succeeds(provenance, parties, batch_id, receiver):
    provenance.offerCustody(batch_id, parties[receiver], {"from": parties["producer"]})
    assert provenance.pendingOffer(batch_id) == parties[receiver]


def test_suspended_custodian_cannot_offer(provenance, parties, batch_id, registry, admins, reverts_with):
    registry.suspend(parties["producer"], {"from": admins[0]})
    with reverts_with("ProvenanceNotCustodian", batch_id, parties["producer"], parties["producer"]):
        provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})


def test_offeree_suspended_after_offer_cannot_accept(provenance, parties, batch_id, registry, admins, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    registry.suspend(parties["logistics"], {"from": admins[0]})
    with reverts_with("ProvenanceNotOfferee", batch_id, parties["logistics"], parties["logistics"]):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})


def test_custody_of_unknown_batch_reverts(provenance, parties, reverts_with):
    unknown = b"\x99" * 32
    with reverts_with("ProvenanceUnknownBatch", unknown):
        provenance.offerCustody(unknown, parties["logistics"], {"from": parties["producer"]})


# ---------------------------------------------------------------------------------- recall


def test_recalled_batch_cannot_be_offered(provenance, parties, batch_id, reverts_with):
    provenance.recall(batch_id, "农残超标", {"from": parties["regulator"]})
    with reverts_with("ProvenanceBatchRecalled", batch_id):
        provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})


def test_offer_recalled_before_accept_cannot_be_accepted_but_can_be_withdrawn(
    provenance, parties, batch_id, reverts_with
):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    provenance.recall(batch_id, "农残超标", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", batch_id):
        provenance.acceptCustody(batch_id, {"from": parties["logistics"]})
    provenance.withdrawOffer(batch_id, {"from": parties["producer"]})
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS


def test_consumed_batch_cannot_be_offered(provenance, parties, batch_id, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "processor")
    tx = provenance.transform(
        [batch_id], GTIN_JUICE, "JUICE-1", ORIGIN, chain[-1].timestamp - 60, 100, ZERO32, ZERO32, "",
        {"from": parties["processor"]},
    )
    output = tx.events["BatchCreated"]["batchId"]
    with reverts_with("ProvenanceBatchConsumed", batch_id, output):
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


def test_producer_holding_retailer_role_is_seller_from_creation(provenance, onboard, accounts, assign_prefix):
    farm_shop = onboard(accounts[7], "producer", "retailer")
    assign_prefix(farm_shop, "6977777")
    farm_pears = gs1_key("6977777", 1, 14)
    provenance.registerProduct(farm_pears, "农家梨", "", ZERO32, {"from": farm_shop})
    tx = provenance.createBatch(
        farm_pears, "FARM-1", ORIGIN, chain[-1].timestamp - 60, 10, ZERO32, ZERO32, "", {"from": farm_shop}
    )
    batch_id = tx.events["BatchCreated"]["batchId"]
    assert tx.events["SellerRecorded"]["seller"] == farm_shop
    assert provenance.sellerOf(batch_id) == farm_shop
