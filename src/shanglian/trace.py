"""An item's whole story from a scanned GS1 Digital Link, and a verdict on it.

:func:`trace` joins what the chain holds about the lot named by the link — product, batch origin,
certifications, custody chain, trace events, transformations, recall, consumer scans, seller — with
the enterprises' public names from the registry, and decides whether the item is ``genuine``, an
``unknown serial``, ``recalled``, or has a ``suspicious scan count`` (a copied code).

Proving the serial. The chain holds only the Merkle root of a batch's serials; a proof needs the
whole serial list, which the producer keeps and publishes. :func:`trace` takes a *serial source*: a
callable ``source(batch_id) -> serials or None``, a mapping from batch id to serials, or a folder of
``0x<batch id>.txt`` files, one serial per line (:class:`SerialFolder`; ``shanglian batch create``
writes them to ``<state dir>/serials``). The list is checked against the on-chain root, the proof is
built from it, and the contract's ``isItemOf`` has the last word. A serial that cannot be proven —
not in the list, no list for the batch, a batch without serials, or no batch at all — is an
``unknown serial``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.markup import escape

from shanglian import gs1, regions
from shanglian.deploy import Suite, state_dir
from shanglian.errors import ContractError, InputError
from shanglian.merkle import SerialTree
from shanglian.network import Chain
from shanglian.provenance import CST, BatchRef, Lineage, Provenance, batch_key, gln_text
from shanglian.registry import Registry

__all__ = [
    "DEFAULT_SUSPICIOUS_AFTER",
    "BatchFacts",
    "CertificationFacts",
    "EventFacts",
    "LineageFacts",
    "Party",
    "RecallFacts",
    "SerialFolder",
    "SerialSource",
    "TraceReport",
    "Verdict",
    "default_serials_dir",
    "format_time",
    "serial_source",
    "story_lines",
    "trace",
]

#: More scans than this of one serialised item is implausible for one box: the code was copied.
DEFAULT_SUSPICIOUS_AFTER = 20

SerialSource = Callable[[bytes], Iterable[str] | None]


class Verdict(enum.StrEnum):
    GENUINE = "genuine"
    UNKNOWN_SERIAL = "unknown serial"
    RECALLED = "recalled"
    SUSPICIOUS = "suspicious scan count"

    @property
    def exit_code(self) -> int:
        """`shanglian trace`'s exit status for this verdict, for scripts to branch on (1 and 2 are
        the CLI's own: a node or configuration problem, bad input)."""
        return VERDICT_EXIT_CODES[self]


VERDICT_EXIT_CODES = {
    Verdict.GENUINE: 0,
    Verdict.UNKNOWN_SERIAL: 3,
    Verdict.RECALLED: 4,
    Verdict.SUSPICIOUS: 5,
}


# ------------------------------------------------------------------------------------------------
# Serial lists


def default_serials_dir() -> Path:
    """Where serial lists are kept: ``<state dir>/serials`` ($SHANGLIAN_HOME or ./.shanglian)."""
    return state_dir() / "serials"


class SerialFolder:
    """A folder of serial lists, one file ``0x<batch id>.txt`` per batch, one serial per line."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path:
        # Resolved on use, so $SHANGLIAN_HOME set after construction still counts.
        return self._folder if self._folder is not None else default_serials_dir()

    def path(self, batch: BatchRef) -> Path:
        return self.folder / f"0x{batch_key(batch).hex()}.txt"

    def save(self, batch: BatchRef, serials: Iterable[str]) -> Path:
        """Writes the list atomically (a crash leaves the old file or the new one, never half)."""
        target = self.path(batch)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text("".join(f"{gs1.validate_serial(s)}\n" for s in serials), encoding="utf-8")
        os.replace(tmp, target)
        return target

    def load(self, batch: BatchRef) -> list[str] | None:
        """The batch's serials, or None when the folder has no list for it."""
        path = self.path(batch)
        if not path.exists():
            return None
        serials = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    serials.append(gs1.validate_serial(line.strip()))
                except InputError as exc:
                    raise InputError("serials", f"line {number} of {path}: {exc.reason}") from None
        return serials

    def __call__(self, batch_id: bytes) -> list[str] | None:
        return self.load(batch_id)

    def __repr__(self) -> str:
        return f"SerialFolder({str(self.folder)!r})"


def serial_source(source: SerialSource | Mapping[Any, Iterable[str]] | str | Path | None) -> SerialSource:
    """A serial source from a callable, a mapping (keys: batch ids as bytes or 0x hex), a folder, or
    None (the default folder)."""
    if source is None or isinstance(source, (str, Path)):
        return SerialFolder(source)
    if isinstance(source, Mapping):
        table = {batch_key(k): v for k, v in source.items()}
        return lambda batch_id: table.get(batch_id)
    if callable(source):
        return source
    raise InputError("serials", "give a folder, a mapping of batch id to serials, or a callable")


# ------------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Party:
    """An enterprise: its primary account and public name (empty if the registry has none)."""

    account: str
    name: str

    def __str__(self) -> str:
        return self.name or self.account


@dataclass(frozen=True)
class ProductFacts:
    gtin: str
    name: str
    features: str
    producer: Party


@dataclass(frozen=True)
class BatchFacts:
    batch_id: str
    lot: str
    place: str
    region_code: int
    latitude: float
    longitude: float
    production_date: str
    quantity: int
    producer: Party
    custodian: Party
    metadata_uri: str
    serials_root: str
    created_at: str


@dataclass(frozen=True)
class CertificationFacts:
    alliance: Party
    certificate_hash: str
    certified_at: str
    expiry: str
    valid: bool
    # valid, expired, certifier_inactive (the alliance lost its standing), recalled (the batch),
    # revoked, or replaced (by a later certification)
    status: str
    revoked: bool
    revoked_at: str | None
    revoked_by: Party | None


@dataclass(frozen=True)
class CustodyFacts:
    holder: Party
    since: str


@dataclass(frozen=True)
class EventFacts:
    step: str
    when: str
    who: Party
    gln: str | None
    where: str | None  # the site's place name, when its GLN is registered
    region_code: int | None
    latitude: float | None
    longitude: float | None
    item_level: bool
    data_hash: str
    transaction: str


@dataclass(frozen=True)
class LineageFacts:
    batch_id: str
    gtin: str
    product: str
    lot: str
    producer: Party
    made_from: list[LineageFacts] = field(default_factory=list)
    used_in: list[LineageFacts] = field(default_factory=list)


@dataclass(frozen=True)
class RecallFacts:
    batch_id: str
    lot: str
    by: Party
    reason: str
    when: str


@dataclass(frozen=True)
class TraceReport:
    """Everything a consumer's scan shows. Ids are 0x hex, times ISO 8601 in CST (UTC+8)."""

    uri: str
    gtin: str
    lot: str
    serial: str | None
    batch_id: str
    verdict: Verdict
    verdict_reason: str
    serial_proven: bool | None  # None: a lot-level code, no serial to prove
    product: ProductFacts | None
    batch: BatchFacts | None  # None: no such batch on chain
    certifications: list[CertificationFacts]
    custody: list[CustodyFacts]
    events: list[EventFacts]
    made_from: list[LineageFacts]
    used_in: list[LineageFacts]
    recalled: bool
    recalls: list[RecallFacts]
    scan_count: int
    suspicious_after: int
    seller: Party | None

    @property
    def certified_by(self) -> CertificationFacts | None:
        """The certification in force (valid), if any."""
        return next((c for c in self.certifications if c.valid), None)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["verdict"] = self.verdict.value
        return data


#: How a certificate's status reads to a person.
CERTIFICATE_STATES = {
    "valid": "valid",
    "expired": "expired",
    "certifier_inactive": "not valid: the alliance is no longer in good standing",
    "recalled": "not valid: the batch is recalled",
    "revoked": "revoked",
    "replaced": "replaced",
}


def format_time(timestamp: int) -> str:
    """A Unix time as ISO 8601 in China Standard Time, e.g. 2024-09-12T08:30:00+08:00."""
    return dt.datetime.fromtimestamp(timestamp, CST).isoformat(timespec="seconds")


class _Names:
    """Public names of enterprises, looked up once each, many at a time."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._cache: dict[str, Party] = {}

    def prefetch(self, accounts: Iterable[str | None]) -> None:
        """Looks up every account not known yet with one log query (not one per account)."""
        wanted = sorted({a for a in accounts if a and a not in self._cache})
        if not wanted:
            return
        names = self._registry.names(wanted)
        for account in wanted:
            self._cache[account] = Party(account, names.get(account, ""))

    def __call__(self, account: str) -> Party:
        if account not in self._cache:
            self.prefetch([account])
        return self._cache[account]


def trace(
    chain: Chain,
    suite: Suite,
    uri_or_link: str | gs1.DigitalLink,
    serials: SerialSource | Mapping[Any, Iterable[str]] | str | Path | None = None,
    *,
    suspicious_after: int = DEFAULT_SUSPICIOUS_AFTER,
    from_block: int = 0,
) -> TraceReport:
    """The story and verdict of the item a Digital Link names.

    `serials` is where the batch's serial list comes from (see the module notes); None: the
    default folder. More than `suspicious_after` recorded scans of one serialised item is
    suspicious (a lot-level link, without serial, is shared by every box and never is). Verdicts
    rank unknown serial, then recalled, then suspicious scan count. Logs are read from
    `from_block` on (the block the registry was deployed in, if known).
    """
    link = uri_or_link if isinstance(uri_or_link, gs1.DigitalLink) else gs1.parse_digital_link(uri_or_link)
    if link.lot is None:
        raise InputError("uri", f"{link.uri} names no lot; trace a link with its lot (/01/<gtin>/10/<lot>/21/<serial>) — "
                                "the resolver finds the lot of a serial from its index")
    if not isinstance(suspicious_after, int) or suspicious_after < 0:
        raise InputError("suspicious_after", f"must be a whole number of scans, got {suspicious_after!r}")
    source = serial_source(serials)
    prov = Provenance(chain, suite["ProductProvenance"], None, from_block)
    names = _Names(Registry(chain, suite.registry, None, from_block))
    key = batch_key(link)
    base: dict[str, Any] = {
        "uri": link.uri,
        "gtin": link.gtin,
        "lot": link.lot,
        "serial": link.serial,
        "batch_id": "0x" + key.hex(),
        "suspicious_after": suspicious_after,
    }
    history = prov.history(key, link.gtin)
    try:
        record = prov.batch(key, history)
    except ContractError as exc:
        if exc.name != "ProvenanceUnknownBatch":
            raise
        try:
            known = prov.product(link.gtin, history)
            registered = ProductFacts(known.gtin, known.name, known.features, names(known.producer))
        except ContractError as missing:
            if missing.name != "ProvenanceUnknownProduct":
                raise
            registered = None
        return TraceReport(
            **base,
            verdict=Verdict.UNKNOWN_SERIAL,
            verdict_reason=f"no lot {link.lot} of GTIN {link.gtin} is registered on chain",
            serial_proven=None if link.serial is None else False,
            product=registered,
            batch=None,
            certifications=[],
            custody=[],
            events=[],
            made_from=[],
            used_in=[],
            recalled=False,
            recalls=[],
            scan_count=0,
            seller=None,
        )

    product = prov.product(link.gtin, history)
    events = prov.events(key, link.serial, history)
    sites = prov.locations(e.gln for e in events)
    lineage = prov.lineage(key, history)
    products: dict[str, str] = {link.gtin: product.name}

    def product_name(gtin: str) -> str:
        if gtin not in products:
            products[gtin] = prov.product(gtin).name
        return products[gtin]

    def lineage_facts(node: Lineage) -> LineageFacts:
        return LineageFacts(
            batch_id="0x" + node.batch_id.hex(),
            gtin=node.gtin,
            product=product_name(node.gtin),
            lot=node.lot,
            producer=names(node.producer),
            made_from=[lineage_facts(n) for n in node.inputs],
            used_in=[lineage_facts(n) for n in node.outputs],
        )

    lots = {a.batch_id: a.lot for a in lineage.ancestors()} | {key: record.lot}
    recalls = prov.recalls(lots) if record.recalled else []
    scans = prov.scan_count(key, link.serial)
    proven, proof_reason = _prove(prov, source, key, record.serials_root, link.serial)
    certifications = prov.certifications(key, history)
    custody = prov.custody(key, history)
    names.prefetch(
        [
            product.producer,
            record.producer,
            record.custodian,
            record.seller,
            *(c.alliance for c in certifications),
            *(c.revoked_by for c in certifications if c.revoked_by),
            *(m.enterprise for m in custody),
            *(e.enterprise for e in events),
            *(n.producer for n in lineage.ancestors() + lineage.descendants()),
            *(r.enterprise for r in recalls),
        ]
    )

    if proven is False:
        verdict, reason = Verdict.UNKNOWN_SERIAL, proof_reason
    elif record.recalled:
        first = recalls[0] if recalls else None
        by = f" by {names(first.enterprise)}: {first.reason}" if first else ""
        through = (
            ""
            if first is None or first.batch_id == key
            else f" (through lot {lots[first.batch_id]} it was made from)"
        )
        verdict, reason = Verdict.RECALLED, f"lot {record.lot} is recalled{through}{by}"
    elif link.serial is not None and scans > suspicious_after:
        reason = f"scanned {scans} times, more than the {suspicious_after} plausible for one item"
        verdict, reason = Verdict.SUSPICIOUS, reason + ": the code may be copied"
    else:
        verdict, reason = Verdict.GENUINE, proof_reason

    return TraceReport(
        **base,
        verdict=verdict,
        verdict_reason=reason,
        serial_proven=proven,
        product=ProductFacts(product.gtin, product.name, product.features, names(product.producer)),
        batch=BatchFacts(
            batch_id=record.id_hex,
            lot=record.lot,
            place=record.origin.place,
            region_code=record.origin.region_code,
            latitude=record.origin.latitude,
            longitude=record.origin.longitude,
            production_date=record.production_date.isoformat(),
            quantity=record.quantity,
            producer=names(record.producer),
            custodian=names(record.custodian),
            metadata_uri=record.metadata_uri,
            serials_root="0x" + record.serials_root.hex(),
            created_at=format_time(record.created_at),
        ),
        certifications=[
            CertificationFacts(
                alliance=names(c.alliance),
                certificate_hash=c.certificate_hash,
                certified_at=format_time(c.certified_at),
                expiry=format_time(c.expiry),
                valid=c.valid,
                status=c.status,
                revoked=c.revoked_at is not None,
                revoked_at=None if c.revoked_at is None else format_time(c.revoked_at),
                revoked_by=None if c.revoked_by is None else names(c.revoked_by),
            )
            for c in certifications
        ],
        custody=[CustodyFacts(names(m.enterprise), format_time(m.since)) for m in custody],
        events=[
            EventFacts(
                step=e.step.label,
                when=format_time(e.timestamp),
                who=names(e.enterprise),
                gln=gln_text(e.gln) if e.gln else None,
                where=sites[e.gln].site.place if e.gln in sites else None,
                region_code=sites[e.gln].site.region_code if e.gln in sites else None,
                latitude=sites[e.gln].site.latitude if e.gln in sites else None,
                longitude=sites[e.gln].site.longitude if e.gln in sites else None,
                item_level=any(e.item_hash),
                data_hash="0x" + e.data_hash.hex(),
                transaction=e.transaction,
            )
            for e in events
        ],
        made_from=[lineage_facts(n) for n in lineage.inputs],
        used_in=[lineage_facts(n) for n in lineage.outputs],
        recalled=record.recalled,
        recalls=[
            RecallFacts(
                "0x" + r.batch_id.hex(),
                lots.get(r.batch_id, ""),
                names(r.enterprise),
                r.reason,
                format_time(r.timestamp),
            )
            for r in recalls
        ],
        scan_count=scans,
        seller=names(record.seller) if record.seller else None,
    )


def _prove(
    prov: Provenance, source: SerialSource, key: bytes, root: bytes, serial: str | None
) -> tuple[bool | None, str]:
    """Whether the serial belongs to the batch, and why we think so."""
    if serial is None:
        return None, "a lot-level code: there is no serial to prove"
    if not any(root):
        return False, "this lot registers no serials, so no serial of it can be genuine"
    listed = source(key)
    if listed is None:
        return False, "no serial list of this lot is available, so the serial cannot be proven"
    tree = SerialTree(listed)
    if tree.root != root:
        return False, "the serial list at hand does not match the lot's on-chain Merkle root"
    if serial not in tree:
        return False, f"serial {serial} is not one of the {len(tree)} serials of this lot"
    if not prov.is_item_of(key, serial, tree.proof(serial)):
        return False, f"the chain rejects the proof of serial {serial}"
    return True, f"serial {serial} is proven on chain to be one of the {len(tree)} serials of this lot"


# ------------------------------------------------------------------------------------------------
# Reading it out


_VERDICT_STYLE = {
    Verdict.GENUINE: "bold green",
    Verdict.UNKNOWN_SERIAL: "bold red",
    Verdict.RECALLED: "bold red",
    Verdict.SUSPICIOUS: "bold yellow",
}


def _coords(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    north = f"{abs(latitude):.4f}°{'N' if latitude >= 0 else 'S'}"
    return f"{north} {abs(longitude):.4f}°{'E' if longitude >= 0 else 'W'}"


def story_lines(report: TraceReport) -> list[str]:
    """The report as lines for a rich console (markup; every value from the chain is escaped)."""
    e = escape
    style = _VERDICT_STYLE[report.verdict]
    item = f"lot {report.lot}" + (f" · serial {report.serial}" if report.serial else "")
    lines = []
    title = report.product.name if report.product else "(no product registered under this GTIN)"
    lines.append(f"[bold]{e(title)}[/bold]  GTIN {report.gtin} · {e(item)}")
    lines.append(f"verdict: [{style}]{report.verdict.value}[/{style}] — {e(report.verdict_reason)}")
    if report.product is None or report.batch is None:
        if report.product is not None:
            lines.append(f"the product is registered by {e(str(report.product.producer))}; this lot is not")
        return lines
    if report.serial_proven is False:
        # A forged label borrows its lot's story: none of it describes this box.
        lines.append(f"lot {e(report.lot)} is registered on chain, but serial {e(report.serial or '')} is not one of "
                     "its items: nothing the lot records describes this item")
        return lines
    b = report.batch
    if report.product.features:
        lines.append(f"features: {e(report.product.features)}")
    region = regions.full_name(b.region_code)
    lines.append(f"origin: {e(b.place)} ({region + ' ' if region else 'region '}{b.region_code:06d}, "
                 f"{_coords(b.latitude, b.longitude)})")
    lines.append(f"produced: {b.production_date} by {e(str(b.producer))}, quantity {b.quantity}")
    current = report.certified_by
    for c in report.certifications:
        state = CERTIFICATE_STATES[c.status]
        if c.revoked:
            state += f" {(c.revoked_at or '')[:10]} by {c.revoked_by}"
        marker = "certified by" if c is current else "was certified by"
        lines.append(f"{marker}: {e(str(c.alliance))} until {c.expiry[:10]} ({state}), certificate {c.certificate_hash}")
    if not report.certifications:
        lines.append("certified by: nobody")
    lines.append(f"seller: {e(str(report.seller)) if report.seller else 'none recorded'}")
    times = "time" if report.scan_count == 1 else "times"
    lines.append(f"scans: this code has been scanned {report.scan_count} {times}")
    if report.custody:
        lines.append("custody: " + " → ".join(e(str(c.holder)) for c in report.custody))
    if report.events:
        lines.append("events:")
        for ev in report.events:
            where = ev.where or (f"GLN {ev.gln}" if ev.gln else "")
            at = f" at {e(where)}" if where else ""
            lines.append(f"  {ev.when.replace('T', ' ')[:16]}  {ev.step:<14} {e(str(ev.who))}{at}")
    for label, nodes in (("made from", report.made_from), ("used in", report.used_in)):
        for node in nodes:
            lines.append(f"{label}: {e(node.product)} lot {e(node.lot)} by {e(str(node.producer))}")
    for r in report.recalls:
        lines.append(
            f"[bold red]recalled[/bold red] {r.when[:10]}: lot {e(r.lot)} by {e(str(r.by))} — {e(r.reason)}"
        )
    return lines
