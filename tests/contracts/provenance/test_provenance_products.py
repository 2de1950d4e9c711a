"""Products (GTIN-14), batches (GTIN + lot) and locations (GLN): registration and input checks."""

import brownie
import pytest
from brownie import chain
from eth_utils import keccak

from shanglian.gs1 import gtin_check_digit

from codes import GTIN_JUICE, GTIN_PEARS, GTIN_SPARE, PREFIXES, gln_of, gs1_key, gtin_of

# Registered by the `provenance` fixture (conftest): pears by "producer", juice by "processor".
ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)
GLN = gln_of("logistics")
ZERO32 = b"\x00" * 32
META = b"\x4d" * 32
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def _create(provenance, sender, lot="L2024-001", gtin=GTIN_PEARS, origin=ORIGIN, date=None, quantity=1000,
            root=ZERO32, uri="ipfs://bafy-batch"):
    date = chain[-1].timestamp - 86400 if date is None else date
    return provenance.createBatch(gtin, lot, origin, date, quantity, root, META, uri, {"from": sender})


# ------------------------------------------------------------------------------------ products


def test_register_product_records_producer_and_emits_description(provenance, parties):
    tx = provenance.registerProduct(GTIN_SPARE, "砀山酥梨礼盒", "8 pears, 2.5 kg", META, {"from": parties["producer"]})
    assert provenance.product(GTIN_SPARE) == parties["producer"]
    assert tuple(tx.events["ProductRegistered"].values()) == (
        GTIN_SPARE, parties["producer"], "砀山酥梨礼盒", "8 pears, 2.5 kg", "0x" + META.hex()
    )


def test_operator_registers_product_for_its_enterprise(provenance, parties):
    provenance.registerProduct(GTIN_SPARE, "礼盒", "", META, {"from": parties["producer_operator"]})
    assert provenance.product(GTIN_SPARE) == parties["producer"]


def test_gtin8_in_gtin14_form_is_accepted(provenance, parties, assign_prefix):
    gtin8 = 96385074  # GTIN-8 with check digit 4, as the integer of its GTIN-14 form 00000096385074
    assign_prefix(parties["producer"], "000009638")  # its twelve digits are 000009638507
    provenance.registerProduct(gtin8, "mini", "", META, {"from": parties["producer"]})
    assert provenance.product(gtin8) == parties["producer"]


@pytest.mark.parametrize("gtin", [6901234567893, 6901234567890, 0, 10**14 + 4, 2**64 - 1])
def test_gtin_with_bad_check_digit_or_range_is_rejected(provenance, parties, reverts_with, gtin):
    with reverts_with("ProvenanceInvalidGtin", gtin):
        provenance.registerProduct(gtin, "pears", "", META, {"from": parties["producer"]})


def test_product_cannot_be_registered_twice(provenance, parties, reverts_with):
    with reverts_with("ProvenanceProductExists", GTIN_PEARS, parties["producer"]):
        provenance.registerProduct(GTIN_PEARS, "pears", "", META, {"from": parties["other_producer"]})


# ------------------------------------------------------------------ GS1 Company Prefixes


def test_product_under_another_enterprises_prefix_is_refused(provenance, parties, reverts_with):
    """The review's finding: a member could squat a competitor's product codes."""
    gtin = gtin_of("producer", 4242)
    with reverts_with("ProvenanceNotPrefixHolder", gtin, parties["other_producer"], parties["producer"]):
        provenance.registerProduct(gtin, "copy", "", META, {"from": parties["other_producer"]})


def test_product_under_no_assigned_prefix_is_refused(provenance, parties, reverts_with):
    gtin = gs1_key("6988888", 1, 14)
    with reverts_with("ProvenanceNotPrefixHolder", gtin, parties["producer"], brownie.ZERO_ADDRESS):
        provenance.registerProduct(gtin, "pears", "", META, {"from": parties["producer"]})


def test_indicator_digit_does_not_change_the_prefix(provenance, parties):
    body = "1" + str(gtin_of("producer", 4242)).zfill(14)[1:13]  # indicator 1: a case of the item
    case = int(body + gtin_check_digit(body))
    provenance.registerProduct(case, "砀山酥梨 整箱", "", META, {"from": parties["producer"]})
    assert provenance.product(case) == parties["producer"]


def test_new_prefix_holder_claims_a_product(provenance, parties, govern, assign_prefix):
    govern("revoke", parties["producer"])
    assign_prefix(parties["other_producer"], "6901234")
    tx = provenance.claimProduct(GTIN_PEARS, {"from": parties["other_producer"]})
    assert dict(tx.events["ProductReassigned"]) == {
        "gtin": GTIN_PEARS, "from": parties["producer"], "to": parties["other_producer"],
    }
    assert provenance.product(GTIN_PEARS) == parties["other_producer"]


def test_claimed_product_takes_new_batches_from_its_new_producer(provenance, parties, govern, assign_prefix):
    govern("revoke", parties["producer"])
    assign_prefix(parties["other_producer"], "6901234")
    provenance.claimProduct(GTIN_PEARS, {"from": parties["other_producer"]})
    tx = _create(provenance, parties["other_producer"], lot="CLAIMED-1")
    assert tx.events["BatchCreated"]["producer"] == parties["other_producer"]


def test_claim_without_the_prefix_is_refused(provenance, parties, reverts_with):
    with reverts_with("ProvenanceNotPrefixHolder", GTIN_PEARS, parties["other_producer"], parties["producer"]):
        provenance.claimProduct(GTIN_PEARS, {"from": parties["other_producer"]})


def test_registrant_cannot_claim_its_own_product(provenance, parties, reverts_with):
    with reverts_with("ProvenanceAlreadyRegistrant", GTIN_PEARS, parties["producer"]):
        provenance.claimProduct(GTIN_PEARS, {"from": parties["producer"]})


def test_unknown_product_cannot_be_claimed(provenance, parties, reverts_with):
    with reverts_with("ProvenanceUnknownProduct", GTIN_SPARE):
        provenance.claimProduct(GTIN_SPARE, {"from": parties["producer"]})


def test_location_under_another_enterprises_prefix_is_refused(provenance, parties, reverts_with):
    gln = gln_of("retailer", 9)
    with reverts_with("ProvenanceNotPrefixHolder", gln, parties["logistics"], parties["retailer"]):
        provenance.registerLocation(gln, ORIGIN, {"from": parties["logistics"]})


def test_new_prefix_holder_claims_a_location(provenance, parties, govern, assign_prefix):
    provenance.registerLocation(GLN, ORIGIN, {"from": parties["logistics"]})
    govern("revokePrefix", int(PREFIXES["logistics"]), 7)
    assign_prefix(parties["retailer"], PREFIXES["logistics"])
    tx = provenance.claimLocation(GLN, {"from": parties["retailer"]})
    assert dict(tx.events["LocationReassigned"]) == {"gln": GLN, "from": parties["logistics"], "to": parties["retailer"]}
    assert provenance.location(GLN) == parties["retailer"]


def test_unknown_location_cannot_be_claimed(provenance, parties, reverts_with):
    with reverts_with("ProvenanceUnknownLocation", GLN):
        provenance.claimLocation(GLN, {"from": parties["logistics"]})


@pytest.mark.parametrize("name", ["", "梨" * 33])  # 0 and 99 bytes
def test_product_name_must_be_1_to_96_bytes(provenance, parties, reverts_with, name):
    with reverts_with("ProvenanceInvalidName", len(name.encode())):
        provenance.registerProduct(GTIN_SPARE, name, "", META, {"from": parties["producer"]})


def test_product_name_of_96_bytes_is_accepted(provenance, parties):
    provenance.registerProduct(GTIN_SPARE, "梨" * 32, "", META, {"from": parties["producer"]})


def test_product_features_must_be_at_most_512_bytes(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidFeatures", 513):
        provenance.registerProduct(GTIN_SPARE, "pears", "x" * 513, META, {"from": parties["producer"]})


def test_unknown_product_view_reverts(provenance, reverts_with):
    with reverts_with("ProvenanceUnknownProduct", GTIN_SPARE):
        provenance.product(GTIN_SPARE)


# ------------------------------------------------------------------------------------- batches


def test_batch_id_is_keccak_of_packed_gtin_and_lot(provenance, parties):
    tx = _create(provenance, parties["producer"], lot="L2024-001")
    expected = keccak(GTIN_PEARS.to_bytes(8, "big") + b"L2024-001")
    assert tx.events["BatchCreated"]["batchId"] == "0x" + expected.hex()
    assert provenance.batchIdOf(GTIN_PEARS, "L2024-001") == "0x" + expected.hex()


def test_create_batch_emits_every_field(provenance, parties):
    date = chain[-1].timestamp - 3600
    tx = _create(provenance, parties["producer"], date=date, quantity=1234, root=b"\x77" * 32)
    event = tx.events["BatchCreated"]
    assert event["gtin"] == GTIN_PEARS
    assert event["producer"] == parties["producer"]
    assert event["lot"] == "L2024-001"
    assert tuple(event["origin"]) == ORIGIN
    assert event["productionDate"] == date
    assert event["quantity"] == 1234
    assert event["serialsRoot"] == "0x" + "77" * 32
    assert event["metadataHash"] == "0x" + META.hex()
    assert event["metadataURI"] == "ipfs://bafy-batch"


def test_create_batch_stores_only_what_contracts_read(provenance, parties):
    batch_id = _create(provenance, parties["producer"], root=b"\x77" * 32).events["BatchCreated"]["batchId"]
    producer = parties["producer"]
    assert tuple(provenance.batch(batch_id)) == (
        producer, GTIN_PEARS, False, False, 0, 0, producer, brownie.ZERO_ADDRESS, brownie.ZERO_ADDRESS,
        "0x" + "77" * 32,
    )
    assert provenance.custodian(batch_id) == producer
    assert provenance.pendingOffer(batch_id) == brownie.ZERO_ADDRESS
    assert provenance.sellerOf(batch_id) == brownie.ZERO_ADDRESS
    assert provenance.isRecalled(batch_id) is False
    assert list(provenance.inputsOf(batch_id)) == []
    assert list(provenance.outputsOf(batch_id)) == []


def test_operator_creates_batch_for_its_enterprise(provenance, parties):
    tx = _create(provenance, parties["producer_operator"])
    assert tx.events["BatchCreated"]["producer"] == parties["producer"]
    assert provenance.custodian(tx.events["BatchCreated"]["batchId"]) == parties["producer"]


def test_batch_cannot_be_created_twice(provenance, parties, reverts_with):
    batch_id = _create(provenance, parties["producer"]).events["BatchCreated"]["batchId"]
    with reverts_with("ProvenanceBatchExists", batch_id):
        _create(provenance, parties["producer"])


def test_batch_of_unknown_product_is_rejected(provenance, parties, reverts_with):
    with reverts_with("ProvenanceUnknownProduct", GTIN_SPARE):
        _create(provenance, parties["producer"], gtin=GTIN_SPARE)


def test_processor_without_producer_role_cannot_create_batch_of_its_own_product(provenance, parties, reverts_with):
    juice = GTIN_JUICE  # the processor's product: its batches only come from transform
    with reverts_with("ProvenanceNotProducer", parties["processor"], parties["processor"]):
        _create(provenance, parties["processor"], gtin=juice)


@pytest.mark.parametrize("lot", ["", "A" * 21])
def test_lot_must_be_1_to_20_bytes(provenance, parties, reverts_with, lot):
    with reverts_with("ProvenanceInvalidLotLength", len(lot)):
        _create(provenance, parties["producer"], lot=lot)


@pytest.mark.parametrize(
    "lot, position",
    [("L 1", 1), ("L#1", 1), ("$", 0), ("AB@", 2), ("[x]", 0), ("x~", 1), ("梨", 0), ("L1\n", 2), ("a`", 1)],
)
def test_lot_outside_cset82_is_rejected_at_first_bad_byte(provenance, parties, reverts_with, lot, position):
    with reverts_with("ProvenanceInvalidLotCharacter", lot, position):
        _create(provenance, parties["producer"], lot=lot)


@pytest.mark.parametrize("start", range(0, len(CSET82), 20))
def test_every_cset82_character_is_accepted_in_a_lot(provenance, parties, start):
    lot = CSET82[start:start + 20]
    tx = _create(provenance, parties["producer"], lot=lot)
    assert tx.events["BatchCreated"]["lot"] == lot


@pytest.mark.parametrize(
    "origin, error",
    [
        (("", 341321, 0, 0), ("ProvenanceInvalidPlace", 0)),
        (("x" * 97, 341321, 0, 0), ("ProvenanceInvalidPlace", 97)),
        (("砀山", 99999, 0, 0), ("ProvenanceInvalidRegion", 99999)),
        (("砀山", 1000000, 0, 0), ("ProvenanceInvalidRegion", 1000000)),
        (("砀山", 341321, 90_000_001, 0), ("ProvenanceInvalidCoordinates", 90_000_001, 0)),
        (("砀山", 341321, -90_000_001, 0), ("ProvenanceInvalidCoordinates", -90_000_001, 0)),
        (("砀山", 341321, 0, 180_000_001), ("ProvenanceInvalidCoordinates", 0, 180_000_001)),
        (("砀山", 341321, 0, -180_000_001), ("ProvenanceInvalidCoordinates", 0, -180_000_001)),
    ],
)
def test_origin_out_of_range_is_rejected(provenance, parties, reverts_with, origin, error):
    with reverts_with(*error):
        _create(provenance, parties["producer"], origin=origin)


def test_production_date_zero_is_rejected(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidProductionDate", 0):
        _create(provenance, parties["producer"], date=0)


def test_production_date_in_the_future_is_rejected(provenance, parties, reverts_with):
    future = chain.time() + 86400
    with reverts_with("ProvenanceInvalidProductionDate", future):
        _create(provenance, parties["producer"], date=future)


def test_quantity_zero_is_rejected(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidQuantity", 0):
        _create(provenance, parties["producer"], quantity=0)


def test_metadata_uri_must_be_at_most_256_bytes(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidMetadataURI", 257):
        _create(provenance, parties["producer"], uri="u" * 257)


@pytest.mark.parametrize(
    "view", ["batch", "custodian", "pendingOffer", "sellerOf", "certification", "isRecalled", "inputsOf", "outputsOf"]
)
def test_views_of_unknown_batch_revert(provenance, reverts_with, view):
    unknown = keccak(b"no such batch")
    with reverts_with("ProvenanceUnknownBatch", unknown):
        getattr(provenance, view)(unknown)


def test_registry_view_returns_the_registry(provenance, registry):
    assert provenance.registry() == registry


def test_constructor_rejects_zero_registry(ProductProvenance, accounts, reverts_with, provenance):
    with reverts_with("ProvenanceZeroAddress"):
        ProductProvenance.deploy(brownie.ZERO_ADDRESS, {"from": accounts[0]})


# ----------------------------------------------------------------------------------- locations


def test_register_location_records_owner_and_emits_site(provenance, parties):
    tx = provenance.registerLocation(GLN, ORIGIN, {"from": parties["logistics"]})
    assert provenance.location(GLN) == parties["logistics"]
    gln, enterprise, site = tx.events["LocationRegistered"].values()
    assert (gln, enterprise, tuple(site)) == (GLN, parties["logistics"], ORIGIN)


def test_location_cannot_be_registered_twice(provenance, parties, reverts_with):
    provenance.registerLocation(GLN, ORIGIN, {"from": parties["logistics"]})
    with reverts_with("ProvenanceLocationExists", GLN, parties["logistics"]):
        provenance.registerLocation(GLN, ORIGIN, {"from": parties["retailer"]})


@pytest.mark.parametrize("gln", [6901234000017, 0, 10**13 + 6])
def test_location_gln_needs_valid_check_digit_and_range(provenance, parties, reverts_with, gln):
    with reverts_with("ProvenanceInvalidGln", gln):
        provenance.registerLocation(gln, ORIGIN, {"from": parties["logistics"]})


def test_location_site_is_checked_like_an_origin(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidRegion", 12):
        provenance.registerLocation(GLN, ("仓库", 12, 0, 0), {"from": parties["logistics"]})


def test_unknown_location_view_reverts(provenance, reverts_with):
    with reverts_with("ProvenanceUnknownLocation", GLN):
        provenance.location(GLN)
