"""GS1 Digital Link forms, honest scan counts and offline docs in a real browser: Debian's chromium
driven by Playwright loads pages from a resolver that follows an Anvil node holding a lot whose name
has a "/" (AB/12). The browser presents itself as a phone (headless Chromium's own user agent is a
bot's, whose views are not scans). Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from chromium import ARTIFACTS, PHONE, chromium_browser  # noqa: F401 - the `browser` fixture

from shanglian.demo_pears import PEAR_GTIN
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.resolver.process import PearProducer, ServerProcess

SLASH_LOT = "AB/12"
PLAIN_LOT = "DSLINKS1"


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("resolver_links")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("links")
    node = LocalNode("anvil", state_dir=tmp / "anvil").start()
    try:
        producer = PearProducer(connect(node.profile), tmp)
        producer.batch(SLASH_LOT, ["X1", "X2", "X3"])
        producer.batch(PLAIN_LOT, ["S/2", "P-1", "P-2", "P-3"])
        args = ["--network", node.url, "--serials", str(producer.serials.folder),
                "--trust-platform", producer.story.address("platform")]
        with ServerProcess(args, {**os.environ, "SHANGLIAN_HOME": str(tmp)}, log=tmp / "serve.log") as running:
            yield running
    finally:
        node.stop()




@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                                  user_agent=PHONE)
    yield context.new_page()
    context.close()


def item(lot: str, serial: str | None = None) -> str:
    from shanglian import gs1

    return gs1.DigitalLink(PEAR_GTIN, lot, serial, base="").uri


def test_a_lot_with_a_slash_opens_its_item_page(server, phone):
    from playwright.sync_api import expect

    assert item(SLASH_LOT, "X1") == f"/01/{PEAR_GTIN}/10/AB%2F12/21/X1"
    response = phone.goto(server.url + item(SLASH_LOT, "X1"))
    assert response is not None and response.status == 200
    expect(phone.locator("#verdict")).to_contain_text("正品")
    expect(phone.locator("#product")).to_contain_text("批号 lot AB/12 · 序列号 serial X1")
    expect(phone.locator("#region")).to_have_text("安徽省宿州市砀山县")
    expect(phone.locator("#map")).to_have_attribute("href", "geo:34.442000,116.367000")
    assert phone.locator(".qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    phone.screenshot(path=str(ARTIFACTS / "resolver-slash-lot.png"), full_page=True)


def test_a_serial_under_a_plain_lot_with_a_slash_and_a_serial_only_link_open(server, phone):
    from playwright.sync_api import expect

    assert phone.goto(server.url + item(PLAIN_LOT, "S/2")).status == 200
    expect(phone.locator("#verdict")).to_contain_text("正品")
    response = phone.goto(server.url + f"/01/{PEAR_GTIN}/21/X2")
    assert response is not None and response.status == 200
    expect(phone.locator("#verdict")).to_contain_text("正品")
    expect(phone.locator("#product")).to_contain_text("批号 lot AB/12 · 序列号 serial X2")


def test_a_lot_page_tells_the_batch_story_without_a_scan_count(server, phone):
    from playwright.sync_api import expect

    response = phone.goto(server.url + item(SLASH_LOT))
    assert response is not None and response.status == 200
    expect(phone.locator("#verdict")).to_contain_text("批次码")
    expect(phone.locator("#origin")).to_contain_text("砀山县良梨镇梨园")
    expect(phone.locator("#custody")).to_contain_text("砀山县梨都果品专业合作社")
    expect(phone.locator("#scan-count")).to_have_count(0)
    assert server.get(f"/api/v1/items/{PEAR_GTIN}/AB%2F12/X3")["scan_count"] == 0


def test_a_reload_storm_stays_one_scan(server, phone):
    from playwright.sync_api import expect

    phone.goto(server.url + item(PLAIN_LOT, "P-1"))
    for _ in range(22):
        phone.reload()
    expect(phone.locator("#scan-count")).to_have_text("此码已被扫描 1 次")
    expect(phone.locator("#verdict")).to_contain_text("正品")
    expect(phone.locator("#scan-rule")).to_contain_text("同一设备在 1 小时内多次打开只计一次")
    assert server.get(f"/api/v1/items/{PEAR_GTIN}/{PLAIN_LOT}/P-1")["scan_count"] == 1


def test_a_code_that_resolves_to_nothing_gets_a_404_page_in_chinese(server, phone):
    from playwright.sync_api import expect

    response = phone.goto(server.url + item("NOSUCHLOT", "X1"))
    assert response is not None and response.status == 404
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(phone.locator("main")).to_contain_text("批号 NOSUCHLOT（砀山酥梨）未在链上登记。")
    response = phone.goto(server.url + "/02/nothing")
    assert response is not None and response.status == 404
    expect(phone.locator("#problem")).to_contain_text("无法识别此码：没有这个页面")
    assert "Traceback" not in phone.content() and "/api/v1/items/<gtin>" not in phone.content()
    phone.screenshot(path=str(ARTIFACTS / "resolver-404.png"), full_page=True)


def test_the_page_uses_a_desktop_width(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", user_agent=PHONE)
    try:
        page = context.new_page()
        page.goto(server.url + item(PLAIN_LOT, "P-2"))
        facts, scans = page.locator("#facts").bounding_box(), page.locator("#scans").bounding_box()
        assert facts and scans and facts["width"] > 450 and scans["x"] > facts["x"] + facts["width"] - 1
        page.screenshot(path=str(ARTIFACTS / "resolver-desktop.png"), full_page=True)
    finally:
        context.close()


def test_the_docs_render_with_the_network_unplugged(server, browser):
    from playwright.sync_api import expect

    context = browser.new_context()
    here = urlsplit(server.url).netloc
    leaving: list[str] = []

    def unplugged(route):
        if urlsplit(route.request.url).netloc == here:
            route.continue_()
        else:
            leaving.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", unplugged)
    try:
        page = context.new_page()
        assert page.goto(server.url + "/docs").status == 200
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("shanglian resolver", timeout=20_000)
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        icon = page.request.get(server.url + "/favicon.ico")
        assert icon.status == 200 and icon.headers["content-type"] == "image/svg+xml"
        page.screenshot(path=str(ARTIFACTS / "resolver-docs-offline.png"), full_page=False)
    finally:
        context.close()
    assert leaving == [], f"requests tried to leave the machine: {leaving}"

