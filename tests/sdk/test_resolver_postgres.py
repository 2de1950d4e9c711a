"""The resolver on PostgreSQL: two `shanglian serve` processes sharing one database (index and
scan queue) against a real Anvil node, one of them killed (SIGKILL) while it flushes; and the
flusher lease that lets one worker at a time send. One throwaway PostgreSQL server for the module
(Debian's postgresql, started by :class:`shanglian.localpg.LocalPostgres`: a server that cannot
start fails the module with its reason, it is never skipped)."""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
from collections import Counter

import psycopg
import pytest
from eth_account import Account

import test_resolver_durability as served
from shanglian import devkeys
from shanglian.demo_hall import hall_story
from shanglian.demo_pears import PEAR_GTIN
from shanglian.digests import digest_file
from shanglian.localpg import LocalPostgres
from shanglian.provenance import Provenance, batch_id
from shanglian.resolver.hall_index import HALL_CONTRACTS
from shanglian.resolver.indexer import Indexer, connect_db
from shanglian.resolver.process import ServerProcess
from shanglian.resolver.scans import Flusher, ScanQueue
from shanglian.resolver.service import Resolver
from shanglian.resolver.store import lock_key
from shanglian.transactions import Transactor

pytestmark = pytest.mark.xdist_group("postgres")

PLATFORM_KEY = served.PLATFORM_KEY
SERIALS = [f"PEAR-{n:06d}" for n in range(200, 206)]


class Setup(served.Setup):
    """The durability suite's world (a node, the demo, the platform's keystore) and a PostgreSQL
    server for the resolvers' shared index."""

    def __init__(self, tmp):
        self.pg = LocalPostgres().start()
        super().__init__(tmp)
        self.platform = Transactor(self.chain, Account.from_key(devkeys.key(PLATFORM_KEY)))
        self.tmp = tmp

    def close(self):
        self.node.stop()
        self.pg.close()

    def server(self, url: str, name: str) -> ServerProcess:
        args = ["--network", "testnode", "--account", "platform", "--interval", "0.1", "--index", url]
        return ServerProcess(args, self.env, log=self.tmp / f"serve-{name}.log").start()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    world = Setup(tmp_path_factory.mktemp("postgres"))
    yield world
    world.close()


def flusher_lease_holders(conn, namespace: str) -> int:
    """How many sessions hold the database's flusher lease (a session advisory lock)."""
    key = lock_key(f"shanglian:scan-flusher:{namespace}") & 0xFFFF_FFFF_FFFF_FFFF
    return conn.execute(
        "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
        "AND classid::bigint = ? AND objid::bigint = ?", (key >> 32, key & 0xFFFF_FFFF)).fetchone()[0]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.002)
    raise AssertionError(f"{what} within {timeout:g} s")


def test_two_resolvers_on_one_database_record_each_scan_once_when_the_flushing_one_is_killed(setup):
    url = setup.pg.database()
    first = setup.server(url, "first")
    conn = connect_db(url)
    namespace = conn.execute("SELECT value FROM meta WHERE key = 'scan_namespace'").fetchone()[0]
    wait_for(lambda: flusher_lease_holders(conn, namespace) == 1, 30, "the first resolver took no flusher lease")
    second = setup.server(url, "second")
    accepted: Counter[str] = Counter()
    stop = threading.Event()

    def consumers(server: ServerProcess) -> None:
        for serial in itertools.cycle(SERIALS):
            if stop.is_set():
                return
            try:
                if "此码已被扫描" in setup.page(server, serial):
                    accepted[serial] += 1
            except (urllib.error.URLError, ConnectionError, OSError):  # the killed server: not accepted
                time.sleep(0.01)

    crowds = [threading.Thread(target=consumers, args=(s,)) for s in (first, second)]
    try:
        for crowd in crowds:
            crowd.start()
        wait_for(lambda: conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status = 'done'").fetchone()[0] >= 2,
                 60, "no flush was done")
        wait_for(lambda: conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status = 'sending'").fetchone()[0],
                 60, "no flush was caught being sent")
        first.kill()  # the lease holder, mid-flush
        time.sleep(1.5)  # the second keeps serving and takes the lease over
        stop.set()
        for crowd in crowds:
            crowd.join(30)
        queued: dict[str, int] = {}

        def recorded_as_queued() -> bool:
            queued.clear()
            queued.update(conn.execute("SELECT serial, COUNT(*) FROM scan_queue GROUP BY serial").fetchall())
            return all(setup.on_chain(s) == queued.get(s, 0) for s in SERIALS)

        wait_for(recorded_as_queued, 60, "the chain's counts did not reach the queued scans")
        assert flusher_lease_holders(conn, namespace) == 1
        time.sleep(1)  # passes of the second flusher after the counts matched: nothing more is sent
        assert recorded_as_queued()  # every queued scan recorded once: none lost, none doubled
        # Every accepted scan is queued; beyond them at most the one the killed server had committed
        # while its page was on the way (its consumer saw an error, not a count).
        assert all(accepted[s] <= queued[s] for s in SERIALS)
        assert sum(queued.values()) - sum(accepted.values()) <= 1
        assert conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status != 'done'").fetchone()[0] == 0
        item = second.get(f"/api/v1/items/{PEAR_GTIN}/{setup.lot}/{SERIALS[0]}")
        assert (item["scans_on_chain"], item["scans_pending"]) == (queued[SERIALS[0]], 0)
    finally:
        stop.set()
        first.kill()
        second.stop()
        conn.close()


def test_one_flusher_holds_the_lease_and_its_successor_settles_its_sent_flush_without_resending(setup):
    url = setup.pg.database()
    serial = "PEAR-000210"
    holder = Flusher(ScanQueue(connect_db(url)), setup.contract, setup.platform, setup.platform.address)
    standby = Flusher(ScanQueue(connect_db(url)), setup.contract, setup.platform, setup.platform.address)
    holder.queue.record_many([(batch_id(PEAR_GTIN, setup.lot), serial)] * 2)
    assert holder.conn.lease(f"shanglian:scan-flusher:{holder.queue.namespace}")
    (flush_id,) = holder._plan()  # the key is stored; the holder sends, then dies before marking it
    Provenance(setup.chain, setup.contract, setup.platform).record_scans(
        (PEAR_GTIN, setup.lot), {serial: 2}, holder.queue.scan_key(flush_id))
    assert standby.run_once().sent == 0  # the lease is held: the standby sends nothing
    holder.conn.close()
    # The server ends the closed session, and frees its lock, a moment after the client closes it;
    # the standby takes the lease on one of its next passes.
    deadline = time.monotonic() + 30
    result = standby.run_once()
    while (result.settled, result.sent) == (0, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
        result = standby.run_once()
    assert (result.settled, result.sent, result.scans) == (1, 0, 2)
    assert setup.on_chain(serial) == 2
    assert standby.conn.execute("SELECT status FROM scan_flushes WHERE id = ?", (flush_id,)).fetchone()[0] == "done"


def terminate_sessions(url: str) -> int:
    """Ends every other session on the database at `url` (as a restarted server would); how many."""
    conn = connect_db(url)
    try:
        return len(conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()").fetchall())
    finally:
        conn.close()


def healthy(server: ServerProcess) -> dict | None:
    """/healthz's answer if it is 200, else None."""
    try:
        return server.get("/healthz")
    except urllib.error.HTTPError:
        return None


def test_a_resolver_whose_database_sessions_were_ended_serves_and_flushes_again_without_a_restart(setup):
    url = setup.pg.database()
    serial = "PEAR-000220"
    server = setup.server(url, "reconnect")
    try:
        assert "此码已被扫描 1 次" in setup.page(server, serial)
        # The page's reader, the writer, the loop's and the worker's connections all go.
        assert terminate_sessions(url) >= 4
        # Reads are retried on a new connection, the scan's transaction begins on one: no error.
        assert "此码已被扫描 2 次" in setup.page(server, serial)
        # The worker's pass that met the ended session failed (degraded); its next one reconnects,
        # takes the flusher lease again and sends both scans.
        assert setup.settled(server, serial, timeout=30)["scans_on_chain"] == 2
        health = wait_for(lambda: healthy(server), 10, "/healthz did not answer ok again")
        assert (health["status"], health["items_indexed"], health["scans_unsent"]) == ("ok", 1_000, 0)
    finally:
        server.stop()


def test_the_service_halls_records_indexed_on_postgresql_are_served_as_on_sqlite(setup):
    facts = hall_story(setup.story, lambda _: None, setup.tmp / "hall")
    suite = setup.story.suite
    hall = {name: suite[name] for name in HALL_CONTRACTS}
    resolvers = {}
    for kind, target in (("sqlite", setup.tmp / "hall-index.sqlite"), ("postgresql", setup.pg.database())):
        indexer = Indexer(setup.chain, suite["ProductProvenance"], suite.registry, connect_db(target),
                          setup.tmp / "hall-serials", 0, hall=hall)
        indexer.run_once()
        resolvers[kind] = Resolver(target, setup.chain.chain_id, indexer, None)
    folder = facts["folder"]
    documents = ["supply-contract.txt", "gift-box-design.svg", next(folder.glob("food-business-licence-*.txt")).name,
                 next(folder.glob("food-production-licence-*.txt")).name]
    records = [("evidence", facts["record"]), ("licence", facts["licence"]), ("work", facts["token"].to_bytes(32, "big"))]
    answers = {kind: [json.loads(r.verify(digest_file(folder / d))) for d in documents]
               + [json.loads(r.verify_record(k, key)) for k, key in records]
               for kind, r in resolvers.items()}
    assert answers["postgresql"] == answers["sqlite"]
    contract, design, stall, licence, by_record, by_licence, by_work = answers["postgresql"]
    assert contract["evidence"][0]["notarisation"]["notarised_at"] and contract["evidence"][0]["id"] == "0x" + facts["record"].hex()
    assert [g["status"] for g in design["work"]["grants"]] == ["accepted"] and by_work["work"] == design["work"]
    assert (stall["licence"]["status"], licence["licence"]["status"]) == ("revoked", "active")
    assert by_record["evidence"] == contract["evidence"] and by_licence["licence"] == licence["licence"]


def test_an_operators_view_in_the_database_is_neither_dropped_nor_in_the_way_of_a_new_index(setup):
    url = setup.pg.database()
    with psycopg.connect(url, autocommit=True) as operator:
        operator.execute("CREATE VIEW scan_report AS SELECT 1 AS scans")
    conn = connect_db(url)  # a new index: the tables of another shape go, the view is not one
    try:
        assert conn.execute("SELECT scans FROM scan_report").fetchone()[0] == 1
        assert "scan_report" not in conn.tables() and "items" in conn.tables()
    finally:
        conn.close()
