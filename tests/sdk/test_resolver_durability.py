"""Scan durability and index resume across a resolver process that is killed (SIGKILL) and
restarted, and a node that goes down or comes back without its last blocks, against a real Anvil
node: no scan lost, none counted twice, nothing indexed twice."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
import urllib.error
from unittest import mock

import pytest
from eth_account import Account

from conftest import Node, kill_node, restart_from, snapshot_state
from shanglian import accounts, demo, deploy, devkeys
from shanglian.demo_pears import PEAR_GTIN, pear_story
from shanglian.network import connect
from shanglian.provenance import Provenance, batch_id
from shanglian.resolver.indexer import connect_db
from shanglian.resolver.process import ServerProcess
from shanglian.resolver.scans import Flusher, ScanQueue
from shanglian.transactions import Transactor

PLATFORM_KEY = 11  # the demo's scan platform (demo.CAST["platform"])
SERIAL = "PEAR-000100"
SETTLED_SERIAL = "PEAR-000101"


class Setup:
    def __init__(self, tmp):
        self.node = Node(tmp).start()
        self.chain = connect(self.node.profile)
        self.story = demo.prepare(self.chain)
        home = self.node.state_dir
        self.facts = pear_story(self.story, lambda _: None, home)  # serial lists in <state dir>/serials
        manifest = deploy.Manifest(home / "deployments.json")
        for name, address in self.story.suite.addresses.items():
            manifest.record(self.chain.chain_id, name, {"address": address, "block": 0})
        self.env = {**self.node.env(), "HOME": str(tmp / "home"), accounts.PASSWORD_ENV: "resolver-test"}
        with mock.patch.dict(os.environ, {"HOME": self.env["HOME"]}):
            accounts.save("platform", Account.from_key(devkeys.key(PLATFORM_KEY)), "resolver-test")
        self.db = home / "resolver" / f"{self.chain.chain_id}.sqlite"
        self.log = tmp / "serve.log"
        self.contract = self.story.suite["ProductProvenance"]
        self.lot = self.facts["lot"]
        self.consumers = itertools.count(1)

    def server(self, interval: float, flushing: bool = True) -> ServerProcess:
        """`flushing`: with the platform account (without, scans are queued and never flushed)."""
        args = ["--network", "testnode", *(["--account", "platform"] if flushing else []), "--interval", str(interval)]
        return ServerProcess(args, self.env, log=self.log).start()

    def on_chain(self, serial: str) -> int:
        return Provenance(self.chain, self.contract).scan_count((PEAR_GTIN, self.lot), serial)

    def page(self, server: ServerProcess, serial: str) -> str:
        """A view of the item's page by a consumer not seen before (one scan each)."""
        agent = f"Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 consumer/{next(self.consumers)}"
        return server.get(f"/01/{PEAR_GTIN}/10/{self.lot}/21/{serial}", headers={"User-Agent": agent})

    def item(self, server: ServerProcess, serial: str) -> dict:
        return server.get(f"/api/v1/items/{PEAR_GTIN}/{self.lot}/{serial}")

    def settled(self, server: ServerProcess, serial: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            item = self.item(server, serial)
            if item["scans_pending"] == 0:
                return item
            time.sleep(0.2)
        raise AssertionError(f"scans of {serial} still pending: {item}")

    def rows(self, table: str) -> int:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    world = Setup(tmp_path_factory.mktemp("durability"))
    yield world
    world.node.stop()


def test_scans_survive_a_killed_server_and_are_counted_once(setup):
    before = setup.on_chain(SERIAL)
    server = setup.server(interval=3600)  # one pass at start, then no flushing until the kill
    try:
        for n in range(1, 6):
            assert f"此码已被扫描 {before + n} 次" in setup.page(server, SERIAL)
        events = setup.rows("events")
        last_block = server.get("/healthz")["last_block"]
    finally:
        server.kill()
    assert setup.on_chain(SERIAL) == before  # nothing was flushed before the crash

    server = setup.server(interval=0.2)
    try:
        item = setup.settled(server, SERIAL)
        assert (item["scan_count"], item["scans_on_chain"]) == (before + 5, before + 5)
        assert setup.on_chain(SERIAL) == before + 5
        assert f"此码已被扫描 {before + 6} 次" in setup.page(server, SERIAL)
        assert setup.settled(server, SERIAL)["scans_on_chain"] == before + 6
        # The index resumed where it stopped: the trace events are there once, blocks moved on.
        assert setup.rows("events") == events
        assert server.get("/healthz")["last_block"] > last_block
    finally:
        server.stop()
    assert setup.on_chain(SERIAL) == before + 6


def test_a_flush_sent_just_before_a_kill_is_settled_not_resent(setup):
    # Not flushing: a worker's first pass could otherwise flush one of the views before the flush
    # replayed below is planned.
    server = setup.server(interval=3600, flushing=False)
    try:
        setup.page(server, SETTLED_SERIAL)
        setup.page(server, SETTLED_SERIAL)
    finally:
        server.kill()
    # The killed server had planned the flush (key stored, rows assigned) and sent it: replayed here.
    queue = ScanQueue(connect_db(setup.db))
    platform = Transactor(setup.chain, Account.from_key(devkeys.key(PLATFORM_KEY)))
    flusher = Flusher(queue, setup.contract, platform, platform.address)
    (flush_id,) = flusher._plan()
    Provenance(setup.chain, setup.contract, platform).record_scans(
        (PEAR_GTIN, setup.lot), {SETTLED_SERIAL: 2}, queue.scan_key(flush_id))
    assert setup.on_chain(SETTLED_SERIAL) == 2

    server = setup.server(interval=0.2)
    try:
        item = setup.settled(server, SETTLED_SERIAL)
        assert (item["scan_count"], item["scans_on_chain"]) == (2, 2)
        deadline = time.monotonic() + 30  # the flush's own record is closed just after the count settles
        while server.get("/healthz")["scan_flushes"].get("sending", 0) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.get("/healthz")["scan_flushes"].get("sending", 0) == 0
    finally:
        server.stop()
    assert setup.on_chain(SETTLED_SERIAL) == 2


def test_scans_survive_a_node_that_goes_down_mid_flush(setup):
    serial = "PEAR-000102"
    before = setup.on_chain(serial)
    server = setup.server(interval=0.2)  # flushing all the time
    try:
        for _ in range(3):
            setup.page(server, serial)
        setup.node.stop()  # the flusher loses its node; Anvil dumps its state on the way out
        for _ in range(2):  # pages come from the index, so they are served (and counted) meanwhile
            assert "此码已被扫描" in setup.page(server, serial)
        health = degraded(server)
        assert health["status"] == "degraded" and "unreachable" in health["reason"]
        time.sleep(3)  # several passes fail meanwhile
        setup.node.start()  # back from its state file; the flusher resumes
        item = setup.settled(server, serial)
        assert (item["scan_count"], item["scans_on_chain"]) == (before + 5, before + 5)
        assert server.get("/healthz")["status"] == "ok"
    finally:
        server.stop()
    assert setup.on_chain(serial) == before + 5
    # One line when the node went away and one when it came back, no traceback in between.
    log = setup.log.read_text()
    assert log.count("degraded: the node is unreachable") == 1 and log.count("recovered:") == 1
    assert "Traceback" not in log


def degraded(server: ServerProcess, timeout: float = 30) -> dict:
    """/healthz's answer once it is 503 (the resolver noticed its node is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            server.get("/healthz")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
            return json.loads(exc.read())
        time.sleep(0.1)
    raise AssertionError("/healthz never answered 503 while the node was down")


def test_scans_survive_a_node_that_comes_back_without_the_flush(setup, tmp_path):
    serial = "PEAR-000103"
    before = setup.on_chain(serial)
    server = setup.server(interval=0.2)
    try:
        saved = tmp_path / "state-before-the-flush.json"
        snapshot_state(setup.node, saved, setup.chain.w3.eth.block_number)
        events = setup.rows("events")
        for _ in range(3):
            setup.page(server, serial)
        assert setup.settled(server, serial)["scans_on_chain"] == before + 3  # sent, mined and indexed
        flushed_at = setup.chain.w3.eth.block_number
        kill_node(setup.node)
        restart_from(setup.node, saved)  # the node is back, without the flush's block
        assert setup.chain.w3.eth.block_number < flushed_at
        assert setup.on_chain(serial) == before
        deadline = time.monotonic() + 60
        while setup.on_chain(serial) != before + 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert setup.on_chain(serial) == before + 3  # the flush was sent again, under its key
        item = setup.settled(server, serial)
        assert (item["scan_count"], item["scans_on_chain"]) == (before + 3, before + 3)
        assert setup.rows("events") == events  # the index was rebuilt, nothing in it twice
        assert f"此码已被扫描 {before + 4} 次" in setup.page(server, serial)
    finally:
        server.stop()
    assert "rebuilding the index" in setup.log.read_text()


def test_a_flush_the_contract_refuses_is_kept_failed_with_the_named_error(setup, tmp_path):
    # The cooperative is an active enterprise but no platform: the node will not estimate its
    # recordScans, so the flush goes the SDK's way, which names the refusal.
    queue = ScanQueue(connect_db(tmp_path / "refused.sqlite"))
    cooperative = setup.story.senders["cooperative"]
    flusher = Flusher(queue, setup.contract, cooperative, cooperative.address)
    queue.record_many([(batch_id(PEAR_GTIN, setup.lot), SERIAL)])
    before = setup.on_chain(SERIAL)
    result = flusher.run_once()
    assert (result.sent, result.failed) == (0, 1)
    status, error = queue.conn.execute("SELECT status, error FROM scan_flushes").fetchone()
    assert (status, error) == ("failed", f"ProvenanceNotAuthorized: {cooperative.address} does not act for an active "
                                         "enterprise holding the role platform")
    assert setup.on_chain(SERIAL) == before
