"""Fixtures for the SDK, CLI and demo suites (plain pytest, no brownie).

`embedded` is a fresh in-process chain with the suite deployed; `anvil` is a real Anvil node on a
free port with a network profile (in a temporary config file) that marks it local.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
from eth_account import Account

from shanglian import deploy, devkeys
from shanglian.cli.chain import find_anvil
from shanglian.network import connect
from shanglian.registry import Registry
from shanglian.transactions import Transactor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


class Node:
    def __init__(self, tmp: Path, port: int, extra: list[str] | None = None):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.state_dir = tmp / "state"
        self.config = tmp / "shanglian.yaml"
        self.config.write_text(
            f"networks:\n  testnode:\n    rpc: {self.url}\n    chain_id: 31337\n    local: true\n    timeout: 10\n"
        )
        self.extra = extra or []
        self.process: subprocess.Popen | None = None

    def start(self) -> "Node":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [find_anvil(), "--port", str(self.port), "--chain-id", "31337", "--hardfork", "london",
             "--base-fee", "0", "--gas-limit", "30000000", "--state", str(self.state_dir / "anvil-state.json"), "--state-interval", "1", *self.extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("anvil did not start")

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(10)

    def env(self) -> dict[str, str]:
        return {**os.environ, "SHANGLIAN_CONFIG": str(self.config), "SHANGLIAN_NETWORK": "testnode",
                "SHANGLIAN_HOME": str(self.state_dir)}


@pytest.fixture
def anvil(tmp_path):
    node = Node(tmp_path, free_port()).start()
    yield node
    node.stop()
