"""Deployments are recorded per chain id, reused while their code is live, and resumable."""

import json

from shanglian import deploy
from shanglian.network import connect

from conftest import sender


def options(chain):
    return deploy.DeployOptions([sender(chain, i).address for i in range(3)], 2)


def test_deploy_records_each_contract_with_its_block(anvil, tmp_path):
    chain = connect("testnode", str(anvil.config))
    manifest = deploy.Manifest(tmp_path / "deployments.json")
    suite = deploy.deploy_suite(chain, sender(chain, 0), options(chain), manifest=manifest)
    stored = json.loads((tmp_path / "deployments.json").read_text())["31337"]
    assert stored["EnterpriseRegistry"]["address"] == suite.registry.address
    assert stored["EnterpriseRegistry"]["block"] >= 1


def test_redeploy_reuses_and_fresh_replaces(anvil, tmp_path):
    chain = connect("testnode", str(anvil.config))
    manifest = deploy.Manifest(tmp_path / "deployments.json")
    first = deploy.deploy_suite(chain, sender(chain, 0), options(chain), manifest=manifest)
    again = deploy.deploy_suite(chain, sender(chain, 0), options(chain), manifest=deploy.Manifest(tmp_path / "deployments.json"))
    fresh = deploy.deploy_suite(chain, sender(chain, 0), options(chain), fresh=True, manifest=manifest)
    assert again.addresses == first.addresses
    assert fresh.registry.address != first.registry.address


def test_an_entry_without_code_is_not_trusted(anvil, tmp_path):
    chain = connect("testnode", str(anvil.config))
    path = tmp_path / "deployments.json"
    path.write_text(json.dumps({"31337": {"EnterpriseRegistry": {"address": "0x000000000000000000000000000000000000dEaD", "block": 1}}}))
    suite = deploy.deploy_suite(chain, sender(chain, 0), options(chain), manifest=deploy.Manifest(path))
    assert suite.registry.address != "0x000000000000000000000000000000000000dEaD"
    assert len(chain.w3.eth.get_code(suite.registry.address)) > 0


def test_load_suite_without_a_deployment_says_what_to_run(anvil, tmp_path):
    import pytest

    from shanglian.errors import DeploymentError

    chain = connect("testnode", str(anvil.config))
    with pytest.raises(DeploymentError, match="run `shanglian deploy`"):
        deploy.load_suite(chain, deploy.Manifest(tmp_path / "none.json"))
