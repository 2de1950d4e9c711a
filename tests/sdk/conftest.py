"""Fixtures for the SDK, CLI and demo suites (plain pytest, no brownie).

`embedded` is a fresh in-process chain with the suite deployed; `anvil` is a real Anvil node on a
free port with a network profile (in a temporary config file) that marks it local.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from eth_account import Account

from shanglian import deploy, devkeys
from shanglian.localnode import CHAIN_ID, LocalNode, free_port  # noqa: F401 - free_port re-exported for suites
from shanglian.network import connect
from shanglian.registry import Registry
from shanglian.transactions import Transactor


def sender(chain, index: int) -> Transactor:
    return Transactor(chain, Account.from_key(devkeys.key(index)))


@pytest.fixture
def chain():
    return connect("embedded")


@pytest.fixture
def suite(chain):
    admins = [sender(chain, i).address for i in range(3)]
    return deploy.deploy_suite(chain, sender(chain, 0), deploy.DeployOptions(admins, 2), manifest=deploy.Manifest(None))


@pytest.fixture
def registry_as(chain, suite):
    """registry_as(i): the Registry SDK signing with development key i."""

    def make(index: int | None) -> Registry:
        return Registry(chain, suite.registry, None if index is None else sender(chain, index))

    return make


class Node(LocalNode):
    """An Anvil node with a config file naming it `testnode` (local) and its own state folder."""

    def __init__(self, tmp: Path, kind: str = "anvil"):
        super().__init__(kind, state_dir=tmp / "state")
        self.config = tmp / "shanglian.yaml"
        self.config.write_text(
            f"networks:\n  testnode:\n    rpc: {self.url}\n    chain_id: {CHAIN_ID[kind]}\n    local: true\n    timeout: 10\n"
        )

    def env(self) -> dict[str, str]:
        return {**os.environ, "SHANGLIAN_CONFIG": str(self.config), "SHANGLIAN_NETWORK": "testnode",
                "SHANGLIAN_HOME": str(self.state_dir)}


# -- faults: a node killed and brought back from an older state ------------------------------------


def state_file(node: Node) -> Path:
    return node.state_dir / "anvil-state.json"


def snapshot_state(node: Node, into: Path, at_least_block: int, timeout: float = 20) -> int:
    """Copies the node's next complete state dump that holds block `at_least_block`; returns the
    dump's block number."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = state_file(node).read_text()
            number = int(json.loads(text)["block"]["number"], 16)
        except (OSError, ValueError, KeyError, TypeError):  # not written yet, or caught mid-write
            time.sleep(0.05)
            continue
        if number >= at_least_block:
            into.write_text(text)
            return number
        time.sleep(0.05)
    raise AssertionError(f"the node did not dump block {at_least_block} within {timeout:g} s")


def kill_node(node: Node) -> None:
    """SIGKILL to the node's whole process group (npm's launcher and the native binary it runs), as
    in a crash: no state dump on the way out."""
    node.stop(kill=True)
    node.process = None


def restart_from(node: Node, saved: Path) -> None:
    """Restarts a killed node from the state dump `saved`."""
    shutil.copyfile(saved, state_file(node))
    node.start()


@contextlib.contextmanager
def put_back(node: Node, keep: Path):
    """Runs a test on a node shared by its module, then puts the chain (an EVM snapshot) and the
    CLI's state folder (copied to `keep`) back as they were, so the next test starts alike."""
    w3 = connect(node.profile).w3
    shutil.copytree(node.state_dir, keep, ignore=shutil.ignore_patterns("anvil-state.json"))
    snapshot = w3.testing.snapshot()
    yield node
    w3.testing.revert(snapshot)
    for path in node.state_dir.iterdir():
        if path.name != "anvil-state.json":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(keep, node.state_dir, dirs_exist_ok=True)


@pytest.fixture
def anvil(tmp_path):
    node = Node(tmp_path).start()
    yield node
    node.stop()
