"""The deploy and the whole demo on the three chains users run locally: the embedded py-evm chain,
Anvil with --hardfork london, and Ganache with its hardfork set to london (the rules the consortium
chains run: no PUSH0, no withdrawals). Each asserts the demo's facts, the chain clock included."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from shanglian import chaintime, demo, deploy
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.roles import Status

from conftest import sender

CHAINS = ["embedded", "anvil", "ganache"]


@pytest.fixture(scope="module", params=CHAINS)
def network(request, tmp_path_factory):
    """(name, profile) of a running chain; nodes are started for the module and stopped after it."""
    if request.param == "embedded":
        yield request.param, "embedded"
        return
    node = LocalNode(request.param, state_dir=tmp_path_factory.mktemp(request.param), hardfork="london").start(timeout=60)
    try:
        yield request.param, node.profile
    finally:
        node.stop()


def test_node_runs_london_rules(network):
    name, profile = network
    chain = connect(profile)
    block = chain.w3.eth.get_block("latest")
    assert "baseFeePerGas" in block  # london or later
    if name != "embedded":
        assert "withdrawalsRoot" not in block  # not shanghai or later


def test_deploy_puts_the_whole_suite_on_chain(network, tmp_path):
    _, profile = network
    chain = connect(profile)
    admins = [sender(chain, i).address for i in range(3)]
    manifest = deploy.Manifest(tmp_path / "deployments.json")
    suite = deploy.deploy_suite(chain, sender(chain, 0), deploy.DeployOptions(admins, 2), fresh=True, manifest=manifest)
    assert set(suite.addresses) == {"EnterpriseRegistry", "ProductProvenance", "Receivables", "Evidence", "Licences", "Copyrights"}
    for address in suite.addresses.values():
        assert len(chain.w3.eth.get_code(address)) > 0
    assert suite.registry.functions.threshold().call() == 2
    assert suite["Receivables"].functions.registry().call() == suite.addresses["EnterpriseRegistry"]
    # Found again from the manifest, as the CLI does.
    assert deploy.load_suite(chain, deploy.Manifest(tmp_path / "deployments.json")).addresses == suite.addresses


def test_chain_clock_moves_forward(network):
    _, profile = network
    chain = connect(profile)
    before = chaintime.now(chain)
    after = chaintime.advance_days(chain, 3)
    assert after >= before + 3 * 86_400
    assert chaintime.now(chain) >= before + 3 * 86_400


def test_whole_demo_tells_the_same_story(network, tmp_path):
    name, profile = network
    buffer = io.StringIO()
    story = demo.run(profile, Console(file=buffer, width=200), out_dir=tmp_path)
    assert set(story.enterprises) == set(demo.CAST)
    assert all(e.status == Status.ACTIVE and e.active for e in story.enterprises.values())
    assert story.pears["report"].verdict == "genuine"
    assert story.pears["recalled_report"].verdict == "recalled"
    assert story.receivables["double_settle_error"].name == "ReceivableAlreadySettled"
    assert story.receivables["double_issue_error"].name == "ReceivableInvoiceUsed"
    assert str(story.receivables["settled_value"]) == "1000000.00"


# ---------------------------------------------------------------- consortium profiles


def test_example_consortium_profiles_load_with_their_policies():
    from pathlib import Path

    from shanglian.network import load_profiles

    example = Path(__file__).resolve().parents[2] / "shanglian.example.yaml"
    profiles = load_profiles(example)
    for name in ("besu", "goquorum", "fisco"):
        p = profiles[name]
        assert p.rpc and p.chain_id and p.gas_price == "zero" and p.confirmations == 0
        assert not p.local  # the development keys are refused on a consortium chain
    assert profiles["besu"].poa and profiles["besu"].logs_range == 5000
    assert profiles["fisco"].chain_id == 20200
