"""Fixtures for the SDK, CLI and demo suites (plain pytest, no brownie).

`embedded` is a fresh in-process chain with the suite deployed; `anvil` is a real Anvil node on a
free port with a network profile (in a temporary config file) that marks it local.
"""

from __future__ import annotations

import os
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


@pytest.fixture
def anvil(tmp_path):
    node = Node(tmp_path).start()
    yield node
    node.stop()
