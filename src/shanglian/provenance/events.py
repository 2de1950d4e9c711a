"""EPCIS-shaped trace events (what, when, where, why, who) and consumer scans: recording them, and
reading a batch's events and an item's scan count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from web3.types import TxReceipt

from shanglian import validate
from shanglian.client import ContractClient
from shanglian.errors import InputError
from shanglian.provenance.identifiers import (
    MAX_SCANS_PER_CALL,
    MAX_UINT32,
    ZERO32,
    BatchRef,
    _hash_or_zero,
    _hex,
    _topic32,
    batch_key,
    item_hash,
    normalize_gln,
)

SCAN_RECORD_BYTES = 36  # item hash 32, count 4


class BizStep(IntEnum):
    """Business steps, the contract's subset of the GS1 Core Business Vocabulary, in its order."""

    COMMISSIONING = 0
    HARVESTING = 1
    INSPECTING = 2
    PACKING = 3
    SHIPPING = 4
    RECEIVING = 5
    STORING = 6
    TRANSFORMING = 7
    RETAIL_SELLING = 8
    RECALLING = 9

    @property
    def label(self) -> str:
        """The CBV name, e.g. ``retail_selling``."""
        return self.name.lower()


def parse_step(value: str | int | BizStep) -> BizStep:
    """A business step from its CBV name (``retail_selling``, ``retail-selling``, any case) or number."""
    if isinstance(value, BizStep):
        return value
    if isinstance(value, int):
        try:
            return BizStep(value)
        except ValueError:
            pass
    else:
        key = str(value).strip().upper().replace("-", "_").replace(" ", "_")
        if key in BizStep.__members__:
            return BizStep[key]
    steps = ", ".join(step.label for step in BizStep)
    raise InputError("step", f"unknown business step {value!r}; steps are {steps}")


@dataclass(frozen=True)
class TraceEvent:
    batch_id: bytes
    item_hash: bytes  # zero for the whole batch
    enterprise: str
    step: BizStep
    gln: int
    data_hash: bytes
    block: int
    timestamp: int
    transaction: str


class Events(ContractClient):
    """Recording trace events and scans, and reading them."""

    def record_event(
        self,
        batch: BatchRef,
        step: str | int | BizStep,
        gln: str | int | None = None,
        serial: str | None = None,
        data: str | bytes | None = None,
    ) -> TxReceipt:
        """Records an EPCIS-shaped event: `step` at site `gln` (None: no site) for the batch or one
        item (`serial`); `data` is the full off-chain record's hash, or text to hash."""
        key = batch_key(batch)
        biz = parse_step(step)
        where = 0 if gln is None or gln == "" else normalize_gln(gln)
        item = ZERO32 if serial is None else item_hash(serial)
        data_hash = _hash_or_zero(data, "data")
        return self._send(self.contract.functions.recordEvent(key, item, int(biz), where, data_hash))

    def record_scans(
        self, batch: BatchRef, counts: Mapping[str | None, int], scan_batch: str | bytes
    ) -> TxReceipt:
        """Records consumer scans (signer: a platform): `counts` maps a serial (None: a lot-level
        code) to its number of new scans. `scan_batch` is this submission's key, unique per
        platform, so a resubmission after a crash is refused instead of counted twice."""
        key = batch_key(batch)
        if not counts:
            raise InputError("scans", "give at least one serial and its count")
        if len(counts) > MAX_SCANS_PER_CALL:
            raise InputError("scans", f"at most {MAX_SCANS_PER_CALL} items per submission, got {len(counts)}")
        records = pack_scans(
            (ZERO32 if serial is None else item_hash(serial), validate.positive_int(count, "count", MAX_UINT32))
            for serial, count in counts.items()
        )
        if isinstance(scan_batch, bytes):
            scan_key = validate.bytes32(scan_batch, "scan_batch")
        else:
            scan_key = validate.document_hash(scan_batch, "scan_batch")
        return self._send(self.contract.functions.recordScans(scan_key, key, records))

    def events(
        self, ref: BatchRef, serial: str | None = None, history: list[Any] | None = None
    ) -> list[TraceEvent]:
        """Trace events of the batch in order; with `serial`, the batch-level ones and that item's."""
        key = batch_key(ref)
        wanted = None if serial is None else {ZERO32, item_hash(serial)}
        events = history if history is not None else self._logs(["TraceEventRecorded"], _topic32(key))
        found = []
        for event in events:
            if event["event"] != "TraceEventRecorded":
                continue
            args = event["args"]
            item = bytes(args["itemHash"])
            if wanted is not None and item not in wanted:
                continue
            found.append(
                TraceEvent(
                    batch_id=key,
                    item_hash=item,
                    enterprise=args["enterprise"],
                    step=BizStep(int(args["bizStep"])),
                    gln=int(args["gln"]),
                    data_hash=bytes(args["dataHash"]),
                    block=int(event["blockNumber"]),
                    timestamp=self._block_time(event["blockNumber"]),
                    transaction=_hex(event["transactionHash"]),
                )
            )
        return found

    def scan_count(self, ref: BatchRef, serial: str | None) -> int:
        """Public scan count of an item (serial None: the lot-level code): the sum of its counts over
        the batch's ScanBatchRecorded events."""
        key = batch_key(ref)
        item = ZERO32 if serial is None else item_hash(serial)
        return sum(
            count
            for event in self._logs(["ScanBatchRecorded"], None, None, _topic32(key))
            for scanned, count in unpack_scans(bytes(event["args"]["scans"]))
            if scanned == item
        )


def pack_scans(scans: Iterable[tuple[bytes, int]]) -> bytes:
    """Scan records as ProductProvenance.recordScans takes them: per item its 32-byte hash, then its
    count as a big-endian uint32."""
    return b"".join(item + count.to_bytes(4, "big") for item, count in scans)


def unpack_scans(records: bytes) -> list[tuple[bytes, int]]:
    """(item hash, count) per record of a ScanBatchRecorded event (see :func:`pack_scans`)."""
    return [
        (records[at : at + 32], int.from_bytes(records[at + 32 : at + SCAN_RECORD_BYTES], "big"))
        for at in range(0, len(records), SCAN_RECORD_BYTES)
    ]
