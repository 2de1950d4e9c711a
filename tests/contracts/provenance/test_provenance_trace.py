"""EPCIS-shaped trace events and recall."""

import pytest
from brownie import chain
from eth_utils import keccak
from codes import GTIN_JUICE  # the processor's product (conftest `provenance` fixture)

ZERO32 = b"\x00" * 32
ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)
GLN = 6901234000016
DATA = keccak(b"epcis ObjectEvent document")
COMMISSIONING, INSPECTING, SHIPPING, RECEIVING, TRANSFORMING, RECALLING = 0, 2, 4, 5, 7, 9


@pytest.fixture
def batch_id(make_batch):
    return make_batch("TRACE-1")


def _hand_over(provenance, batch_id, parties, src, dst):
    provenance.offerCustody(batch_id, parties[dst], {"from": parties[src]})
    provenance.acceptCustody(batch_id, {"from": parties[dst]})


def test_event_carries_what_where_why_who(provenance, parties, batch_id):
    item = keccak(b"SN-000001")
    tx = provenance.recordEvent(batch_id, item, SHIPPING, GLN, DATA, {"from": parties["producer"]})
    assert tuple(tx.events["TraceEventRecorded"].values()) == (
        batch_id, "0x" + item.hex(), parties["producer"], SHIPPING, GLN, "0x" + DATA.hex()
    )


def test_operator_event_names_its_enterprise(provenance, parties, batch_id):
    tx = provenance.recordEvent(batch_id, ZERO32, SHIPPING, GLN, DATA, {"from": parties["producer_operator"]})
    assert tx.events["TraceEventRecorded"]["enterprise"] == parties["producer"]


@pytest.mark.parametrize("step", range(10))
def test_every_business_step_is_accepted(provenance, parties, batch_id, step):
    tx = provenance.recordEvent(batch_id, ZERO32, step, GLN, DATA, {"from": parties["producer"]})
    assert tx.events["TraceEventRecorded"]["bizStep"] == step


def test_unknown_business_step_reverts(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceInvalidBizStep", 10):
        provenance.recordEvent(batch_id, ZERO32, 10, GLN, DATA, {"from": parties["producer"]})


def test_gln_above_13_digits_reverts(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceInvalidGln", 10**13):
        provenance.recordEvent(batch_id, ZERO32, SHIPPING, 10**13, DATA, {"from": parties["producer"]})


def test_event_on_unknown_batch_reverts(provenance, parties, reverts_with):
    unknown = keccak(b"unknown")
    with reverts_with("ProvenanceUnknownBatch", unknown):
        provenance.recordEvent(unknown, ZERO32, SHIPPING, GLN, DATA, {"from": parties["producer"]})


def test_new_custodian_records_and_previous_one_cannot(provenance, parties, batch_id, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    _hand_over(provenance, batch_id, parties, "logistics", "retailer")
    provenance.recordEvent(batch_id, ZERO32, RECEIVING, GLN, DATA, {"from": parties["retailer"]})
    with reverts_with("ProvenanceCannotRecord", batch_id, parties["logistics"], SHIPPING):
        provenance.recordEvent(batch_id, ZERO32, SHIPPING, GLN, DATA, {"from": parties["logistics"]})


def test_offeree_cannot_record_before_accepting(provenance, parties, batch_id, reverts_with):
    provenance.offerCustody(batch_id, parties["logistics"], {"from": parties["producer"]})
    with reverts_with("ProvenanceCannotRecord", batch_id, parties["logistics"], RECEIVING):
        provenance.recordEvent(batch_id, ZERO32, RECEIVING, GLN, DATA, {"from": parties["logistics"]})


def test_producer_keeps_recording_after_handing_over(provenance, parties, batch_id):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    tx = provenance.recordEvent(batch_id, ZERO32, INSPECTING, GLN, DATA, {"from": parties["producer"]})
    assert tx.events["TraceEventRecorded"]["enterprise"] == parties["producer"]


def test_inspector_records_inspecting_but_not_shipping(provenance, parties, batch_id, reverts_with):
    tx = provenance.recordEvent(batch_id, ZERO32, INSPECTING, GLN, DATA, {"from": parties["inspector"]})
    assert tx.events["TraceEventRecorded"]["enterprise"] == parties["inspector"]
    with reverts_with("ProvenanceCannotRecord", batch_id, parties["inspector"], SHIPPING):
        provenance.recordEvent(batch_id, ZERO32, SHIPPING, GLN, DATA, {"from": parties["inspector"]})


def test_suspended_custodian_cannot_record(provenance, parties, batch_id, registry, admins, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "logistics")
    registry.suspend(parties["logistics"], {"from": admins[0]})
    with reverts_with("ProvenanceCannotRecord", batch_id, parties["logistics"], SHIPPING):
        provenance.recordEvent(batch_id, ZERO32, SHIPPING, GLN, DATA, {"from": parties["logistics"]})


def test_consumed_batch_still_takes_events(provenance, parties, batch_id):
    _hand_over(provenance, batch_id, parties, "producer", "processor")
    provenance.transform(
        [batch_id], GTIN_JUICE, "JUICE-T", ORIGIN, chain[-1].timestamp - 60, 100, ZERO32, ZERO32, "",
        {"from": parties["processor"]},
    )
    tx = provenance.recordEvent(batch_id, ZERO32, TRANSFORMING, GLN, DATA, {"from": parties["processor"]})
    assert tx.events["TraceEventRecorded"]["bizStep"] == TRANSFORMING


# ---------------------------------------------------------------------------------- recall


def test_producer_recall_marks_batch_and_emits_reason(provenance, parties, batch_id):
    tx = provenance.recall(batch_id, "农残超标", {"from": parties["producer"]})
    assert tuple(tx.events["BatchRecalled"].values()) == (batch_id, parties["producer"], "农残超标")
    assert provenance.isRecalled(batch_id)
    assert provenance.batch(batch_id)["recalled"]


def test_regulator_recall_names_the_regulator(provenance, parties, batch_id):
    tx = provenance.recall(batch_id, "抽检不合格", {"from": parties["regulator"]})
    assert tx.events["BatchRecalled"]["enterprise"] == parties["regulator"]


def test_batch_cannot_be_recalled_twice(provenance, parties, batch_id, reverts_with):
    provenance.recall(batch_id, "first", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", batch_id):
        provenance.recall(batch_id, "second", {"from": parties["regulator"]})


@pytest.mark.parametrize("reason", ["", "x" * 257])
def test_recall_reason_must_be_1_to_256_bytes(provenance, parties, batch_id, reverts_with, reason):
    with reverts_with("ProvenanceInvalidReason", len(reason)):
        provenance.recall(batch_id, reason, {"from": parties["producer"]})


def test_after_recall_only_the_recalling_step_is_recorded(provenance, parties, batch_id, reverts_with):
    _hand_over(provenance, batch_id, parties, "producer", "retailer")
    provenance.recall(batch_id, "召回", {"from": parties["regulator"]})
    with reverts_with("ProvenanceBatchRecalled", batch_id):
        provenance.recordEvent(batch_id, ZERO32, SHIPPING, GLN, DATA, {"from": parties["retailer"]})
    for who in ("retailer", "producer", "regulator"):
        tx = provenance.recordEvent(batch_id, ZERO32, RECALLING, GLN, DATA, {"from": parties[who]})
        assert tx.events["TraceEventRecorded"]["bizStep"] == RECALLING


def test_event_on_batch_made_from_recalled_input_is_refused(provenance, parties, make_batch, reverts_with):
    pears = make_batch("TRACE-PEARS")
    _hand_over(provenance, pears, parties, "producer", "processor")
    tx = provenance.transform(
        [pears], GTIN_JUICE, "JUICE-R", ORIGIN, chain[-1].timestamp - 60, 100, ZERO32, ZERO32, "",
        {"from": parties["processor"]},
    )
    juice = tx.events["BatchCreated"]["batchId"]
    provenance.recall(pears, "农残超标", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", juice):
        provenance.recordEvent(juice, ZERO32, SHIPPING, GLN, DATA, {"from": parties["processor"]})
    provenance.recordEvent(juice, ZERO32, RECALLING, GLN, DATA, {"from": parties["processor"]})
