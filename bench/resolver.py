"""Resolver throughput: the item page against the same server's hello-world route, same run, with
a batch of 100,000 serialised items indexed.

An Anvil node gets the demo's enterprises and one batch of 100,000 serials (one Merkle root); the
resolver (`shanglian serve`, one uvicorn process) indexes it, then Debian's `wrk` drives it from a
second process over loopback: first GET /hello, then item pages of random serials of the batch —
each page view is a real scan (committed INSERT) and a real membership lookup among the 100,000.
Scans are not flushed during the run (no platform account): flushing is a background batch job.

The service hall's verification is measured on the same server: the demo's step 4 is run before it
starts (so its records are indexed), then GET /verify (the page a person drops a file on) and GET
/api/v1/verify/<digest> (what the page asks once the browser has digested the file: the supply
contract's answer, with its co-signature and notarisation) take turns with /hello the same way.

    python -m bench.resolver           # prints the figures as JSON
    python -m bench.resolver verify    # the verification figures only (no 100,000-item batch)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from shanglian import demo, deploy
from shanglian.demo_hall import hall_story
from shanglian.digests import digest_file
from shanglian.demo_pears import ORCHARD, PEAR_FEATURES, PEAR_GTIN, PEAR_NAME
from shanglian.localnode import LocalNode
from shanglian.merkle import serial_range
from shanglian.network import connect
from shanglian.provenance import Provenance
from shanglian.resolver.process import ServerProcess
from shanglian.trace import SerialFolder

ITEMS = 100_000
LOT = "BENCH100K"
DURATION_S = 3
ROUNDS = 3
CONNECTIONS = 8

LUA = """
math.randomseed(20240912)
request = function()
  return wrk.format("GET", string.format("/01/%s/10/%s/21/BENCH-%%06d", math.random(1, %d)))
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
    return {"req_per_s": rate, "p99_ms": p99_ms}


def _rounds(server: ServerProcess, url: str, script: Path | None) -> tuple[dict[str, float], dict[str, float], float]:
    """Rounds alternating hello and `url`, so load from outside the run hits both alike: the best
    throughput of each, and the median p99 of `url`'s rounds."""
    hellos, pages = [], []
    for _ in range(ROUNDS):
        hellos.append(_wrk(server.url + "/hello", None))
        pages.append(_wrk(url, script))
    return (max(hellos, key=lambda r: r["req_per_s"]), max(pages, key=lambda r: r["req_per_s"]),
            statistics.median(r["p99_ms"] for r in pages))


def measure(parts: tuple[str, ...] = ("items", "verify")) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-resolver-"))
    node = LocalNode("anvil", state_dir=work / "anvil").start()
    try:
        chain = connect(node.profile)
        story = demo.prepare(chain)
        folder = SerialFolder(work / "serials")
        if "items" in parts:
            coop = Provenance(chain, story.suite["ProductProvenance"], story.senders["cooperative"])
            coop.register_product(PEAR_GTIN, PEAR_NAME, PEAR_FEATURES)
            today = dt.datetime.fromtimestamp(chain.w3.eth.get_block("latest")["timestamp"], dt.timezone.utc).date()
            coop.create_batch(PEAR_GTIN, LOT, ORCHARD, today - dt.timedelta(days=1), None,
                              serial_range("BENCH-", 1, ITEMS + 1, 6), keep_serials=folder.save)
        hall = hall_story(story, lambda _: None, work / "hall") if "verify" in parts else None
        manifest = deploy.Manifest(work / "deployments.json")
        for name, address in story.suite.addresses.items():
            manifest.record(chain.chain_id, name, {"address": address, "block": 0})
        env = {**os.environ, "SHANGLIAN_HOME": str(work)}
        args = ["--network", node.url, "--serials", str(folder.folder)]
        figures: dict[str, Any] = {}
        with ServerProcess(args, env, log=work / "serve.log") as server:
            _wrk(server.url + "/hello", None)  # warm-up
            if "items" in parts:
                indexed = server.get("/healthz")["items_indexed"]
                script = work / "page.lua"
                script.write_text(LUA % (PEAR_GTIN, LOT, ITEMS))
                sample = server.get(f"/01/{PEAR_GTIN}/10/{LOT}/21/BENCH-000001")
                if "此码已被扫描" not in sample:
                    raise SystemExit("the bench item page does not show a scan count: not a real page")
                hello, page, p99 = _rounds(server, server.url, script)
                figures.update({
                    "hello_req_per_s": round(hello["req_per_s"], 1),
                    "page_req_per_s": round(page["req_per_s"], 1),
                    "ratio": round(page["req_per_s"] / hello["req_per_s"], 3),
                    "p99_ms": round(p99, 2),
                    "hello_p99_ms": round(hello["p99_ms"], 2),
                    "items_indexed": indexed,
                })
            if hall is not None:
                contract = "0x" + digest_file(hall["folder"] / "supply-contract.txt").hex()
                answer = server.get(f"/api/v1/verify/{contract}")
                if not answer["found"] or not answer["evidence"][0]["notarisation"]:
                    raise SystemExit("the verification API does not find the notarised contract: not a real answer")
                if "验证文件" not in server.get("/verify"):
                    raise SystemExit("/verify is not the verification page")
                hello, page, page_p99 = _rounds(server, server.url + "/verify", None)
                hello_api, api, api_p99 = _rounds(server, f"{server.url}/api/v1/verify/{contract}", None)
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
