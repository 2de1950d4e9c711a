"""The resolver's core: the index database, the scan queue and the worker thread that keeps both
moving (index passes and scan flushes, WAL checkpoints), the cache of batch facts, and an item's
view and verdict. Requests never call the chain.

Whose scans count. Any active platform may record scans on any batch, so a rogue platform could
inflate a competitor's counts until its items read "suspicious". An item's count is therefore the
scans recorded on chain by the platforms this resolver trusts — its own platform (the enterprise
its ``--account`` acts for) and those given with ``--trust-platform`` — plus its own scans not
indexed yet; scans recorded by any other platform are indexed but not counted.

A node that cannot be reached makes the resolver *degraded*: /healthz answers 503 with the reason,
the log gets one line when that starts and one when it ends, and the worker retries with a backoff
(doubling up to 30 s) instead of every interval. Pages are still served from the index. A database
connection the server dropped (PostgreSQL restarted) fails the pass that met it, and is replaced
on the next (see :class:`.store.PostgresDatabase`).

Where the item page's work runs. On SQLite, on the event loop: its statements are calls into the
library, not round trips (a writer thread was measured slower there). On PostgreSQL every statement is a round
trip to a server and a commit waits for its WAL flush, so the page's reads (the batch's facts when
not cached, membership and counts in one statement) run on reader threads, each with a connection
of its own, and the scan is committed by the group commit's thread (:class:`.scans.GroupCommit`):
the event loop never waits for the server, and a page still returns only after its scan is
committed."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sha3 import keccak_256

from shanglian import gs1
from shanglian.errors import InputError
from shanglian.provenance import batch_id, item_hash
from shanglian.resolver import hall_queries, queries
from shanglian.resolver.hall_views import VerifyView
from shanglian.resolver.indexer import Indexer, connect_db
from shanglian.resolver.queries import ZERO32, BatchFacts
from shanglian.resolver.scans import DEFAULT_SCAN_WINDOW, Flusher, GroupCommit, ScanQueue
from shanglian.resolver.store import Database
from shanglian.resolver.views import CertificationView, Health, ItemView, cst_time
from shanglian.roles import Role
from shanglian.trace import DEFAULT_SUSPICIOUS_AFTER

log = logging.getLogger("shanglian.resolver")


def certificate_status(cert: dict[str, Any], latest: dict[str, Any] | None, recalled: bool, now: int) -> str:
    """What certification `cert` of a batch is worth at `now`, as the contract's
    ``certificationStatus`` answers for the current one (the batch's latest, if not revoked)."""
    if cert["revoked_at"] is not None:
        return "revoked"
    if cert is not latest:
        return "replaced"
    if recalled:
        return "recalled"
    if cert["expiry"] <= now:
        return "expired"
    status, roles, licence_expiry = cert["standing"] or ("unknown", 0, 0)
    if status != "active" or not roles & Role.QUALITY_ALLIANCE or licence_expiry <= now:
        return "certifier_inactive"
    return "valid"


MAX_BACKOFF = 30.0  # seconds between the worker's tries while the node is unreachable
_MISSING = object()
READERS = 4  # threads reading item pages' rows from PostgreSQL, each on its own connection


@dataclass
class Counted:
    """A proven item's view (a scan if it counted, committed), with what its page needs beyond the
    batch's facts."""

    facts: BatchFacts
    gtin: str  # GTIN-14
    lot: str
    key: bytes
    serial: str
    item: bytes
    uri: str
    on_chain: int
    pending: int
    verdict: str
    certified: str | None  # the status of the latest certification; None: never certified


@dataclass
class Resolver:
    """The index database, the scan queue and the worker that keeps both moving."""

    db_path: Path | str  # an SQLite file or a postgresql:// URL (see .store)
    chain_id: int
    indexer: Indexer | None = None  # None: serve the index as it is (no chain)
    flusher_factory: Any = None  # callable(queue) -> Flusher, run in the worker
    suspicious_after: int = DEFAULT_SUSPICIOUS_AFTER
    interval: float = 1.0
    platforms: tuple[str, ...] = ()  # whose on-chain scans count (see the module doc)
    scan_window: float = DEFAULT_SCAN_WINDOW
    generation: int = 0
    degraded: str | None = None  # why the worker's last pass failed (None: it did not)
    _cache: dict[bytes, BatchFacts | None] = field(default_factory=dict)
    _cache_generation: int = -1
    _ids: dict[tuple[str, str], tuple[str, str, bytes, str]] = field(default_factory=dict)
    _answers: dict[tuple[Any, ...], tuple[int, int, bytes]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _checkpointer: threading.Thread | None = None
    checkpoint_every: float = 0.2  # seconds between WAL checkpoints while the worker runs

    def __post_init__(self) -> None:
        self.conn = connect_db(self.db_path, named_rows=True)
        self.platforms = tuple(self.platforms)
        self.queue = ScanQueue(self.conn, self.scan_window)
        # On SQLite the event loop commits the scans itself; on PostgreSQL a thread does, on a
        # connection of its own, so that pages are served while a commit waits for the server.
        threaded = self.conn.kind == "postgresql"
        self.writer = GroupCommit(ScanQueue(self.conn.reopen(), self.scan_window) if threaded else self.queue, threaded)
        # PostgreSQL: the item page's reads too, on threads with connections of their own (see
        # page_counted); SQLite's are calls into the library, made on the event loop.
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="page-reads") if threaded else None
        self._reader_local = threading.local()
        self._reader_conns: list[Any] = []
        self._chain_time = (-1, 0)
        if self.indexer is not None:
            self.indexer.on_change = self.changed

    def changed(self) -> None:
        self.generation += 1

    # -- the worker ------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the worker: index passes and scan flushes, in turn, on its own connection; and
        for SQLite the checkpointer, which moves the WAL into the database off the event loop."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._work, name="resolver-worker", daemon=True)
        self._thread.start()
        if self.conn.needs_checkpoints:
            # SQLite would otherwise checkpoint inside whichever commit crosses 1000 WAL pages: a
            # scan's commit on the event loop, stalling every request for the checkpoint's fsyncs.
            self.conn.hold_checkpoints(True)
            self._checkpointer = threading.Thread(target=self._checkpoints, name="resolver-checkpoints", daemon=True)
            self._checkpointer.start()

    def stop(self) -> None:
        self.writer.close()
        self._close_readers()
        self._stop.set()
        for thread in (self._thread, self._checkpointer):
            if thread is not None:
                thread.join(30)
        self._thread = self._checkpointer = None
        self.conn.hold_checkpoints(False)

    def _close_readers(self) -> None:
        """Waits for the page reads in flight and closes the readers' connections (PostgreSQL);
        reads after this open new ones."""
        if self._readers is None:
            return
        self._readers.shutdown(wait=True)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="page-reads")
        for conn in self._reader_conns:
            conn.close()
        self._reader_conns.clear()
        self._reader_local = threading.local()

    def _checkpoints(self) -> None:
        """PASSIVE checkpoints (never blocking a writer or reader) on a connection of their own;
        sqlite3 lets go of the GIL while one runs. Committed scans are in the WAL already: this
        only bounds the WAL's size, it has no part in their durability."""
        conn = self.conn.reopen()
        try:
            while not self._stop.wait(self.checkpoint_every):
                try:
                    conn.checkpoint()
                except sqlite3.Error:
                    log.exception("WAL checkpoint failed; retrying")
        finally:
            conn.close()

    def _work(self) -> None:
        flusher: Flusher | None = None
        if self.flusher_factory is not None:
            flusher = self.flusher_factory(ScanQueue(connect_db(self.db_path), self.scan_window))
        wait = self.interval
        while not self._stop.is_set():
            wait = self.interval if self.run_pass(flusher) else min(max(wait * 2, self.interval), MAX_BACKOFF)
            self._stop.wait(wait)

    def run_pass(self, flusher: Flusher | None = None) -> bool:
        """One index pass and scan flush; whether it went through. A failure makes the resolver
        degraded (one log line when that starts or its reason changes, one when it ends)."""
        try:
            if self.indexer is not None:
                self.indexer.run_once()
            if flusher is not None and flusher.run_once().sent and self.indexer is not None:
                self.indexer.run_once()
        except Exception as exc:
            reason = _reason(exc)
            if reason != self.degraded:
                log.warning("degraded: %s (serving the index as it is, retrying with backoff)", reason)
            self.degraded = reason
            return False
        if self.degraded is not None:
            log.warning("recovered: the index follows the chain again")
            self.degraded = None
        return True

    # -- reads -----------------------------------------------------------------------------------

    def _facts(self, key: bytes, conn: Database | None = None) -> BatchFacts | None:
        """The facts of batch `key`, kept until the index changes; read on `conn` (the event loop's
        connection if None) when not kept. (Reader threads share the cache: a clear by one of them
        between another's store and read costs a read again, never a wrong answer.)"""
        if self._cache_generation != self.generation:
            self._cache.clear()
            self._cache_generation = self.generation
        kept = self._cache.get(key, _MISSING)
        if kept is not _MISSING:
            return kept  # type: ignore[return-value]
        if len(self._cache) > 4096:
            self._cache.clear()
        facts = self._cache[key] = queries.batch_facts(conn or self.conn, key)
        return facts

    def _now(self) -> int:
        if self._chain_time[0] != self.generation:
            self._chain_time = (self.generation, queries.last_block_time(self.conn))
        return max(int(time.time()), self._chain_time[1])

    def verify(self, digest: bytes, algorithm: str | None = None) -> bytes:
        """What the index holds for a document's digest, as the JSON of a :class:`VerifyView`; with
        `algorithm` (sha256 or sm3), only the records filed with that algorithm."""
        return self._answer(("digest", digest, algorithm), lambda now: self._by_digest(digest, algorithm, now))

    def verify_record(self, kind: str, key: bytes) -> bytes:
        """The record a QR code names (kind: evidence, licence or work), as the JSON of a VerifyView."""
        return self._answer(("record", kind, key), lambda now: hall_queries.by_record(self.conn, kind, key, now))

    def _by_digest(self, digest: bytes, algorithm: str | None, now: int) -> tuple[VerifyView, int]:
        view, changes_at = hall_queries.by_digest(self.conn, digest, now)
        if algorithm is None:
            return view, changes_at
        label = {"sha256": "SHA-256", "sm3": "SM3"}[algorithm]
        evidence = [e for e in view.evidence if e.algorithm == label]
        licence = view.licence if view.licence and view.licence.algorithm == label else None
        work = view.work if view.work and view.work.algorithm == label else None
        return view.model_copy(update={"evidence": evidence, "licence": licence, "work": work,
                                       "found": bool(evidence) or licence is not None or work is not None}), changes_at

    def _answer(self, key: tuple[Any, ...], build: Any) -> bytes:
        """An answer's JSON, kept until the index changes or the moment the answer would change by
        itself (a licence's validity starting or ending): a page that drops the same file twice, or
        many phones scanning one licence's QR code, are one set of queries."""
        now = self._now()
        kept = self._answers.get(key)
        if kept is not None and kept[0] == self.generation and now < kept[1]:
            return kept[2]
        view, changes_at = build(now)
        body = view.model_dump_json().encode()
        if len(self._answers) > 4096:
            self._answers.clear()
        self._answers[key] = (self.generation, changes_at, body)
        return body

    def item(self, gtin: str, lot: str | None, serial: str | None, count_scan: bool = False) -> ItemView:
        """The view of an item (or of a lot, `serial` None); with `count_scan`, a view of a proven
        item is first recorded as a scan (committed before this returns). Bad identifiers raise
        InputError naming the field."""
        return self.link_view(gs1.DigitalLink(gtin, lot, serial, base=""), count_scan)

    def link_view(self, link: gs1.DigitalLink, count_scan: bool = False) -> ItemView:
        """:meth:`item` for a link naming a lot or an item by lot and serial."""
        key, facts, proven = self._resolve(link)
        if facts is not None and proven and count_scan:
            self.queue.record(key, link.serial or "")
        return self.view(link, key, facts, proven)

    async def link_counted(self, link: gs1.DigitalLink, client: bytes | None) -> ItemView:
        """The view of an item a page shows, a proven item's view recorded first for `client` (None:
        not a scan; see :meth:`.scans.ScanQueue.record_views`), for the event loop: the scans of
        requests that arrive together are committed in one transaction (group commit), each request
        resuming only after the commit that holds its scan."""
        key, facts, proven = self._resolve(link)
        if facts is not None and proven and client is not None and link.serial is not None:
            await self.writer.record(key, link.serial, client=client)
        return self.view(link, key, facts, proven)

    def lots_of_serial(self, gtin: str, serial: str) -> list[str]:
        """The lots of GTIN `gtin` whose published serial list holds `serial` (a link that names an
        item by GTIN and serial alone is resolved through them)."""
        return queries.lots_with_serial(self.conn, gtin, serial)

    def view_unknown_serial(self, link: gs1.DigitalLink) -> ItemView:
        """The view of a link naming an item by GTIN and serial that no published serial list holds."""
        return ItemView(
            uri=link.uri, gtin=link.gtin, lot="", serial=link.serial, batch_id="0x" + ZERO32.hex(),
            verdict="unknown serial", serial_proven=False,
            verdict_reason=f"serial {link.serial} is in no published serial list of GTIN {link.gtin}: the label may be forged",
            product=self.product(link.gtin), batch=None, seller=None, certifications=[], custody=[], events=[],
            recalled=False, recalls=[], scan_count=0, scans_on_chain=0, scans_pending=0,
            suspicious_after=self.suspicious_after,
        )

    def product(self, gtin: str) -> Any:
        """The product registered under GTIN-14 `gtin`, or None."""
        return queries.product(self.conn, gtin)

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

    async def page_counted(self, gtin: str, lot: str, serial: str, client: bytes | None) -> Counted | None:
        """The item page's fast path: for a proven serial, its view recorded for `client` and
        committed (as in :meth:`link_counted`) and the page's per-item facts; None for anything
        else (an unknown lot or serial), which :meth:`link_counted` then answers."""
        gtin14, lot, key, prefix = self._lot(gtin, lot)
        gs1.validate_serial(serial)
        item = keccak_256(serial.encode("ascii")).digest()  # item_hash, the serial checked above
        if self._readers is not None:
            # PostgreSQL: the reads on a reader thread, the scan by the writer's thread, so the event
            # loop never waits for the server. The counts are read first; a counted view adds its
            # own scan to them, as reading them after its commit would.
            found = await asyncio.get_running_loop().run_in_executor(self._readers, self._item_counts, serial, key, item)
            if found is None:
                return None
            facts, on_chain, pending = found
            if client is not None and await self.writer.record(key, serial, item, client):
                pending += 1
        else:
            facts = self._facts(key)
            if facts is None or not queries.is_item(self.conn, facts, serial):
                return None
            if client is not None:
                await self.writer.record(key, serial, item, client)
            on_chain, pending = self.queue.counts(key, item, self.platforms)
        if facts.recalls:
            verdict = "recalled"
        elif on_chain + pending > self.suspicious_after:
            verdict = "suspicious scan count"
        else:
            verdict = "genuine"
        certified = None
        if facts.certifications:
            latest = facts.certifications[-1]
            certified = certificate_status(latest, latest, bool(facts.recalls), self._now())
        return Counted(facts, gtin14, lot, key, serial, item, prefix + "/21/" + quote(serial, safe=""),
                       on_chain, pending, verdict, certified)

    def _item_counts(self, serial: str, key: bytes, item: bytes) -> tuple[BatchFacts, int, int] | None:
        """On a reader thread: the facts of batch `key` and the item's counts (as
        :meth:`.ScanQueue.counts`); None if `serial` is not a proven member of the batch."""
        queue = getattr(self._reader_local, "queue", None)
        if queue is None:
            conn = self.conn.reopen(named_rows=True)  # batch_facts reads rows by column name
            self._reader_conns.append(conn)
            queue = self._reader_local.queue = ScanQueue(conn, self.scan_window)
        facts = self._facts(key, queue.conn)
        counts = None if facts is None else queue.member_counts(facts.number, serial, key, item, self.platforms)
        return None if counts is None else (facts, *counts)

    def _resolve(self, link: gs1.DigitalLink) -> tuple[bytes, BatchFacts | None, bool]:
        if link.lot is None:
            raise InputError("lot", f"{link.uri} names no lot; resolve it through its lots first")
        key = batch_id(link.gtin, link.lot)
        facts = self._facts(key)
        proven = facts is not None and link.serial is not None and queries.is_item(self.conn, facts, link.serial)
        return key, facts, proven

    def view(self, link: gs1.DigitalLink, key: bytes, facts: BatchFacts | None, proven: bool) -> ItemView:
        """The item's facts and verdict: `facts` of its batch (None: no such lot), `proven` whether its
        serial is a member of the batch's published list. A link without serial gets the lot's
        facts and its batch-level story, with no scan count (a lot's code is on every box)."""
        serial = link.serial
        lot = link.lot or ""
        base: dict[str, Any] = {
            "uri": link.uri, "gtin": link.gtin, "lot": lot, "serial": serial, "batch_id": "0x" + key.hex(),
            "suspicious_after": self.suspicious_after,
        }
        if facts is None:
            return ItemView(
                **base, verdict="unknown serial", verdict_reason=f"no lot {lot} of GTIN {link.gtin} is registered on chain",
                serial_proven=None if serial is None else False, product=self.product(link.gtin), batch=None,
                seller=None, certifications=[], custody=[], events=[], recalled=False, recalls=[], scan_count=0,
                scans_on_chain=0, scans_pending=0,
            )
        item = item_hash(serial) if serial is not None else ZERO32
        on_chain, pending = self.queue.counts(key, item, self.platforms) if serial is not None else (0, 0)
        count = on_chain + pending
        now = self._now()
        certifications = []
        latest = facts.certifications[-1] if facts.certifications else None
        for c in facts.certifications:
            status = certificate_status(c, latest, bool(facts.recalls), now)
            certifications.append(CertificationView(
                alliance=c["alliance"], certificate_hash=c["certificate_hash"], certified_at=cst_time(c["certified_at"]),
                expiry=cst_time(c["expiry"]), valid=status == "valid", status=status,
                revoked=c["revoked_at"] is not None, revoked_by=c["revoked_by"],
            ))
        if serial is None:
            verdict, reason = "genuine", f"lot {lot} is registered on chain; a lot's code names no single item"
            if facts.recalls:
                first = facts.recalls[0]
                through = "" if first.batch_id == base["batch_id"] else f" (through lot {first.lot} it was made from)"
                verdict, reason = "recalled", f"lot {lot} is recalled{through} by {first.by.name or first.by.account}: {first.reason}"
        elif not proven:
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
            **base, verdict=verdict, verdict_reason=reason, serial_proven=proven if serial is not None else None, product=facts.product,
            batch=facts.batch, seller=facts.seller, certifications=certifications, custody=facts.custody,
            events=[e for h, e in facts.events if h == ZERO32 or h == item],
            recalled=bool(facts.recalls),
            recalls=facts.recalls, scan_count=count, scans_on_chain=on_chain, scans_pending=pending,
        )

    def health(self) -> Health:
        last_block, batches, items = queries.index_state(self.conn)
        stats = self.queue.stats()
        return Health(
            status="ok" if self.degraded is None else "degraded", reason=self.degraded,
            chain_id=self.chain_id, last_block=last_block, batches=batches,
            items_indexed=items, scans_unsent=stats.pop("unsent"),
            scan_flushes={k.removeprefix("flushes_"): v for k, v in stats.items()},
            flushing=self.flusher_factory is not None, counted_platforms=list(self.platforms),
            scan_window=self.scan_window,
        )


def _reason(exc: Exception) -> str:
    """One line saying why a pass failed: an unreachable node is named as such."""
    import requests

    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError)):
        return f"the node is unreachable ({type(exc).__name__})"
    if isinstance(exc, requests.exceptions.Timeout):
        return "the node does not answer in time"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
