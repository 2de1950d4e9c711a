"""Transformation (pears → juice → blend): lineage both ways, consumption, recall propagation, bounds."""

import pytest
from brownie import chain
from codes import GTIN_BLEND, GTIN_JUICE, gs1_key  # juice: the processor's product; blend: `blend_product`

ZERO32 = b"\x00" * 32
ORIGIN = ("宿州市经开区", 341302, 33_640_000, 116_980_000)
RAW, MADE = gs1_key("6966666", 1, 14), gs1_key("6966666", 2, 14)  # the `maker`'s products


def _hand_over(provenance, batch_id, parties, src, dst):
    provenance.offerCustody(batch_id, parties[dst], {"from": parties[src]})
    provenance.acceptCustody(batch_id, {"from": parties[dst]})


def _transform(provenance, inputs, lot, sender, gtin=GTIN_JUICE):
    tx = provenance.transform(
        inputs, gtin, lot, ORIGIN, chain[-1].timestamp - 60, 100, ZERO32, ZERO32, "ipfs://out", {"from": sender}
    )
    return tx


@pytest.fixture
def pears(provenance, parties, make_batch):
    """Two pear batches held by the processor."""
    ids = [make_batch("PEARS-A"), make_batch("PEARS-B")]
    for batch_id in ids:
        _hand_over(provenance, batch_id, parties, "producer", "processor")
    return ids


@pytest.fixture
def blend_product(provenance, parties):
    provenance.registerProduct(GTIN_BLEND, "梨汁饮料", "blend", ZERO32, {"from": parties["processor"]})


def test_transform_creates_output_held_and_produced_by_processor(provenance, parties, pears):
    tx = _transform(provenance, pears, "JUICE-1", parties["processor"])
    juice = tx.events["BatchCreated"]["batchId"]
    assert juice == provenance.batchIdOf(GTIN_JUICE, "JUICE-1")
    assert tx.events["BatchCreated"]["producer"] == parties["processor"]
    record = provenance.batch(juice)
    assert (record["custodian"], record["producer"], record["depth"], record["ancestors"]) == (
        parties["processor"], parties["processor"], 1, 2
    )


def test_transform_emits_lineage(provenance, parties, pears):
    tx = _transform(provenance, pears, "JUICE-1", parties["processor"])
    event = tx.events["BatchTransformed"]
    assert event["outputBatchId"] == tx.events["BatchCreated"]["batchId"]
    assert event["enterprise"] == parties["processor"]
    assert list(event["inputBatchIds"]) == pears


def test_lineage_is_queryable_both_ways(provenance, parties, pears):
    juice = _transform(provenance, pears, "JUICE-1", parties["processor"]).events["BatchCreated"]["batchId"]
    assert list(provenance.inputsOf(juice)) == pears
    for pear in pears:
        assert list(provenance.outputsOf(pear)) == [juice]
    assert list(provenance.outputsOf(juice)) == []


def test_inputs_are_marked_consumed(provenance, parties, pears):
    _transform(provenance, pears, "JUICE-1", parties["processor"])
    assert all(provenance.batch(pear)["consumed"] for pear in pears)


def test_consumed_input_cannot_be_transformed_again(provenance, parties, pears, reverts_with):
    juice = _transform(provenance, pears, "JUICE-1", parties["processor"]).events["BatchCreated"]["batchId"]
    with reverts_with("ProvenanceBatchConsumed", pears[0], juice):
        _transform(provenance, [pears[0]], "JUICE-2", parties["processor"])


def test_duplicate_input_reverts_as_consumed(provenance, parties, pears, reverts_with):
    output = provenance.batchIdOf(GTIN_JUICE, "JUICE-1")
    with reverts_with("ProvenanceBatchConsumed", pears[0], output):
        _transform(provenance, [pears[0], pears[0]], "JUICE-1", parties["processor"])


def test_processor_must_hold_every_input(provenance, parties, pears, make_batch, reverts_with):
    not_held = make_batch("PEARS-C")
    with reverts_with("ProvenanceNotCustodian", not_held, parties["processor"], parties["producer"]):
        _transform(provenance, pears + [not_held], "JUICE-1", parties["processor"])


def test_input_with_pending_offer_cannot_be_transformed(provenance, parties, pears, reverts_with):
    provenance.offerCustody(pears[1], parties["logistics"], {"from": parties["processor"]})
    with reverts_with("ProvenanceOfferPending", pears[1], parties["logistics"]):
        _transform(provenance, pears, "JUICE-1", parties["processor"])


def test_recalled_input_cannot_be_transformed(provenance, parties, pears, reverts_with):
    provenance.recall(pears[0], "农残超标", {"from": parties["regulator"]})
    with reverts_with("ProvenanceBatchRecalled", pears[0]):
        _transform(provenance, pears, "JUICE-1", parties["processor"])


def test_unknown_input_reverts(provenance, parties, reverts_with):
    unknown = b"\x31" * 32
    with reverts_with("ProvenanceUnknownBatch", unknown):
        _transform(provenance, [unknown], "JUICE-1", parties["processor"])


def test_transform_needs_at_least_one_input(provenance, parties, reverts_with):
    with reverts_with("ProvenanceInvalidInputs", 0):
        _transform(provenance, [], "JUICE-1", parties["processor"])


def test_transform_into_existing_batch_reverts(provenance, parties, pears, reverts_with):
    existing = _transform(provenance, [pears[0]], "JUICE-1", parties["processor"]).events["BatchCreated"]["batchId"]
    with reverts_with("ProvenanceBatchExists", existing):
        _transform(provenance, [pears[1]], "JUICE-1", parties["processor"])


def test_transform_into_unknown_product_reverts(provenance, parties, pears, reverts_with):
    with reverts_with("ProvenanceUnknownProduct", GTIN_BLEND):
        _transform(provenance, pears, "BLEND-1", parties["processor"], gtin=GTIN_BLEND)


def test_output_fields_are_checked_like_a_new_batch(provenance, parties, pears, reverts_with):
    with reverts_with("ProvenanceInvalidLotCharacter", "JUICE 1", 5):
        _transform(provenance, pears, "JUICE 1", parties["processor"])


# ----------------------------------------------------------------------- recall propagation


@pytest.fixture
def two_levels(provenance, parties, pears, make_batch, blend_product):
    """pears A, B → juice J; J + pears C → blend K (two levels of transformation)."""
    juice = _transform(provenance, pears, "JUICE-1", parties["processor"]).events["BatchCreated"]["batchId"]
    pears_c = make_batch("PEARS-C")
    _hand_over(provenance, pears_c, parties, "producer", "processor")
    blend = _transform(provenance, [juice, pears_c], "BLEND-1", parties["processor"], gtin=GTIN_BLEND)
    return {"a": pears[0], "b": pears[1], "c": pears_c, "juice": juice,
            "blend": blend.events["BatchCreated"]["batchId"]}


def test_blend_lineage_counts_every_ancestor(provenance, two_levels):
    record = provenance.batch(two_levels["blend"])
    assert (record["depth"], record["ancestors"]) == (2, 4)  # juice, pears A, B and C


def test_recall_propagates_through_two_levels_of_transformation(provenance, parties, two_levels):
    provenance.recall(two_levels["a"], "农残超标", {"from": parties["producer"]})
    recalled = {name for name, batch_id in two_levels.items() if provenance.isRecalled(batch_id)}
    assert recalled == {"a", "juice", "blend"}


def test_recall_of_intermediate_reaches_outputs_not_inputs(provenance, parties, two_levels):
    provenance.recall(two_levels["juice"], "灌装污染", {"from": parties["regulator"]})
    recalled = {name for name, batch_id in two_levels.items() if provenance.isRecalled(batch_id)}
    assert recalled == {"juice", "blend"}


def test_recall_propagation_leaves_stored_flags_of_descendants_alone(provenance, parties, two_levels):
    # O(1) recall: only the recalled batch is written; descendants read as recalled through the walk.
    tx = provenance.recall(two_levels["c"], "召回", {"from": parties["producer"]})
    assert list(tx.events.keys()) == ["BatchRecalled"]
    assert provenance.batch(two_levels["blend"])["recalled"] is False
    assert provenance.isRecalled(two_levels["blend"])


def test_unrelated_batch_is_not_recalled(provenance, parties, two_levels, make_batch):
    other = make_batch("PEARS-OTHER")
    provenance.recall(two_levels["a"], "召回", {"from": parties["producer"]})
    assert provenance.isRecalled(other) is False


def test_descendant_of_recalled_batch_cannot_move(provenance, parties, two_levels, reverts_with):
    provenance.recall(two_levels["b"], "召回", {"from": parties["producer"]})
    with reverts_with("ProvenanceBatchRecalled", two_levels["blend"]):
        provenance.offerCustody(two_levels["blend"], parties["retailer"], {"from": parties["processor"]})


# ------------------------------------------------------------------------------ lineage bounds


@pytest.fixture
def maker(provenance, onboard, accounts, assign_prefix):
    """An enterprise that produces and processes: it creates, holds and transforms its own batches."""
    maker = onboard(accounts[6], "producer", "processor")
    assign_prefix(maker, "6966666")
    for gtin, name in ((RAW, "原料"), (MADE, "制品")):
        provenance.registerProduct(gtin, name, "", ZERO32, {"from": maker})
    return maker


def _raw(provenance, maker, lot):
    tx = provenance.createBatch(RAW, lot, ORIGIN, chain[-1].timestamp - 60, 1, ZERO32, ZERO32, "", {"from": maker})
    return tx.events["BatchCreated"]["batchId"]


def test_lineage_of_eight_levels_is_accepted_and_ninth_reverts(provenance, maker, reverts_with):
    batch_id = _raw(provenance, maker, "RAW-0")
    for level in range(1, 9):
        tx = _transform(provenance, [batch_id], f"LEVEL-{level}", maker, gtin=MADE)
        batch_id = tx.events["BatchCreated"]["batchId"]
    assert provenance.batch(batch_id)["depth"] == 8
    with reverts_with("ProvenanceLineageTooLarge", 9, 9):
        _transform(provenance, [batch_id], "LEVEL-9", maker, gtin=MADE)


def test_more_than_64_ancestors_reverts(provenance, maker, reverts_with):
    raws = [_raw(provenance, maker, f"RAW-{i}") for i in range(63)]
    left = _transform(provenance, raws[:32], "LEFT", maker, gtin=MADE).events["BatchCreated"]["batchId"]
    right = _transform(provenance, raws[32:], "RIGHT", maker, gtin=MADE).events["BatchCreated"]["batchId"]
    # 2 direct inputs + 32 + 31 of their ancestors = 65.
    with reverts_with("ProvenanceLineageTooLarge", 2, 65):
        _transform(provenance, [left, right], "TOO-MANY", maker, gtin=MADE)


def test_lineage_of_64_ancestors_is_walked_for_recall(provenance, maker, parties):
    raws = [_raw(provenance, maker, f"RAW-{i}") for i in range(62)]
    left = _transform(provenance, raws[:31], "LEFT", maker, gtin=MADE).events["BatchCreated"]["batchId"]
    right = _transform(provenance, raws[31:], "RIGHT", maker, gtin=MADE).events["BatchCreated"]["batchId"]
    top = _transform(provenance, [left, right], "TOP", maker, gtin=MADE).events["BatchCreated"]["batchId"]
    assert provenance.batch(top)["ancestors"] == 64
    assert provenance.isRecalled(top) is False
    provenance.recall(raws[-1], "召回", {"from": parties["regulator"]})
    assert provenance.isRecalled(top)


def test_more_than_64_inputs_reverts(provenance, maker, reverts_with):
    with reverts_with("ProvenanceInvalidInputs", 65):
        _transform(provenance, [b"\x01" * 32] * 65, "WIDE", maker, gtin=MADE)
