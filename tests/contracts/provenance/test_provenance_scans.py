"""Consumer scan counting: platforms record scans per item in batches; counts live in events."""

import brownie
import pytest
from eth_utils import keccak

ZERO32 = b"\x00" * 32
ITEMS = [keccak(f"SN-{i:06d}".encode()) for i in range(3)]


@pytest.fixture
def batch_id(make_batch):
    return make_batch("SCANS-1")


def _scan_count(web3, provenance, batch_id, item_hash):
    """An item's public scan count from the chain alone: the sum of its ScansRecorded logs."""
    topic = web3.keccak(text="ScansRecorded(bytes32,bytes32,uint32)")
    logs = web3.eth.get_logs({
        "address": provenance.address,
        "fromBlock": 0,
        "toBlock": "latest",
        "topics": [topic, brownie.convert.to_bytes(batch_id), item_hash],
    })
    return sum(int.from_bytes(log["data"], "big") for log in logs)


def test_scans_are_emitted_per_item(provenance, parties, batch_id):
    tx = provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [5, 1, 2], {"from": parties["platform"]})
    assert [tuple(event.values()) for event in tx.events["ScansRecorded"]] == [
        (batch_id, "0x" + item.hex(), count) for item, count in zip(ITEMS, [5, 1, 2])
    ]
    assert tuple(tx.events["ScanBatchRecorded"].values()) == (
        parties["platform"], "0x" + "01" * 32, batch_id, 3
    )


def test_item_count_is_the_sum_over_scan_batches(provenance, parties, batch_id, web3):
    provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [5, 1, 2], {"from": parties["platform"]})
    provenance.recordScans(b"\x02" * 32, batch_id, ITEMS[:1], [7], {"from": parties["platform"]})
    assert [_scan_count(web3, provenance, batch_id, item) for item in ITEMS] == [12, 1, 2]


def test_lot_level_scans_use_item_hash_zero(provenance, parties, batch_id, web3):
    provenance.recordScans(b"\x01" * 32, batch_id, [ZERO32], [4], {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, ZERO32) == 4


def test_resubmitted_scan_batch_is_refused(provenance, parties, batch_id, reverts_with):
    provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 1, 1], {"from": parties["platform"]})
    assert provenance.scanBatchRecorded(parties["platform"], b"\x01" * 32)
    with reverts_with("ProvenanceScanBatchRecorded", parties["platform"], b"\x01" * 32):
        provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 1, 1], {"from": parties["platform"]})


def test_scan_batch_keys_are_per_platform(provenance, parties, batch_id, onboard, accounts):
    other_platform = onboard(accounts[5], "platform")
    provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 1, 1], {"from": parties["platform"]})
    provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 1, 1], {"from": other_platform})
    assert provenance.scanBatchRecorded(other_platform, b"\x01" * 32)


def test_mismatched_lengths_are_refused(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceLengthMismatch", 3, 2):
        provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 1], {"from": parties["platform"]})


@pytest.mark.parametrize("items", [0, 501])
def test_scan_batch_holds_1_to_500_items(provenance, parties, batch_id, reverts_with, items):
    with reverts_with("ProvenanceInvalidScanBatch", items):
        provenance.recordScans(b"\x01" * 32, batch_id, [ZERO32] * items, [1] * items, {"from": parties["platform"]})


def test_zero_count_is_refused(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceZeroScanCount", ITEMS[1]):
        provenance.recordScans(b"\x01" * 32, batch_id, ITEMS, [1, 0, 1], {"from": parties["platform"]})


def test_scans_of_unknown_batch_are_refused(provenance, parties, reverts_with):
    unknown = keccak(b"forged label")
    with reverts_with("ProvenanceUnknownBatch", unknown):
        provenance.recordScans(b"\x01" * 32, unknown, ITEMS, [1, 1, 1], {"from": parties["platform"]})


def test_scans_of_recalled_batch_are_still_counted(provenance, parties, batch_id, web3):
    provenance.recall(batch_id, "召回", {"from": parties["producer"]})
    provenance.recordScans(b"\x01" * 32, batch_id, ITEMS[:1], [2], {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, ITEMS[0]) == 2
