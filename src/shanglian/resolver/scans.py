"""Consumer scans: a durable queue in the resolver's database and a flusher that records them on chain
exactly once.

A page view inserts one row into ``scan_queue`` and commits before the page is returned, so a
scan the consumer saw counted is never lost. The :class:`Flusher` (run by the resolver's worker,
between index passes) sends the pending scans on chain in batches, signed by the platform account:

1. In one transaction it creates a ``scan_flushes`` row with a deterministic key
   (``keccak256("shanglian:scans:<index id>:<flush id>")``), and assigns the queued rows to it.
   The key is on disk before anything is sent.
2. It sends ``recordScans(key, batch, records)``, one (item, count) record per item. The contract
   refuses a key it has seen from this platform (``ProvenanceScanBatchRecorded``), so a resend can
   never count twice.
3. It marks the flush ``done``.

After a crash, flushes still ``sending`` are settled first: if ``scanBatchRecorded(platform, key)``
says the key landed, the flush is marked done and not resent; otherwise it is resent under the
same key with the same rows. None lost, none counted twice.

A flush marked ``done`` is not final until the index holds its ``ScanBatchRecorded`` event: a node
can come back without its last blocks (killed, restarted from an older state), taking the record
with it. So every pass asks the chain about the done flushes the index does not hold, and puts
one the chain does not have back to ``sending`` (same key, same rows). The index rebuilds itself
when it notices lost blocks (see :mod:`shanglian.resolver.indexer`) and forgets ``scans_indexed_through``,
the flush up to which everything was seen indexed, so after a rebuild every flush is checked again.

The count a page shows is the indexed on-chain total plus the local scans whose flush is not yet
in the index (its key is absent from the indexed ``ScanBatchRecorded`` events), so a scan is
counted once whether or not its flush has been sent, mined, or indexed.

What is a scan. A count is meant to say how many people looked at one box, so a page view is
queued as a scan only once per client per item per window: each queued scan keeps a salted hash
of its client (address and user agent), and a view whose client has a scan of the item queued within
the window is not queued (a lookup on the queue's index by item, whose pages the count reads anyway;
a table of its own, keyed by random hashes, measured a fifth slower). Which views are not scans at
all is decided before (see :mod:`shanglian.resolver.clients`): HEAD requests, known bots and
link-preview fetchers, browser prefetches, requests without a user agent. The window is checked
inside the same transaction that queues the scan, so reloads arriving together are one scan
too, and it survives a restart.

Several resolvers on one PostgreSQL database (:mod:`.store`) share the queue. The window's check
and insert are serialised per item (a transaction lock on the item's key), and one flusher at a
time sends: the worker that holds the database's flusher lease. A process killed with SIGKILL
loses the lease with its connection; the next holder first settles the flushes left ``sending``
against the chain by their keys (step 3 above), so a flush's key is sent by one flusher at a time
and recorded once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from eth_hash.auto import keccak
from web3.contract import Contract
from web3.exceptions import Web3Exception

from shanglian.errors import ContractError, ShanglianError
from shanglian.pipeline import CallEncoder, Job, Journal, Pipeline
from shanglian.provenance import MAX_SCANS_PER_CALL, Provenance, item_hash, pack_scans
from shanglian.resolver.indexer import set_meta
from shanglian.resolver.store import Database
from shanglian.transactions import Transactor

__all__ = ["QUEUE_SCHEMA", "FlushResult", "Flusher", "GroupCommit", "ScanQueue"]

log = logging.getLogger("shanglian.resolver.scans")

QUEUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS scan_flushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, scan_key BLOB NOT NULL UNIQUE, batch_id BLOB NOT NULL,
    status TEXT NOT NULL, created_at REAL NOT NULL, sent_at REAL, tx TEXT, error TEXT);
CREATE TABLE IF NOT EXISTS scan_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch_id BLOB NOT NULL, item_hash BLOB NOT NULL,
    serial TEXT NOT NULL, at REAL NOT NULL, flush_id INTEGER REFERENCES scan_flushes (id), client BLOB);
CREATE INDEX IF NOT EXISTS scan_queue_by_item ON scan_queue (batch_id, item_hash, flush_id);
CREATE INDEX IF NOT EXISTS scan_queue_unflushed ON scan_queue (flush_id, id);
CREATE INDEX IF NOT EXISTS scan_batches_by_key ON scan_batches (scan_key);
"""

#: Queued rows assigned to a flush by one statement (SQLite allows 32,766 parameters, PostgreSQL 65,535).
_ROWS_PER_STATEMENT = 500

#: The default window: one scan per client per item per hour.
DEFAULT_SCAN_WINDOW = 3600.0


class ScanQueue:
    """The durable queue, on a connection to the index database. `window`: seconds within which a
    client's views of one item are one scan."""

    def __init__(self, conn: Database, window: float = DEFAULT_SCAN_WINDOW) -> None:
        self.conn = conn
        self.window = window
        conn.script(conn.schema(QUEUE_SCHEMA))
        if "client" not in conn.columns("scan_queue"):
            conn.execute(conn.schema("ALTER TABLE scan_queue ADD COLUMN client BLOB"))  # a queue from before the window
        row = conn.execute("SELECT value FROM meta WHERE key = 'scan_namespace'").fetchone()
        if row is None:
            # Keys of this index's flushes never collide with another index's for the same platform.
            conn.execute("INSERT INTO meta VALUES ('scan_namespace', ?) ON CONFLICT DO NOTHING", (uuid.uuid4().hex,))
            row = conn.execute("SELECT value FROM meta WHERE key = 'scan_namespace'").fetchone()
        self.namespace = row[0]
        self._client_salt = self.namespace.encode("ascii")

    def record(self, batch_id: bytes, serial: str) -> None:
        """One scan, committed when this returns."""
        self.conn.execute(
            "INSERT INTO scan_queue (batch_id, item_hash, serial, at) VALUES (?, ?, ?, ?)",
            (batch_id, item_hash(serial), serial, time.time()),
        )

    def record_many(self, scans: list[tuple[bytes, str]]) -> None:
        """Several scans in one transaction, committed when this returns."""
        self.record_hashed([(batch, item_hash(serial), serial) for batch, serial in scans])

    def record_hashed(self, scans: list[tuple[bytes, bytes, str]]) -> None:
        """:meth:`record_many` for scans given as (batch, item hash, serial), the serial already
        checked and hashed by the caller; committed when this returns."""
        self.record_views([(batch, item, serial, None) for batch, item, serial in scans])

    def client_key(self, client: bytes) -> bytes:
        """What the queue keeps of a client: BLAKE2b keyed with this index's namespace (no address
        or user agent is stored; keccak, a tenth as fast here, is kept for what the chain hashes)."""
        return hashlib.blake2b(client, digest_size=16, key=self._client_salt).digest()

    def record_views(self, views: list[tuple[bytes, bytes, str, bytes | None]]) -> list[bool]:
        """Page views as (batch, item hash, serial, client): each is queued as a scan unless its
        client (None: no client, always queued) has a scan of that item queued within the window,
        all in one transaction, committed when this returns. Whether each view was counted, in order."""
        now = time.time()
        since = now - self.window
        anonymous: list[tuple[bytes, bytes, str, float, None]] = []
        checked: list[tuple[bytes, bytes, str, float, bytes, bytes, bytes, bytes, float]] = []
        marks: set[tuple[bytes, bytes, bytes]] = set()  # (batch, item, client) checked in this group
        counted: list[bool | None] = []  # None: one of `checked`, in order
        for batch, item, serial, client in views:
            if client is None:
                anonymous.append((batch, item, serial, now, None))
                counted.append(True)
                continue
            key = self.client_key(client)
            if (batch, item, key) in marks:  # the same client's view of the item, twice in one group
                counted.append(False)
                continue
            marks.add((batch, item, key))
            checked.append((batch, item, serial, now, key, batch, item, key, since))
            counted.append(None)
        with self.conn.write(batch + item for batch, item, _, _ in views):
            # The window's check and the insert in one statement, the group's statements in one
            # round trip to a server (see Database.execute_each).
            inserted = iter(self.conn.execute_each(
                "INSERT INTO scan_queue (batch_id, item_hash, serial, at, client) SELECT ?, ?, ?, ?, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM scan_queue WHERE batch_id = ? AND item_hash = ? AND client = ? "
                "AND at > ?)", checked) if checked else ())
            if anonymous:
                self.conn.executemany(
                    "INSERT INTO scan_queue (batch_id, item_hash, serial, at, client) VALUES (?, ?, ?, ?, ?)", anonymous)
        return [next(inserted) == 1 if yes is None else yes for yes in counted]

    def counts(self, batch_id: bytes, item: bytes, platforms: tuple[str, ...] | None = None) -> tuple[int, int]:
        """(indexed on-chain total of the scans recorded by `platforms` (None: by any platform),
        :meth:`pending`) of the item, in one statement."""
        on_chain, pending = self.conn.execute(
            "SELECT " + _COUNTS % _platform_filter(platforms), (batch_id, item, *(platforms or ()), batch_id, item),
        ).fetchone()
        return int(on_chain or 0), int(pending)

    def member_counts(self, batch_no: int, serial: str, batch_id: bytes, item: bytes,
                      platforms: tuple[str, ...] | None = None) -> tuple[int, int] | None:
        """:meth:`counts` of the item if `serial` is a proven member of the batch numbered `batch_no` in
        the index (as :func:`.queries.is_item` says), else None; in one statement."""
        member, on_chain, pending = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM items WHERE batch_no = ? AND serial = ?), " + _COUNTS % _platform_filter(platforms),
            (batch_no, serial, batch_id, item, *(platforms or ()), batch_id, item),
        ).fetchone()
        return (int(on_chain or 0), int(pending)) if member else None

    def pending(self, batch_id: bytes, item: bytes) -> int:
        """Scans of the item that the index does not hold yet (unsent, in flight, or not indexed)."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM scan_queue q LEFT JOIN scan_flushes f ON f.id = q.flush_id "
            "WHERE q.batch_id = ? AND q.item_hash = ? "
            "AND (f.scan_key IS NULL OR NOT EXISTS (SELECT 1 FROM scan_batches b WHERE b.scan_key = f.scan_key))",
            (batch_id, item),
        ).fetchone()
        return int(row[0])

    def stats(self) -> dict[str, int]:
        unsent = self.conn.execute("SELECT COUNT(*) FROM scan_queue WHERE flush_id IS NULL").fetchone()[0]
        flushes = dict(self.conn.execute("SELECT status, COUNT(*) FROM scan_flushes GROUP BY status").fetchall())
        return {"unsent": int(unsent), **{f"flushes_{k}": int(v) for k, v in flushes.items()}}

    def scan_key(self, flush_id: int) -> bytes:
        return keccak(f"shanglian:scans:{self.namespace}:{flush_id}".encode("ascii"))


# An item's (on-chain total, pending) as two columns: batch id, item hash, the platforms, batch id, item hash.
_COUNTS = (
    "(SELECT SUM(total) FROM scan_totals WHERE batch_id = ? AND item_hash = ?%s), "
    "(SELECT COUNT(*) FROM scan_queue q LEFT JOIN scan_flushes f ON f.id = q.flush_id "
    "WHERE q.batch_id = ? AND q.item_hash = ? "
    "AND (f.scan_key IS NULL OR NOT EXISTS (SELECT 1 FROM scan_batches b WHERE b.scan_key = f.scan_key)))"
)


def _platform_filter(platforms: tuple[str, ...] | None) -> str:
    """`` AND platform IN (?, …)`` for the platforms counted (nothing for None: all)."""
    if platforms is None:
        return ""
    if not platforms:
        return " AND FALSE"
    return " AND platform IN (" + ", ".join("?" * len(platforms)) + ")"


class GroupCommit:
    """Scans recorded from the event loop, committed together: every request whose scan arrived
    before the commit ran shares it, and none resumes before its scan is committed.

    On SQLite the commit runs on the event loop (a writer thread was measured slower there: the GIL
    hand-offs cost more than the write). With `threaded` (PostgreSQL) it runs on a thread of its
    own, on the queue's own connection: a commit there waits for round trips to the server and for
    its WAL flush, during which the event loop keeps serving pages. One commit is in flight at a
    time; the scans arriving meanwhile gather into the next group, committed when it ends. Every
    waiting request gets its group's outcome: whether it counted, or the commit's exception (the
    server gone, say); :meth:`close` waits for the commit in flight."""

    def __init__(self, queue: ScanQueue, threaded: bool = False) -> None:
        self.queue = queue
        self._waiting: list[tuple[bytes, bytes, str, bytes | None, asyncio.Future[bool]]] = []
        self._scheduled = False
        self._in_flight = False
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="scan-commit") if threaded else None

    async def record(self, batch: bytes, serial: str, item: bytes | None = None, client: bytes | None = None) -> bool:
        """Records the view of `client` (see :meth:`ScanQueue.record_views`), resuming once it is
        committed; `item`: the serial's hash, if known. Whether it was counted as a scan."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        self._waiting.append((batch, item_hash(serial) if item is None else item, serial, client, done))
        if not self._scheduled and not self._in_flight:
            self._scheduled = True
            loop.call_soon(self._commit)
        return await done

    def _commit(self) -> None:
        self._scheduled = False
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        views = [view[:4] for view in waiting]
        if self._thread is None:
            try:
                counted = self.queue.record_views(views)
            except Exception as exc:  # nothing was committed: every request of the group fails
                _settle(waiting, None, exc)
                return
            _settle(waiting, counted, None)
            return
        try:
            running = asyncio.get_running_loop().run_in_executor(self._thread, self.queue.record_views, views)
        except RuntimeError as exc:  # closed: nothing more is committed
            _settle(waiting, None, exc)
            return
        self._in_flight = True
        running.add_done_callback(lambda outcome: self._committed(waiting, outcome))

    def _committed(self, waiting: list[tuple[bytes, bytes, str, bytes | None, asyncio.Future[bool]]],
                   outcome: asyncio.Future[list[bool]]) -> None:
        self._in_flight = False
        if outcome.cancelled():
            _settle(waiting, None, asyncio.CancelledError("the scans' commit was cancelled"))
        elif outcome.exception() is not None:
            _settle(waiting, None, outcome.exception())
        else:
            _settle(waiting, outcome.result(), None)
        if self._waiting and not self._scheduled:  # the group that gathered meanwhile
            self._scheduled = True
            self._commit()

    def close(self) -> None:
        """Waits for the commit in flight (threaded); the next one starts a thread again."""
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="scan-commit")


def _settle(waiting: list[tuple[bytes, bytes, str, bytes | None, asyncio.Future[bool]]], counted: list[bool] | None,
            error: BaseException | None) -> None:
    """Resumes the requests of a group: each with whether its view counted, or all with `error`
    (a request cancelled meanwhile, its client gone, is skipped)."""
    for index, (*_, done) in enumerate(waiting):
        if done.done():
            continue
        if counted is None:
            done.set_exception(error or RuntimeError("the scans' commit failed"))
        else:
            done.set_result(counted[index])


@dataclass
class FlushResult:
    sent: int = 0  # flushes recorded on chain by this pass
    settled: int = 0  # flushes found already on chain after a crash, marked done without resending
    scans: int = 0  # scans in the flushes that were sent or settled
    failed: int = 0


class Flusher:
    """Sends queued scans on chain as the platform account `sender` (its enterprise: `platform`)."""

    def __init__(
        self, queue: ScanQueue, contract: Contract, sender: Transactor, platform: str, max_rows: int = 5_000
    ) -> None:
        self.queue = queue
        self.conn = queue.conn
        self.sender = sender
        self.sdk = Provenance(sender.chain, contract, sender)
        self.contract = contract
        self.platform = platform
        self.max_rows = max_rows
        self._encode = CallEncoder(contract, "recordScans")
        self._http = requests.Session()

    def run_once(self) -> FlushResult:
        """Settles unfinished flushes (resending those not on chain), then flushes new scans; on a
        database shared by several resolvers, only in the one holding the flusher lease."""
        result = FlushResult()
        if not self.conn.lease(f"shanglian:scan-flusher:{self.queue.namespace}"):
            return result
        self._reopen_lost()
        unfinished = [flush_id for flush_id, in self.conn.execute(
            "SELECT id FROM scan_flushes WHERE status = 'sending' ORDER BY id").fetchall()]
        for flush_id in unfinished:
            if self._landed(flush_id, result):
                continue
            if self.sender.chain.profile.rpc is None:
                self._send(flush_id, result)
        if self.sender.chain.profile.rpc is None:  # the embedded chain: one transaction at a time
            for flush_id in self._plan():
                self._send(flush_id, result)
            return result
        pending = [flush_id for flush_id, in self.conn.execute(
            "SELECT id FROM scan_flushes WHERE status = 'sending' ORDER BY id").fetchall()]
        self._send_all(pending + self._plan(), result)
        return result

    def _landed(self, flush_id: int, result: FlushResult) -> bool:
        """Whether an unfinished flush (a crash came between sending and marking it) is on chain
        already; if so it is marked done, not resent."""
        key, scans = self.conn.execute(
            "SELECT scan_key, (SELECT COUNT(*) FROM scan_queue WHERE flush_id = f.id) FROM scan_flushes f WHERE id = ?",
            (flush_id,)).fetchone()
        if not self.contract.functions.scanBatchRecorded(self.platform, bytes(key)).call():
            return False
        self._finish(flush_id, "done", None, None)
        result.settled += 1
        result.scans += scans
        log.info("scan flush %d was already on chain: marked done, not resent", flush_id)
        return True

    def _counts(self, flush_id: int) -> tuple[bytes, bytes, Counter[str]]:
        key, batch = self.conn.execute("SELECT scan_key, batch_id FROM scan_flushes WHERE id = ?", (flush_id,)).fetchone()
        counts = Counter(s for (s,) in self.conn.execute("SELECT serial FROM scan_queue WHERE flush_id = ?", (flush_id,)))
        return bytes(key), bytes(batch), counts

    def _send_all(self, flush_ids: list[int], result: FlushResult) -> None:
        """Sends the flushes through the bulk pipeline (:mod:`shanglian.pipeline`): calldata encoded
        with eth-abi, signed locally, sent and their receipts collected in JSON-RPC batches; a
        flush of 500 items through web3's contract and receipt formatting measured over a second
        of this process's time, which the pages it serves share. Each flush's gas is the node's
        estimate plus a quarter; a flush the node will not estimate, or whose transaction
        reverted, goes the one-at-a-time way (:meth:`_send`), which settles or names the refusal."""
        if not flush_ids:
            return
        flushes = {flush_id: self._counts(flush_id) for flush_id in flush_ids}
        calls = {}
        for flush_id, (key, batch, counts) in flushes.items():
            calls[flush_id] = self._encode(key, batch, pack_scans((item_hash(s), n) for s, n in counts.items()))
        pipeline = Pipeline(self.sender.chain, self.sender.account, Journal(":memory:"), keep_receipts=True)
        estimates = pipeline.rpc.batch(self._http, [
            ("eth_estimateGas", [{"from": self.sender.address, "to": self.contract.address, "data": "0x" + data.hex()}])
            for data in calls.values()])
        jobs, by_key, refused = [], {}, []
        for (flush_id, data), estimate in zip(calls.items(), estimates):
            if "result" not in estimate:
                refused.append(flush_id)
                continue
            key = "0x" + flushes[flush_id][0].hex()
            by_key[key] = flush_id
            jobs.append(Job(key, self.contract.address, data, int(estimate["result"], 16) * 5 // 4))
        try:
            outcome = pipeline.run(jobs) if jobs else None
        except (ShanglianError, Web3Exception, OSError) as exc:
            # Unsent or unmined flushes stay 'sending': the next pass settles or resends them.
            log.warning("scan flushes %s not sent yet: %s", sorted(by_key.values()), exc)
            result.failed += len(by_key)
            outcome = None
        self.sender.resync_nonce()  # the pipeline used the account's nonces
        if outcome is not None:
            for key, flush_id in by_key.items():
                receipt = outcome.receipts.get(key)
                if key in outcome.reverted or receipt is None:
                    refused.append(flush_id)
                    continue
                self._finish(flush_id, "done", receipt["transactionHash"], None)
                result.sent += 1
                result.scans += sum(flushes[flush_id][2].values())
        for flush_id in sorted(refused):
            if not self._landed(flush_id, result):
                self._send(flush_id, result)

    def _reopen_lost(self) -> None:
        """Puts done flushes whose record is not on chain any more back to 'sending' (module doc)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'scans_indexed_through'").fetchone()
        through = old = int(row[0]) if row else 0
        unseen = False
        for flush_id, key, status, indexed in self.conn.execute(
            "SELECT id, scan_key, status, EXISTS (SELECT 1 FROM scan_batches b WHERE b.scan_key = f.scan_key) "
            "FROM scan_flushes f WHERE id > ? ORDER BY id", (through,)
        ).fetchall():
            if indexed or status == "failed":  # failed: refused for good, never on chain
                through = through if unseen else flush_id
                continue
            unseen = True
            if status == "done" and not self.contract.functions.scanBatchRecorded(self.platform, bytes(key)).call():
                log.warning("scan flush %d is not on chain any more (the node lost its block): sending it again", flush_id)
                self.conn.execute("UPDATE scan_flushes SET status = 'sending', tx = NULL WHERE id = ?", (flush_id,))
                self.sender.resync_nonce()  # the lost block took the platform's transaction count back too
        if through != old:
            set_meta(self.conn, "scans_indexed_through", str(through))

    def _plan(self) -> list[int]:
        """Groups unsent scans by batch into new flushes (key stored, rows assigned) in one commit."""
        rows = self.conn.execute(
            "SELECT id, batch_id, serial FROM scan_queue WHERE flush_id IS NULL ORDER BY id LIMIT ?", (self.max_rows,)
        ).fetchall()
        if not rows:
            return []
        groups: dict[bytes, list[tuple[int, str]]] = {}
        for row_id, batch, serial in rows:
            groups.setdefault(bytes(batch), []).append((row_id, serial))
        created = []
        with self.conn.write():
            for batch, members in groups.items():
                # At most MAX_SCANS_PER_CALL distinct items per call: cut the group where it would exceed.
                chunk: list[tuple[int, str]] = []
                distinct: set[str] = set()
                for member in members + [(-1, "")]:
                    if member[0] == -1 or (member[1] not in distinct and len(distinct) == MAX_SCANS_PER_CALL):
                        if chunk:
                            created.append(self._new_flush(batch, [r for r, _ in chunk]))
                        chunk, distinct = [], set()
                        if member[0] == -1:
                            break
                    chunk.append(member)
                    distinct.add(member[1])
        return created

    def _new_flush(self, batch: bytes, row_ids: list[int]) -> int:
        flush_id = int(self.conn.execute(
            "INSERT INTO scan_flushes (scan_key, batch_id, status, created_at) VALUES (?, ?, 'planning', ?) RETURNING id",
            (uuid.uuid4().bytes + bytes(16), batch, time.time()),
        ).fetchone()[0])
        self.conn.execute(
            "UPDATE scan_flushes SET scan_key = ?, status = 'sending' WHERE id = ?", (self.queue.scan_key(flush_id), flush_id)
        )
        for start in range(0, len(row_ids), _ROWS_PER_STATEMENT):  # not a statement per row
            chunk = row_ids[start:start + _ROWS_PER_STATEMENT]
            self.conn.execute(f"UPDATE scan_queue SET flush_id = ? WHERE id IN ({', '.join('?' * len(chunk))})",
                              (flush_id, *chunk))
        return flush_id

    def _send(self, flush_id: int, result: FlushResult) -> None:
        """Sends one flush through the SDK (its refusal decoded into the contract's named error)."""
        key, batch, counts = self._counts(flush_id)
        scans = sum(counts.values())
        try:
            receipt = self.sdk.record_scans(batch, dict(counts), key)
        except ContractError as exc:
            if exc.name == "ProvenanceScanBatchRecorded":  # landed meanwhile: never counted twice
                self._finish(flush_id, "done", None, None)
                result.settled += 1
                result.scans += scans
                return
            # Refused for good (e.g. the platform was suspended): kept as failed, visible in /healthz,
            # its scans still shown as pending; an operator can requeue them.
            self._finish(flush_id, "failed", None, str(exc))
            result.failed += 1
            log.error("scan flush %d refused by the contract: %s", flush_id, exc)
            return
        except (ShanglianError, Web3Exception, OSError) as exc:
            # Node unreachable, or it refused the transaction itself (e.g. "nonce too low" after
            # another process used the account): the flush stays 'sending' and is settled or
            # resent under the same key on the next pass, with the nonce read afresh.
            self.sender.resync_nonce()
            log.warning("scan flush %d not sent yet: %s", flush_id, exc)
            result.failed += 1
            return
        self._finish(flush_id, "done", receipt["transactionHash"].to_0x_hex(), None)
        result.sent += 1
        result.scans += scans

    def _finish(self, flush_id: int, status: str, tx: str | None, error: str | None) -> None:
        self.conn.execute(
            "UPDATE scan_flushes SET status = ?, sent_at = ?, tx = ?, error = ? WHERE id = ?",
            (status, time.time(), tx, error, flush_id),
        )
