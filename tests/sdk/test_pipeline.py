"""The bulk pipeline on a real Anvil node: everything mined once, resumable after a crash at any
point, transient RPC failures retried with the same signed bytes."""

from __future__ import annotations

import http.server
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests

from shanglian import devkeys
from shanglian.network import connect
from shanglian.pipeline import Job, Journal, Pipeline
from shanglian.registry import ImportPlan, Registry, parse_import_csv

from conftest import sender

from bench import members
from bench.rpcproxy import ConnectionReset, RpcProxy


def transfers(count, start=0):
    to = devkeys.addresses()[9]
    return [Job(f"pay:{i}", to, b"", 21_000, value=i + 1) for i in range(start, start + count)]


@pytest.fixture
def node_chain(anvil):
    return connect("testnode", str(anvil.config))


def test_every_job_is_mined_once_with_consecutive_nonces(node_chain, tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    account = sender(node_chain, 4).account
    outcome = Pipeline(node_chain, account, journal, batch_size=50).run(transfers(300))
    assert outcome.reverted == []
    assert (outcome.sent, outcome.mined, outcome.reverted) == (300, 300, [])
    assert node_chain.w3.eth.get_transaction_count(account.address) == 300
    assert journal.count(node_chain.chain_id, "mined") == 300


def test_a_rerun_skips_what_the_journal_has(node_chain, tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    account = sender(node_chain, 4).account
    Pipeline(node_chain, account, journal).run(transfers(50))
    again = Pipeline(node_chain, account, journal).run(transfers(60))
    assert (again.skipped, again.sent) == (50, 10)
    assert node_chain.w3.eth.get_transaction_count(account.address) == 60


class Crash(Exception):
    pass


def test_crash_after_journaling_before_sending_resends_the_same_transactions(node_chain, tmp_path, monkeypatch):
    journal = Journal(tmp_path / "j.sqlite")
    account = sender(node_chain, 4).account
    calls = {"n": 0}
    real_send = Pipeline._send

    def failing_send(self, items):
        calls["n"] += 1
        if calls["n"] == 3:  # the third window was journaled, then the process died
            raise Crash()
        return real_send(self, items)

    monkeypatch.setattr(Pipeline, "_send", failing_send)
    with pytest.raises(Crash):
        Pipeline(node_chain, account, journal, batch_size=40).run(transfers(200))
    monkeypatch.setattr(Pipeline, "_send", real_send)
    signed_before = {row[2]: row[1] for row in journal.unfinished(node_chain.chain_id, account.address)}
    outcome = Pipeline(node_chain, account, journal, batch_size=40).run(transfers(200))
    assert outcome.reverted == []
    assert node_chain.w3.eth.get_transaction_count(account.address) == 200  # no gap, no duplicate
    # Everything journaled before the crash (two windows sent, the third never sent, and whatever
    # was signed ahead meanwhile) was mined as the very transactions signed then, same nonces.
    assert len(signed_before) >= 120
    assert {h: node_chain.w3.eth.get_transaction(h)["nonce"] for h in signed_before} == signed_before


def test_a_journaled_nonce_another_program_used_is_signed_again(node_chain, tmp_path, monkeypatch):
    journal = Journal(tmp_path / "j.sqlite")
    other_program = sender(node_chain, 4)
    monkeypatch.setattr(Pipeline, "_send", lambda self, items: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):  # journaled, never sent
        Pipeline(node_chain, other_program.account, journal, batch_size=40).run(transfers(80))
    monkeypatch.undo()
    other_program.transfer(devkeys.addresses()[8], 1)  # takes nonce 0, which the journal holds
    outcome = Pipeline(node_chain, other_program.account, journal, batch_size=40).run(transfers(80))
    assert (outcome.mined, outcome.reverted) == (80, [])
    assert node_chain.w3.eth.get_transaction_count(other_program.address) == 81
    assert journal.count(node_chain.chain_id, "mined") == 80


def test_a_hole_in_what_the_node_got_is_filled_with_the_journaled_transactions(node_chain, tmp_path, monkeypatch):
    journal = Journal(tmp_path / "j.sqlite")
    account = sender(node_chain, 4).account
    real_send = Pipeline._send

    def send_with_a_hole(self, items):  # a client killed during a batch the node half took
        real_send(self, items[:10] + items[11:])
        raise Crash()

    monkeypatch.setattr(Pipeline, "_send", send_with_a_hole)
    with pytest.raises(Crash):
        Pipeline(node_chain, account, journal, batch_size=40).run(transfers(40))
    monkeypatch.undo()
    journaled = {row[2] for row in journal.unfinished(node_chain.chain_id, account.address)}
    assert node_chain.w3.eth.get_transaction_count(account.address, "pending") == 10  # 29 wait behind the hole
    # The re-run lists the jobs in another order (as an import does once some chunks landed): only
    # the journaled transactions themselves fit the places the node holds.
    outcome = Pipeline(node_chain, account, journal, batch_size=40).run(transfers(40)[::-1])
    assert (outcome.mined, outcome.reverted) == (40, [])
    assert node_chain.w3.eth.get_transaction_count(account.address) == 40
    assert len(journaled) == 40 and all(node_chain.w3.eth.get_transaction_receipt(h).status == 1 for h in journaled)


def test_crash_while_collecting_receipts_loses_nothing(node_chain, tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    account = sender(node_chain, 4).account

    def die(mined, sent):
        raise Crash()

    with pytest.raises(Crash):
        Pipeline(node_chain, account, journal, batch_size=50, max_in_flight=100, progress=die).run(transfers(300))
    outcome = Pipeline(node_chain, account, journal, batch_size=50).run(transfers(300))
    assert outcome.reverted == []
    assert journal.count(node_chain.chain_id, "mined") == 300
    assert journal.count(node_chain.chain_id, "signed") == 0
    assert node_chain.w3.eth.get_transaction_count(account.address) == 300


class FlakyProxy(http.server.BaseHTTPRequestHandler):
    """Answers 503 to every other request, forwards the rest to the node."""

    target = ""
    count = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FlakyProxy.count += 1
        if FlakyProxy.count % 2 == 0:
            self.send_response(503)
            self.end_headers()
            return
        answer = requests.post(self.target, data=body, headers={"Content-Type": "application/json"}).content
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def test_transient_http_errors_are_retried_without_new_transactions(anvil, tmp_path):
    FlakyProxy.target = anvil.url
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FlakyProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from shanglian.network import NetworkProfile

        flaky = connect(NetworkProfile("flaky", rpc=f"http://127.0.0.1:{server.server_port}", local=True, timeout=10))
        account = sender(flaky, 4).account
        outcome = Pipeline(flaky, account, Journal(tmp_path / "j.sqlite"), batch_size=25).run(transfers(100))
    finally:
        server.shutdown()
    direct = connect("testnode", str(anvil.config))
    assert outcome.mined == 100
    assert direct.w3.eth.get_transaction_count(account.address) == 100
    assert FlakyProxy.count > 8  # the proxy did fail requests along the way


IMPORT_ROWS = 1000  # 100 chunks: the kill lands after 30 of them


def test_killed_import_rerun_ends_with_every_enterprise_exactly_once(anvil, tmp_path):
    csv = tmp_path / "members.csv"
    members.write(str(csv), IMPORT_ROWS)
    env = anvil.env()
    base = [sys.executable, "-m", "shanglian", "enterprise", "import", str(csv), "--chunk-rows", "10"]
    subprocess.run([sys.executable, "-m", "shanglian", "deploy", "--account", "dev0"], env=env, check=True, capture_output=True)
    subprocess.run(base + ["--account", "dev0"], env=env, check=True, capture_output=True)
    victim = subprocess.Popen(base + ["--account", "dev1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chain = connect("testnode", str(anvil.config))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and victim.poll() is None:  # kill it once some chunks landed
        if chain.w3.eth.get_transaction_count(devkeys.addresses()[1]) > 30:
            break
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    rerun = subprocess.run(base + ["--account", "dev1", "--json"], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    from shanglian import deploy

    suite = deploy.load_suite(chain, deploy.Manifest(anvil.state_dir / "deployments.json"))
    registry = Registry(chain, suite.registry)
    imported = registry.list()
    assert len(imported) == IMPORT_ROWS
    assert len({e.credit_code for e in imported}) == IMPORT_ROWS and all(e.active for e in imported)
    plan = ImportPlan(parse_import_csv(csv.read_text(), 0), 10)
    assert registry.import_state(plan)[1] == []


class ResetSends:
    """Resets the connection of the first two batches of sent transactions: the first after the
    node took it (its answer never arrives), the second before the node sees it; and of the first
    receipt poll after the node answered it."""

    def __init__(self):
        self.seen = Counter()
        self.resets = []
        self._lock = threading.Lock()

    def request(self, proxy, body):
        with self._lock:
            if b'"eth_sendRawTransaction"' in body:
                self.seen["send"] += 1
                if self.seen["send"] == 2:
                    self.resets.append("send before the node")
                    raise ConnectionReset

    def respond(self, proxy, body, reply):
        with self._lock:
            if b'"eth_sendRawTransaction"' in body and self.seen["send"] == 1 and "send after" not in self.resets:
                self.resets.append("send after")
                raise ConnectionReset
            if b'"eth_getTransactionReceipt"' in body and "poll after" not in self.resets:
                self.resets.append("poll after")
                raise ConnectionReset
        return reply


def test_connections_reset_around_sends_and_polls_mine_every_job_once(anvil, tmp_path):
    resets = ResetSends()
    with RpcProxy(anvil.url, [resets], decode=False) as proxy:
        from shanglian.network import NetworkProfile

        chain = connect(NetworkProfile("resetting", rpc=proxy.url, local=True, timeout=10))
        account = sender(chain, 4).account
        outcome = Pipeline(chain, account, Journal(tmp_path / "j.sqlite"), batch_size=25, keep_receipts=True).run(transfers(100))
    direct = connect("testnode", str(anvil.config))
    assert sorted(resets.resets) == ["poll after", "send after", "send before the node"]
    assert (outcome.mined, outcome.reverted) == (100, [])
    assert direct.w3.eth.get_transaction_count(account.address) == 100
    assert sorted(int(direct.w3.eth.get_transaction(r["transactionHash"])["value"]) for r in outcome.receipts.values()) == \
        list(range(1, 101))  # each job's transfer once
