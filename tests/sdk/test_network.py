"""Network profiles and connection failures."""

import socket
import threading

import pytest

from shanglian.errors import ConfigError, NetworkError
from shanglian.network import BUILTIN, connect, load_profiles, profile

from conftest import free_port


def test_builtin_profiles_are_local():
    assert {n for n, p in BUILTIN.items() if p.local} == {"embedded", "development", "ganache"}


def test_config_file_adds_a_consortium_profile(tmp_path):
    path = tmp_path / "shanglian.yaml"
    path.write_text("networks:\n  besu:\n    rpc: http://10.0.0.1:8545\n    chain_id: 1337\n    gas_price: zero\n"
                    "    poa: true\n    logs_range: 1000\n    confirmations: 2\n")
    besu = load_profiles(path)["besu"]
    assert (besu.gas_price, besu.poa, besu.logs_range, besu.confirmations, besu.local) == ("zero", True, 1000, 2, False)


def test_unknown_profile_key_is_a_config_error(tmp_path):
    path = tmp_path / "shanglian.yaml"
    path.write_text("networks:\n  besu:\n    rpc: http://x\n    gasprice: zero\n")
    with pytest.raises(ConfigError, match="gasprice"):
        load_profiles(path)


def test_unknown_network_lists_the_known_ones():
    with pytest.raises(ConfigError, match="embedded"):
        profile("nowhere")


def test_a_url_is_its_own_profile():
    assert profile("http://127.0.0.1:9").rpc == "http://127.0.0.1:9"


def test_refused_connection_says_to_start_a_node():
    with pytest.raises(NetworkError, match=r"no node at http://127.0.0.1:\d+ — start one with `shanglian node`"):
        connect(profile("development").__class__("development", rpc=f"http://127.0.0.1:{free_port()}", local=True))


def test_silent_node_times_out_instead_of_hanging():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    slow = BUILTIN["development"].__class__("slow", rpc=f"http://127.0.0.1:{port}", timeout=0.5)
    with pytest.raises(NetworkError, match="did not answer within 0.5 s"):
        connect(slow)
    server.close()


def test_chain_id_mismatch_is_refused(anvil):
    wrong = BUILTIN["development"].__class__("wrong", rpc=anvil.url, chain_id=1)
    with pytest.raises(ConfigError, match="expects chain id 1 but the node .* reports 31337"):
        connect(wrong)


def test_embedded_chain_funds_the_development_accounts():
    chain = connect("embedded")
    from shanglian import devkeys

    assert chain.w3.eth.get_balance(devkeys.addresses()[9]) > 0
