"""Fetching contract logs in block ranges the node accepts (consortium nodes cap eth_getLogs)."""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from eth_utils import keccak
from web3.contract import Contract
from web3.types import LogReceipt

from shanglian.network import Chain
from shanglian.transactions import abi_type


def topic(contract: Contract, event: str) -> str:
    """The topic0 of `event` as declared in the contract's ABI."""
    for item in contract.abi:
        if item["type"] == "event" and item["name"] == event:
            types = ",".join(abi_type(i) for i in item["inputs"])  # structs as (a,b,…), not "tuple"
            return "0x" + keccak(text=f"{event}({types})").hex()
    raise KeyError(event)


def address_topic(address: str) -> str:
    return "0x" + address[2:].lower().rjust(64, "0")


def fetch(
    chain: Chain,
    address: str,
    topics: Sequence[Any],
    from_block: int = 0,
    to_block: int | None = None,
) -> Iterator[LogReceipt]:
    """Logs of `address` matching `topics`, oldest first, asked for `logs_range` blocks at a time."""
    last = chain.w3.eth.block_number if to_block is None else to_block
    step = max(1, chain.profile.logs_range)
    start = from_block
    while start <= last:
        end = min(last, start + step - 1)
        yield from chain.w3.eth.get_logs(
            {"address": address, "topics": list(topics), "fromBlock": start, "toBlock": end}
        )
        start = end + 1


def decode(contract: Contract, logs: Sequence[LogReceipt] | Iterator[LogReceipt]) -> list[Any]:
    """Decodes logs of any event of `contract`, in order; logs of other events are skipped."""
    by_topic = {}
    for item in contract.abi:
        if item["type"] == "event":
            by_topic[topic(contract, item["name"])] = getattr(contract.events, item["name"])
    decoded = []
    for log in logs:
        event = by_topic.get("0x" + bytes(log["topics"][0]).hex())
        if event is not None:
            decoded.append(event().process_log(log))
    return decoded
