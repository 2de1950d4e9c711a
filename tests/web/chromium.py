"""What the browser suites share: Debian's chromium driven by Playwright (no browser download), the
flags it runs with here, a phone's user agent (headless Chromium's own is a bot's, whose views are
not scans) and the folder screenshots go to (test-artifacts/, gitignored)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("SHANGLIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
         "Mobile Safari/537.36")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
