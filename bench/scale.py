"""Province scale: the resolver with ten million serials indexed, and consumer scans arriving at
thousands a second while the resolver is killed (SIGKILL) in the middle of a flush.

The data set is made the way a producer makes it: 1,000 lots of 10,000 serials each, every lot a
real batch on an Anvil node (one createBatch with its Merkle root, sent by the cooperative through
the SDK) and its serial list published where the product puts it (``SerialFolder.save``, one file
per lot, as ``create_batch(keep_serials=…)`` writes it). Nothing is written into the index by hand:
`shanglian serve` builds it from the chain's events and those files, checking every list against
its on-chain root, and ``index_build_seconds`` is the time from its start until it answers
/healthz with every serial indexed.

Then, on that server (no platform account: nothing is flushed), Debian's `wrk` measures the item
page of random serials among the ten million against the same server's hello-world route, in
alternating rounds (as bench/resolver.py does at 100,000), after one view of an item of each lot
(which renders that lot's page once); each view is a phone's, counted as a scan.
``resolver_rss_mib`` is the server's peak resident size (VmHWM) over its life, the index build
included.

Scan ingestion: the server is restarted with the platform account, so it flushes scans on chain
in batches (the page rounds' scans first, before the clock starts) while `wrk` sends page views of distinct items, each from a client not seen before (its
own user agent), for 60 s. Half-way, once a flush is marked as being sent, the server is killed
with SIGKILL and started again; wrk keeps going (its requests meanwhile fail and are not counted).
Every page that answered 200 names its serial, and wrk's script writes the serials of those
answers to a file: what consumers were shown counted. When the queue has drained and every flush is
indexed, the queue's rows, the acknowledged serials and the on-chain totals (the index of the
``ScanBatchRecorded`` logs' packed records) are compared item by item:

- lost: an acknowledged scan with no queued row, or an item with fewer scans on chain than queued;
- doubled: an item with more scans on chain than queued.

Gas per scan is the mined flushes' gas over the scans they carried, at the flusher's batch size.

The pair on PostgreSQL: a throwaway PostgreSQL server (Debian's, :mod:`shanglian.localpg`) holds
one index and scan queue for two `shanglian serve --index postgresql://…` processes, both with the
platform account (one flushes at a time: the lease holder). ``pg_p99_ms`` is the worse of the two
servers' item page p99 while `wrk` drives both at once (the median of three rounds, random serials
among all lots, as above). Then `wrk` sends scans of distinct items from distinct clients to both
for the scan phase's length; half-way, once a flush is being sent, the lease holder is killed with
SIGKILL and not restarted: its peer takes the lease over and settles or resends its flushes by key.
Lost and doubled are counted as above on what this phase added (the queue's rows and the on-chain
totals before it are subtracted item by item).

    python -m bench.scale            # the full run, prints the figures as JSON
    python -m bench.scale --quick    # 20 lots of 10,000, 20 s of scans: for development
    python -m bench.scale --pg [LOTS]  # only the PostgreSQL pair, on LOTS lots of 10,000 (default 1,000)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

from eth_account import Account

from bench.resolver import _wrk
from shanglian import accounts, devkeys
from shanglian.demo_pears import PEAR_GTIN
from shanglian.localnode import LocalNode
from shanglian.localpg import LocalPostgres
from shanglian.merkle import serial_range
from shanglian.network import connect
from shanglian.provenance import batch_id, item_hash
from shanglian.resolver.process import PearProducer, ServerProcess
from shanglian.resolver.store import Database, connect_database, is_postgres, lock_key

LOTS, PER_LOT = 1_000, 10_000
SCAN_SECONDS = 60
CONNECTIONS = 8
PLATFORM_KEY = 11  # the demo's scan platform (demo.CAST["platform"]), saved as the keystore "platform"
AGENT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
PHONES = (
    AGENT,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49 NetType/WIFI Language/zh_CN",
)


def lot_name(n: int) -> str:
    return f"L{n:04d}"


def serials_of(n: int, per_lot: int) -> list[str]:
    return serial_range(f"L{n:04d}-", 1, per_lot + 1, 5)


PAGE_LUA = """
math.randomseed(%(seed)d)
local headers = {["User-Agent"] = "%(agent)s"}
request = function()
  local lot = math.random(0, %(lots)d - 1)
  return wrk.format("GET", string.format("/01/%(gtin)s/10/L%%04d/21/L%%04d-%%05d", lot, lot, math.random(1, %(per_lot)d)), headers)
end
"""

# One thread: request n is item n of the scanned lots, from a client of its own: its own address,
# as a reverse proxy in front of the resolver reports it (X-Forwarded-For, which uvicorn takes from
# a proxy on 127.0.0.1), and one of a few phones' user agents, as a crowd of phones sends them.
# A 200 answer's page names its item: its serial goes to the file of acknowledged scans.
SCAN_LUA = """
local n = -1
local acked = nil
local agents = {%(agents)s}
init = function(args)
  acked = io.open("%(acked)s", "w")
end
request = function()
  n = n + 1
  local lot = %(first_lot)d + math.floor(n / %(per_lot)d)
  local serial = string.format("L%%04d-%%05d", lot, n %% %(per_lot)d + 1)
  local address = string.format("10.%%d.%%d.%%d", math.floor(n / 65536) %% 256, math.floor(n / 256) %% 256, n %% 256)
  local headers = {["User-Agent"] = agents[n %% #agents + 1], ["X-Forwarded-For"] = address}
  return wrk.format("GET", string.format("/01/%(gtin)s/10/L%%04d/21/%%s", lot, serial), headers)
end
response = function(status, headers, body)
  if status == 200 then
    local serial = string.match(body, "/21/(L%%d%%d%%d%%d%%-%%d%%d%%d%%d%%d)")
    if serial then acked:write(serial, "\\n") acked:flush() end
  end
end
"""


def _rss_mib(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    found = {k: int(v) / 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}
    return {"rss_mib": round(found["VmRSS"], 1), "peak_rss_mib": round(found["VmHWM"], 1)}


def make_lots(producer: PearProducer, lots: int, per_lot: int) -> float:
    """Creates the lots on chain with their serial lists published; the seconds it took."""
    started = time.monotonic()
    for n in range(lots):
        producer.batch(lot_name(n), serials_of(n, per_lot))
        if n % 100 == 99:
            print(f"  {n + 1} lots on chain ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return time.monotonic() - started


def page_rounds(server: ServerProcess, work: Path, lots: int, per_lot: int, rounds: int = 3) -> dict[str, Any]:
    scripts = []
    for n in range(rounds):
        script = work / f"page-{n}.lua"
        script.write_text(PAGE_LUA % {"seed": 20261201 + n, "agent": AGENT, "lots": lots, "gtin": PEAR_GTIN,
                                      "per_lot": per_lot})
        scripts.append(script)
    sample = server.get(f"/01/{PEAR_GTIN}/10/{lot_name(lots - 1)}/21/{serials_of(lots - 1, per_lot)[-1]}",
                        headers={"User-Agent": AGENT})
    if "此码已被扫描" not in sample:
        raise SystemExit("the item page does not show a scan count: not a real page")
    # Warm-up: the hello route, and one view of an item of each lot. The first view of a lot renders
    # its page in full and keeps it as the skeleton its other items' pages are filled into (see
    # resolver/pages.py); a resolver that has served for a while holds them all.
    _wrk(server.url + "/hello", None)
    for n in range(lots):
        server.get(f"/01/{PEAR_GTIN}/10/{lot_name(n)}/21/{lot_name(n)}-00001", headers={"User-Agent": AGENT})
    hellos, pages = [], []
    for script in scripts:
        hellos.append(_wrk(server.url + "/hello", None))
        pages.append(_wrk(server.url, script))
    hello = max(hellos, key=lambda r: r["req_per_s"])
    page = max(pages, key=lambda r: r["req_per_s"])
    return {
        "hello_req_per_s": round(hello["req_per_s"], 1),
        "page_req_per_s": round(page["req_per_s"], 1),
        "ratio": round(page["req_per_s"] / hello["req_per_s"], 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in pages), 2),
        "hello_p99_ms": round(statistics.median(r["p99_ms"] for r in hellos), 2),
        "page_views": sum(r["requests"] for r in pages),
    }


def _db(path: Path | str) -> sqlite3.Connection | Database:
    """A connection to the index to read: SQLite read-only, or a PostgreSQL URL."""
    if is_postgres(path):
        return connect_database(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _kill_mid_flush(server: ServerProcess, db: Path, at: float, deadline: float) -> dict[str, Any]:
    """Waits until `at` (monotonic), then for a flush being sent, and kills the server (SIGKILL);
    what the queue held at that moment, and how long the server took to answer again."""
    time.sleep(max(0.0, at - time.monotonic()))
    conn = _db(db)
    try:
        while time.monotonic() < deadline:
            if conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status = 'sending'").fetchone()[0]:
                break
            time.sleep(0.005)
        server.kill()
        sending = conn.execute(
            "SELECT COUNT(*), (SELECT COUNT(*) FROM scan_queue q JOIN scan_flushes f ON f.id = q.flush_id "
            "WHERE f.status = 'sending') FROM scan_flushes WHERE status = 'sending'").fetchone()
    finally:
        conn.close()
    down = time.monotonic()
    server.start(timeout=600)
    return {"flushes_sending_at_kill": sending[0], "scans_in_them": sending[1],
            "restart_seconds": round(time.monotonic() - down, 2)}


def _drained(db: Path | str, timeout: float = 600) -> None:
    """Waits until every queued scan is in a flush that is done and indexed."""
    deadline = time.monotonic() + timeout
    conn = _db(db)
    try:
        while time.monotonic() < deadline:
            left = conn.execute(
                "SELECT (SELECT COUNT(*) FROM scan_queue WHERE flush_id IS NULL) + "
                "(SELECT COUNT(*) FROM scan_flushes f WHERE status != 'done' "
                "OR NOT EXISTS (SELECT 1 FROM scan_batches b WHERE b.scan_key = f.scan_key))").fetchone()[0]
            if left == 0:
                return
            time.sleep(0.5)
    finally:
        conn.close()
    raise SystemExit(f"scans still unflushed after {timeout:g} s")


Tally = tuple[Counter[tuple[bytes, bytes]], Counter[tuple[bytes, bytes]], int]


def tallies(db: Path | str) -> Tally:
    """(queued scans by item, on-chain totals by item, scans in the indexed ScanBatchRecorded logs)."""
    conn = _db(db)
    try:
        queued = Counter({(bytes(b), bytes(i)): int(n) for b, i, n in conn.execute(
            "SELECT batch_id, item_hash, COUNT(*) FROM scan_queue GROUP BY batch_id, item_hash")})
        on_chain = Counter({(bytes(b), bytes(i)): int(n) for b, i, n in conn.execute(
            "SELECT batch_id, item_hash, SUM(total) FROM scan_totals GROUP BY batch_id, item_hash")})
    finally:
        conn.close()
    return queued, on_chain, sum(on_chain.values())


def reconcile(db: Path | str, acked: list[str], gtin: str, lot_of: Any, before: Tally | None = None) -> dict[str, int]:
    """Lost and doubled scans: the queue's rows, the acknowledged serials and the on-chain totals
    (less those of `before`, when given)."""
    queued, on_chain, logged = tallies(db)
    if before is not None:
        queued, on_chain, logged = queued - before[0], on_chain - before[1], logged - before[2]
    unqueued = sum(1 for s in acked if queued[(batch_id(gtin, lot_of(s)), item_hash(s))] == 0)
    lost = unqueued + sum(max(0, n - on_chain[k]) for k, n in queued.items())
    doubled = sum(max(0, n - queued[k]) for k, n in on_chain.items())
    return {"scans_lost": lost, "scans_doubled": doubled, "acked_not_queued": unqueued,
            "queued": sum(queued.values()), "on_chain": int(logged)}


def scan_ingestion(server: ServerProcess, work: Path, db: Path, chain: Any, first_lot: int, per_lot: int,
                   seconds: int) -> dict[str, Any]:
    acked_file = work / "acked.txt"
    script = work / "scans.lua"
    script.write_text(SCAN_LUA % {"acked": acked_file, "first_lot": first_lot, "per_lot": per_lot, "gtin": PEAR_GTIN,
                                  "agents": ", ".join(f'"{a}"' for a in PHONES)})
    _drained(db)  # the page rounds' scans first: the flushes measured here are this phase's
    before = _db(db)
    queued_before = before.execute("SELECT COUNT(*) FROM scan_queue").fetchone()[0]
    flushes_before = before.execute("SELECT COALESCE(MAX(id), 0) FROM scan_flushes").fetchone()[0]
    before.close()
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), server.url]
    started = time.monotonic()
    load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed: dict[str, Any] = {}
    killer = threading.Thread(target=lambda: killed.update(
        _kill_mid_flush(server, db, started + seconds / 2, started + seconds * 0.75)))
    killer.start()
    output, _ = load.communicate(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    killer.join()
    _drained(db)
    acked = acked_file.read_text().split()
    conn = _db(db)
    try:
        queued = conn.execute("SELECT COUNT(*) FROM scan_queue").fetchone()[0] - queued_before
        flushes = conn.execute(
            "SELECT f.id, f.tx, COUNT(q.id), COUNT(DISTINCT q.item_hash) FROM scan_flushes f "
            "JOIN scan_queue q ON q.flush_id = f.id WHERE f.id > ? GROUP BY f.id", (flushes_before,)).fetchall()
    finally:
        conn.close()
    mined = [(tx, scans, items) for _, tx, scans, items in flushes if tx]
    gas = sum(int(chain.w3.eth.get_transaction_receipt(tx)["gasUsed"]) for tx, _, _ in mined)
    scans_mined = sum(scans for _, scans, _ in mined)
    server.stop()
    result = reconcile(db, acked, PEAR_GTIN, lambda s: s.split("-")[0])
    down = killed.get("restart_seconds", 0.0)
    return {
        "scans_per_s": round(len(acked) / elapsed, 1),
        "scans_per_s_while_up": round(len(acked) / max(1e-9, elapsed - down), 1),
        "acked": len(acked),
        "queued": queued,
        "seconds": round(elapsed, 1),
        **{k: v for k, v in result.items() if k in ("scans_lost", "scans_doubled", "acked_not_queued")},
        "scans_on_chain": result["on_chain"],
        "scans_queued_total": result["queued"],
        **killed,
        "flushes": len(flushes),
        "flushes_settled_not_resent": len(flushes) - len(mined),
        "scans_per_flush": round(scans_mined / max(1, len(mined)), 1),
        "items_per_flush": round(sum(items for *_, items in mined) / max(1, len(mined)), 1),
        "gas_per_scan": round(gas / max(1, scans_mined), 1),
        "wrk": " ".join(line.strip() for line in output.splitlines() if "error" in line.lower() or "requests in" in line),
    }


def lease_holder(url: str) -> int | None:
    """The process id of the resolver holding the flusher lease of the database at `url`."""
    conn = connect_database(url)
    try:
        namespace = conn.execute("SELECT value FROM meta WHERE key = 'scan_namespace'").fetchone()[0]
        key = lock_key(f"shanglian:scan-flusher:{namespace}") & 0xFFFF_FFFF_FFFF_FFFF
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = ? "
            "AND l.objid::bigint = ?", (key >> 32, key & 0xFFFF_FFFF)).fetchone()
    finally:
        conn.close()
    return None if row is None else int(row[0].split()[-1])


def pair_pages(servers: list[ServerProcess], work: Path, lots: int, per_lot: int, rounds: int = 3) -> dict[str, Any]:
    """wrk on both servers at once, each with its own random serials; per round, the worse p99."""
    for server in servers:
        sample = server.get(f"/01/{PEAR_GTIN}/10/{lot_name(0)}/21/{serials_of(0, per_lot)[0]}",
                            headers={"User-Agent": AGENT})
        if "此码已被扫描" not in sample:
            raise SystemExit("the item page does not show a scan count: not a real page")
        for n in range(lots):  # each lot's page rendered once (as page_rounds does)
            server.get(f"/01/{PEAR_GTIN}/10/{lot_name(n)}/21/{lot_name(n)}-00001", headers={"User-Agent": AGENT})
    p99s, rates, each = [], [], []
    with ThreadPoolExecutor(len(servers)) as pool:
        for n in range(rounds):
            jobs = []
            for i, server in enumerate(servers):
                script = work / f"pair-page-{n}-{i}.lua"
                script.write_text(PAGE_LUA % {"seed": 20261202 + 10 * n + i, "agent": AGENT, "lots": lots,
                                              "gtin": PEAR_GTIN, "per_lot": per_lot})
                jobs.append(pool.submit(_wrk, server.url, script))
            results = [job.result() for job in jobs]
            p99s.append(max(r["p99_ms"] for r in results))
            rates.append(sum(r["req_per_s"] for r in results))
            each.append([round(r["p99_ms"], 2) for r in results])
    return {"p99_ms": round(statistics.median(p99s), 2), "pair_page_req_per_s": round(max(rates), 1),
            "p99_ms_by_round_and_server": each}


def pair_scans(servers: list[ServerProcess], work: Path, url: str, first_lot: int, per_lot: int,
               seconds: int) -> dict[str, Any]:
    """Scans of distinct items to both servers for `seconds`; the lease holder killed half-way,
    mid-flush, and not restarted; lost and doubled counted on what this phase added."""
    _drained(url)
    before = tallies(url)
    holder_pid = lease_holder(url)
    victim = next((s for s in servers if s.process is not None and s.process.pid == holder_pid), None)
    if victim is None:
        raise SystemExit(f"no server of the pair holds the flusher lease (holder: {holder_pid})")
    lots_each = max(1, int(2_500 * seconds / per_lot) + 1)  # room for 2,500 scans/s per server
    loads, files = [], []
    started = time.monotonic()
    for i, server in enumerate(servers):
        files.append(work / f"pair-acked-{i}.txt")
        script = work / f"pair-scans-{i}.lua"
        script.write_text(SCAN_LUA % {"acked": files[-1], "first_lot": first_lot + i * lots_each, "per_lot": per_lot,
                                      "gtin": PEAR_GTIN, "agents": ", ".join(f'"{a}"' for a in PHONES)})
        loads.append(subprocess.Popen(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), server.url],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    time.sleep(max(0.0, started + seconds / 2 - time.monotonic()))
    conn = _db(url)
    try:
        caught = False
        while time.monotonic() < started + seconds * 0.75 and not caught:
            caught = bool(conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status = 'sending'").fetchone()[0])
            if not caught:
                time.sleep(0.002)
        victim.kill()
        sending = conn.execute("SELECT COUNT(*) FROM scan_flushes WHERE status = 'sending'").fetchone()[0]
    finally:
        conn.close()
    outputs = [load.communicate(timeout=seconds + 120)[0] for load in loads]
    elapsed = time.monotonic() - started
    _drained(url)
    survivor = lease_holder(url)
    acked = [serial for file in files for serial in file.read_text().split()]
    result = reconcile(url, acked, PEAR_GTIN, lambda s: s.split("-")[0], before)
    return {
        "scans_lost": result["scans_lost"], "scans_doubled": result["scans_doubled"],
        "acked": len(acked), "acked_not_queued": result["acked_not_queued"], "queued": result["queued"],
        "scans_on_chain": result["on_chain"], "scans_per_s": round(len(acked) / elapsed, 1),
        "killed_mid_flush": caught, "flushes_sending_at_kill": sending,
        "lease_taken_over": survivor is not None and survivor != holder_pid,
        "wrk": [" ".join(line.strip() for line in out.splitlines() if "error" in line.lower() or "requests in" in line)
                for out in outputs],
    }


def postgres_pair(node_url: str, env: dict[str, str], serials: Path, work: Path, lots: int, per_lot: int,
                  seconds: int) -> dict[str, Any]:
    """The pair of resolvers on one PostgreSQL database (module doc): page p99, then the scans."""
    with LocalPostgres() as pg:
        url = pg.database("bench")
        args = ["--network", node_url, "--serials", str(serials), "--index", url, "--account", "platform"]
        started = time.monotonic()
        first = ServerProcess(args, env, log=work / "serve-pg-first.log").start(timeout=3600)
        built = time.monotonic() - started
        second = ServerProcess(args, env, log=work / "serve-pg-second.log").start(timeout=600)
        servers = [first, second]
        try:
            items = first.get("/healthz")["items_indexed"]
            if items != lots * per_lot:
                raise SystemExit(f"the PostgreSQL index holds {items:,} serials, not {lots * per_lot:,}")
            pages = pair_pages(servers, work, lots, per_lot)
            scans = pair_scans(servers, work, url, lots // 2, per_lot, seconds)
        finally:
            for server in servers:
                server.stop()
    return {"pg_p99_ms": pages["p99_ms"], "pg_scans_lost": scans["scans_lost"],
            "pg_scans_doubled": scans["scans_doubled"],
            "pg_run": {"items": items, "index_build_seconds": round(built, 1), **pages,
                       **{k: v for k, v in scans.items() if k not in ("scans_lost", "scans_doubled")}}}


def measure(lots: int = LOTS, per_lot: int = PER_LOT, scan_seconds: int = SCAN_SECONDS,
            sqlite: bool = True) -> dict[str, Any]:
    """The figures on `lots` lots of `per_lot` serials: the SQLite resolver's (unless not `sqlite`),
    then the PostgreSQL pair's."""
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    node = LocalNode("anvil", state_dir=work / "anvil").start()
    try:
        chain = connect(node.profile)
        producer = PearProducer(chain, work)
        made = make_lots(producer, lots, per_lot)
        env = {**os.environ, "SHANGLIAN_HOME": str(work), "HOME": str(work / "home"), accounts.PASSWORD_ENV: "bench"}
        with mock.patch.dict(os.environ, {"HOME": env["HOME"]}):
            accounts.save("platform", Account.from_key(devkeys.key(PLATFORM_KEY)), "bench")
        figures = sqlite_resolver(node, chain, producer, env, work, lots, per_lot, scan_seconds) if sqlite else {}
        figures["lots_made_seconds"] = round(made, 1)
        # A long run's first half is not lost if the second fails.
        print(f"the SQLite resolver: {json.dumps(figures)}", file=sys.stderr, flush=True)
        figures.update(postgres_pair(node.url, env, producer.serials.folder, work, lots, per_lot, scan_seconds))
        return figures
    finally:
        node.stop()
        shutil.rmtree(work, ignore_errors=True)


def sqlite_resolver(node: LocalNode, chain: Any, producer: PearProducer, env: dict[str, str], work: Path, lots: int,
                    per_lot: int, scan_seconds: int) -> dict[str, Any]:
    """The one resolver on its SQLite index: the page rounds, then the scans with a kill -9."""
    db = work / "index.sqlite"
    args = ["--network", node.url, "--serials", str(producer.serials.folder), "--index", str(db)]
    server = ServerProcess(args, env, log=work / "serve.log")
    started = time.monotonic()
    server.start(timeout=1800)
    built = time.monotonic() - started
    assert server.process is not None
    health = server.get("/healthz")
    if health["items_indexed"] != lots * per_lot:
        raise SystemExit(f"the index holds {health['items_indexed']:,} serials, not {lots * per_lot:,}")
    try:
        pages = page_rounds(server, work, lots, per_lot)
        memory = _rss_mib(server.process.pid)
    finally:
        server.stop()
    index_mib = round(db.stat().st_size / 2**20, 1)
    flushing = ServerProcess([*args, "--account", "platform"], env, port=server.port,
                             log=work / "serve.log").start(timeout=600)
    # The scanned lots: the second half, item by item from its first.
    scans = scan_ingestion(flushing, work, db, chain, lots // 2, per_lot, scan_seconds)
    return {
        "resolver_items": health["items_indexed"],
        "resolver_p99_ms": pages["p99_ms"],
        "resolver_ratio": pages["ratio"],
        "resolver_rss_mib": memory["peak_rss_mib"],
        "resolver_rss_serving_mib": memory["rss_mib"],
        "resolver_page_req_per_s": pages["page_req_per_s"],
        "resolver_hello_req_per_s": pages["hello_req_per_s"],
        "resolver_hello_p99_ms": pages["hello_p99_ms"],
        "index_build_seconds": round(built, 1),
        "index_mib": index_mib,
        "scans_per_s": scans["scans_per_s"],
        "scans_lost": scans["scans_lost"],
        "scans_doubled": scans["scans_doubled"],
        "scan_gas_per_scan": scans["gas_per_scan"],
        "scan_run": {k: v for k, v in scans.items() if k not in ("scans_per_s", "scans_lost", "scans_doubled")},
    }


if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--quick" in argv:
        print(json.dumps(measure(20, PER_LOT, 20), indent=2))
    elif "--pg" in argv:
        rest = [a for a in argv if a != "--pg"]
        print(json.dumps(measure(int(rest[0]) if rest else LOTS, PER_LOT, SCAN_SECONDS, sqlite=False), indent=2))
    else:
        print(json.dumps(measure(), indent=2))
