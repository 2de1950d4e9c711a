"""ProductProvenance (溯源) from Python: products, locations, batches, certification, trace events,
custody, transformation, recall and consumer scans, and the reads that put an item's story together.

Every value a user gives is checked here, with the same limits as the contract, before anything is
sent; a bad one raises :class:`~shanglian.errors.InputError` naming the field (``gtin``, ``lot``,
``serial``, ``gln``, ``place``, ``region_code``, ``latitude``, ``longitude``, ``quantity``,
``production_date``, ``step`` …). Reverts arrive as the contract's named custom error
(:class:`~shanglian.errors.ContractError`).

The contract keeps in storage only what contracts read back; names, origins, lots, trace events,
the custody chain and scan counts live in its events, so the reads here join one view call with the
batch's logs, fetched in bounded block ranges (:mod:`shanglian.logs`).

A batch is named by a :data:`BatchRef`: its 32-byte id (bytes or 0x hex), a ``(gtin, lot)`` pair,
``"<gtin>:<lot>"``, or a GS1 Digital Link URI (whose serial, if any, is ignored).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from pathlib import Path
from typing import Any

from eth_hash.auto import keccak
from web3.contract import Contract
from web3.types import TxReceipt

from shanglian import gs1, logs, validate
from shanglian.errors import InputError
from shanglian.merkle import SerialTree, serial_range
from shanglian.network import Chain
from shanglian.transactions import REVERTS, Transactor, as_contract_error

__all__ = [
    "CST",
    "BatchRecord",
    "BatchRef",
    "BizStep",
    "Certification",
    "CreatedBatch",
    "KeepSerials",
    "CustodyMove",
    "Lineage",
    "Location",
    "Origin",
    "Product",
    "Provenance",
    "Recall",
    "TraceEvent",
    "batch_id",
    "batch_key",
    "item_hash",
    "normalize_gln",
    "parse_serial_range",
    "parse_step",
    "production_timestamp",
    "read_serial_file",
]

# Limits the contract enforces, checked here first so that nothing doomed is ever sent.
MAX_NAME_BYTES = 96
MAX_FEATURES_BYTES = 512
MAX_PLACE_BYTES = 96
MAX_URI_BYTES = 256
MAX_REASON_BYTES = 256
MAX_INPUTS = 64
MAX_SCANS_PER_CALL = 500
MAX_UINT32 = 2**32 - 1
GLN_LENGTH = 13
ZERO32 = bytes(32)

#: China Standard Time: production dates are calendar days in China; times are shown in CST.
CST = dt.timezone(dt.timedelta(hours=8), "CST")

_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}$")


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


# ------------------------------------------------------------------------------------------------
# Identifiers and user input


BatchRef = bytes | str | tuple[str, str] | gs1.DigitalLink
#: Called with a new batch's id and serial list before the batch is sent (see create_batch).
KeepSerials = Callable[[bytes, list[str]], Any]


def batch_id(gtin: str, lot: str) -> bytes:
    """The contract's batch id: ``keccak256(abi.encodePacked(uint64 gtin, string lot))``."""
    return gs1.lot_id(gtin, lot)


def batch_key(ref: BatchRef, field: str = "batch") -> bytes:
    """The 32-byte id of a batch named by a :data:`BatchRef`."""
    if isinstance(ref, gs1.DigitalLink):
        return batch_id(ref.gtin, ref.lot)
    if isinstance(ref, (bytes, bytearray)):
        if len(ref) != 32:
            raise InputError(field, f"a batch id must be 32 bytes, got {len(ref)}")
        return bytes(ref)
    if isinstance(ref, tuple):
        if len(ref) != 2:
            raise InputError(field, "give a batch as (gtin, lot)")
        return batch_id(str(ref[0]), str(ref[1]))
    text = str(ref).strip()
    if _HEX32.match(text):
        return bytes.fromhex(text[2:])
    if text.startswith(("http://", "https://", "/")):
        return batch_key(gs1.parse_digital_link(text))
    gtin, sep, lot = text.partition(":")
    if sep and gtin.isdigit():
        return batch_id(gtin, lot)
    raise InputError(
        field,
        f"{text!r} names no batch; give its 0x id (64 hex digits), <gtin>:<lot>, or a Digital Link URI",
    )


def item_hash(serial: str) -> bytes:
    """The contract's item key: ``keccak256(bytes(serial))``."""
    return keccak(gs1.validate_serial(serial).encode("ascii"))


def normalize_gln(value: str | int) -> int:
    """Check a GLN-13 (GS1 Global Location Number with its mod-10 check digit); return it as an int."""
    text = str(value).strip()
    if not text or not all("0" <= c <= "9" for c in text):
        raise InputError("gln", f"must be 13 digits 0-9, got {text!r}")
    if len(text) > GLN_LENGTH:
        raise InputError("gln", f"must be at most {GLN_LENGTH} digits, got {len(text)} ({text!r})")
    text = text.zfill(GLN_LENGTH)
    if int(text) == 0:
        raise InputError("gln", "must not be zero")
    expected = gs1.gtin_check_digit(text[:-1])
    if text[-1] != expected:
        raise InputError("gln", f"wrong check digit in {text}: last digit is {text[-1]}, expected {expected}")
    return int(text)


def gln_text(gln: int) -> str:
    return str(gln).zfill(GLN_LENGTH)


def _gtin_uint(gtin: str | int) -> int:
    return gs1.gtin_to_uint(str(gtin).strip())


def _gtin14(value: int) -> str:
    return str(value).zfill(14)


def _coordinate(value: str | float | int | Decimal, field: str, limit: int) -> int:
    """Degrees into the contract's micro-degrees (degrees × 10^6), within ±limit degrees."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(field, f"{value!r} is not a number of degrees") from None
    if not number.is_finite() or abs(number) > limit:
        raise InputError(field, f"must be between -{limit} and {limit} degrees, got {value}")
    return int((number * 1_000_000).to_integral_value())


def _region(value: str | int) -> int:
    text = str(value).strip()
    if len(text) != 6 or not all("0" <= c <= "9" for c in text) or text[0] == "0":
        raise InputError("region_code", f"must be a six-digit GB/T 2260 code such as 341321, got {value!r}")
    return int(text)


def production_timestamp(value: str | dt.date, now: int) -> int:
    """The start of the production day in CST, which must not lie after `now` (the chain's time)."""
    day = validate.iso_date(value, "production_date")
    stamp = int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=CST).timestamp())
    if stamp <= 0:
        raise InputError("production_date", f"{day.isoformat()} is too early")
    if stamp > now:
        raise InputError("production_date", f"{day.isoformat()} is in the future")
    return stamp


def _hash_or_zero(value: str | bytes | None, field: str) -> bytes:
    if value is None or value == "":
        return ZERO32
    if isinstance(value, bytes):
        return validate.bytes32(value, field)
    return validate.document_hash(value, field)


def _quantity(value: str | int) -> int:
    return validate.positive_int(value, "quantity", MAX_UINT32)


def parse_serial_range(text: str) -> list[str]:
    """Serials from ``FIRST..LAST`` (both included), e.g. ``PEAR-000001..PEAR-001000``.

    Both ends share a prefix and end in a number of the same width; every serial in between is
    that prefix followed by the zero-padded number.
    """
    first, sep, last = text.strip().partition("..")
    if not sep:
        raise InputError(
            "serials", f"expected a range FIRST..LAST such as PEAR-000001..PEAR-001000, got {text!r}"
        )
    ends = []
    for end in (first.strip(), last.strip()):
        match = re.fullmatch(r"(.*?)([0-9]+)", end)
        if not match:
            raise InputError("serials", f"range end {end!r} must end in digits, e.g. PEAR-000001")
        ends.append(match)
    (prefix, start), (prefix_last, stop) = ends[0].groups(), ends[1].groups()
    if prefix != prefix_last:
        raise InputError(
            "serials", f"both ends of the range need the same prefix, got {prefix!r} and {prefix_last!r}"
        )
    if len(start) != len(stop):
        raise InputError(
            "serials", f"both ends of the range need numbers of the same width, got {start!r} and {stop!r}"
        )
    if int(stop) < int(start):
        raise InputError("serials", f"the range ends ({last.strip()}) before it starts ({first.strip()})")
    try:
        return serial_range(prefix, int(start), int(stop) + 1, len(start))
    except InputError as exc:
        raise InputError("serials", exc.reason) from None


def read_serial_file(path: str | Path) -> list[str]:
    """Serials from a UTF-8 text file, one per line (blank lines ignored), each checked."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("serials", f"no file {path}") from None
    except UnicodeDecodeError:
        raise InputError("serials", f"{path} is not UTF-8 text") from None
    serials = []
    for number, line in enumerate(text.splitlines(), start=1):
        serial = line.strip()
        if not serial:
            continue
        try:
            serials.append(gs1.validate_serial(serial))
        except InputError as exc:
            raise InputError("serials", f"line {number} of {path}: {exc.reason}") from None
    if not serials:
        raise InputError("serials", f"{path} holds no serials")
    return serials


# ------------------------------------------------------------------------------------------------
# What the reads return


@dataclass(frozen=True)
class Origin:
    """Where a batch was produced or a site lies. Coordinates in degrees (WGS-84)."""

    place: str
    region_code: int
    latitude: float
    longitude: float

    @classmethod
    def checked(cls, place: str, region_code: str | int, latitude: Any, longitude: Any) -> Origin:
        """Validates every field (as the contract would) and returns the origin."""
        validate.text(place, "place", MAX_PLACE_BYTES)
        return cls(
            place,
            _region(region_code),
            _coordinate(latitude, "latitude", 90) / 1_000_000,
            _coordinate(longitude, "longitude", 180) / 1_000_000,
        )

    def encoded(self) -> tuple[str, int, int, int]:
        """The contract's ``Origin`` tuple (micro-degrees), after the same checks as :meth:`checked`."""
        checked = Origin.checked(self.place, self.region_code, self.latitude, self.longitude)
        return (
            checked.place,
            checked.region_code,
            _coordinate(self.latitude, "latitude", 90),
            _coordinate(self.longitude, "longitude", 180),
        )

    @classmethod
    def decoded(cls, value: Any) -> Origin:
        place, region, latitude, longitude = _origin_fields(value)
        return cls(place, int(region), int(latitude) / 1_000_000, int(longitude) / 1_000_000)

    def as_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "region_code": self.region_code,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


def _origin_fields(value: Any) -> tuple[Any, Any, Any, Any]:
    if isinstance(value, Mapping):
        return value["place"], value["regionCode"], value["latitude"], value["longitude"]
    return tuple(value)


@dataclass(frozen=True)
class Product:
    gtin: str
    producer: str
    name: str
    features: str
    metadata_hash: str


@dataclass(frozen=True)
class Location:
    gln: str
    enterprise: str
    site: Origin


@dataclass(frozen=True)
class BatchRecord:
    """A batch: what the contract stores, joined with its creation event."""

    batch_id: bytes
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

    @property
    def id_hex(self) -> str:
        return "0x" + self.batch_id.hex()


@dataclass(frozen=True)
class CreatedBatch:
    """What :meth:`Provenance.create_batch` and :meth:`Provenance.transform` made."""

    batch_id: bytes
    serials_root: bytes
    serial_count: int
    receipt: Any

    @property
    def id_hex(self) -> str:
        return "0x" + self.batch_id.hex()


@dataclass(frozen=True)
class Certification:
    """One certification of a batch, as its events tell it."""

    alliance: str
    certificate_hash: str
    expiry: int
    certified_at: int
    revoked_at: int | None
    current: bool  # what the contract's certification() holds now
    valid: bool  # current and not expired


@dataclass(frozen=True)
class CustodyMove:
    """A holder of the batch, from `since` on (the producer first, then each accepted custody)."""

    enterprise: str
    since: int
    block: int
    handed_over_by: str | None


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


# ------------------------------------------------------------------------------------------------
# The SDK


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


def _event_topics(contract: Contract) -> dict[str, str]:
    """topic0 of every event of `contract`, by name."""
    return {item["name"]: logs.topic(contract, item["name"]) for item in contract.abi if item["type"] == "event"}


def _created(history: Iterable[Any] | None, key: bytes) -> list[Any]:
    return [e for e in history or () if e["event"] == "BatchCreated" and bytes(e["args"]["batchId"]) == key]


def _topic32(value: bytes) -> str:
    return "0x" + value.hex()


def _uint_topic(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _nonzero(address: str) -> str | None:
    return None if int(address, 16) == 0 else address


class Provenance:
    """ProductProvenance bound to a chain; `sender` signs state changes (None: read only)."""

    def __init__(
        self, chain: Chain, contract: Contract, sender: Transactor | None = None, from_block: int = 0
    ):
        self.chain = chain
        self.contract = contract
        self.sender = sender
        self.from_block = from_block
        self._block_times: dict[int, int] = {}
        self._topics = _event_topics(contract)
        self._by_topic = {topic: name for name, topic in self._topics.items()}

    # -- products and locations ------------------------------------------------------------------

    def register_product(
        self, gtin: str, name: str, features: str = "", metadata_hash: str | bytes | None = None
    ) -> TxReceipt:
        """Registers a product under its GTIN (8/12/13/14 digits); the signer's enterprise produces it."""
        code = _gtin_uint(gtin)
        validate.text(name, "name", MAX_NAME_BYTES)
        validate.text(features, "features", MAX_FEATURES_BYTES, min_bytes=0)
        hash_ = _hash_or_zero(metadata_hash, "metadata_hash")
        return self._send(self.contract.functions.registerProduct(code, name, features, hash_))

    def register_location(
        self, gln: str | int, place: str, region_code: str | int, latitude: Any, longitude: Any
    ) -> TxReceipt:
        """Registers a site (GLN-13) of the signer's enterprise: its place, region and coordinates."""
        number = normalize_gln(gln)
        site = Origin.checked(place, region_code, latitude, longitude).encoded()
        return self._send(self.contract.functions.registerLocation(number, site))

    # -- batches -----------------------------------------------------------------------------------

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
        if self.sender is None:
            raise InputError("account", "this action needs a signing account (--account)")
        if keep_serials is not None and serial_list is not None:
            try:  # a dry run: a batch that would be refused must not overwrite a kept list
                call.call({"from": self.sender.address})
            except REVERTS as exc:
                raise as_contract_error(exc) from None
            keep_serials(key, serial_list)
        receipt = self._send(call)
        return CreatedBatch(key, root, len(serial_list) if serial_list else 0, receipt)

    def _batch_fields(
        self,
        gtin: str,
        lot: str,
        origin: Origin,
        production_date: str | dt.date,
        quantity: str | int | None,
        serials: Iterable[str] | None,
        metadata_hash: str | bytes | None,
        metadata_uri: str,
    ) -> tuple[int, tuple[Any, ...], list[str] | None]:
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

    # -- certification -----------------------------------------------------------------------------

    def certify(self, batch: BatchRef, certificate: str | bytes, expiry: str | dt.date) -> TxReceipt:
        """Certifies a batch (signer: a quality alliance) with a certificate hash (or a reference to
        hash) valid through the end of `expiry` (CST)."""
        key = batch_key(batch)
        hash_ = (
            validate.bytes32(certificate, "certificate")
            if isinstance(certificate, bytes)
            else validate.document_hash(certificate, "certificate")
        )
        stamp = validate.future_timestamp(expiry, "expiry", self._now())
        return self._send(self.contract.functions.certify(key, hash_, stamp))

    def revoke_certification(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.revokeCertification(batch_key(batch)))

    # -- trace events ------------------------------------------------------------------------------

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

    # -- custody -----------------------------------------------------------------------------------

    def offer_custody(self, batch: BatchRef, to_enterprise: str) -> TxReceipt:
        key = batch_key(batch)
        return self._send(self.contract.functions.offerCustody(key, validate.address(to_enterprise, "to")))

    def accept_custody(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.acceptCustody(batch_key(batch)))

    def withdraw_offer(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.withdrawOffer(batch_key(batch)))

    # -- recall and scans --------------------------------------------------------------------------

    def recall(self, batch: BatchRef, reason: str) -> TxReceipt:
        key = batch_key(batch)
        validate.text(reason, "reason", MAX_REASON_BYTES)
        return self._send(self.contract.functions.recall(key, reason))

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
        items, numbers = [], []
        for serial, count in counts.items():
            items.append(ZERO32 if serial is None else item_hash(serial))
            numbers.append(validate.positive_int(count, "count", MAX_UINT32))
        if isinstance(scan_batch, bytes):
            scan_key = validate.bytes32(scan_batch, "scan_batch")
        else:
            scan_key = validate.document_hash(scan_batch, "scan_batch")
        return self._send(self.contract.functions.recordScans(scan_key, key, items, numbers))

    # -- reads -------------------------------------------------------------------------------------

    def product(self, gtin: str, history: list[Any] | None = None) -> Product:
        """A registered product: producer (from storage), name and features (from its event, looked
        for in `history` first when given, see :meth:`history`)."""
        code = _gtin_uint(gtin)
        producer = self._call(self.contract.functions.product(code))
        found = [
            e for e in history or () if e["event"] == "ProductRegistered" and int(e["args"]["gtin"]) == code
        ]
        if not found:
            found = self._logs(["ProductRegistered"], _uint_topic(code))
        args = found[-1]["args"] if found else {}
        return Product(
            gtin=_gtin14(code),
            producer=producer,
            name=args.get("name", ""),
            features=args.get("features", ""),
            metadata_hash=_hex(args.get("metadataHash", ZERO32)),
        )

    def locations(self, glns: Iterable[int]) -> dict[int, Location]:
        """The registered sites among `glns` (unregistered ones are left out)."""
        wanted = sorted({int(g) for g in glns if int(g)})
        if not wanted:
            return {}
        found: dict[int, Location] = {}
        for event in self._logs(["LocationRegistered"], [_uint_topic(g) for g in wanted]):
            args = event["args"]
            found[int(args["gln"])] = Location(
                gln_text(int(args["gln"])), args["enterprise"], Origin.decoded(args["site"])
            )
        return found

    def location(self, gln: str | int) -> Location | None:
        return self.locations([normalize_gln(gln)]).get(normalize_gln(gln))

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

    def certifications(self, ref: BatchRef, history: list[Any] | None = None) -> list[Certification]:
        """Every certification of the batch, oldest first, with revocations and current validity."""
        key = batch_key(ref)
        events = (
            history
            if history is not None
            else self._logs(["BatchCertified", "CertificationRevoked"], _topic32(key))
        )
        current = self._call(self.contract.functions.certification(key))
        now = self._now()
        found: list[dict[str, Any]] = []
        for event in events:
            name, args = event["event"], event["args"]
            if name == "BatchCertified":
                # A renewal by the same alliance replaces its earlier certification.
                found = [c for c in found if c["alliance"] != args["alliance"] or c["revoked_at"] is not None]
                found.append(
                    {
                        "alliance": args["alliance"],
                        "certificate_hash": _hex(args["certificateHash"]),
                        "expiry": int(args["expiry"]),
                        "certified_at": self._block_time(event["blockNumber"]),
                        "revoked_at": None,
                    }
                )
            elif name == "CertificationRevoked":
                for c in found:
                    if c["alliance"] == args["alliance"] and c["revoked_at"] is None:
                        c["revoked_at"] = self._block_time(event["blockNumber"])
        result = []
        for c in found:
            is_current = (
                c["revoked_at"] is None
                and c["alliance"] == current[0]
                and c["expiry"] == int(current[1])
                and c["certificate_hash"] == _hex(current[2])
            )
            result.append(Certification(**c, current=is_current, valid=is_current and c["expiry"] > now))
        return result

    def custody(self, ref: BatchRef, history: list[Any] | None = None) -> list[CustodyMove]:
        """The chain of custody: the creator, then every enterprise that accepted custody, in order."""
        key = batch_key(ref)
        events = (
            history if history is not None else self._logs(["BatchCreated", "CustodyAccepted"], _topic32(key))
        )
        moves = []
        for event in events:
            args, block = event["args"], int(event["blockNumber"])
            if event["event"] == "BatchCreated":
                moves.append(CustodyMove(args["producer"], self._block_time(block), block, None))
            elif event["event"] == "CustodyAccepted":
                moves.append(CustodyMove(args["to"], self._block_time(block), block, args["from"]))
        return moves

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

    def scan_count(self, ref: BatchRef, serial: str | None) -> int:
        """Public scan count of an item (serial None: the lot-level code): the sum of its ScansRecorded."""
        key = batch_key(ref)
        item = ZERO32 if serial is None else item_hash(serial)
        return sum(
            int(e["args"]["count"]) for e in self._logs(["ScansRecorded"], _topic32(key), _topic32(item))
        )

    def is_item_of(self, ref: BatchRef, serial: str, proof: Sequence[bytes]) -> bool:
        """The contract's verdict on a Merkle proof that `serial` belongs to the batch."""
        key = batch_key(ref)
        gs1.validate_serial(serial)
        return bool(self._call(self.contract.functions.isItemOf(key, serial, list(proof))))

    def seller(self, ref: BatchRef) -> str | None:
        return _nonzero(self._call(self.contract.functions.sellerOf(batch_key(ref))))

    # -- internals ---------------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def _block_time(self, block: int) -> int:
        block = int(block)
        if block not in self._block_times:
            self._block_times[block] = int(self.chain.w3.eth.get_block(block)["timestamp"])
        return self._block_times[block]

    def _send(self, call: Any) -> TxReceipt:
        if self.sender is None:
            raise InputError("account", "this action needs a signing account (--account)")
        return self.sender.send(call)

    @staticmethod
    def _call(call: Any) -> Any:
        try:
            return call.call()
        except REVERTS as exc:
            raise as_contract_error(exc) from None

    def _logs(self, events: list[str], *topics: Any) -> list[Any]:
        """Decoded logs of `events` whose indexed arguments match `topics` (one entry per argument)."""
        first = [self._topics[name] for name in events]
        decoded = []
        for log in logs.fetch(self.chain, self.contract.address, [first, *topics], self.from_block):
            name = self._by_topic.get("0x" + bytes(log["topics"][0]).hex())
            if name is not None:
                decoded.append(getattr(self.contract.events, name)().process_log(log))
        return decoded
