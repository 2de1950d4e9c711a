"""The browser the web suites share, one per module (see chromium.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chromium import ARTIFACTS, CHROMIUM, FLAGS


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium fonts-noto-cjk)"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
