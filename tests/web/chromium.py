"""What the browser suites share: Debian's chromium driven by Playwright (no browser download), the
flags it runs with here, a phone's user agent (headless Chromium's own is a bot's, whose views are
not scans), the folder screenshots go to (test-artifacts/, gitignored) and the `browser` fixture, one
per module. A suite imports the fixture (`chromium_browser`) from here: a conftest.py of this folder would be imported as
`conftest` and shadow the SDK suites' own when both folders run in one session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SHANGLIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
         "Mobile Safari/537.36")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module", name="browser")
def chromium_browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium fonts-noto-cjk)"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
