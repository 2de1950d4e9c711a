"""Network profiles and connection failures."""

import socket
import threading

import pytest

from shanglian.errors import ConfigError, NetworkError
from shanglian.localnode import LocalNode
from shanglian.network import BUILTIN, connect, load_profiles, profile

from conftest import free_port


def test_builtin_profiles_are_local():
    assert {n for n, p in BUILTIN.items() if p.local} == {"embedded", "development", "ganache"}


def test_config_file_adds_a_consortium_profile(tmp_path):
    path = tmp_path / "shanglian.yaml"
    path.write_text("networks:\n  besu:\n    rpc: http://10.0.0.1:8545\n    chain_id: 1337\n    gas_price: zero\n"
                    "    poa: true\n    logs_range: 1000\n    confirmations: 2\n    block_time: 5\n")
    besu = load_profiles(path)["besu"]
    assert (besu.gas_price, besu.poa, besu.logs_range, besu.confirmations, besu.block_time, besu.local) == (
        "zero", True, 1000, 2, 5, False)


def test_unknown_profile_key_is_a_config_error(tmp_path):
    path = tmp_path / "shanglian.yaml"
    path.write_text("networks:\n  besu:\n    rpc: http://x\n    gasprice: zero\n")
    with pytest.raises(ConfigError, match="gasprice"):
        load_profiles(path)


@pytest.mark.parametrize("key,value", [("block_time", "five"), ("timeout", -1), ("confirmations", 1.5)])
def test_a_numeric_profile_key_with_another_value_is_a_config_error_naming_it(tmp_path, key, value):
    path = tmp_path / "shanglian.yaml"
    path.write_text(f"networks:\n  besu:\n    rpc: http://x\n    {key}: {value}\n")
    with pytest.raises(ConfigError, match=f"{key} must be"):
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


class FakePoaNode:
    """A JSON-RPC endpoint whose blocks carry 97 bytes of extraData, as QBFT blocks do."""

    def __init__(self):
        import http.server
        import json

        block = {
            "number": "0x5", "hash": "0x" + "11" * 32, "parentHash": "0x" + "22" * 32, "nonce": "0x0000000000000000",
            "sha3Uncles": "0x" + "33" * 32, "logsBloom": "0x" + "00" * 256, "transactionsRoot": "0x" + "44" * 32,
            "stateRoot": "0x" + "55" * 32, "receiptsRoot": "0x" + "66" * 32, "miner": "0x" + "00" * 20,
            "difficulty": "0x1", "totalDifficulty": "0x5", "extraData": "0x" + "ab" * 97, "size": "0x200",
            "gasLimit": "0x1c9c380", "gasUsed": "0x0", "timestamp": "0x6553f100", "transactions": [], "uncles": [],
            "mixHash": "0x" + "77" * 32,
        }

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                result = {"eth_chainId": "0x539", "eth_getBlockByNumber": block}.get(request["method"])
                body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": result}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


def test_poa_extra_data_is_detected_without_a_profile_flag():
    node = FakePoaNode()
    try:
        chain = connect(node.url)
        assert chain.chain_id == 1337
        assert len(chain.w3.eth.get_block("latest")["proofOfAuthorityData"]) == 97
    finally:
        node.server.shutdown()


def test_an_anvil_mining_on_a_clock_says_so_in_its_command_and_profile():
    node = LocalNode("anvil", block_time=2, gas_limit=3_000_000_000)
    command = node.command()
    assert command[command.index("--block-time") + 1] == "2"
    assert command[command.index("--gas-limit") + 1] == "3000000000"
    assert node.profile.block_time == 2
    assert "--block-time" not in LocalNode("anvil").command()


def test_only_anvil_mines_on_a_clock_here():
    with pytest.raises(ConfigError, match="block time"):
        LocalNode("ganache", block_time=2)
