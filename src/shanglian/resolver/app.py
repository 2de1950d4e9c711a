"""The GS1 Digital Link resolver: the consumer's page, a JSON API, QR images, served from the index.

:func:`create_app` builds the FastAPI app around a :class:`Resolver`: the SQLite index (see
:mod:`.indexer`), the durable scan queue (see :mod:`.scans`), and a worker thread that alternates
index passes with scan flushes. Requests never call the chain: an item page is a few primary-key
lookups (batch facts are cached per batch until the index changes), one membership lookup, one
committed INSERT for the scan, and one count.

Routes:

- ``GET /01/{gtin}/10/{lot}/21/{serial}`` — the item page (HTML, Chinese with English beside it);
  each view of a proven item is a scan, committed before the page is returned.
- ``GET /api/v1/items/{gtin}/{lot}/{serial}`` — the same facts as JSON (:class:`ItemView`); does
  not count as a scan.
- ``GET /qr/01/{gtin}/10/{lot}/21/{serial}`` — the item's QR code (PNG) pointing at this resolver.
- ``GET /healthz`` — index and scan-queue state; ``GET /hello`` — a baseline for the benchmark.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, AsyncIterator, Literal
from urllib.parse import quote

from eth_hash.auto import keccak
from fastapi import FastAPI, Request
from fastapi import Path as FastPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from shanglian import gs1, qr
from shanglian.errors import InputError
from shanglian.provenance import CST, BizStep, batch_id, item_hash
from shanglian.resolver.indexer import Indexer, connect_db
from shanglian.resolver.scans import Flusher, ScanQueue
from shanglian.trace import DEFAULT_SUSPICIOUS_AFTER

__all__ = ["ItemView", "Resolver", "create_app"]

log = logging.getLogger("shanglian.resolver")
TEMPLATES = Path(__file__).with_name("templates")
ZERO32 = bytes(32)

STEP_NAMES = {
    BizStep.COMMISSIONING: "赋码",
    BizStep.HARVESTING: "采收",
    BizStep.INSPECTING: "检验",
    BizStep.PACKING: "包装",
    BizStep.SHIPPING: "发运",
    BizStep.RECEIVING: "收货",
    BizStep.STORING: "仓储",
    BizStep.TRANSFORMING: "加工",
    BizStep.RETAIL_SELLING: "零售",
    BizStep.RECALLING: "召回",
}

# What the path accepts, declared so the schema says it; gs1 checks the rest (check digit,
# character set) and answers 400 naming the field.
Gtin = Annotated[str, FastPath(pattern=r"^([0-9]{8}|[0-9]{12,14})$", description="GTIN-8/12/13/14")]
Lot = Annotated[str, FastPath(min_length=1, max_length=20, description="batch/lot (GS1 AI 10)")]
Serial = Annotated[str, FastPath(min_length=1, max_length=20, description="serial (GS1 AI 21)")]


# ------------------------------------------------------------------------------------------------
# The API's shapes (declared, so /openapi.json says exactly what is returned)


class Party(BaseModel):
    account: str = Field(description="the enterprise's primary account")
    name: str = Field(description="its public name in the registry (empty if none)")


class Place(BaseModel):
    place: str
    region_code: int = Field(description="GB/T 2260 administrative division code")
    latitude: float
    longitude: float


class ProductView(BaseModel):
    gtin: str
    name: str
    features: str
    producer: Party


class BatchView(BaseModel):
    batch_id: str
    lot: str
    origin: Place
    production_date: str = Field(description="ISO date (CST)")
    quantity: int
    producer: Party
    custodian: Party
    created_at: str


class CertificationView(BaseModel):
    alliance: Party
    certificate_hash: str
    certified_at: str
    expiry: str
    valid: bool = Field(description="in force: the latest certification, not revoked, not expired")
    revoked: bool


class CustodyView(BaseModel):
    holder: Party
    since: str


class EventView(BaseModel):
    step: str = Field(description="CBV business step, e.g. retail_selling")
    step_zh: str
    when: str
    who: Party
    gln: str | None
    where: Place | None
    item_level: bool
    transaction: str


class RecallView(BaseModel):
    batch_id: str
    lot: str
    by: Party
    reason: str
    when: str


class ItemView(BaseModel):
    """An item's facts and verdict, as the consumer's page shows them. Times are ISO 8601 in CST."""

    uri: str
    gtin: str
    lot: str
    serial: str
    batch_id: str
    verdict: Literal["genuine", "unknown serial", "recalled", "suspicious scan count"]
    verdict_reason: str
    serial_proven: bool
    product: ProductView | None
    batch: BatchView | None
    seller: Party | None
    certifications: list[CertificationView]
    custody: list[CustodyView]
    events: list[EventView]
    recalled: bool
    recalls: list[RecallView]
    scan_count: int = Field(description="on-chain (indexed) scans plus scans recorded here and not indexed yet")
    scans_on_chain: int
    scans_pending: int
    suspicious_after: int


class Health(BaseModel):
    status: Literal["ok"]
    chain_id: int
    last_block: int
    batches: int
    items_indexed: int
    scans_unsent: int
    scan_flushes: dict[str, int]
    flushing: bool = Field(description="whether a platform account flushes scans on chain")


class Problem(BaseModel):
    error: str
    field: str | None = None


# ------------------------------------------------------------------------------------------------
# The resolver


def _time(stamp: int) -> str:
    return dt.datetime.fromtimestamp(stamp, CST).isoformat(timespec="seconds")


@dataclass
class _BatchFacts:
    """What every item of a batch shares, cached until the index changes."""

    key: bytes
    row: sqlite3.Row
    product: ProductView | None
    batch: BatchView
    seller: Party | None
    certifications: list[dict[str, Any]]
    custody: list[CustodyView]
    events: list[tuple[bytes, EventView]]  # (item hash, event); zero hash: the whole batch
    recalls: list[RecallView]
    serials_status: str
    item_events: frozenset[bytes] = frozenset()  # items with item-level events of their own
    # Item pages pre-rendered for this batch (see create_app), keyed by what varies between
    # items: they live and die with these facts, so an index change drops them too.
    pages: dict[tuple[Any, ...], Any] = field(default_factory=dict)


@dataclass
class _Counted:
    """A proven item's scan, committed, with what its page needs beyond the batch's facts."""

    facts: _BatchFacts
    gtin: str  # GTIN-14
    lot: str
    key: bytes
    serial: str
    item: bytes
    uri: str
    on_chain: int
    pending: int
    verdict: str
    certified: bool | None  # the latest certification in force; None: never certified


class GroupCommit:
    """Scans recorded from the event loop, committed together: every request whose scan arrived
    before the commit ran shares it, and none resumes before its scan is committed. (A writer
    thread was tried and measured slower: the GIL hand-offs cost more than the write.)"""

    def __init__(self, queue: ScanQueue) -> None:
        self.queue = queue
        self._waiting: list[tuple[bytes, bytes, str, asyncio.Future[None]]] = []
        self._scheduled = False

    async def record(self, batch: bytes, serial: str, item: bytes | None = None) -> None:
        """Records the scan, resuming once it is committed; `item`: the serial's hash, if known."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((batch, item_hash(serial) if item is None else item, serial, done))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._commit)
        await done

    def _commit(self) -> None:
        self._scheduled = False
        waiting, self._waiting = self._waiting, []
        try:
            self.queue.record_hashed([(batch, item, serial) for batch, item, serial, _ in waiting])
        except Exception as exc:  # nothing was committed: every request of the group fails
            for *_, done in waiting:
                done.set_exception(exc)
            return
        for *_, done in waiting:
            done.set_result(None)


@dataclass
class Resolver:
    """The index database, the scan queue and the worker that keeps both moving."""

    db_path: Path
    chain_id: int
    indexer: Indexer | None = None  # None: serve the index as it is (no chain)
    flusher_factory: Any = None  # callable(queue) -> Flusher, run in the worker
    suspicious_after: int = DEFAULT_SUSPICIOUS_AFTER
    interval: float = 1.0
    generation: int = 0
    _cache: dict[bytes, _BatchFacts | None] = field(default_factory=dict)
    _cache_generation: int = -1
    _ids: dict[tuple[str, str], tuple[str, str, bytes, str]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _checkpointer: threading.Thread | None = None
    checkpoint_every: float = 0.2  # seconds between WAL checkpoints while the worker runs

    def __post_init__(self) -> None:
        self.conn = connect_db(self.db_path)
        self.conn.row_factory = sqlite3.Row
        self.queue = ScanQueue(self.conn)
        self.writer = GroupCommit(self.queue)
        self._chain_time = (-1, 0)
        if self.indexer is not None:
            self.indexer.on_change = self.changed

    def changed(self) -> None:
        self.generation += 1

    # -- the worker ------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the worker: index passes and scan flushes, in turn, on its own connection; and
        the checkpointer, which moves the WAL into the database off the event loop."""
        if self._thread is not None:
            return
        self._stop.clear()
        # SQLite would otherwise checkpoint inside whichever commit crosses 1000 WAL pages: a
        # scan's commit on the event loop, stalling every request for the checkpoint's fsyncs.
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._thread = threading.Thread(target=self._work, name="resolver-worker", daemon=True)
        self._thread.start()
        self._checkpointer = threading.Thread(target=self._checkpoints, name="resolver-checkpoints", daemon=True)
        self._checkpointer.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in (self._thread, self._checkpointer):
            if thread is not None:
                thread.join(30)
        self._thread = self._checkpointer = None
        self.conn.execute("PRAGMA wal_autocheckpoint=1000")

    def _checkpoints(self) -> None:
        """PASSIVE checkpoints (never blocking a writer or reader) on a connection of their own;
        sqlite3 lets go of the GIL while one runs. Committed scans are in the WAL already: this
        only bounds the WAL's size, it has no part in their durability."""
        conn = connect_db(self.db_path)
        try:
            while not self._stop.wait(self.checkpoint_every):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:
                    log.exception("WAL checkpoint failed; retrying")
        finally:
            conn.close()

    def _work(self) -> None:
        flusher: Flusher | None = None
        if self.flusher_factory is not None:
            flusher = self.flusher_factory(ScanQueue(connect_db(self.db_path)))
        while not self._stop.is_set():
            try:
                if self.indexer is not None:
                    self.indexer.run_once()
                if flusher is not None and flusher.run_once().sent and self.indexer is not None:
                    self.indexer.run_once()
            except Exception:  # a node that went away: logged, retried next pass
                log.exception("resolver worker pass failed; retrying")
            self._stop.wait(self.interval)

    # -- reads -----------------------------------------------------------------------------------

    def _names(self, accounts: list[str | None]) -> dict[str, str]:
        wanted = sorted({a for a in accounts if a})
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        found = dict(self.conn.execute(f"SELECT account, name FROM enterprises WHERE account IN ({marks})", wanted).fetchall())
        return {a: found.get(a, "") for a in wanted}

    def _facts(self, key: bytes) -> _BatchFacts | None:
        if self._cache_generation != self.generation:
            self._cache.clear()
            self._cache_generation = self.generation
        if key not in self._cache:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = self._load_facts(key)
        return self._cache[key]

    def _load_facts(self, key: bytes) -> _BatchFacts | None:
        sql = self.conn.execute
        row = sql("SELECT * FROM batches WHERE batch_id = ?", (key,)).fetchone()
        if row is None:
            return None
        product = sql("SELECT * FROM products WHERE gtin = ?", (row["gtin"],)).fetchone()
        certs = sql("SELECT * FROM certifications WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
        custody = sql("SELECT * FROM custody WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
        events = sql("SELECT * FROM events WHERE batch_id = ? ORDER BY block, log_index", (key,)).fetchall()
        # The batch and everything it was made from: a recall of any of them recalls this one.
        lineage, todo = {key}, [key]
        while todo:
            for (source,) in sql("SELECT input FROM batch_inputs WHERE output = ?", (todo.pop(),)):
                if bytes(source) not in lineage:
                    lineage.add(bytes(source))
                    todo.append(bytes(source))
        marks = ",".join("?" * len(lineage))
        recalls = sql(
            f"SELECT r.*, b.lot FROM recalls r LEFT JOIN batches b ON b.batch_id = r.batch_id "
            f"WHERE r.batch_id IN ({marks}) ORDER BY r.block",
            list(lineage),
        ).fetchall()
        glns = sorted({e["gln"] for e in events if e["gln"]})
        sites = {
            s["gln"]: Place(place=s["place"], region_code=s["region_code"], latitude=s["latitude"], longitude=s["longitude"])
            for s in sql(f"SELECT * FROM locations WHERE gln IN ({','.join('?' * len(glns))})", glns).fetchall()
        } if glns else {}
        names = self._names(
            [row["producer"], row["custodian"], row["seller"], product["producer"] if product else None,
             *(c["alliance"] for c in certs), *(c["holder"] for c in custody), *(e["enterprise"] for e in events),
             *(r["enterprise"] for r in recalls)]
        )

        def party(account: str) -> Party:
            return Party(account=account, name=names.get(account, ""))

        return _BatchFacts(
            key=key,
            row=row,
            product=None if product is None else ProductView(
                gtin=product["gtin"], name=product["name"], features=product["features"], producer=party(product["producer"])
            ),
            batch=BatchView(
                batch_id="0x" + key.hex(),
                lot=row["lot"],
                origin=Place(place=row["place"], region_code=row["region_code"], latitude=row["latitude"], longitude=row["longitude"]),
                production_date=dt.datetime.fromtimestamp(row["production_date"], CST).date().isoformat(),
                quantity=row["quantity"],
                producer=party(row["producer"]),
                custodian=party(row["custodian"]),
                created_at=_time(row["created_at"]),
            ),
            seller=party(row["seller"]) if row["seller"] else None,
            certifications=[
                {"alliance": party(c["alliance"]), "certificate_hash": c["certificate_hash"], "certified_at": c["certified_at"],
                 "expiry": c["expiry"], "revoked_at": c["revoked_at"]}
                for c in certs
            ],
            custody=[CustodyView(holder=party(c["holder"]), since=_time(c["at"])) for c in custody],
            events=[
                (
                    bytes(e["item_hash"]),
                    EventView(
                        step=BizStep(e["step"]).label, step_zh=STEP_NAMES[BizStep(e["step"])], when=_time(e["at"]),
                        who=party(e["enterprise"]), gln=e["gln"], where=sites.get(e["gln"]) if e["gln"] else None,
                        item_level=bytes(e["item_hash"]) != ZERO32, transaction=e["tx"],
                    ),
                )
                for e in events
            ],
            recalls=[
                RecallView(batch_id="0x" + bytes(r["batch_id"]).hex(), lot=r["lot"] or "", by=party(r["enterprise"]),
                           reason=r["reason"], when=_time(r["at"]))
                for r in recalls
            ],
            serials_status=row["serials_status"],
            item_events=frozenset(bytes(e["item_hash"]) for e in events if bytes(e["item_hash"]) != ZERO32),
        )

    def _now(self) -> int:
        if self._chain_time[0] != self.generation:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'last_block_time'").fetchone()
            self._chain_time = (self.generation, int(row[0]) if row else 0)
        return max(int(time.time()), self._chain_time[1])

    def item(self, gtin: str, lot: str, serial: str, count_scan: bool) -> ItemView:
        """The item's view; with `count_scan`, a view of a proven item is first recorded as a scan
        (committed before this returns). Bad identifiers raise InputError naming the field."""
        link, key, facts, proven = self._resolve(gtin, lot, serial)
        if facts is not None and proven and count_scan:
            self.queue.record(key, link.serial or "")
        return self._view(link, key, facts, proven)

    async def item_counted(self, gtin: str, lot: str, serial: str) -> ItemView:
        """:meth:`item` with the scan counted, for the event loop: the scans of requests that arrive
        together are committed in one transaction (group commit), each request resuming only after
        the commit that holds its scan."""
        link, key, facts, proven = self._resolve(gtin, lot, serial)
        if facts is not None and proven:
            await self.writer.record(key, link.serial or "")
        return self._view(link, key, facts, proven)

    def _lot(self, gtin: str, lot: str) -> tuple[str, str, bytes, str]:
        """(GTIN-14, lot, batch id, the link's path up to the serial) of a GTIN and lot as given,
        checked (InputError naming the field, as :class:`gs1.DigitalLink` does) and remembered."""
        found = self._ids.get((gtin, lot))
        if found is None:
            link = gs1.DigitalLink(gtin=gtin, lot=lot, base="")
            found = (link.gtin, link.lot, batch_id(link.gtin, link.lot), link.uri)
            if len(self._ids) > 4096:
                self._ids.clear()
            self._ids[(gtin, lot)] = found
        return found

    async def page_counted(self, gtin: str, lot: str, serial: str) -> _Counted | None:
        """The item page's fast path: for a proven serial, its scan recorded and committed (as in
        :meth:`item_counted`) and the page's per-item facts; None for anything else (an unknown
        lot or serial, not a scan), which :meth:`item_counted` then answers."""
        gtin14, lot, key, prefix = self._lot(gtin, lot)
        gs1.validate_serial(serial)
        facts = self._facts(key)
        if facts is None or self.conn.execute(
            "SELECT 1 FROM items WHERE batch_id = ? AND serial = ?", (key, serial)
        ).fetchone() is None:
            return None
        item = keccak(serial.encode("ascii"))
        await self.writer.record(key, serial, item)
        on_chain, pending = self.queue.counts(key, item)
        if facts.recalls:
            verdict = "recalled"
        elif on_chain + pending > self.suspicious_after:
            verdict = "suspicious scan count"
        else:
            verdict = "genuine"
        certified = None
        if facts.certifications:
            latest = facts.certifications[-1]
            certified = latest["revoked_at"] is None and latest["expiry"] > self._now()
        return _Counted(facts, gtin14, lot, key, serial, item, prefix + "/21/" + quote(serial, safe=""),
                        on_chain, pending, verdict, certified)

    def _resolve(self, gtin: str, lot: str, serial: str) -> tuple[gs1.DigitalLink, bytes, _BatchFacts | None, bool]:
        link = gs1.DigitalLink(gtin=gtin, lot=lot, serial=serial, base="")
        key = batch_id(link.gtin, link.lot)
        facts = self._facts(key)
        proven = facts is not None and self.conn.execute(
            "SELECT 1 FROM items WHERE batch_id = ? AND serial = ?", (key, link.serial)
        ).fetchone() is not None
        return link, key, facts, proven

    def _view(self, link: gs1.DigitalLink, key: bytes, facts: _BatchFacts | None, proven: bool) -> ItemView:
        serial = link.serial or ""
        base: dict[str, Any] = {
            "uri": link.uri, "gtin": link.gtin, "lot": link.lot, "serial": serial, "batch_id": "0x" + key.hex(),
            "suspicious_after": self.suspicious_after,
        }
        if facts is None:
            return ItemView(
                **base, verdict="unknown serial", verdict_reason=f"no lot {link.lot} of GTIN {link.gtin} is registered on chain",
                serial_proven=False, product=None, batch=None, seller=None, certifications=[], custody=[], events=[],
                recalled=False, recalls=[], scan_count=0, scans_on_chain=0, scans_pending=0,
            )
        item = item_hash(serial)
        on_chain_row = self.conn.execute(
            "SELECT total FROM scan_totals WHERE batch_id = ? AND item_hash = ?", (key, item)
        ).fetchone()
        on_chain = int(on_chain_row[0]) if on_chain_row else 0
        pending = self.queue.pending(key, item)
        count = on_chain + pending
        now = self._now()
        certifications = []
        latest = facts.certifications[-1] if facts.certifications else None
        for c in facts.certifications:
            current = c is latest and c["revoked_at"] is None
            certifications.append(CertificationView(
                alliance=c["alliance"], certificate_hash=c["certificate_hash"], certified_at=_time(c["certified_at"]),
                expiry=_time(c["expiry"]), valid=current and c["expiry"] > now, revoked=c["revoked_at"] is not None,
            ))
        if not proven:
            verdict = "unknown serial"
            reason = {
                "none": f"lot {link.lot} was registered without serials, so no serial can be proven",
                "missing": f"the producer has not published the serial list of lot {link.lot}",
                "mismatch": f"the published serial list of lot {link.lot} does not match its on-chain root",
            }.get(facts.serials_status, f"serial {serial} was never issued in lot {link.lot}: the label may be forged")
        elif facts.recalls:
            first = facts.recalls[0]
            through = "" if first.batch_id == base["batch_id"] else f" (through lot {first.lot} it was made from)"
            verdict, reason = "recalled", f"lot {link.lot} is recalled{through} by {first.by.name or first.by.account}: {first.reason}"
        elif count > self.suspicious_after:
            verdict = "suspicious scan count"
            reason = f"scanned {count} times, more than the {self.suspicious_after} plausible for one item: the code may be copied"
        else:
            verdict, reason = "genuine", f"serial {serial} is proven a member of lot {link.lot}"
        return ItemView(
            **base, verdict=verdict, verdict_reason=reason, serial_proven=proven, product=facts.product,
            batch=facts.batch, seller=facts.seller, certifications=certifications, custody=facts.custody,
            events=[e for h, e in facts.events if h == ZERO32 or h == item], recalled=bool(facts.recalls),
            recalls=facts.recalls, scan_count=count, scans_on_chain=on_chain, scans_pending=pending,
        )

    def health(self) -> Health:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'last_block'").fetchone()
        batches, items = self.conn.execute("SELECT COUNT(*), COALESCE(SUM(serial_count), 0) FROM batches").fetchone()
        stats = self.queue.stats()
        return Health(
            status="ok", chain_id=self.chain_id, last_block=int(row[0]) if row else -1, batches=batches,
            items_indexed=items, scans_unsent=stats.pop("unsent"),
            scan_flushes={k.removeprefix("flushes_"): v for k, v in stats.items()},
            flushing=self.flusher_factory is not None,
        )


# ------------------------------------------------------------------------------------------------
# The app


class _AsgiEndpoint:
    """An ASGI callable that Starlette's Route mounts as it is (a bare function it would wrap)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class _Skeleton:
    """A rendered item page with slots (``\\0name\\0``, which neither the facts nor escaping can
    produce) where the per-item values go; :meth:`fill` joins it as UTF-8 bytes."""

    FIELDS = {"serial": "serial", "uri": "uri", "scan_count": "count", "scans_on_chain": "on_chain",
              "scans_pending": "pending"}
    _SLOT = re.compile("\0([a-z_]+)\0")

    def __init__(self, html: str) -> None:
        pieces = self._SLOT.split(html)
        self.literals = [p.encode() for p in pieces[0::2]]
        self.slots = pieces[1::2]
        known = {*self.FIELDS.values(), "plural"}
        if not set(self.slots) <= known:
            raise ValueError(f"unknown slots in the item page: {set(self.slots) - known}")

    def fill(self, values: dict[str, bytes]) -> bytes:
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:]):
            out.append(values[slot])
            out.append(literal)
        return b"".join(out)


def create_app(resolver: Resolver, run_worker: bool = True) -> FastAPI:
    """The FastAPI app serving `resolver`; the worker runs while the app does (`run_worker`)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if run_worker:
            resolver.start()
        try:
            yield
        finally:
            resolver.stop()

    app = FastAPI(
        title="shanglian resolver",
        version="1",
        summary="GS1 Digital Link resolver: where a product really came from, and how often its code was scanned",
        lifespan=lifespan,
    )
    templates = Jinja2Templates(directory=str(TEMPLATES))
    page_template = templates.env.get_template("item.html")
    fragments: dict[tuple[Any, ...], Markup] = {}

    def fragment(name: str, view: ItemView, variant: tuple[Any, ...]) -> Markup:
        key = (resolver.generation, name, view.batch_id, variant)
        if key not in fragments:
            if len(fragments) > 4096 or any(k[0] != resolver.generation for k in list(fragments)[:1]):
                fragments.clear()
            fragments[key] = Markup(templates.env.get_template(name).render(item=view))
        return fragments[key]

    def problem_page(request: Request, status: int, message: str) -> Response:
        return templates.TemplateResponse(request, "problem.html", {"status": status, "message": message}, status_code=status)

    def wants_html(request: Request) -> bool:
        return request.url.path.startswith("/01/")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = (
            "no such page: an item's page is /01/<gtin>/10/<lot>/21/<serial>, its data /api/v1/items/<gtin>/<lot>/<serial>"
            if exc.status_code == 404 else str(exc.detail)
        )
        if wants_html(request):
            page = problem_page(request, exc.status_code, message)
            page.headers.update(exc.headers or {})
            return page
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = str(first.get("loc", ("", "request"))[-1])
        message = f"{where}: {first.get('msg', 'invalid request')}"
        if wants_html(request):
            return problem_page(request, 400, message)
        return JSONResponse({"error": message, "field": where}, status_code=400)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        if wants_html(request):
            return problem_page(request, 400, str(exc))
        return JSONResponse({"error": str(exc), "field": exc.field}, status_code=400)

    errors: dict[int | str, dict[str, Any]] = {400: {"model": Problem, "description": "a malformed GTIN, lot or serial"}}

    page_responses = {**errors, 404: {"content": {"text/html": {}}, "description": "the lot is not registered on chain"}}

    def render_page(view: ItemView, plural: str | None = None) -> str:
        facts_html = story_html = Markup("")
        if view.batch is not None and view.serial_proven:
            # The parts every item of a batch shares are rendered once per batch and index state.
            facts_html = fragment("item_facts.html", view, tuple(c.valid for c in view.certifications))
            story_html = fragment("item_story.html", view, tuple(e.transaction for e in view.events if e.item_level))
        if plural is None:
            plural = "" if view.scan_count == 1 else "s"
        return page_template.render(item=view, facts_html=facts_html, story_html=story_html, scan_plural=plural)

    def page_key(verdict: str, certified: bool | None, events: bool, item: bytes, gtin: str, lot: str) -> tuple[Any, ...]:
        return (verdict, certified, item if events else None, gtin, lot)

    def proven_page(counted: _Counted) -> bytes:
        """A proven item's page: its batch's page, pre-rendered with slots for what differs from
        item to item (serial, link, counts), filled in. The first view of each variant renders
        the page in full, and that rendering becomes the variant's skeleton."""
        facts = counted.facts
        key = page_key(counted.verdict, counted.certified, counted.item in facts.item_events, counted.item,
                       counted.gtin, counted.lot)
        skeleton = facts.pages.get(key)
        if skeleton is not None:
            count = counted.on_chain + counted.pending
            return skeleton.fill({
                "serial": str(escape(counted.serial)).encode(), "uri": counted.uri.encode("ascii"),
                "count": str(count).encode("ascii"), "plural": b"" if count == 1 else b"s",
                "on_chain": str(counted.on_chain).encode("ascii"), "pending": str(counted.pending).encode("ascii"),
            })
        link = gs1.DigitalLink(gtin=counted.gtin, lot=counted.lot, serial=counted.serial, base="")
        view = resolver._view(link, counted.key, facts, True)
        if len(facts.pages) > 1024:
            facts.pages.clear()
        certs = view.certifications
        facts.pages[page_key(
            view.verdict, certs[-1].valid if certs else None, any(e.item_level for e in view.events), counted.item,
            view.gtin, view.lot,
        )] = _Skeleton(render_page(view.model_copy(update={f: f"\0{slot}\0" for f, slot in _Skeleton.FIELDS.items()}),
                                   plural="\0plural\0"))
        return render_page(view).encode()

    @app.get("/01/{gtin}/10/{lot}/21/{serial}", response_class=HTMLResponse, responses=page_responses,
             summary="The item's page")
    async def item_page(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        counted = await resolver.page_counted(gtin, lot, serial)
        if counted is not None:
            return HTMLResponse(proven_page(counted))
        view = await resolver.item_counted(gtin, lot, serial)
        return HTMLResponse(render_page(view), status_code=404 if view.batch is None else 200)

    # The same page without FastAPI's per-request machinery (parameter models, dependency
    # solving) on its hot path: a plain ASGI route ahead of the declared one, answering a GET of
    # a proven serial that the declared route would accept, and handing every other request to
    # the declared route, which answers it as before (and is the one /openapi.json describes).
    declared = app.router.routes[-1]
    assert isinstance(declared, APIRoute) and declared.endpoint is item_page
    gtin_pattern = re.compile(r"([0-9]{8}|[0-9]{12,14})")

    async def item_page_fast(scope: Any, receive: Any, send: Any) -> None:
        params = scope["path_params"]
        gtin, lot, serial = params["gtin"], params["lot"], params["serial"]
        counted = None
        if scope["method"] == "GET" and gtin_pattern.fullmatch(gtin) and 0 < len(lot) <= 20 and 0 < len(serial) <= 20:
            counted = await resolver.page_counted(gtin, lot, serial)
        if counted is None:
            await declared.handle(scope, receive, send)
            return
        body = proven_page(counted)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(body)).encode("ascii")), (b"content-type", b"text/html; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body})

    app.router.routes.insert(len(app.router.routes) - 1, Route(
        declared.path, _AsgiEndpoint(item_page_fast), methods=["GET"], name="item_page_fast", include_in_schema=False))

    @app.get("/api/v1/items/{gtin}/{lot}/{serial}", response_model=ItemView, responses=errors, summary="The item's facts")
    async def item_api(gtin: Gtin, lot: Lot, serial: Serial) -> ItemView:
        return resolver.item(gtin, lot, serial, count_scan=False)

    @app.get(
        "/qr/01/{gtin}/10/{lot}/21/{serial}",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}, "description": "QR code (PNG)"}, **errors},
        summary="The item's QR code",
    )
    async def item_qr(request: Request, gtin: Gtin, lot: Lot, serial: Serial) -> Response:
        base = str(request.base_url).rstrip("/")
        link = gs1.DigitalLink(gtin=gtin, lot=lot, serial=serial, base=base)
        return Response(qr.png(link.uri), media_type="image/png")

    @app.get("/healthz", response_model=Health, summary="Index and scan-queue state")
    async def healthz() -> Health:
        return resolver.health()

    @app.get("/hello", response_class=PlainTextResponse, summary="Hello world (benchmark baseline)")
    async def hello() -> str:
        return "hello"

    return app
