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
from shanglian.roles import Role
from shanglian.merkle import serial_range
from shanglian.provenance import Provenance, batch_id, item_hash
from shanglian.resolver.app import ItemView, Resolver, create_app
from shanglian.resolver.indexer import Indexer, IndexMismatch, connect_db
from shanglian.resolver.scans import Flusher, ScanQueue
from shanglian.network import connect
from shanglian.trace import SerialFolder

FRESH_LOT = "DSFRESH1"
SLASH_LOT = "AB/12"  # "/" is in the GS1 AI character set 82: written %2F in a link
PLAIN_LOT = "PLAIN1"  # serials with "/" under a plain lot
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
# A second platform enterprise, active like ours: the rogue one of the scan-inflation threat.
ROGUE = demo.Member(max(m.key_index for m in demo.CAST.values()) + 1, "某第三方扫码平台", "another scan platform",
                    "91340100MA2W4E8R6", Role.PLATFORM)  # a key no member of the demo holds


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
        coop.create_batch(PEAR_GTIN, SLASH_LOT, ORCHARD, today, None, ["X1", "X2"], keep_serials=self.serials.save)
        coop.create_batch(PEAR_GTIN, PLAIN_LOT, ORCHARD, today, None, ["S/2", "S/3", "X2"],
                          keep_serials=self.serials.save)
        admins = [self.story.senders[f"admin{i}"] for i in range(len(demo.ADMIN_KEYS))]
        self.rogue = demo._sender(self.chain, ROGUE.key_index)
        self.story.senders["admin0"].transfer(self.rogue.address, 10**20)
        demo.admit(self.chain, self.story.suite.registry, ROGUE, self.rogue, admins,
                   (today + dt.timedelta(days=365)).isoformat())
        self.db = tmp / "index.sqlite"
        self.contract = contract
        self.indexer = Indexer(self.chain, contract, self.story.suite.registry, connect_db(self.db), self.serials, 0,
                               range_blocks=7)
        self.indexer.run_once()
        self.flusher = Flusher(ScanQueue(connect_db(self.db)), contract, self.story.senders["platform"],
                               self.story.address("platform"))
        self.resolver = Resolver(self.db, self.chain.chain_id, self.indexer, None, suspicious_after=5,
                                 platforms=(self.story.address("platform"),))
        self.client = TestClient(create_app(self.resolver, run_worker=False))
        self.consumers = 0

    def page(self, lot, serial, agent=None):
        """A consumer's view of the item page: a new consumer each time unless `agent` is given."""
        if agent is None:
            self.consumers += 1
            agent = f"{PHONE} consumer/{self.consumers}"
        return self.client.get(f"/01/{PEAR_GTIN}/10/{lot}/21/{serial}", headers={"User-Agent": agent})

    def get(self, path, agent=PHONE, **kwargs):
        return self.client.get(path, headers={"User-Agent": agent, **kwargs.pop("headers", {})}, **kwargs)

    def api(self, lot, serial):
        response = self.client.get(f"/api/v1/items/{PEAR_GTIN}/{lot}/{serial}")
        assert response.status_code == 200, response.text
        return response.json()

    def on_chain(self, lot, serial):
        return Provenance(self.chain, self.contract).scan_count((PEAR_GTIN, lot), serial)


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("resolver_app")


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
    assert data["batch"]["origin"] == {"place": "砀山县良梨镇梨园", "region_code": 341321,
                                       "region_name": "安徽省宿州市砀山县", "latitude": 34.442, "longitude": 116.367}
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
        assert "无法识别此码" in response.text and "not valid" in response.text


def test_an_error_page_speaks_to_consumers_and_the_json_carries_the_detail(world):
    page = world.get(f"/01/06901234567891/10/{FRESH_LOT}/21/FRESH-001")
    assert page.status_code == 400
    assert "商品条码（GTIN）不正确" in page.text and "The product number (GTIN) in it is not valid" in page.text.replace(
        "This code cannot be resolved: the", "The")
    assert "check digit" not in page.text and "gtin:" not in page.text
    api = world.get(f"/api/v1/items/06901234567891/{FRESH_LOT}/FRESH-001")
    assert api.status_code == 400 and api.json() == {
        "error": "gtin: wrong check digit in 06901234567891: last digit is 1, expected 2", "field": "gtin"}


def test_unknown_path_is_404_with_a_hint(world):
    page = world.client.get("/02/x")
    assert page.status_code == 404 and "无法识别此码：没有这个页面" in page.text and "there is no such page" in page.text
    malformed = world.client.get("/01/x")
    assert malformed.status_code == 400 and "商品条码（GTIN）不正确" in malformed.text
    api = world.client.get("/api/v1/items/x")
    assert api.status_code == 404
    assert "/01/<gtin>/10/<lot>/21/<serial>" in api.json()["error"]


def test_qr_png_points_at_the_item(world):
    response = world.client.get(f"/qr/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-001")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_views_are_flushed_on_chain_exactly_once(world):  # three consumers
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
    world.page(FRESH_LOT, "FRESH-020")  # another consumer
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
    assert reopened.last_block == last and reopened.built  # served as it is at start (cli/serve.py)
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
    assert not rebuilt.built  # built up to the head before it is served
    rebuilt.run_once()
    assert rebuilt.built
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


# -- GS1 Digital Link forms ----------------------------------------------------------------------


def test_a_lot_with_a_slash_resolves_on_the_page_json_and_qr_routes(world):
    page = world.get(f"/01/{PEAR_GTIN}/10/AB%2F12/21/X1")
    assert page.status_code == 200 and "正品" in page.text and f"/01/{PEAR_GTIN}/10/AB%2F12/21/X1" in page.text
    data = world.get(f"/api/v1/items/{PEAR_GTIN}/AB%2F12/X1").json()
    assert (data["lot"], data["serial"], data["verdict"]) == (SLASH_LOT, "X1", "genuine")
    image = world.get(f"/qr/01/{PEAR_GTIN}/10/AB%2F12/21/X1")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert world.get(f"/api/v1/lots/{PEAR_GTIN}/AB%2F12").json()["lot"] == SLASH_LOT


def test_a_serial_with_a_slash_under_a_plain_lot_resolves(world):
    page = world.get(f"/01/{PEAR_GTIN}/10/{PLAIN_LOT}/21/S%2F2")
    assert page.status_code == 200 and "正品" in page.text
    assert world.get(f"/api/v1/items/{PEAR_GTIN}/{PLAIN_LOT}/S%2F2").json()["serial_proven"] is True


def test_a_slash_that_only_splits_once_decoded_is_not_read_as_another_item(world):
    # Lot "X1/21/X2" of the lot-level link decodes to the path of item X2 of lot X1: never that item.
    response = world.get(f"/01/{PEAR_GTIN}/10/AB%2F21%2FX1")
    assert response.status_code == 404 and "未在链上登记" in response.text


def test_a_serial_without_lot_is_resolved_through_the_lots_holding_it(world):
    before = world.api(FRESH_LOT, "FRESH-005")["scan_count"]
    page = world.get(f"/01/{PEAR_GTIN}/21/FRESH-005")
    assert page.status_code == 200 and "正品" in page.text
    assert f"/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-005" in page.text  # the item's full link
    assert world.api(FRESH_LOT, "FRESH-005")["scan_count"] == before + 1


def test_a_serial_without_lot_that_two_lots_hold_asks_which_and_is_not_a_scan(world):
    before = [world.api(lot, "X2")["scan_count"] for lot in ("AB%2F12", PLAIN_LOT)]
    page = world.get(f"/01/{PEAR_GTIN}/21/X2")
    assert page.status_code == 300 and "请按包装上的批号选择" in page.text
    assert f'href="/01/{PEAR_GTIN}/10/AB%2F12/21/X2"' in page.text
    assert f'href="/01/{PEAR_GTIN}/10/{PLAIN_LOT}/21/X2"' in page.text
    assert [world.api(lot, "X2")["scan_count"] for lot in ("AB%2F12", PLAIN_LOT)] == before


def test_a_serial_without_lot_that_no_lot_holds_is_unknown(world):
    page = world.get(f"/01/{PEAR_GTIN}/21/NOT-ISSUED")
    assert page.status_code == 404 and "未知序列号" in page.text and "砀山酥梨" in page.text


def test_the_variant_qualifier_and_a_trailing_slash_are_accepted(world):
    assert world.get(f"/01/{PEAR_GTIN}/22/V1/10/{FRESH_LOT}/21/FRESH-006").status_code == 200
    page = world.get(f"/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-006/")
    assert page.status_code == 200 and "正品" in page.text


def test_a_raw_slash_in_a_lot_is_a_bad_link(world):
    assert world.get(f"/01/{PEAR_GTIN}/10/AB/12/21/X1").status_code == 400
    api = world.get(f"/api/v1/items/{PEAR_GTIN}/AB/12/X1")
    assert api.status_code == 404


def test_a_lot_page_tells_the_batch_story_and_is_not_a_scan(world):
    before = world.api(FRESH_LOT, "FRESH-007")["scan_count"]
    page = world.get(f"/01/{PEAR_GTIN}/10/{FRESH_LOT}")
    assert page.status_code == 200
    assert "批次码" in page.text and "砀山县良梨镇梨园" in page.text and 'id="custody"' in page.text
    assert "此码已被扫描" not in page.text
    data = world.get(f"/api/v1/lots/{PEAR_GTIN}/{FRESH_LOT}").json()
    assert (data["serial"], data["serial_proven"], data["scan_count"]) == (None, None, 0)
    assert world.api(FRESH_LOT, "FRESH-007")["scan_count"] == before


# -- what counts as a scan -----------------------------------------------------------------------


def test_a_reload_storm_of_one_consumer_is_one_scan(world):
    before = world.api(FRESH_LOT, "FRESH-008")["scan_count"]
    for _ in range(22):
        html = world.page(FRESH_LOT, "FRESH-008", agent=PHONE).text
    assert f"此码已被扫描 {before + 1} 次" in html and "正品" in html
    assert world.page(FRESH_LOT, "FRESH-008").text.count(f"此码已被扫描 {before + 2} 次") == 1  # another consumer


def test_a_consumer_counts_again_after_the_window(world):
    world.page(FRESH_LOT, "FRESH-009", agent=PHONE)
    before = world.api(FRESH_LOT, "FRESH-009")["scan_count"]
    conn = connect_db(world.db)
    conn.execute("UPDATE scan_queue SET at = at - ? WHERE client IS NOT NULL", (world.resolver.scan_window,))
    assert f"此码已被扫描 {before + 1} 次" in world.page(FRESH_LOT, "FRESH-009", agent=PHONE).text


@pytest.mark.parametrize("agent, headers", [
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", {}),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", {}),
    ("WeChatBot", {}),
    ("TelegramBot (like TwitterBot)", {}),
    ("", {}),
    (PHONE, {"Sec-Purpose": "prefetch"}),
])
def test_bots_previews_prefetches_and_anonymous_requests_are_not_scans(world, agent, headers):
    before = world.api(FRESH_LOT, "FRESH-012")["scan_count"]
    page = world.get(f"/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-012", agent=agent, headers=headers)
    assert page.status_code == 200 and f"此码已被扫描 {before} 次" in page.text
    assert world.api(FRESH_LOT, "FRESH-012")["scan_count"] == before


def test_a_head_request_is_not_a_scan(world):
    before = world.api(FRESH_LOT, "FRESH-013")["scan_count"]
    assert world.client.head(f"/01/{PEAR_GTIN}/10/{FRESH_LOT}/21/FRESH-013", headers={"User-Agent": PHONE}).status_code == 200
    assert world.api(FRESH_LOT, "FRESH-013")["scan_count"] == before


def test_scans_another_platform_records_are_not_counted_unless_it_is_trusted(world):
    rogue = Provenance(world.chain, world.contract, world.rogue)
    rogue.record_scans((PEAR_GTIN, FRESH_LOT), {"FRESH-014": 30}, bytes(31) + b"\x01")
    world.indexer.run_once()
    assert world.on_chain(FRESH_LOT, "FRESH-014") == 30  # on chain, for anyone to see
    item = world.api(FRESH_LOT, "FRESH-014")
    assert (item["scan_count"], item["verdict"]) == (0, "genuine")
    trusting = Resolver(world.db, world.chain.chain_id, None, None, suspicious_after=5,
                        platforms=(world.story.address("platform"), world.rogue.address))
    assert trusting.item(PEAR_GTIN, FRESH_LOT, "FRESH-014").scan_count == 30
    assert world.get("/healthz").json()["counted_platforms"] == [world.story.address("platform")]


# -- what the page shows -------------------------------------------------------------------------


def test_the_page_names_the_region_and_keeps_its_code(world):
    html = world.page(FRESH_LOT, "FRESH-015").text
    assert "安徽省宿州市砀山县" in html and "341321" in html


def test_the_origin_has_a_map_link_a_phone_opens(world):
    html = world.page(FRESH_LOT, "FRESH-015").text
    assert 'id="map" href="geo:34.442000,116.367000"' in html


def test_the_certificate_shows_its_digest_and_status(world):
    data = world.api(FRESH_LOT, "FRESH-016")
    (cert,) = data["certifications"]
    html = world.page(FRESH_LOT, "FRESH-016").text
    assert cert["certificate_hash"] in html and 'data-status="valid"' in html and "证书有效" in html


def test_under_a_recall_the_certificate_does_not_read_valid(world):
    html = world.page(world.facts["lot"], CONSUMER_ITEM).text
    (cert,) = world.api(world.facts["lot"], CONSUMER_ITEM)["certifications"]
    assert cert["status"] == "recalled" and cert["certificate_hash"] in html
    assert 'data-status="recalled"' in html and "证书无效：该批次已召回" in html and "证书有效" not in html


def test_the_page_explains_how_scans_are_counted(world):
    html = world.page(FRESH_LOT, "FRESH-017").text
    assert "同一设备在 1 小时内多次打开只计一次" in html and "one per device per item every hour" in html


def test_the_docs_are_served_without_a_cdn(world):
    docs = world.get("/docs").text
    assert "cdn." not in docs and "/static-offline-docs/swagger-ui-bundle.js" in docs
    assert world.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    icon = world.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
