"""Fetching contract logs in block ranges the node really answers.

Consortium nodes cap eth_getLogs in two ways. Besu refuses a range wider than
`--rpc-max-logs-range` (default 5000 since 23.1.2) with an error (besu
ethereum/api/.../methods/EthGetLogs.java: "Requested range exceeds maximum range limit"): the
range is then halved until the node answers. FISCO BCOS 3.12.4/3.13.0+ answers silently for only
`[web3_rpc] filter_max_process_block` blocks (default 10) from fromBlock (FISCO-BCOS
bcos-rpc/bcos-rpc/filter/FilterSystem.cpp getLogsImpl; bcos-tool/.../NodeConfig.cpp): nothing
says logs are missing. So before the first query of a connection, a probe finds a block holding a
log (one of the latest blocks' transactions), asks for the profile's range ending at that block,
and if the log is not in the answer narrows the range until it is: that is how many blocks the
node really scans, whatever the profile says.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from eth_utils import keccak
from web3.contract import Contract
from web3.exceptions import Web3RPCError
from web3.types import LogReceipt

from shanglian.errors import NetworkError
from shanglian.network import Chain
from shanglian.transactions import abi_type

_PROBE_BLOCKS = 16  # how many of the latest blocks the probe looks through for a log
_PROBE_RECEIPTS = 4  # receipts read per block while looking


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
    """Logs of `address` matching `topics`, oldest first, asked for as many blocks at a time as the
    node answers (see the module doc)."""
    last = chain.w3.eth.block_number if to_block is None else to_block
    if chain.profile.embedded:
        yield from _embedded(chain).fetch(chain, address, topics, from_block, last)
        return
    start = from_block
    while start <= last:
        end = min(last, start + window(chain) - 1)
        try:
            found = chain.w3.eth.get_logs({"address": address, "topics": list(topics), "fromBlock": start, "toBlock": end})
        except Web3RPCError as exc:
            if end == start:
                raise NetworkError(f"the node at {chain.profile.rpc} refused eth_getLogs for block {start}: {exc}") from None
            chain.logs_window = max(1, (end - start + 1) // 2)  # a range cap the node enforces: narrower
            continue
        yield from found
        start = end + 1


class EmbeddedLogs:
    """The embedded chain's logs, read once per block. eth-tester answers eth_getLogs by reading
    every receipt of every block in the range again on each query (eth_tester/main.py `get_logs`),
    so on the embedded chain a query from the deployment block costs more with each block and a
    story of a few hundred transactions spends minutes in log queries. The chain lives in this
    process: each block's logs are read once and kept with the block's hash, and a block whose
    hash changed (a reverted snapshot, then new blocks) is read again."""

    def __init__(self) -> None:
        self._blocks: list[tuple[bytes, list[LogReceipt]]] = []  # (hash, logs) by block number

    def fetch(self, chain_: Chain, address: str, topics: Sequence[Any], start: int, end: int) -> Iterator[LogReceipt]:
        self._sync(chain_, end)
        wanted = [None if t is None else {_hex(x) for x in ([t] if isinstance(t, (str, bytes)) else t)}
                  for t in topics]
        address = address.lower()
        for _, block_logs in self._blocks[start:end + 1]:
            for log in block_logs:
                if log["address"].lower() != address or len(log["topics"]) < len(wanted):
                    continue
                if all(w is None or _hex(t) in w for w, t in zip(wanted, log["topics"])):
                    yield log

    def _sync(self, chain_: Chain, end: int) -> None:
        eth = chain_.w3.eth
        head = eth.block_number
        del self._blocks[head + 1:]  # reverted to a snapshot below them
        while self._blocks and self._blocks[-1][0] != bytes(eth.get_block(len(self._blocks) - 1)["hash"]):
            self._blocks.pop()  # reverted, then mined again: another block at this height
        end = min(end, head)
        while len(self._blocks) <= end:
            block = eth.get_block(len(self._blocks))
            found = [log for tx in block["transactions"] for log in eth.get_transaction_receipt(tx)["logs"]]
            self._blocks.append((bytes(block["hash"]), found))


def _hex(value: Any) -> str:
    return (value if isinstance(value, str) else "0x" + bytes(value).hex()).lower()


def _embedded(chain_: Chain) -> EmbeddedLogs:
    if chain_.embedded_logs is None:
        chain_.embedded_logs = EmbeddedLogs()
    return chain_.embedded_logs


def window(chain: Chain) -> int:
    """How many blocks one eth_getLogs may span on `chain`: the profile's range, narrowed to what the
    node was found to scan."""
    if chain.logs_window is None:
        chain.logs_window = max(1, chain.profile.logs_range)
        if not chain.profile.embedded:
            chain.logs_window = _probe(chain, chain.logs_window)
    return chain.logs_window


def _probe(chain: Chain, wanted: int) -> int:
    """The widest range up to `wanted` whose answer holds a log known to sit at its last block."""
    anchor = _recent_log(chain)
    if anchor is None:
        return wanted  # nothing to measure against: the profile's range stands
    block = int(anchor["blockNumber"])
    span = min(wanted, block + 1)
    if span <= 1 or _holds(chain, anchor, span):
        return wanted
    low, high = 1, span - 1  # [block - low + 1, block] holds the log; a range of `span` does not
    while low < high:
        middle = (low + high + 1) // 2
        if _holds(chain, anchor, middle):
            low = middle
        else:
            high = middle - 1
    return low


def _holds(chain: Chain, anchor: Any, span: int) -> bool:
    block = int(anchor["blockNumber"])
    try:
        found = chain.w3.eth.get_logs({"address": anchor["address"], "topics": [anchor["topics"][0]],
                                       "fromBlock": block - span + 1, "toBlock": block})
    except Web3RPCError:
        return False  # a node that refuses the range does not answer it either
    return any(log["transactionHash"] == anchor["transactionHash"] and log["logIndex"] == anchor["logIndex"]
               for log in found)


def _recent_log(chain: Chain) -> Any:
    """A log of one of the latest transactions, or None if the latest blocks hold none."""
    head = chain.w3.eth.block_number
    for number in range(head, max(-1, head - _PROBE_BLOCKS), -1):
        for tx_hash in chain.w3.eth.get_block(number)["transactions"][:_PROBE_RECEIPTS]:
            receipt_logs = chain.w3.eth.get_transaction_receipt(tx_hash)["logs"]
            if receipt_logs and receipt_logs[0]["topics"]:
                return receipt_logs[0]
    return None


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
