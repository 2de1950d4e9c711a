"""Consumer scan counting: platforms record scans per item in batches; counts live in events."""

import brownie
import pytest
from eth_utils import keccak

ZERO32 = b"\x00" * 32
ITEMS = [keccak(f"SN-{i:06d}".encode()) for i in range(3)]


@pytest.fixture
def batch_id(make_batch):
    return make_batch("SCANS-1")


def _records(items, counts):
    """Scans as recordScans takes them: per item its hash, then its count as a big-endian uint32."""
    return b"".join(item + count.to_bytes(4, "big") for item, count in zip(items, counts))


def _scan_count(web3, provenance, batch_id, item_hash):
    """An item's public scan count from the chain alone: the sum of its counts over the batch's
    ScanBatchRecorded logs."""
    topic = web3.keccak(text="ScanBatchRecorded(address,bytes32,bytes32,bytes)")
    logs = web3.eth.get_logs({
        "address": provenance.address,
        "fromBlock": 0,
        "toBlock": "latest",
        "topics": [topic, None, None, brownie.convert.to_bytes(batch_id)],
    })
    total = 0
    for log in logs:
        data = bytes(log["data"])
        records = data[64 : 64 + int.from_bytes(data[32:64], "big")]  # one ABI-encoded `bytes`
        total += sum(
            int.from_bytes(records[at + 32 : at + 36], "big")
            for at in range(0, len(records), 36)
            if records[at : at + 32] == item_hash
        )
    return total


def test_one_event_carries_the_scan_batch_records(provenance, parties, batch_id):
    records = _records(ITEMS, [5, 1, 2])
    tx = provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": parties["platform"]})
    assert len(tx.events) == 1
    assert tuple(tx.events["ScanBatchRecorded"].values()) == (
        parties["platform"], "0x" + "01" * 32, batch_id, "0x" + records.hex()
    )


def test_item_count_is_the_sum_over_scan_batches(provenance, parties, batch_id, web3):
    provenance.recordScans(b"\x01" * 32, batch_id, _records(ITEMS, [5, 1, 2]), {"from": parties["platform"]})
    provenance.recordScans(b"\x02" * 32, batch_id, _records(ITEMS[:1], [7]), {"from": parties["platform"]})
    assert [_scan_count(web3, provenance, batch_id, item) for item in ITEMS] == [12, 1, 2]


def test_lot_level_scans_use_item_hash_zero(provenance, parties, batch_id, web3):
    provenance.recordScans(b"\x01" * 32, batch_id, _records([ZERO32], [4]), {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, ZERO32) == 4


def test_largest_count_is_recorded_whole(provenance, parties, batch_id, web3):
    provenance.recordScans(b"\x01" * 32, batch_id, _records(ITEMS[:1], [2**32 - 1]), {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, ITEMS[0]) == 2**32 - 1


def test_resubmitted_scan_batch_is_refused(provenance, parties, batch_id, reverts_with):
    records = _records(ITEMS, [1, 1, 1])
    provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": parties["platform"]})
    assert provenance.scanBatchRecorded(parties["platform"], b"\x01" * 32)
    with reverts_with("ProvenanceScanBatchRecorded", parties["platform"], b"\x01" * 32):
        provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": parties["platform"]})


def test_scan_batch_keys_are_per_platform(provenance, parties, batch_id, onboard, accounts):
    other_platform = onboard(accounts[5], "platform")
    records = _records(ITEMS, [1, 1, 1])
    provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": parties["platform"]})
    provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": other_platform})
    assert provenance.scanBatchRecorded(other_platform, b"\x01" * 32)


@pytest.mark.parametrize("cut", [1, 4, 35])
def test_records_must_be_whole(provenance, parties, batch_id, reverts_with, cut):
    records = _records(ITEMS, [1, 1, 1])[:-cut]
    with reverts_with("ProvenanceMalformedScans", len(records)):
        provenance.recordScans(b"\x01" * 32, batch_id, records, {"from": parties["platform"]})


@pytest.mark.parametrize("items", [0, 501])
def test_scan_batch_holds_1_to_500_items(provenance, parties, batch_id, reverts_with, items):
    with reverts_with("ProvenanceInvalidScanBatch", items):
        provenance.recordScans(
            b"\x01" * 32, batch_id, _records([ZERO32] * items, [1] * items), {"from": parties["platform"]}
        )


def test_scan_batch_of_500_items_is_recorded(provenance, parties, batch_id, web3):
    items = [keccak(f"SN-{i:06d}".encode()) for i in range(500)]
    provenance.recordScans(b"\x01" * 32, batch_id, _records(items, [1] * 500), {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, items[-1]) == 1


@pytest.mark.parametrize("position", [0, 1, 2])
def test_zero_count_is_refused_naming_its_item(provenance, parties, batch_id, reverts_with, position):
    counts = [1, 1, 1]
    counts[position] = 0
    with reverts_with("ProvenanceZeroScanCount", ITEMS[position]):
        provenance.recordScans(b"\x01" * 32, batch_id, _records(ITEMS, counts), {"from": parties["platform"]})


def test_refused_scan_batch_leaves_its_key_unused(provenance, parties, batch_id, reverts_with):
    with reverts_with("ProvenanceZeroScanCount", ITEMS[2]):
        provenance.recordScans(b"\x01" * 32, batch_id, _records(ITEMS, [1, 1, 0]), {"from": parties["platform"]})
    assert not provenance.scanBatchRecorded(parties["platform"], b"\x01" * 32)


def test_scans_of_unknown_batch_are_refused(provenance, parties, reverts_with):
    unknown = keccak(b"forged label")
    with reverts_with("ProvenanceUnknownBatch", unknown):
        provenance.recordScans(b"\x01" * 32, unknown, _records(ITEMS, [1, 1, 1]), {"from": parties["platform"]})


def test_scans_of_recalled_batch_are_still_counted(provenance, parties, batch_id, web3):
    provenance.recall(batch_id, "召回", {"from": parties["producer"]})
    provenance.recordScans(b"\x01" * 32, batch_id, _records(ITEMS[:1], [2]), {"from": parties["platform"]})
    assert _scan_count(web3, provenance, batch_id, ITEMS[0]) == 2
