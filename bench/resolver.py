"""Resolver throughput: the item page against the same server's hello-world route, same run, with
a batch of 100,000 serialised items indexed.

An Anvil node gets the demo's enterprises and one batch of 100,000 serials (one Merkle root); the
resolver (`shanglian serve`, one uvicorn process) indexes it, then Debian's `wrk` drives it from a
second process over loopback: first GET /hello, then item pages of random serials of the batch, as a
phone's browser (a user agent that is no bot's) — each page view of an item this client has not
seen within the hour is a real scan (the client's window checked and a committed INSERT), the rest
are a checked window, and every view is a real membership lookup among the 100,000.
Scans are not flushed during the run (no platform account): flushing is a background batch job.

The service hall's verification is measured on the same server: the demo's step 4 is run before it
starts (so its records are indexed), then GET /verify (the page a person drops a file on) and GET
/api/v1/verify/<digest> (what the page asks once the browser has digested the file: the supply
contract's answer, with its co-signature and notarisation) take turns with /hello the same way.

    python -m bench.resolver           # prints the figures as JSON
    python -m bench.resolver verify    # the verification figures only (no 100,000-item batch)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from shanglian.demo_hall import hall_story
from shanglian.demo_pears import PEAR_GTIN
from shanglian.digests import digest_file
from shanglian.localnode import LocalNode
from shanglian.merkle import serial_range
from shanglian.network import connect
from shanglian.resolver.process import PearProducer, ServerProcess

ITEMS = 100_000
LOT = "BENCH100K"
DURATION_S = 3
ROUNDS = 3
CONNECTIONS = 8

# Each round draws its own serials (seed 20240912 + round), so that its views are new scans and not
# the previous round's views again, which the one-scan-per-client-per-item window would not count.
LUA = """
math.randomseed(%d)
local headers = {["User-Agent"] = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"}
request = function()
  return wrk.format("GET", string.format("/01/%s/10/%s/21/BENCH-%%06d", math.random(1, %d)), headers)
end
"""


def _wrk(url: str, script: Path | None) -> dict[str, float]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk not found: `apt-get install -y wrk` (make bench installs it)")
    command = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--timeout", "5s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    text = subprocess.run(command, capture_output=True, text=True, check=True, timeout=DURATION_S + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([0-9.]+)(us|ms|s)\b", text).groups()  # type: ignore[union-attr]
    p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} failed responses from {url}:\n{text}")
    requests = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    return {"req_per_s": rate, "p99_ms": p99_ms, "requests": requests}


def _rounds(server: ServerProcess, url: str, scripts: list[Path | None]
            ) -> tuple[dict[str, float], dict[str, float], float, list[dict[str, float]]]:
    """Rounds alternating hello and `url` (with each round's wrk script), so load from outside the run
    hits both alike: the best throughput of each, the median p99 of `url`'s rounds, and those rounds."""
    hellos, pages = [], []
    for script in scripts:
        hellos.append(_wrk(server.url + "/hello", None))
        pages.append(_wrk(url, script))
    return (max(hellos, key=lambda r: r["req_per_s"]), max(pages, key=lambda r: r["req_per_s"]),
            statistics.median(r["p99_ms"] for r in pages), pages)


def measure(parts: tuple[str, ...] = ("items", "verify")) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-resolver-"))
    node = LocalNode("anvil", state_dir=work / "anvil").start()
    try:
        producer = PearProducer(connect(node.profile), work)
        if "items" in parts:
            producer.batch(LOT, serial_range("BENCH-", 1, ITEMS + 1, 6))
        hall = hall_story(producer.story, lambda _: None, work / "hall") if "verify" in parts else None
        env = {**os.environ, "SHANGLIAN_HOME": str(work)}
        args = ["--network", node.url, "--serials", str(producer.serials.folder)]
        figures: dict[str, Any] = {}
        with ServerProcess(args, env, log=work / "serve.log") as server:
            _wrk(server.url + "/hello", None)  # warm-up
            if "items" in parts:
                indexed = server.get("/healthz")["items_indexed"]
                scripts = [work / f"page-{n}.lua" for n in range(ROUNDS)]
                for n, script in enumerate(scripts):
                    script.write_text(LUA % (20240912 + n, PEAR_GTIN, LOT, ITEMS))
                sample = server.get(f"/01/{PEAR_GTIN}/10/{LOT}/21/BENCH-000001")
                if "此码已被扫描" not in sample:
                    raise SystemExit("the bench item page does not show a scan count: not a real page")
                hello, page, p99, pages = _rounds(server, server.url, scripts)
                # The page views were scans (not refused as a bot's): they wait in the queue, unflushed.
                scans = server.get("/healthz")["scans_unsent"]
                views = sum(r["requests"] for r in pages)
                if scans < 0.8 * views:
                    raise SystemExit(f"only {scans} of {views} page views were counted as scans: not the page a phone gets")
                figures.update({
                    "hello_req_per_s": round(hello["req_per_s"], 1),
                    "page_req_per_s": round(page["req_per_s"], 1),
                    "ratio": round(page["req_per_s"] / hello["req_per_s"], 3),
                    "p99_ms": round(p99, 2),
                    "hello_p99_ms": round(hello["p99_ms"], 2),
                    "items_indexed": indexed,
                    "page_views": views,
                    "scans_counted": scans,
                })
            if hall is not None:
                contract = "0x" + digest_file(hall["folder"] / "supply-contract.txt").hex()
                answer = server.get(f"/api/v1/verify/{contract}")
                if not answer["found"] or not answer["evidence"][0]["notarisation"]:
                    raise SystemExit("the verification API does not find the notarised contract: not a real answer")
                if "验证文件" not in server.get("/verify"):
                    raise SystemExit("/verify is not the verification page")
                hello, page, page_p99, _ = _rounds(server, server.url + "/verify", [None] * ROUNDS)
                hello_api, api, api_p99, _ = _rounds(server, f"{server.url}/api/v1/verify/{contract}", [None] * ROUNDS)
                figures.update({
                    "verify_page_req_per_s": round(page["req_per_s"], 1),
                    "verify_page_ratio": round(page["req_per_s"] / hello["req_per_s"], 3),
                    "verify_page_p99_ms": round(page_p99, 2),
                    "verify_api_req_per_s": round(api["req_per_s"], 1),
                    "verify_api_ratio": round(api["req_per_s"] / hello_api["req_per_s"], 3),
                    "verify_api_p99_ms": round(api_p99, 2),
                })
        return figures
    finally:
        node.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    import sys

    print(json.dumps(measure(tuple(sys.argv[1:]) or ("items", "verify")), indent=2))
