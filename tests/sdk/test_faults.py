"""Faults on a real Anvil node that keeps its chain on disk (`--state FILE --state-interval 1`):
the node killed in the middle of a bulk import and of a deployment, restarted from its state file,
the job run again; and RPC timeouts and refused connections through the CLI.

A killed node loses whatever it mined since its last dump (up to about a second). Which blocks a
real kill loses depends on timing, so the tests make the loss certain and repeatable: they copy the
state file the node dumped part-way through the job, kill the node with SIGKILL, and restart it
from that copy — exactly the state a node killed a moment later could have come back with.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shanglian import deploy, devkeys
from shanglian.network import connect
from shanglian.registry import ImportPlan, Registry, parse_import_csv

from conftest import Node, kill_node, restart_from, snapshot_state

from bench import members

ROWS = 3000
CHUNK_ROWS = 3  # 1,000 chunks: the import takes long enough (seconds) to be interrupted part-way


def cli(node: Node, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shanglian", *args], env=node.env(), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def node(tmp_path):
    started = Node(tmp_path).start()
    yield started
    if started.process is not None:
        kill_node(started)


def one_clean_line(stderr: str) -> bool:
    return stderr.count("\n") == 1 and stderr.startswith("error: ") and "Traceback" not in stderr


def test_node_killed_mid_import_then_rerun_imports_every_enterprise_once(node, tmp_path):
    csv = tmp_path / "members.csv"
    members.write(str(csv), ROWS)
    importing = ["enterprise", "import", str(csv), "--chunk-rows", str(CHUNK_ROWS)]
    assert cli(node, "deploy", "--account", "dev0").returncode == 0
    assert cli(node, *importing, "--account", "dev0").returncode == 0  # first of two votes
    chain = connect("testnode", str(node.config))
    voted = chain.w3.eth.block_number
    snapshot_state(node, tmp_path / "voted.json", voted)  # deployment and first vote are on disk

    victim = subprocess.Popen([sys.executable, "-m", "shanglian", *importing, "--account", "dev1"], env=node.env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    importer = devkeys.addresses()[1]
    while chain.w3.eth.get_transaction_count(importer) < 3 and time.monotonic() < deadline:
        time.sleep(0.001)  # the second vote and a couple of chunks are in
    # Hold the importer still while the node dumps its state, so the kill lands mid-import however
    # fast the import runs; then let it go and kill the node under it.
    os.kill(victim.pid, signal.SIGSTOP)
    saved_block = snapshot_state(node, tmp_path / "mid-import.json", voted + 2)
    os.kill(victim.pid, signal.SIGCONT)
    while chain.w3.eth.block_number < saved_block + 20 and victim.poll() is None:  # more, then lost
        time.sleep(0.001)
    mined_before_kill = chain.w3.eth.block_number
    kill_node(node)  # SIGKILL: no clean dump on the way out

    # Either the importer lost its node (it gives up with one line and a non-zero status, it does not
    # hang), or it had just finished: then its journal says "mined" for blocks the node is about to
    # lose, which the re-run must notice. Both end the same way below.
    _, stderr = victim.communicate(timeout=120)
    assert victim.returncode == 0 or one_clean_line(stderr), stderr
    restart_from(node, tmp_path / "mid-import.json")

    chain = connect("testnode", str(node.config))
    assert chain.w3.eth.block_number == saved_block < mined_before_kill  # the restart did lose blocks
    rerun = cli(node, *importing, "--account", "dev1", "--json")
    assert rerun.returncode == 0, rerun.stderr

    suite = deploy.load_suite(chain, deploy.Manifest(node.state_dir / "deployments.json"))
    registry = Registry(chain, suite.registry)
    rows = parse_import_csv(csv.read_text(), 0)
    # Storage is the truth here: Anvil's periodic dump can hold state newer than the logs it kept
    # (seen: the last few chunks before the kill applied, their events gone), so the log-derived
    # `registry.list()` may come up short after such a restart while every record is right.
    holders = registry.read_many("accountOfCreditCode", [(row.credit_code.encode(),) for row in rows])
    assert holders == [row.account for row in rows]  # every row once, under its own code
    assert all(registry.read_many("isActive", [(row.account,) for row in rows]))
    assert registry.import_state(ImportPlan(rows, CHUNK_ROWS))[1] == []


def deploy_and_kill_after_first_contract(node: Node, tmp_path: Path) -> str:
    """Starts `shanglian deploy`, SIGKILLs the node once the first contract is mined and recorded,
    and returns the deployer's stderr once it has given up (bounded: it must not hang)."""
    manifest_path = node.state_dir / "deployments.json"
    chain = connect("testnode", str(node.config))
    snapshot_state(node, tmp_path / "empty.json", chain.w3.eth.block_number)  # before the first contract
    deploying = subprocess.Popen([sys.executable, "-m", "shanglian", "deploy", "--account", "dev0"], env=node.env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if "EnterpriseRegistry" in json.loads(manifest_path.read_text()).get(str(chain.chain_id), {}):
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.01)
    else:
        raise AssertionError("the first contract was never recorded")
    kill_node(node)
    _, stderr = deploying.communicate(timeout=120)
    assert deploying.returncode != 0 or "Receivables" in json.loads(manifest_path.read_text())[str(chain.chain_id)]
    return stderr


def test_node_killed_mid_deployment_then_deploy_again_completes_the_suite(node, tmp_path):
    manifest_path = node.state_dir / "deployments.json"
    deploy_and_kill_after_first_contract(node, tmp_path)
    restart_from(node, tmp_path / "empty.json")

    chain = connect("testnode", str(node.config))
    # Whatever the manifest recorded is gone with the lost blocks: nothing may use it.
    assert deploy.live_addresses(chain, deploy.Manifest(manifest_path)) == {}
    listing = cli(node, "enterprise", "list")
    assert listing.returncode == 1 and one_clean_line(listing.stderr) and "shanglian deploy" in listing.stderr

    again = cli(node, "deploy", "--account", "dev0", "--json")
    assert again.returncode == 0, again.stderr
    addresses = json.loads(again.stdout)["contracts"]
    entries = deploy.Manifest(manifest_path).entries(chain.chain_id)
    assert set(entries) == {"EnterpriseRegistry", "ProductProvenance", "Receivables", "Evidence", "Licences", "Copyrights"}
    for name, entry in entries.items():
        assert entry["address"] == addresses[name]
        assert len(chain.w3.eth.get_code(entry["address"])) > 0, name
        assert chain.w3.eth.get_transaction_receipt(entry["transaction"])["contractAddress"] == entry["address"]
    suite = deploy.load_suite(chain, manifest=deploy.Manifest(manifest_path))
    registry = addresses["EnterpriseRegistry"]
    assert suite["ProductProvenance"].functions.registry().call() == registry
    assert suite["Receivables"].functions.registry().call() == registry
    assert cli(node, "enterprise", "list", "--json").returncode == 0


def test_deployer_that_loses_its_node_says_so_in_one_line(node, tmp_path):
    stderr = deploy_and_kill_after_first_contract(node, tmp_path)
    assert one_clean_line(stderr), stderr


# ---------------------------------------------------------------- the node does not answer


class Blackhole:
    """A TCP server that accepts connections and never answers: a node that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def profile_config(tmp_path: Path, url: str, timeout: float) -> Path:
    config = tmp_path / "unreachable.yaml"
    config.write_text(f"networks:\n  faulty:\n    rpc: {url}\n    chain_id: 31337\n    local: true\n    timeout: {timeout}\n")
    return config


def run_against(config: Path, tmp_path: Path, *args: str, limit: float) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "SHANGLIAN_CONFIG": str(config), "SHANGLIAN_NETWORK": "faulty",
           "SHANGLIAN_HOME": str(tmp_path / "home")}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "shanglian", *args], env=env, capture_output=True, text=True,
                            timeout=limit)
    return result, time.monotonic() - started


READING = ["enterprise", "list"]
SIGNING = ["enterprise", "apply", "--account", "dev3", "--name", "x", "--credit-code", "91341321MA2N0X2Y3X",
           "--roles", "producer", "--licence", "l", "--licence-expiry", "2099-01-01"]


@pytest.mark.parametrize("args", [READING, SIGNING], ids=["read", "sign"])
def test_refused_connection_is_one_line_and_non_zero(tmp_path, args):
    from shanglian.localnode import free_port

    config = profile_config(tmp_path, f"http://127.0.0.1:{free_port()}", 5)
    result, _ = run_against(config, tmp_path, *args, limit=60)
    assert result.returncode == 1 and one_clean_line(result.stderr), result.stderr
    assert "no node at http://127.0.0.1:" in result.stderr


@pytest.mark.parametrize("args", [READING, SIGNING], ids=["read", "sign"])
def test_node_that_never_answers_times_out_with_one_line(tmp_path, args):
    hole = Blackhole()
    try:
        config = profile_config(tmp_path, f"http://127.0.0.1:{hole.port}", 2)
        result, elapsed = run_against(config, tmp_path, *args, limit=90)
    finally:
        hole.close()
    assert result.returncode == 1 and one_clean_line(result.stderr), result.stderr
    assert "did not answer within 2 s" in result.stderr
    assert elapsed < 60  # bounded by the profile timeout, not a hang


def test_node_killed_while_a_command_waits_gives_one_line(node, tmp_path):
    """The node dies between connecting and the answer: a clear error, not a traceback or a hang."""
    assert cli(node, "deploy", "--account", "dev0").returncode == 0
    kill_node(node)
    result = cli(node, "enterprise", "list", timeout=90)
    assert result.returncode == 1 and one_clean_line(result.stderr), result.stderr
