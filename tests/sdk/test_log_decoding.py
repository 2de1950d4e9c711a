"""The indexer's log decoder (shanglian.logs.decode) against web3's own, event by event: every event
of the three contracts whose fields are static words is decoded from topics and data directly, and
must give exactly what web3's ``process_log`` gives."""

from __future__ import annotations

import random

import pytest
from eth_abi import encode
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import MismatchedABI

from shanglian import artifacts
from shanglian.logs import _static_decoder, decode, topic

ADDRESS = Web3.to_checksum_address("0x" + "5a" * 20)
CONTRACTS = ("ProductProvenance", "EnterpriseRegistry", "Receivables")


def _value(kind: str, rng: random.Random):
    if kind == "address":
        return Web3.to_checksum_address(rng.randbytes(20))
    if kind == "bool":
        return rng.random() < 0.5
    if kind.startswith("bytes"):
        return rng.randbytes(int(kind[5:]))
    bits = int(kind.lstrip("uint") or 256)
    if kind.startswith("uint"):
        return rng.choice([0, 1, 2**bits - 1, rng.getrandbits(bits)])
    return rng.randrange(-(2 ** (bits - 1)), 2 ** (bits - 1))


def _log(contract, event: dict, rng: random.Random) -> dict:
    indexed = [i for i in event["inputs"] if i["indexed"]]
    unindexed = [i for i in event["inputs"] if not i["indexed"]]
    return {
        "address": contract.address,
        "topics": [HexBytes(topic(contract, event["name"])),
                   *(HexBytes(encode([i["type"]], [_value(i["type"], rng)])) for i in indexed)],
        "data": HexBytes(encode([i["type"] for i in unindexed], [_value(i["type"], rng) for i in unindexed])),
        "blockNumber": rng.randrange(10**6), "logIndex": rng.randrange(500), "transactionIndex": rng.randrange(50),
        "transactionHash": HexBytes(rng.randbytes(32)), "blockHash": HexBytes(rng.randbytes(32)), "removed": False,
    }


def _static_events():
    w3 = Web3()
    for name in CONTRACTS:
        contract = w3.eth.contract(address=ADDRESS, abi=artifacts.abi(name))
        for event in contract.abi:
            if event["type"] == "event" and _static_decoder(event) is not None:
                yield pytest.param(contract, event, id=f"{name}.{event['name']}")


@pytest.mark.parametrize(("contract", "event"), list(_static_events()))
def test_static_event_decodes_as_web3_does(contract, event):
    rng = random.Random(event["name"])
    logs = [_log(contract, event, rng) for _ in range(20)]
    reference = [getattr(contract.events, event["name"])().process_log(log) for log in logs]
    assert _plain(decode(contract, logs)) == _plain(reference)


def test_trace_event_is_decoded_without_web3():
    contract = Web3().eth.contract(address=ADDRESS, abi=artifacts.abi("ProductProvenance"))
    event = next(e for e in contract.abi if e.get("name") == "TraceEventRecorded")
    assert _static_decoder(event) is not None


def test_log_with_missing_topic_is_refused():
    contract = Web3().eth.contract(address=ADDRESS, abi=artifacts.abi("ProductProvenance"))
    event = next(e for e in contract.abi if e.get("name") == "TraceEventRecorded")
    log = _log(contract, event, random.Random(1))
    log["topics"] = log["topics"][:2]
    with pytest.raises(MismatchedABI, match="TraceEventRecorded: 1 indexed topics, the ABI declares 3"):
        decode(contract, [log])


def test_logs_fetched_from_a_node_equal_web3s(anvil):
    from shanglian import demo
    from shanglian.demo_pears import pear_story
    from shanglian.logs import fetch
    from shanglian.network import connect

    chain = connect(anvil.profile)
    story = demo.prepare(chain)
    pear_story(story, lambda _: None, anvil.state_dir)
    head = chain.w3.eth.block_number
    for contract in (story.suite["ProductProvenance"], story.suite.registry):
        reference = chain.w3.eth.get_logs({"address": contract.address, "fromBlock": 0, "toBlock": head})
        fetched = list(fetch(chain, contract.address, [], 0, head))
        assert fetched and [dict(log) for log in fetched] == [
            {k: v for k, v in dict(log).items() if k in fetched[0]} for log in reference]
        assert _plain(decode(contract, fetched)) == _plain(decode(contract, reference))


def _plain(value):
    """Decoded events as plain dicts (an AttributeDict with an `items` field cannot be compared)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "keys"):
        return {k: _plain(dict.__getitem__(value, k) if isinstance(value, dict) else value[k]) for k in value.keys()}
    return value
