"""The resolver's index: ProductProvenance and EnterpriseRegistry events followed into its database
(SQLite, or PostgreSQL shared by several resolvers: :mod:`.store`).

Pages are served from this index, never from chain calls per request. :class:`Indexer` reads logs
in block ranges no wider than the profile's ``logs_range`` (consortium nodes cap eth_getLogs),
decodes them with the SDK's decoders (:func:`shanglian.logs.decode`), and applies each range in one
transaction together with the new ``last_block``: a crash leaves the index at the end of the
last whole range, and the next run resumes from the block after it. Rows keyed by (block, log
index), or by a platform's scan key (recorded once per platform), are inserted with ``ON CONFLICT
DO NOTHING`` and totals only move when a row was new, so replaying a range could not count anything
twice either.

Item membership. The chain holds only a Merkle root per batch; the producer publishes the serial
list (``<serials dir>/0x<batch id>.txt``, as :class:`shanglian.trace.SerialFolder` writes it). When
a batch is indexed, its list is read, its Merkle root is checked against the on-chain root, and its
serials go into the ``items`` table, so a request proves membership with one primary-key lookup
(a list that does not match the root is refused and the batch's serials read as unknown). A list
that appears later is picked up on a later pass.

Standing. A certificate is worth only its alliance's standing, so the index also follows each
enterprise's status, roles and licence expiry through the registry's events (applied, approved,
imported, suspended, reinstated, revoked, re-roled, renewed), as the registry's ``actingFor`` would
answer: active, holding the role, licence unexpired.

The index remembers the chain id, the contract addresses and the hash of its last block. Opened
against another deployment, it refuses (:class:`IndexMismatch`) rather than mix two histories. When
the block it stopped at is no longer on the chain (a node that came back without its last blocks),
it rebuilds itself from the deployment block — at start or on any later pass. The index is a copy
of the chain and rebuilding loses nothing; the consumer scans queued in the same database are not
a copy of anything and are kept (the flusher then resends those whose record was lost).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web3.contract import Contract

from shanglian import logs
from shanglian.errors import ConfigError, InputError
from shanglian.merkle import SerialTree
from shanglian.network import Chain
from shanglian.provenance import Origin, unpack_scans
from shanglian.registry import ImportRow
from shanglian.resolver.hall_index import HALL_SCHEMA, HallIndex
from shanglian.resolver.store import Database, connect_database
from shanglian.trace import SerialFolder

__all__ = ["SCHEMA", "Indexer", "IndexMismatch", "IndexStats", "connect_db"]

log = logging.getLogger("shanglian.resolver.indexer")

ZERO32 = bytes(32)

# What a rebuild keeps: the index's identity and the scan queue's tables (see the module doc).
_KEPT_TABLES = {"meta", "scan_queue", "scan_flushes", "schema_version"}
_KEPT_META = {"chain_id", "provenance", "registry", "scan_namespace", "hall"}

# Raised whenever a table of the index changes shape: an index of another version is rebuilt.
SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- status: applied, active, suspended, revoked or rejected (the registry's, from its events)
CREATE TABLE IF NOT EXISTS enterprises (
    account TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, roles INTEGER NOT NULL,
    licence_expiry INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS products (
    gtin TEXT PRIMARY KEY, producer TEXT NOT NULL, name TEXT NOT NULL, features TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locations (
    gln TEXT PRIMARY KEY, enterprise TEXT NOT NULL, place TEXT NOT NULL, region_code INTEGER NOT NULL,
    latitude REAL NOT NULL, longitude REAL NOT NULL);
-- batch_no: the batch's short key in items (a serial row holds it instead of the 32-byte id)
CREATE TABLE IF NOT EXISTS batches (
    batch_id BLOB NOT NULL UNIQUE, gtin TEXT NOT NULL, lot TEXT NOT NULL, producer TEXT NOT NULL,
    custodian TEXT NOT NULL, seller TEXT, place TEXT NOT NULL, region_code INTEGER NOT NULL,
    latitude REAL NOT NULL, longitude REAL NOT NULL, production_date INTEGER NOT NULL,
    quantity INTEGER NOT NULL, serials_root BLOB NOT NULL, metadata_uri TEXT NOT NULL,
    created_block INTEGER NOT NULL, created_at INTEGER NOT NULL,
    -- none: the batch has no serials; missing: no list published yet; loaded; mismatch: the list
    -- published does not hash to the on-chain root
    serials_status TEXT NOT NULL, serial_count INTEGER NOT NULL DEFAULT 0, batch_no INTEGER PRIMARY KEY);
CREATE INDEX IF NOT EXISTS batches_by_gtin ON batches (gtin);
CREATE TABLE IF NOT EXISTS batch_inputs (
    output BLOB NOT NULL, input BLOB NOT NULL, PRIMARY KEY (output, input)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batch_inputs_by_input ON batch_inputs (input);
-- one row per proven serial (ten million at a province's scale): keyed by the batch's number, so
-- a row is the serial and a small integer, and a batch's rows are appended at the end of the tree
CREATE TABLE IF NOT EXISTS items (
    batch_no INTEGER NOT NULL, serial TEXT NOT NULL, PRIMARY KEY (batch_no, serial)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS custody (
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, batch_id BLOB NOT NULL, holder TEXT NOT NULL,
    handed_over_by TEXT, at INTEGER NOT NULL, PRIMARY KEY (block, log_index));
CREATE INDEX IF NOT EXISTS custody_by_batch ON custody (batch_id);
CREATE TABLE IF NOT EXISTS events (
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, batch_id BLOB NOT NULL, item_hash BLOB NOT NULL,
    enterprise TEXT NOT NULL, step INTEGER NOT NULL, gln TEXT, data_hash BLOB NOT NULL,
    at INTEGER NOT NULL, tx TEXT NOT NULL, PRIMARY KEY (block, log_index));
CREATE INDEX IF NOT EXISTS events_by_batch ON events (batch_id);
CREATE TABLE IF NOT EXISTS certifications (
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, batch_id BLOB NOT NULL, alliance TEXT NOT NULL,
    certificate_hash TEXT NOT NULL, expiry INTEGER NOT NULL, certified_at INTEGER NOT NULL,
    revoked_at INTEGER, revoked_by TEXT, PRIMARY KEY (block, log_index));
CREATE INDEX IF NOT EXISTS certifications_by_batch ON certifications (batch_id);
CREATE TABLE IF NOT EXISTS recalls (
    batch_id BLOB PRIMARY KEY, enterprise TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,
    block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS scan_totals (
    batch_id BLOB NOT NULL, item_hash BLOB NOT NULL, platform TEXT NOT NULL, total INTEGER NOT NULL,
    PRIMARY KEY (batch_id, item_hash, platform)) WITHOUT ROWID;
-- every scan batch on chain, by platform and key: what tells the flusher's queue it was indexed
CREATE TABLE IF NOT EXISTS scan_batches (
    platform TEXT NOT NULL, scan_key BLOB NOT NULL, batch_id BLOB NOT NULL, block INTEGER NOT NULL,
    PRIMARY KEY (platform, scan_key)) WITHOUT ROWID;
"""


def connect_db(target: str | Path, named_rows: bool = False) -> Database:
    """A connection to the index at `target` (an SQLite file, or a ``postgresql://`` URL), its tables
    made if new; an index of another schema version loses its index tables (rebuilt from the chain)."""
    conn = connect_database(target, named_rows)
    if conn.version != SCHEMA_VERSION:
        _drop_index_tables(conn)
    conn.script(conn.schema(SCHEMA))
    conn.script(conn.schema(HALL_SCHEMA))
    conn.version = SCHEMA_VERSION
    return conn


def set_meta(conn: Database, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _drop_index_tables(conn: Database) -> None:
    """An index of another shape: its tables go (the next pass rebuilds them from the chain); the
    index's identity and the scan queue stay."""
    tables = conn.tables()
    with conn.write():
        for name in tables:
            if name not in _KEPT_TABLES:
                conn.execute(f'DROP TABLE "{name}"')
        if "meta" in tables:
            conn.execute(f"DELETE FROM meta WHERE key NOT IN ({','.join('?' * len(_KEPT_META))})", tuple(_KEPT_META))


_BATCH_COLUMNS = (
    "batch_id, gtin, lot, producer, custodian, place, region_code, latitude, longitude, production_date, quantity, "
    "serials_root, metadata_uri, created_block, created_at, serials_status"
)
_ENTERPRISE_UPSERT = (
    " ON CONFLICT (account) DO UPDATE SET name = excluded.name, status = excluded.status, roles = excluded.roles, "
    "licence_expiry = excluded.licence_expiry"
)

# The registry events the index follows: names, and what the registry's actingFor depends on.
_REGISTRY_EVENTS = (
    "EnterpriseApplied", "ImportChunkApplied", "ImportRowSkipped", "EnterpriseApproved", "EnterpriseRejected",
    "EnterpriseRolesChanged", "EnterpriseSuspended", "EnterpriseReinstated", "EnterpriseRevoked", "LicenceRenewed",
)
_STATUS_OF = {
    "EnterpriseApproved": "active",
    "EnterpriseRejected": "rejected",
    "EnterpriseSuspended": "suspended",
    "EnterpriseReinstated": "active",
    "EnterpriseRevoked": "revoked",
}


class IndexMismatch(ConfigError):
    """The index was built from another deployment."""


@dataclass
class IndexStats:
    from_block: int
    to_block: int
    ranges: int
    logs: int


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _gtin14(value: int) -> str:
    return str(int(value)).zfill(14)


def _origin(value: Any) -> tuple[str, int, float, float]:
    origin = Origin.decoded(value)
    return origin.place, origin.region_code, origin.latitude, origin.longitude


class Indexer:
    """Follows one deployment (ProductProvenance + its EnterpriseRegistry) into the index."""

    def __init__(
        self,
        chain: Chain,
        provenance: Contract,
        registry: Contract,
        conn: Database,
        serials: SerialFolder | str | Path | None = None,
        start_block: int = 0,
        range_blocks: int | None = None,
        on_change: Callable[[], None] | None = None,
        fresh: bool = False,
        hall: dict[str, Contract] | None = None,
    ) -> None:
        """`fresh`: rebuild the index from the chain; for an index of another deployment, drop it
        and its scan queue too. `hall`: the service hall's contracts by name (Evidence, Licences,
        Copyrights), followed too when given."""
        self.chain = chain
        self.provenance = provenance
        self.registry = registry
        self.conn = conn
        self.serials = serials if isinstance(serials, SerialFolder) else SerialFolder(serials)
        self.start_block = start_block
        self.range_blocks = max(1, min(range_blocks or chain.profile.logs_range, chain.profile.logs_range))
        self.on_change = on_change or (lambda: None)
        self.lock = threading.Lock()  # one pass at a time
        self._block_times: dict[int, int] = {}
        self._registry_topics = [logs.topic(registry, name) for name in _REGISTRY_EVENTS]
        self._skipped: set[tuple[bytes, str]] = set()  # import rows the registry skipped, this pass
        self._generation: str | None = None  # the index's change count when this indexer last looked
        self.hall = HallIndex(hall or {})
        self._bind(fresh)

    # -- identity of the index -------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _bind(self, fresh: bool) -> None:
        """Ties a new index to this deployment; checks an existing one was built from it."""
        identity = {
            "chain_id": str(self.chain.chain_id),
            "provenance": self.provenance.address,
            "registry": self.registry.address,
        }
        known = {k: self._meta(k) for k in identity}
        if known != identity and any(v is not None for v in known.values()):
            if not fresh:
                raise IndexMismatch(
                    f"the index was built for {known}, not {identity}: start with a fresh index (--fresh-index), "
                    "which drops it and the scans it still had queued for that deployment"
                )
            self._clear(keep_tables=set(), keep_meta=set())
        if all(self._meta(k) is None for k in identity):
            with self.conn.write():
                for key, value in identity.items():
                    set_meta(self.conn, key, value)
        elif fresh:
            self.rebuild("a fresh index was asked for")
        else:
            self._follow_chain()
        self._follow_hall()

    def _follow_hall(self) -> None:
        """Rebuilds the index when the hall's contracts it follows changed (an index from before the
        hall was deployed has none of their history)."""
        followed = ",".join(sorted(f"{name}={c.address}" for name, c in self.hall.contracts.items()))
        if self._meta("hall") == followed:
            return
        if self._meta("last_block") is not None:
            self.rebuild("the service hall's contracts joined the index")
        with self.conn.write():
            set_meta(self.conn, "hall", followed)

    def _follow_chain(self) -> None:
        """Rebuilds the index if the block it stopped at is not on the chain any more."""
        last, stored = self.last_block, self._meta("last_block_hash")
        if last < 0 or stored is None:
            return
        head = self.chain.w3.eth.block_number
        actual = _hex(self.chain.w3.eth.get_block(last)["hash"]) if last <= head else None
        if actual != stored:
            self.rebuild(f"block {last} of the index is not on the chain any more (the node lost blocks or was reset)")

    def rebuild(self, reason: str) -> None:
        """Empties the index (the scan queue stays) so the next pass indexes from the start block."""
        log.warning("rebuilding the index from block %d: %s", self.start_block, reason)
        self._clear(keep_tables=_KEPT_TABLES, keep_meta=_KEPT_META)
        self._block_times.clear()
        self.on_change()

    def _clear(self, keep_tables: set[str], keep_meta: set[str]) -> None:
        tables = self.conn.tables()
        with self.conn.write():
            for name in tables:
                if name not in keep_tables | {"meta", "schema_version"}:
                    self.conn.execute(f'DELETE FROM "{name}"')
            self.conn.execute(
                f"DELETE FROM meta WHERE key NOT IN ({','.join('?' * len(keep_meta))})", tuple(keep_meta)
            )

    @property
    def last_block(self) -> int:
        value = self._meta("last_block")
        return self.start_block - 1 if value is None else int(value)

    @property
    def built(self) -> bool:
        """Whether a pass has indexed a range into this index (a new or rebuilt index: not yet)."""
        return self._meta("last_block") is not None

    def _bump_generation(self) -> None:
        """Counts a change of the index (inside its write): resolvers sharing the database notice it."""
        self.conn.execute(
            "INSERT INTO meta VALUES ('generation', '1') "
            "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)")

    # -- following the chain ---------------------------------------------------------------------

    def head(self) -> int:
        return max(-1, int(self.chain.w3.eth.block_number) - self.chain.profile.confirmations)

    def run_once(self, max_ranges: int | None = None) -> IndexStats:
        """Indexes from the block after the last indexed one up to the head, one range per
        transaction; then loads serial lists that have appeared since."""
        with self.lock, self.conn.exclusive("shanglian:indexer"):
            self._follow_chain()
            start = first = self.last_block + 1
            head = self.head()
            ranges = count = 0
            while start <= head and (max_ranges is None or ranges < max_ranges):
                end = min(head, start + self.range_blocks - 1)
                count += self._index_range(start, end)
                ranges += 1
                start = end + 1
            self._load_missing_serials()
            generation = self._meta("generation")
            if generation != self._generation:  # changed by this pass or by another resolver's
                self._generation = generation
                self.on_change()
            return IndexStats(first, self.last_block, ranges, count)

    def _fetch(self, start: int, end: int) -> list[Any]:
        raw = [
            *logs.fetch(self.chain, self.provenance.address, [], start, end),
            *logs.fetch(self.chain, self.registry.address, [self._registry_topics], start, end),
        ]
        raw.sort(key=lambda log: (int(log["blockNumber"]), int(log["logIndex"])))
        prov = self.provenance.address.lower()
        mine = [log for log in raw if str(log["address"]).lower() == prov]
        theirs = [log for log in raw if str(log["address"]).lower() != prov]
        decoded = logs.decode(self.provenance, mine) + logs.decode(self.registry, theirs)
        for contract in self.hall.contracts.values():
            decoded += logs.decode(contract, list(logs.fetch(self.chain, contract.address, [], start, end)))
        decoded.sort(key=lambda e: (int(e["blockNumber"]), int(e["logIndex"])))
        return decoded

    def _block_time(self, block: int) -> int:
        if block not in self._block_times:
            if len(self._block_times) > 10_000:
                self._block_times.clear()
            self._block_times[block] = int(self.chain.w3.eth.get_block(block)["timestamp"])
        return self._block_times[block]

    def _index_range(self, start: int, end: int) -> int:
        events = self._fetch(start, end)
        self._skipped.clear()
        for event in events:  # block times (and the hall's written-once facts) fetched before the transaction opens
            self._block_time(int(event["blockNumber"]))
            if self.hall.name_of(event["address"]):
                self.hall.prefetch(event)
        end_block = self.chain.w3.eth.get_block(end)
        end_hash, end_time = _hex(end_block["hash"]), int(end_block["timestamp"])
        new_batches: list[bytes] = []
        with self.conn.write():
            for event in events:
                created = self._apply(event)
                if created is not None:
                    new_batches.append(created)
            for key, value in (("last_block", end), ("last_block_hash", end_hash), ("last_block_time", end_time)):
                set_meta(self.conn, key, str(value))
            if events:
                self._bump_generation()
        for batch in new_batches:
            self._load_serials(batch)
        return len(events)

    def _apply(self, event: Any) -> bytes | None:
        """Writes one decoded event; returns the id of a batch it created."""
        name, args = event["event"], event["args"]
        block, index = int(event["blockNumber"]), int(event["logIndex"])
        at = self._block_time(block)
        sql = self.conn.execute
        hall = self.hall.name_of(event["address"])
        if hall is not None:
            self.hall.apply(sql, hall, event, at)
        elif name == "EnterpriseApplied":
            sql("INSERT INTO enterprises VALUES (?, ?, 'applied', ?, ?)" + _ENTERPRISE_UPSERT,
                (args["account"], args["name"], int(args["roles"]), int(args["licenceExpiry"])))
        elif name == "ImportRowSkipped":
            # Emitted before its chunk's ImportChunkApplied, in the same transaction (same range).
            self._skipped.add((bytes(args["importRoot"]), args["account"]))
        elif name == "ImportChunkApplied":
            root = bytes(args["importRoot"])
            for row in ImportRow.unpack(bytes(args["rows"])):
                if (root, row.account) not in self._skipped:
                    sql("INSERT INTO enterprises VALUES (?, ?, 'active', ?, ?)" + _ENTERPRISE_UPSERT,
                        (row.account, row.name, row.roles, row.licence_expiry))
        elif name in _STATUS_OF:
            sql("UPDATE enterprises SET status = ? WHERE account = ?", (_STATUS_OF[name], args["account"]))
            if name == "EnterpriseApproved":
                sql("UPDATE enterprises SET roles = ? WHERE account = ?", (int(args["roles"]), args["account"]))
        elif name == "EnterpriseRolesChanged":  # of an active or a suspended enterprise: status unchanged
            sql("UPDATE enterprises SET roles = ? WHERE account = ?", (int(args["roles"]), args["account"]))
        elif name == "LicenceRenewed":
            sql("UPDATE enterprises SET licence_expiry = ? WHERE account = ?", (int(args["licenceExpiry"]), args["account"]))
        elif name == "ProductRegistered":
            sql(
                "INSERT INTO products VALUES (?, ?, ?, ?) ON CONFLICT (gtin) DO UPDATE SET producer = excluded.producer, "
                "name = excluded.name, features = excluded.features",
                (_gtin14(args["gtin"]), args["producer"], args["name"], args["features"]),
            )
        elif name == "LocationRegistered":
            sql(
                "INSERT INTO locations VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (gln) DO UPDATE SET enterprise = excluded.enterprise, "
                "place = excluded.place, region_code = excluded.region_code, latitude = excluded.latitude, "
                "longitude = excluded.longitude",
                (str(int(args["gln"])).zfill(13), args["enterprise"], *_origin(args["site"])),
            )
        elif name == "BatchCreated":
            key = bytes(args["batchId"])
            root = bytes(args["serialsRoot"])
            sql(
                f"INSERT INTO batches ({_BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (
                    key, _gtin14(args["gtin"]), args["lot"], args["producer"], args["producer"],
                    *_origin(args["origin"]), int(args["productionDate"]), int(args["quantity"]), root,
                    args["metadataURI"], block, at, "none" if root == ZERO32 else "missing",
                ),
            )
            sql(
                "INSERT INTO custody VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                (block, index, key, args["producer"], at),
            )
            return key if root != ZERO32 else None
        elif name == "BatchTransformed":
            for source in args["inputBatchIds"]:
                sql("INSERT INTO batch_inputs VALUES (?, ?) ON CONFLICT DO NOTHING", (bytes(args["outputBatchId"]), bytes(source)))
        elif name == "BatchCertified":
            sql(
                "INSERT INTO certifications VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING",
                (block, index, bytes(args["batchId"]), args["alliance"], _hex(args["certificateHash"]),
                 int(args["expiry"]), at),
            )
        elif name == "CertificationRevoked":
            sql(
                "UPDATE certifications SET revoked_at = ?, revoked_by = ? "
                "WHERE batch_id = ? AND alliance = ? AND revoked_at IS NULL",
                (at, args["revokedBy"], bytes(args["batchId"]), args["alliance"]),
            )
        elif name == "TraceEventRecorded":
            gln = int(args["gln"])
            sql(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (block, index, bytes(args["batchId"]), bytes(args["itemHash"]), args["enterprise"],
                 int(args["bizStep"]), str(gln).zfill(13) if gln else None, bytes(args["dataHash"]), at,
                 _hex(event["transactionHash"])),
            )
        elif name == "CustodyAccepted":
            key = bytes(args["batchId"])
            cur = sql(
                "INSERT INTO custody VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (block, index, key, args["to"], args["from"], at),
            )
            if cur.rowcount:
                sql("UPDATE batches SET custodian = ? WHERE batch_id = ?", (args["to"], key))
        elif name == "SellerRecorded":
            sql("UPDATE batches SET seller = ? WHERE batch_id = ?", (args["seller"], bytes(args["batchId"])))
        elif name == "BatchRecalled":
            sql(
                "INSERT INTO recalls VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (bytes(args["batchId"]), args["enterprise"], args["reason"], at, block),
            )
        elif name == "ScanBatchRecorded":
            key, platform = bytes(args["batchId"]), args["platform"]
            cur = sql(
                "INSERT INTO scan_batches VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (platform, bytes(args["scanBatch"]), key, block),
            )
            if cur.rowcount:  # a platform records a key once, so a replayed log is never added twice
                self.conn.executemany(
                    "INSERT INTO scan_totals VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (batch_id, item_hash, platform) DO UPDATE SET total = scan_totals.total + excluded.total",
                    [(key, item, platform, count) for item, count in unpack_scans(bytes(args["scans"]))],
                )
        return None

    # -- serial lists ------------------------------------------------------------------------------

    def _load_missing_serials(self) -> int:
        missing = [bytes(r[0]) for r in self.conn.execute("SELECT batch_id FROM batches WHERE serials_status = 'missing'")]
        return sum(self._load_serials(key) for key in missing if self.serials.path(key).exists())

    def _load_serials(self, key: bytes) -> bool:
        """Reads the batch's published list, checks it against the on-chain root, stores its serials."""
        row = self.conn.execute("SELECT serials_root, batch_no FROM batches WHERE batch_id = ?", (key,)).fetchone()
        if row is None:
            return False
        try:
            serials = self.serials.load(key)
        except InputError:
            serials = None
            status = "mismatch"
        else:
            status = "missing" if serials is None else "loaded"
        if serials is not None:
            try:
                if SerialTree(serials).root != bytes(row[0]):
                    status = "mismatch"
            except InputError:
                status = "mismatch"
        with self.conn.write():
            if status == "loaded":
                assert serials is not None
                number = int(row[1])
                self.conn.execute("DELETE FROM items WHERE batch_no = ?", (number,))
                self.conn.insert_rows("items", ("batch_no", "serial"), ((number, s) for s in sorted(serials)))
            self.conn.execute(
                "UPDATE batches SET serials_status = ?, serial_count = ? WHERE batch_id = ?",
                (status, len(serials) if status == "loaded" and serials else 0, key),
            )
            self._bump_generation()
        return status == "loaded"
