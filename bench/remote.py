"""A consortium node 50 ms away: Anvil behind bench/rpcproxy.py relaying bytes unparsed as a TCP
proxy would, adding a WAN's round trip (bandwidth is not limited), the same
three senders as bench/pipeline.py through it, and a variant where 1% of the requests have their
connection reset.

- raw:   the transactions signed before the clock starts, sent by batched JSON-RPC (bench.pipeline);
- sdk:   the SDK's bulk path (shanglian.pipeline), signing and journaling included;
- naive: web3 one at a time: build, sign, send, wait.

Raw and SDK take turns through the same proxy, three times each; the ratio is of the medians.

The reset variant runs the SDK's bulk path through a proxy that resets the TCP connection of one
request in a hundred, alternately before the node sees the request and after it answered (for a
batch of sent transactions: the node holds them, the answer never arrives). With unlimited batches
a run of 20,000 transactions is about 230 requests, two of them reset: too few to show anything.
So this variant talks to the node as to a FISCO BCOS 3.16 one, at most 8 calls a request (the
pipeline's batching as `bench.pipeline batching` measures it): thousands of requests, tens of them
reset, in both fates and while sending. A run in which no request carrying transactions was reset
in either fate proves nothing and fails. Afterwards the node itself is asked: the account's nonce
moved by exactly the number of jobs, every job's transaction has a successful receipt, and every
item's trace event is on chain exactly once.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import pipeline
from bench.rpcproxy import ConnectionReset, RpcProxy
from shanglian import logs
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.pipeline import CallEncoder, Job, Journal, Pipeline
from shanglian.transactions import Transactor

RTT = 0.050  # seconds added to every request's round trip
RESET_EVERY = 100  # 1% of the requests
RESET_BATCH_LIMIT = 8  # calls in one request in the reset variant (FISCO BCOS 3.16's limit)


class Wan:
    """Half the round trip on the way to the node, half on the way back; one request in
    `reset_every` has its connection reset instead of answered, alternately before the node sees
    the request and after it answered."""

    def __init__(self, rtt: float, reset_every: int = 0) -> None:
        self.half = rtt / 2
        self.reset_every = reset_every
        self.requests = 0
        self.resets: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._fate = threading.local()  # a request and its reply run on one handler thread

    def request(self, proxy: RpcProxy, body: bytes) -> None:
        time.sleep(self.half)
        with self._lock:
            self.requests += 1
            number = self.requests
        fate = None
        if self.reset_every and number % self.reset_every == 0:
            fate = "before" if (number // self.reset_every) % 2 else "after"
        if fate == "before":
            self._count("before", body)
            raise ConnectionReset
        self._fate.value = fate

    def respond(self, proxy: RpcProxy, body: bytes, reply: bytes) -> bytes:
        if getattr(self._fate, "value", None) == "after":
            self._count("after", body)
            raise ConnectionReset
        time.sleep(self.half)
        return reply

    def _count(self, when: str, body: bytes) -> None:
        sends = b'"eth_sendRawTransaction"' in body
        with self._lock:
            self.resets[when] += 1
            if sends:
                self.resets[f"{when}_sending"] += 1


def _through(node: LocalNode, proxy: RpcProxy, batch_limit: int | None = None):
    return connect(replace(node.profile, name="remote", rpc=proxy.url, timeout=60, batch_limit=batch_limit))


def _reset_enough(wan: Wan) -> None:
    """Raises unless the run reset 1% of its requests, some of them carrying transactions, in both
    fates (before the node saw them and after it answered)."""
    resets = wan.resets["before"] + wan.resets["after"]
    if resets < wan.requests // wan.reset_every or not (wan.resets["before_sending"] and wan.resets["after_sending"]):
        raise RuntimeError(f"the reset variant reset {dict(wan.resets)} of {wan.requests} requests: "
                           "too few to show every transaction mined once; send more transactions")


def exactly_once(direct, coop: Transactor, contract, count: int, offset: int, journal_path: Path,
                 proxied) -> tuple[bool, float]:
    """Runs `count` trace events through the SDK over `proxied`, then checks on the node itself
    (`direct`) that each was mined exactly once; returns (verdict, tx/s)."""
    first_nonce = direct.w3.eth.get_transaction_count(coop.address)
    first_block = direct.w3.eth.block_number + 1
    encode = CallEncoder(contract, "recordEvent")
    calls = pipeline._calls(offset, count)
    jobs = [Job(f"event:{offset + i}", contract.address, encode(*args), pipeline.GAS) for i, args in enumerate(calls)]
    journal = Journal(journal_path)
    start = time.perf_counter()
    outcome = Pipeline(proxied, coop.account, journal, keep_receipts=True).run(jobs)
    rate = count / (time.perf_counter() - start)
    nonces_ok = direct.w3.eth.get_transaction_count(coop.address) - first_nonce == count
    statuses_ok = outcome.mined == count and not outcome.reverted and all(
        int(outcome.receipts[job.key]["status"], 16) == 1 for job in jobs)
    topic = logs.topic(contract, "TraceEventRecorded")
    recorded = Counter(bytes(log["topics"][2]) for log in logs.fetch(direct, contract.address, [topic], first_block))
    items_ok = recorded == Counter(item for _, item, *_ in calls)
    return nonces_ok and statuses_ok and items_ok and journal.count(direct.chain_id, "mined") == count, rate


def measure(count: int = 5000, naive_count: int = 40, rounds: int = 3, reset_count: int = 5_000) -> dict[str, Any]:
    with LocalNode("anvil") as node, tempfile.TemporaryDirectory() as tmp:
        direct = connect(node.profile)
        story, coop = pipeline._prepare(direct)
        contract = story.suite["ProductProvenance"]
        with RpcProxy(node.url, [Wan(RTT)], decode=False) as proxy:
            remote = _through(node, proxy)
            sender = Transactor(remote, coop.account)
            naive = pipeline.naive_tx_per_s(remote, sender, contract, naive_count)
            runs: dict[str, list[float]] = {"raw": [], "sdk": []}
            for turn in range(rounds):
                for kind in ("raw", "sdk") if turn % 2 == 0 else ("sdk", "raw"):
                    offset = (20 + len(runs["raw"]) + len(runs["sdk"])) * 10**6
                    if kind == "raw":
                        runs[kind].append(pipeline.raw_tx_per_s(remote, sender, contract, count, offset))
                    else:
                        runs[kind].append(pipeline.sdk_tx_per_s(remote, sender, contract, count, offset,
                                                                Path(tmp) / f"r{offset}.sqlite"))
        wan = Wan(RTT, RESET_EVERY)
        with RpcProxy(node.url, [wan], decode=False) as proxy:
            once, reset_rate = exactly_once(direct, coop, contract, reset_count, 40 * 10**6, Path(tmp) / "reset.sqlite",
                                            _through(node, proxy, RESET_BATCH_LIMIT))
        _reset_enough(wan)
    raw, sdk = statistics.median(runs["raw"]), statistics.median(runs["sdk"])
    return {"rtt_ms": round(RTT * 1000), "raw_tx_per_s": round(raw, 1), "sdk_tx_per_s": round(sdk, 1),
            "naive_tx_per_s": round(naive, 2), "ratio": round(sdk / raw, 3), "sdk_over_naive": round(sdk / naive, 1),
            "reset_mined_once": once, "reset_sdk_tx_per_s": round(reset_rate, 1), "reset_transactions": reset_count,
            "reset_requests": wan.requests, "reset_fraction": round((wan.resets["before"] + wan.resets["after"]) / wan.requests, 4),
            "resets": dict(sorted(wan.resets.items()))}


if __name__ == "__main__":
    print(measure(count=1000, naive_count=10, rounds=1, reset_count=2000) if sys.argv[1:] == ["--quick"] else measure())
