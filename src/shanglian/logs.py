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

import re
from typing import Any, Callable, Iterator, Sequence

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3.contract import Contract
from web3.datastructures import AttributeDict
from web3.exceptions import MismatchedABI, Web3RPCError
from web3.types import LogReceipt, RPCEndpoint

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
            found = _get_logs(chain, {"address": address, "topics": list(topics), "fromBlock": start, "toBlock": end})
        except Web3RPCError as exc:
            if end == start:
                raise NetworkError(f"the node at {chain.profile.rpc} refused eth_getLogs for block {start}: {exc}") from None
            chain.logs_window = max(1, (end - start + 1) // 2)  # a range cap the node enforces: narrower
            continue
        yield from found
        start = end + 1


def _get_logs(chain: Chain, query: dict[str, Any]) -> list[Any]:
    """eth_getLogs on a node (the embedded chain's logs are :class:`EmbeddedLogs`'). The answer's
    fields are converted here, as web3 would give them (AttributeDicts: numbers as ints, hashes as
    HexBytes, the address checksummed): web3's result formatters measured close to a millisecond
    per log, and an index follows one log per traced item."""
    params = {**query, "fromBlock": hex(query["fromBlock"]), "toBlock": hex(query["toBlock"])}
    response = chain.w3.provider.make_request(RPCEndpoint("eth_getLogs"), [params])
    if "error" in response:
        raise Web3RPCError(str(response["error"]), rpc_response=response)
    checksum: dict[str, str] = {}
    found = []
    for raw in response["result"]:
        address = raw["address"]
        if address not in checksum:
            checksum[address] = to_checksum_address(address)
        found.append(AttributeDict({
            "address": checksum[address], "topics": [_hexbytes(t) for t in raw["topics"]], "data": _hexbytes(raw["data"]),
            "blockNumber": int(raw["blockNumber"], 16), "transactionHash": _hexbytes(raw["transactionHash"]),
            "transactionIndex": int(raw["transactionIndex"], 16), "blockHash": _hexbytes(raw["blockHash"]),
            "logIndex": int(raw["logIndex"], 16), "removed": bool(raw.get("removed", False)),
        }))
    return found


def _hexbytes(text: str) -> HexBytes:
    """HexBytes of a node's 0x hex string. HexBytes is bytes with methods and no state of its own,
    so it is made from the decoded bytes directly: its constructor (which accepts any type) measured
    two thirds of the cost, six of them per log."""
    return bytes.__new__(HexBytes, bytes.fromhex(text[2:]))


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
    """Decodes logs of any event of `contract`, in order; logs of other events are skipped.

    Events whose every field is a static word (address, bool, bytesN, intN, uintN) are decoded with
    eth_abi straight from the topics and the data (:func:`_static_decoder`); the rest by web3's
    ``process_log``. Both give the same AttributeDict; the first costs a twentieth: a province's
    trace events are one ``TraceEventRecorded`` log per item handled, thousands a second, and
    web3's decoder measured close to a millisecond per log."""
    by_topic: dict[str, Callable[[Any], Any]] = {}
    for item in contract.abi:
        if item["type"] == "event":
            by_topic[topic(contract, item["name"])] = (
                _static_decoder(item) or getattr(contract.events, item["name"])().process_log)
    decoded = []
    for log in logs:
        decoder = by_topic.get("0x" + bytes(log["topics"][0]).hex())
        if decoder is not None:
            decoded.append(decoder(log))
    return decoded


_STATIC_WORD = re.compile(r"address|bool|bytes([1-9]|[12][0-9]|3[0-2])|u?int([0-9]{1,3})?")


def _static_decoder(event: dict[str, Any]) -> Callable[[Any], Any] | None:
    """A decoder of the logs of `event` (its ABI entry) if all its fields are static words, else None."""
    inputs = event["inputs"]
    if event.get("anonymous") or not all(_STATIC_WORD.fullmatch(i["type"]) for i in inputs):
        return None
    indexed = [(i["name"], i["type"]) for i in inputs if i["indexed"]]
    unindexed = [(i["name"], i["type"]) for i in inputs if not i["indexed"]]
    data_types = [t for _, t in unindexed]
    names = [i["name"] for i in inputs]
    name = event["name"]

    def decoder(log: Any) -> AttributeDict[str, Any]:
        topics = log["topics"]
        if len(topics) != len(indexed) + 1:
            raise MismatchedABI(f"{name}: {len(topics) - 1} indexed topics, the ABI declares {len(indexed)}")
        values = {n: _word(t, bytes(topics[k + 1])) for k, (n, t) in enumerate(indexed)}
        data = bytes(log["data"])
        if len(data) != 32 * len(data_types):
            raise MismatchedABI(f"{name}: {len(data)} bytes of data, the ABI declares {len(data_types)} words")
        for k, (n, t) in enumerate(unindexed):
            values[n] = _word(t, data[32 * k: 32 * k + 32])
        return AttributeDict({
            "args": AttributeDict({n: values[n] for n in names}), "event": name, "logIndex": log["logIndex"],
            "transactionIndex": log["transactionIndex"], "transactionHash": log["transactionHash"],
            "address": log["address"], "blockHash": log["blockHash"], "blockNumber": log["blockNumber"],
        })

    return decoder


def _word(kind: str, word: bytes) -> Any:
    """One ABI word as web3 decodes it: bytes32 as is, uintN as an int, an address checksummed;
    other static kinds through eth_abi."""
    if kind == "bytes32":
        return word
    if kind.startswith("uint") and not any(word[:32 - int(kind[4:] or 256) // 8]):
        return int.from_bytes(word, "big")
    if kind == "address" and not any(word[:12]):
        return to_checksum_address(word[12:])
    return abi_decode([kind], word, strict=False)[0]
