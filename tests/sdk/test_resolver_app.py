"""The resolver in process: the pear story on the embedded chain, indexed into SQLite, served by the
FastAPI app through its test client. The worker thread is not started; tests run index passes and
scan flushes themselves, so every count is exact."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from shanglian import demo
from shanglian.demo_pears import CONSUMER_ITEM, FORGED_ITEM, ORCHARD, PEAR_GTIN, pear_story
from shanglian.merkle import serial_range
from shanglian.provenance import Provenance, batch_id, item_hash
from shanglian.resolver.app import ItemView, Resolver, create_app
from shanglian.resolver.indexer import Indexer, IndexMismatch, connect_db
from shanglian.resolver.scans import Flusher, ScanQueue
from shanglian.network import connect
from shanglian.trace import SerialFolder

FRESH_LOT = "DSFRESH1"


class World:
    def __init__(self, tmp):
        self.chain = connect("embedded")
        self.story = demo.prepare(self.chain)
        self.facts = pear_story(self.story, lambda _: None, tmp)
        self.serials = SerialFolder(tmp / "serials")
        contract = self.story.suite["ProductProvenance"]
        coop = Provenance(self.chain, contract, self.story.senders["cooperative"])
        today = dt.date.fromisoformat(self.facts["report"].batch.production_date)
        coop.create_batch(PEAR_GTIN, FRESH_LOT, ORCHARD, today, None, serial_range("FRESH-", 1, 51, 3),
                          keep_serials=self.serials.save)
        coop.request_certification((PEAR_GTIN, FRESH_LOT), self.story.address("alliance"))
        Provenance(self.chain, contract, self.story.senders["alliance"]).certify(
            (PEAR_GTIN, FRESH_LOT), "AQFA-FRESH", today + dt.timedelta(days=300))
        self.db = tmp / "index.sqlite"
        self.contract = contract
        self.indexer = Indexer(self.chain, contract, self.story.suite.registry, connect_db(self.db), self.serials, 0,
                               range_blocks=7)
        self.indexer.run_once()
        self.flusher = Flusher(ScanQueue(connect_db(self.db)), contract, self.story.senders["platform"],
                               self.story.address("platform"))
        self.resolver = Resolver(self.db, self.chain.chain_id, self.indexer, None, suspicious_after=5)
        self.client = TestClient(create_app(self.resolver, run_worker=False))

    def page(self, lot, serial):
        return self.client.get(f"/01/{PEAR_GTIN}/10/{lot}/21/{serial}")

    def api(self, lot, serial):
        response = self.client.get(f"/api/v1/items/{PEAR_GTIN}/{lot}/{serial}")
        assert response.status_code == 200, response.text
        return response.json()

    def on_chain(self, lot, serial):
        return Provenance(self.chain, self.contract).scan_count((PEAR_GTIN, lot), serial)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("resolver"))


def test_page_shows_seller_origin_alliance_and_scan_count(world):
    before = world.api(FRESH_LOT, "FRESH-001")["scan_count"]
    response = world.page(FRESH_LOT, "FRESH-001")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<meta charset="utf-8">' in html
    assert "砀山县良梨镇梨园" in html and "341321" in html
    assert "安徽省优质水果品质联盟" in html
    assert "砀山县梨都果品专业合作社" in html
    assert f"此码已被扫描 {before + 1} 次" in html
    assert "正品" in html and "Genuine" in html


def test_demo_item_page_shows_the_recall_and_the_seller(world):
    html = world.page(world.facts["lot"], CONSUMER_ITEM).text
    assert "此批次已召回" in html and "pesticide residue" in html
    assert "皖美优选电子商务有限公司" in html  # the seller of the demo box
    assert world.api(world.facts["lot"], CONSUMER_ITEM)["verdict"] == "recalled"


def test_unknown_serial_is_flagged_and_not_counted(world):
    response = world.page(world.facts["lot"], FORGED_ITEM)
    assert response.status_code == 200
    assert "未知序列号" in response.text and "Unknown serial" in response.text
    assert "皖美优选电子商务有限公司" not in response.text  # a forged label borrows nothing from the lot
    item = world.api(world.facts["lot"], FORGED_ITEM)
    assert item["verdict"] == "unknown serial" and item["serial_proven"] is False
    assert item["scan_count"] == 0


def test_unregistered_lot_is_a_404_page_with_the_warning(world):
    response = world.page("NOSUCHLOT", "X1")
    assert response.status_code == 404
    assert "未在链上登记" in response.text


def test_proven_item_pages_take_the_direct_route_and_the_rest_the_declared_one(world, monkeypatch):
    path = "/01/{gtin}/10/{lot}/21/{serial}"
    declared = next(r for r in world.client.app.router.routes if isinstance(r, APIRoute) and r.path == path)
    handled = []
    handle = declared.handle

    async def counted(scope, receive, send):
        handled.append(scope["path"])
        await handle(scope, receive, send)

    monkeypatch.setattr(declared, "handle", counted)
    assert world.page(FRESH_LOT, "FRESH-050").status_code == 200
    assert world.page(world.facts["lot"], FORGED_ITEM).status_code == 200
    assert handled == [f"/01/{PEAR_GTIN}/10/{world.facts['lot']}/21/{FORGED_ITEM}"]


def test_api_matches_its_declared_model(world):
    data = world.api(FRESH_LOT, "FRESH-002")
    ItemView.model_validate(data)
    assert data["seller"] is None  # the fresh lot never reached a retailer
    assert data["batch"]["origin"] == {"place": "砀山县良梨镇梨园", "region_code": 341321, "latitude": 34.442,
                                       "longitude": 116.367}
    assert [c["alliance"]["name"] for c in data["certifications"] if c["valid"]] == ["安徽省优质水果品质联盟"]
    schema = world.client.get("/openapi.json").json()
    props = schema["components"]["schemas"]["ItemView"]["properties"]
    assert {"verdict", "scan_count", "seller", "batch", "certifications", "custody"} <= set(props)


def test_api_view_is_not_a_scan(world):
    first = world.api(FRESH_LOT, "FRESH-003")["scan_count"]
    assert world.api(FRESH_LOT, "FRESH-003")["scan_count"] == first


@pytest.mark.parametrize("path, field", [
    (f"/01/06901234567891/10/{FRESH_LOT}/21/FRESH-001", "gtin"),  # wrong check digit
    (f"/api/v1/items/{PEAR_GTIN}/{FRESH_LOT}/{'S' * 21}", "serial"),  # longer than AI 21 allows
    (f"/api/v1/items/{PEAR_GTIN}/{'L' * 21}/X", "lot"),
])
def test_bad_identifiers_are_400_naming_the_field(world, path, field):
    response = world.client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["field"] == field
    else:
        assert "无法识别此码" in response.text and field in response.text.lower()


def test_unknown_path_is_404_with_a_hint(world):
    page = world.client.get("/01/x")
    assert page.status_code == 404 and "无法识别此码" in page.text and "no such page" in page.text
    api = world.client.get("/api/v1/items/x")
    assert api.status_code == 404
    assert "/01/<gtin>/10/<lot>/21/<serial>" in api.json()["error"]


def test_qr_png_points_at_the_item(world):
    response = world.client.get(f"/qr/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-001")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_views_are_flushed_on_chain_exactly_once(world):
    for _ in range(3):
        world.page(FRESH_LOT, "FRESH-010")
    world.page(FRESH_LOT, "FRESH-011")
    pending = world.api(FRESH_LOT, "FRESH-010")
    assert (pending["scan_count"], pending["scans_pending"]) == (3, 3)
    result = world.flusher.run_once()
    assert result.sent >= 1 and result.failed == 0
    # Sent but not indexed yet: still counted once, as pending.
    assert world.api(FRESH_LOT, "FRESH-010")["scan_count"] == 3
    world.indexer.run_once()
    after = world.api(FRESH_LOT, "FRESH-010")
    assert (after["scan_count"], after["scans_on_chain"], after["scans_pending"]) == (3, 3, 0)
    assert world.on_chain(FRESH_LOT, "FRESH-010") == 3 and world.on_chain(FRESH_LOT, "FRESH-011") == 1
    assert world.flusher.run_once().sent == 0  # nothing left to send


def test_a_flush_that_landed_before_a_crash_is_not_resent(world):
    world.page(FRESH_LOT, "FRESH-020")
    world.page(FRESH_LOT, "FRESH-020")
    (flush_id,) = world.flusher._plan()  # key stored and rows assigned, then "crash" before sending
    key = world.flusher.queue.scan_key(flush_id)
    # The transaction went out before the crash: the platform's own record of it is on chain.
    Provenance(world.chain, world.contract, world.story.senders["platform"]).record_scans(
        (PEAR_GTIN, FRESH_LOT), {"FRESH-020": 2}, key)
    result = world.flusher.run_once()
    assert (result.settled, result.sent) == (1, 0)
    world.indexer.run_once()
    assert world.on_chain(FRESH_LOT, "FRESH-020") == 2
    assert world.api(FRESH_LOT, "FRESH-020")["scan_count"] == 2


def test_suspicious_count_is_flagged(world):
    for _ in range(world.resolver.suspicious_after + 1):
        html = world.page(FRESH_LOT, "FRESH-030").text
    assert "扫描次数异常" in html
    assert world.api(FRESH_LOT, "FRESH-030")["verdict"] == "suspicious scan count"


def test_indexer_resumes_from_the_last_block_without_duplicates(world):
    world.page(FRESH_LOT, "FRESH-040")
    world.flusher.run_once()
    last = world.indexer.last_block
    reopened = Indexer(world.chain, world.contract, world.story.suite.registry, connect_db(world.db), world.serials, 0)
    assert reopened.last_block == last
    stats = reopened.run_once()
    assert stats.from_block == last + 1 and reopened.last_block == world.chain.w3.eth.block_number
    conn = connect_db(world.db)
    key = batch_id(PEAR_GTIN, FRESH_LOT)
    assert conn.execute("SELECT total FROM scan_totals WHERE batch_id = ? AND item_hash = ?",
                        (key, item_hash("FRESH-040"))).fetchone()[0] == 1
    # Replaying indexed blocks (a crash between a range's writes and its commit cannot leave them
    # half applied, but even a replay) adds nothing twice.
    counts = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("events", "custody", "scan_batches")]
    totals = conn.execute("SELECT SUM(total) FROM scan_totals").fetchone()[0]
    conn.execute("UPDATE meta SET value = '-1' WHERE key = 'last_block'")
    reopened.run_once()
    assert [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("events", "custody", "scan_batches")] == counts
    assert conn.execute("SELECT SUM(total) FROM scan_totals").fetchone()[0] == totals


def another_deployment():
    """The suite on a new embedded chain, at other addresses (the deployer has sent one more
    transaction first)."""
    chain = connect("embedded")
    deployer = demo._sender(chain, demo.ADMIN_KEYS[0])
    deployer.transfer(deployer.address, 0)
    return demo.prepare(chain)


def test_index_refuses_another_deployment(world, tmp_path):
    other = another_deployment()
    assert other.suite.addresses != world.story.suite.addresses
    with pytest.raises(IndexMismatch, match="--fresh-index"):
        Indexer(other.chain, other.suite["ProductProvenance"], other.suite.registry, connect_db(world.db), world.serials, 0)


def table_counts(db, *tables):
    conn = connect_db(db)
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_fresh_index_is_rebuilt_from_the_chain_and_keeps_the_scan_queue(world, tmp_path):
    import shutil

    db = tmp_path / "copy.sqlite"
    source = connect_db(world.db)
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(world.db, db)
    ScanQueue(connect_db(db)).record(batch_id(PEAR_GTIN, FRESH_LOT), "FRESH-004")  # queued, not sent
    index_tables = ("events", "batches", "items", "scan_totals", "scan_batches", "enterprises")
    before = table_counts(db, *index_tables, "scan_queue", "scan_flushes")
    rebuilt = Indexer(world.chain, world.contract, world.story.suite.registry, connect_db(db), world.serials, 0,
                      fresh=True)
    emptied = table_counts(db, *index_tables)
    assert set(emptied.values()) == {0} and rebuilt.last_block == -1
    rebuilt.run_once()
    assert table_counts(db, *index_tables, "scan_queue", "scan_flushes") == before
    assert ScanQueue(connect_db(db)).namespace == ScanQueue(source).namespace  # flush keys stay the same


def test_a_fresh_index_of_another_deployment_drops_it_with_its_queue(world, tmp_path):
    import shutil

    db = tmp_path / "copy.sqlite"
    connect_db(world.db).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(world.db, db)
    ScanQueue(connect_db(db)).record(batch_id(PEAR_GTIN, FRESH_LOT), "FRESH-004")
    other = another_deployment()
    Indexer(other.chain, other.suite["ProductProvenance"], other.suite.registry, connect_db(db), world.serials, 0,
            fresh=True)
    assert table_counts(db, "events", "batches", "scan_queue", "scan_flushes") == dict.fromkeys(
        ("events", "batches", "scan_queue", "scan_flushes"), 0)
