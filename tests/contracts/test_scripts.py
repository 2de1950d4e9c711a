"""The brownie scripts drive the SDK on brownie's own development network."""

from scripts import demo, deploy


def test_deploy_script_deploys_a_live_registry(web3, tmp_path, monkeypatch):
    monkeypatch.setenv("SHANGLIAN_HOME", str(tmp_path))
    suite = deploy.main()
    assert len(web3.eth.get_code(suite.registry.address)) > 0
    assert suite.registry.functions.threshold().call() == 2


def test_demo_script_onboards_the_cast():
    story = demo.main()
    assert all(e.active for e in story.enterprises.values())
