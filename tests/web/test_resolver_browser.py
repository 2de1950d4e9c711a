"""The consumer's page in a real browser: Debian's chromium (no browser download) driven by
Playwright for Python loads the demo box's page from a resolver started for the test, and reads the
seller, origin, alliance and scan count as a person would see them, as a phone (headless Chromium's
own user agent is a bot's, whose views are not scans). The screenshot is kept in test-artifacts/
(gitignored)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from shanglian.resolver.process import ServerProcess

CHROMIUM = os.environ.get("SHANGLIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
         "Mobile Safari/537.36")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    log = tmp / "serve.log"
    with ServerProcess(["--network", "embedded"], {**os.environ, "SHANGLIAN_HOME": str(tmp)}, log=log) as running:
        found = re.search(r"the demo box of pears: \S+?(/01/\S+)", log.read_text())
        assert found, log.read_text()
        running.demo_path = found.group(1)
        yield running


def test_demo_item_page_reads_well_in_chromium(server):
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium fonts-noto-cjk)"
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                                    user_agent=PHONE)
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
            browser.close()
