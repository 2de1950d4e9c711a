"""The consumer's pages in a real browser: Debian's chromium (no browser download) driven by
Playwright for Python, against a resolver started for the test on the embedded demo chain. The demo
box's page reads seller, origin, alliance and scan count as a person would see them, as a phone
(headless Chromium's own user agent is a bot's, whose views are not scans); the verification page
digests files in the browser and says what the chain holds for a genuine contract, a copy with one
byte changed and a revoked licence. Screenshots are kept in test-artifacts/ (gitignored)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from chromium import ARTIFACTS, PHONE, chromium_browser  # noqa: F401 - the `browser` fixture

from shanglian.resolver.process import ServerProcess


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("resolver_browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    log = tmp / "serve.log"
    with ServerProcess(["--network", "embedded"], {**os.environ, "SHANGLIAN_HOME": str(tmp)}, log=log) as running:
        found = re.search(r"the demo box of pears: \S+?(/01/\S+)", log.read_text())
        assert found, log.read_text()
        running.demo_path = found.group(1)
        hall = re.search(r"the service hall's documents, to try at /verify: (\S+)", log.read_text())
        assert hall, log.read_text()
        running.hall = Path(hall.group(1))
        yield running


def test_demo_item_page_reads_well_in_chromium(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                                  user_agent=PHONE)
    try:
        page = context.new_page()
        response = page.goto(server.url + server.demo_path)
        assert response is not None and response.ok
        expect(page.locator("#seller")).to_have_text("皖美优选电子商务有限公司")
        expect(page.locator("#origin")).to_contain_text("砀山县良梨镇梨园")
        expect(page.locator("#alliance")).to_contain_text("安徽省优质水果品质联盟")
        # The demo recorded two scans on chain; this page view is the third.
        expect(page.locator("#scan-count")).to_have_text("此码已被扫描 3 次")
        expect(page.locator("#scans")).to_contain_text("This code has been scanned 3 times")
        expect(page.locator("#verdict")).to_contain_text("此批次已召回")
        page.screenshot(path=str(ARTIFACTS / "resolver-demo-item.png"), full_page=True)
    finally:
        context.close()


def _verify(browser, server, file: Path, shot: str):
    """Opens /verify as a phone would, gives it `file`, and returns the page once it has answered."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
    page.goto(server.url + "/verify")
    page.set_input_files("#file", str(file))
    expect(page.locator("#result .banner")).to_be_visible(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return page


def test_a_genuine_contract_reads_as_filed_co_signed_and_notarised(browser, server):
    from playwright.sync_api import expect

    from shanglian.digests import Algorithm, digest_file

    contract = server.hall / "supply-contract.txt"
    page = _verify(browser, server, contract, "verify-genuine.png")
    # The digests the browser computed are the SDK's.
    expect(page.locator("#sha256")).to_have_text(digest_file(contract).hex())
    expect(page.locator("#sm3")).to_have_text(digest_file(contract, Algorithm.SM3).hex())
    expect(page.locator("#result .banner")).to_contain_text("On record")
    expect(page.locator("#result")).to_contain_text("赣州市赣南脐橙专业合作社")
    expect(page.locator("#result")).to_contain_text("已签 signed")
    expect(page.locator("#result")).to_contain_text("江西省赣州市赣南公证处")
    page.close()


def test_a_copy_with_one_byte_changed_reads_no_record(browser, server):
    from playwright.sync_api import expect

    page = _verify(browser, server, server.hall / "supply-contract-tampered.txt", "verify-tampered.png")
    expect(page.locator("#result .banner")).to_contain_text("No record")
    expect(page.locator("#result .banner")).to_contain_text("无记录")
    page.close()


def test_a_revoked_licence_reads_revoked(browser, server):
    from playwright.sync_api import expect

    document = next(server.hall.glob("food-business-licence-*.txt"))
    page = _verify(browser, server, document, "verify-revoked-licence.png")
    expect(page.locator("#result .banner")).to_contain_text("证照已吊销")
    expect(page.locator("#result .banner")).to_contain_text("revoked")
    expect(page.locator("#result")).to_contain_text("已吊销 revoked")
    page.close()


def test_a_licences_qr_code_opens_its_page(browser, server):
    from playwright.sync_api import expect

    licence = next(server.hall.glob("food-production-licence-*.txt"))
    from shanglian.digests import digest_file

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{server.url}/verify/licence/0x{digest_file(licence).hex()}")
    expect(page.locator("#result .banner")).to_contain_text("On record", timeout=15_000)
    expect(page.locator("#result")).to_contain_text("有效 active")
    page.close()
