"""Batches (GTIN + lot): creating them with a Merkle root over their serials, transforming inputs
into an output batch (lineage), recalling them, and reading a batch's record, history and lineage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from web3.types import TxReceipt

from shanglian import gs1, validate
from shanglian.client import ContractClient
from shanglian.errors import InputError
from shanglian.merkle import SerialTree
from shanglian.provenance.identifiers import (
    CST,
    MAX_INPUTS,
    MAX_REASON_BYTES,
    MAX_UINT32,
    MAX_URI_BYTES,
    ZERO32,
    BatchRef,
    KeepSerials,
    _gtin14,
    _gtin_uint,
    _hash_or_zero,
    _hex,
    _nonzero,
    _topic32,
    _uint_topic,
    batch_id,
    batch_key,
)
from shanglian.provenance.products import Origin
from shanglian.transactions import as_contract_error, reverts


def production_timestamp(value: str | dt.date, now: int) -> int:
    """The start of the production day in CST, which must not lie after `now` (the chain's time)."""
    day = validate.iso_date(value, "production_date")
    stamp = int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=CST).timestamp())
    if stamp <= 0:
        raise InputError("production_date", f"{day.isoformat()} is too early")
    if stamp > now:
        raise InputError("production_date", f"{day.isoformat()} is in the future")
    return stamp


def _quantity(value: str | int) -> int:
    return validate.positive_int(value, "quantity", MAX_UINT32)


@dataclass(frozen=True)
class _Identified:
    batch_id: bytes

    @property
    def id_hex(self) -> str:
        return "0x" + self.batch_id.hex()


@dataclass(frozen=True)
class BatchRecord(_Identified):
    """A batch: what the contract stores, joined with its creation event."""

    gtin: str
    lot: str
    producer: str
    custodian: str
    pending_custodian: str | None
    seller: str | None
    origin: Origin
    production_date: dt.date
    quantity: int
    serials_root: bytes
    metadata_hash: str
    metadata_uri: str
    recalled: bool  # the batch or any batch it was made from (the contract's isRecalled)
    recalled_itself: bool
    consumed: bool
    created_block: int
    created_at: int


@dataclass(frozen=True)
class CreatedBatch(_Identified):
    """What :meth:`Provenance.create_batch` and :meth:`Provenance.transform` made."""

    serials_root: bytes
    serial_count: int
    receipt: Any


@dataclass(frozen=True)
class Recall:
    batch_id: bytes
    enterprise: str
    reason: str
    timestamp: int
    block: int


@dataclass(frozen=True)
class Lineage:
    """A batch with what it was made from (`inputs`, recursively) and what it became (`outputs`)."""

    batch_id: bytes
    gtin: str
    lot: str
    producer: str
    inputs: tuple[Lineage, ...] = field(default=())
    outputs: tuple[Lineage, ...] = field(default=())

    def ancestors(self) -> list[Lineage]:
        found = []
        for parent in self.inputs:
            found.append(parent)
            found.extend(parent.ancestors())
        return found

    def descendants(self) -> list[Lineage]:
        found = []
        for child in self.outputs:
            found.append(child)
            found.extend(child.descendants())
        return found


_BATCH_EVENTS = (
    "BatchCreated",
    "BatchTransformed",
    "BatchCertified",
    "CertificationRevoked",
    "TraceEventRecorded",
    "CustodyOffered",
    "CustodyAccepted",
    "CustodyOfferWithdrawn",
    "SellerRecorded",
    "BatchRecalled",
)


def _created(history: Iterable[Any] | None, key: bytes) -> list[Any]:
    return [e for e in history or () if e["event"] == "BatchCreated" and bytes(e["args"]["batchId"]) == key]


class Batches(ContractClient):
    """Creating, transforming and recalling batches, and reading their records and lineage."""

    def create_batch(
        self,
        gtin: str,
        lot: str,
        origin: Origin,
        production_date: str | dt.date,
        quantity: str | int | None,
        serials: Iterable[str] | None,
        metadata_hash: str | bytes | None = None,
        metadata_uri: str = "",
        keep_serials: KeepSerials | None = None,
    ) -> CreatedBatch:
        """Creates the batch `lot` of `gtin`, committing to `serials` with one Merkle root.

        `quantity` defaults to the number of serials. With `serials` None the batch carries no
        serials (lot-level codes only). Proving an item later needs the serial list: pass
        `keep_serials` (e.g. :meth:`shanglian.trace.SerialFolder.save`) and it is called with the
        batch id and the list after the call is checked to succeed and before it is sent, so a
        crash can never leave a batch on chain whose list is lost.
        """
        code, fields, serial_list = self._batch_fields(
            gtin, lot, origin, production_date, quantity, serials, metadata_hash, metadata_uri
        )
        call = self.contract.functions.createBatch(code, lot, *fields)
        return self._create(call, batch_id(gtin, lot), fields[3], serial_list, keep_serials)

    def transform(
        self,
        inputs: Sequence[BatchRef],
        gtin: str,
        lot: str,
        origin: Origin,
        production_date: str | dt.date,
        quantity: str | int | None,
        serials: Iterable[str] | None = None,
        metadata_hash: str | bytes | None = None,
        metadata_uri: str = "",
        keep_serials: KeepSerials | None = None,
    ) -> CreatedBatch:
        """Transforms input batches (held by the signer's enterprise) into the new batch `lot` of
        `gtin`; the inputs are consumed. Arguments as for :meth:`create_batch`."""
        ids = [batch_key(ref, "inputs") for ref in inputs]
        if not 1 <= len(ids) <= MAX_INPUTS:
            raise InputError(
                "inputs", f"a transformation takes 1 to {MAX_INPUTS} input batches, got {len(ids)}"
            )
        if len(set(ids)) != len(ids):
            raise InputError("inputs", "an input batch is listed twice")
        code, fields, serial_list = self._batch_fields(
            gtin, lot, origin, production_date, quantity, serials, metadata_hash, metadata_uri
        )
        call = self.contract.functions.transform(ids, code, lot, *fields)
        return self._create(call, batch_id(gtin, lot), fields[3], serial_list, keep_serials)

    def _create(
        self,
        call: Any,
        key: bytes,
        root: bytes,
        serial_list: list[str] | None,
        keep_serials: KeepSerials | None,
    ) -> CreatedBatch:
        signer = self._signer()
        if keep_serials is not None and serial_list is not None:
            try:  # a dry run: a batch that would be refused must not overwrite a kept list
                call.call({"from": signer})
            except reverts() as exc:
                raise as_contract_error(exc) from None
            keep_serials(key, serial_list)
        receipt = self._send(call)
        return CreatedBatch(key, root, len(serial_list) if serial_list else 0, receipt)

    def _batch_fields(
        self, gtin: str, lot: str, origin: Origin, production_date: str | dt.date, quantity: str | int | None,
        serials: Iterable[str] | None, metadata_hash: str | bytes | None, metadata_uri: str,
    ) -> tuple[int, tuple[Any, ...], list[str] | None]:
        """The checked arguments of a new batch, as createBatch and transform take them after the gtin
        and lot; and the serial list."""
        code = _gtin_uint(gtin)
        gs1.validate_lot(lot)
        if not isinstance(origin, Origin):
            raise InputError("origin", "give an Origin(place, region_code, latitude, longitude)")
        site = origin.encoded()
        date = production_timestamp(production_date, self._now())
        serial_list = None if serials is None else list(serials)
        tree = None if serial_list is None else SerialTree(serial_list)
        if quantity is None:
            if tree is None:
                raise InputError("quantity", "give the quantity of a batch without serials")
            quantity = len(tree)
        count = _quantity(quantity)
        hash_ = _hash_or_zero(metadata_hash, "metadata_hash")
        validate.uri(metadata_uri, "metadata_uri", MAX_URI_BYTES)
        root = tree.root if tree is not None else ZERO32
        return code, (site, date, count, root, hash_, metadata_uri), serial_list

    def recall(self, batch: BatchRef, reason: str) -> TxReceipt:
        key = batch_key(batch)
        validate.text(reason, "reason", MAX_REASON_BYTES)
        return self._send(self.contract.functions.recall(key, reason))

    def batch(self, ref: BatchRef, history: list[Any] | None = None) -> BatchRecord:
        """The batch's stored record joined with its creation event (from `history` when given).
        An unknown batch raises ProvenanceUnknownBatch."""
        key = batch_key(ref)
        record = self._call(self.contract.functions.batch(key))
        recalled = bool(self._call(self.contract.functions.isRecalled(key)))
        created = (
            _created(history, key) if history is not None else self._logs(["BatchCreated"], _topic32(key))
        )
        return self._record(key, record, recalled, created[-1] if created else None)

    def _record(self, key: bytes, record: Any, recalled: bool, created: Any) -> BatchRecord:
        custodian, gtin, recalled_itself, consumed = record[0], record[1], record[2], record[3]
        pending, seller, root, producer = record[7], record[8], record[9], record[6]
        args = created["args"] if created is not None else {}
        production = int(args.get("productionDate", 0))
        block = int(created["blockNumber"]) if created is not None else 0
        return BatchRecord(
            batch_id=key,
            gtin=_gtin14(int(gtin)),
            lot=args.get("lot", ""),
            producer=producer,
            custodian=custodian,
            pending_custodian=_nonzero(pending),
            seller=_nonzero(seller),
            origin=Origin.decoded(args["origin"]) if args else Origin("", 0, 0.0, 0.0),
            production_date=dt.datetime.fromtimestamp(production, CST).date(),
            quantity=int(args.get("quantity", 0)),
            serials_root=bytes(root),
            metadata_hash=_hex(args.get("metadataHash", ZERO32)),
            metadata_uri=args.get("metadataURI", ""),
            recalled=recalled,
            recalled_itself=bool(recalled_itself),
            consumed=bool(consumed),
            created_block=block,
            created_at=self._block_time(block) if created is not None else 0,
        )

    def history(self, ref: BatchRef, gtin: str | None = None) -> list[Any]:
        """Every decoded event about the batch (scans excepted), oldest first; with `gtin`, the
        product's registration too. One log query that the other reads accept as `history`."""
        if gtin is None:
            return self._logs(list(_BATCH_EVENTS), _topic32(batch_key(ref)))
        topics = [_topic32(batch_key(ref)), _uint_topic(_gtin_uint(gtin))]
        return self._logs([*_BATCH_EVENTS, "ProductRegistered"], topics)

    def recalls(self, refs: Iterable[BatchRef]) -> list[Recall]:
        """The recalls of the given batches (a batch is recalled once at most), oldest first."""
        keys = [batch_key(ref) for ref in refs]
        if not keys:
            return []
        return [
            Recall(
                bytes(e["args"]["batchId"]),
                e["args"]["enterprise"],
                e["args"]["reason"],
                self._block_time(e["blockNumber"]),
                int(e["blockNumber"]),
            )
            for e in self._logs(["BatchRecalled"], [_topic32(k) for k in keys])
        ]

    def lineage(self, ref: BatchRef, history: list[Any] | None = None) -> Lineage:
        """The batch with its inputs (recursively, up to its created ancestors) and outputs (down)."""
        key = batch_key(ref)
        self._call(self.contract.functions.batch(key))  # unknown batch: ProvenanceUnknownBatch
        fn = self.contract.functions
        parents: dict[bytes, list[bytes]] = {}
        children: dict[bytes, list[bytes]] = {}
        todo = [key]
        while todo:  # a lineage is a tree of at most 64 ancestors (the contract's bound)
            current = todo.pop()
            parents[current] = [bytes(b) for b in fn.inputsOf(current).call()]
            todo.extend(p for p in parents[current] if p not in parents)
        todo = [key]
        while todo:  # each batch feeds one transformation at most: a chain of at most 8 outputs
            current = todo.pop()
            children[current] = [bytes(b) for b in fn.outputsOf(current).call()]
            todo.extend(c for c in children[current] if c not in children)
        ids = set(parents) | set(children)
        known = _created(history, key) if history is not None else []
        if not known or ids != {key}:
            known = self._logs(["BatchCreated"], [_topic32(i) for i in ids])
        created = {bytes(e["args"]["batchId"]): e["args"] for e in known}

        def node(batch: bytes, up: bool, down: bool) -> Lineage:
            args = created.get(batch, {})
            return Lineage(
                batch_id=batch,
                gtin=_gtin14(int(args.get("gtin", 0))),
                lot=args.get("lot", ""),
                producer=args.get("producer", ""),
                inputs=tuple(node(p, True, False) for p in parents.get(batch, [])) if up else (),
                outputs=tuple(node(c, False, True) for c in children.get(batch, [])) if down else (),
            )

        return node(key, True, True)

    def is_item_of(self, ref: BatchRef, serial: str, proof: Sequence[bytes]) -> bool:
        """The contract's verdict on a Merkle proof that `serial` belongs to the batch."""
        key = batch_key(ref)
        gs1.validate_serial(serial)
        return bool(self._call(self.contract.functions.isItemOf(key, serial, list(proof))))
