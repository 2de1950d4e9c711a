"""Transactions per second into one Anvil, three ways, in one run:

- raw:   the same transactions signed before the clock starts, sent by batched JSON-RPC; the clock
         stops when all are mined — what the node itself accepts;
- sdk:   the SDK's bulk path (shanglian.pipeline), building, signing and journaling included;
- naive: web3 one at a time: build, sign, send, wait.

`measure_batching` prices the JSON-RPC batch limits of consortium nodes: the SDK path with
batches as long as it likes, with FISCO 3.16's 8, and one request at a time (FISCO before 3.16),
taking turns on one node.

The transaction is the custodian's item-level trace event, the commonest bulk write.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import requests
from eth_utils import keccak

from shanglian import demo, gs1
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.pipeline import MAX_IN_FLIGHT, CallEncoder, Job, Journal, Pipeline
from shanglian.signing import FastSigner, Fees
from shanglian.transactions import Transactor

PEARS = 6901234567892
LOT = "BENCH-001"
GLN = 6901234500017
GAS = 60_000


def _prepare(chain):
    story = demo.prepare(chain)
    coop = story.senders["cooperative"]
    f = story.suite["ProductProvenance"].functions
    coop.send(f.registerProduct(PEARS, "砀山酥梨", "crisp", b"\0" * 32))
    now = chain.w3.eth.get_block("latest")["timestamp"]
    coop.send(f.createBatch(PEARS, LOT, ("砀山县", 341321, 34_420_000, 116_350_000), now - 86400, 1000,
                            b"\1" * 32, b"\0" * 32, ""))
    return story, coop


def _calls(start: int, count: int):
    batch = gs1.lot_id(str(PEARS), LOT)
    data_hash = keccak(text="sensor log")
    return [(batch, keccak(f"PEAR-{i:06d}".encode()), 4, GLN, data_hash) for i in range(start, start + count)]


def _rpc_batch(session, url, calls):
    payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    return session.post(url, json=payload, timeout=60).json()


def raw_tx_per_s(chain, coop: Transactor, contract, count: int, offset: int) -> float:
    """The node's own limit: everything is signed before the clock starts, and the clock stops when
    the account's mined nonce count says all are in blocks (receipts are checked after). Sending
    keeps as many transactions unmined as the pipeline does (MAX_IN_FLIGHT), the rate the node
    digests best: a flood of thousands wedges Anvil's automining (see shanglian.pipeline)."""
    encode = CallEncoder(contract, "recordEvent")
    signer = FastSigner(bytes(coop.account.key), chain.chain_id)
    first = chain.w3.eth.get_transaction_count(coop.address, "pending")
    fees = Fees.from_tx_fields(coop.fees())
    to = bytes.fromhex(contract.address[2:])
    signed = [signer.sign(first + i, to, encode(*args), GAS, fees) for i, args in enumerate(_calls(offset, count))]
    session, url = requests.Session(), chain.profile.rpc
    start = time.perf_counter()
    sent = mined = 0
    idle_since = time.perf_counter()
    while mined < count:
        while sent < count and sent - mined < MAX_IN_FLIGHT:
            chunk = signed[sent:sent + 250]
            _rpc_batch(session, url, [("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw, _ in chunk])
            sent += len(chunk)
        now_mined = int(_rpc_batch(session, url, [("eth_getTransactionCount", [coop.address, "latest"])])[0]["result"], 16) - first
        if now_mined > mined:
            mined, idle_since = now_mined, time.perf_counter()
        elif time.perf_counter() - idle_since > 1.0:
            # The same recovery as the pipeline's: the account's transactions out of the pool and
            # the unmined ones sent again (same bytes), and a block asked for.
            _rpc_batch(session, url, [("anvil_removePoolTransactions", [coop.address])])
            _rpc_batch(session, url, [("eth_sendRawTransaction", ["0x" + raw.hex()]) for raw, _ in signed[mined:sent]])
            _rpc_batch(session, url, [("evm_mine", [])])
            idle_since = time.perf_counter()
        else:
            time.sleep(0.01)
        if time.perf_counter() - start > 300:
            raise RuntimeError(f"{count - mined} transactions not mined in 300 s")
    elapsed = time.perf_counter() - start
    for _ in range(100):  # Anvil can count a nonce as mined a moment before it serves the receipt
        last = _rpc_batch(session, url, [("eth_getTransactionReceipt", ["0x" + signed[-1][1].hex()])])[0]["result"]
        if last:
            break
        time.sleep(0.05)
    assert last and last["status"] == "0x1", "the raw run's last transaction did not succeed"
    return count / elapsed


def sdk_tx_per_s(chain, coop: Transactor, contract, count: int, offset: int, journal_path: Path) -> float:
    start = time.perf_counter()
    encode = CallEncoder(contract, "recordEvent")
    jobs = (Job(f"event:{offset + i}", contract.address, encode(*args), GAS) for i, args in enumerate(_calls(offset, count)))
    outcome = Pipeline(chain, coop.account, Journal(journal_path)).run(jobs)
    elapsed = time.perf_counter() - start
    assert outcome.mined == count and not outcome.reverted
    return count / elapsed


def naive_tx_per_s(chain, coop: Transactor, contract, count: int) -> float:
    from eth_account import Account

    w3 = chain.w3
    start = time.perf_counter()
    for args in _calls(2 * 10**6, count):
        tx = contract.functions.recordEvent(*args).build_transaction({
            "from": coop.address, "nonce": w3.eth.get_transaction_count(coop.address), "chainId": chain.chain_id})
        signed = Account.sign_transaction(tx, coop.account.key)
        w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    return count / (time.perf_counter() - start)


def measure(count: int = 5000, naive_count: int = 200, rounds: int = 3) -> dict[str, float]:
    """Raw and SDK take turns on one node, `rounds` times each (raw first, then SDK first, …), and
    the ratio is of the medians: neither the node warming up nor its state growing favours one."""
    with LocalNode("anvil") as node, tempfile.TemporaryDirectory() as tmp:
        chain = connect(node.profile)
        story, coop = _prepare(chain)
        contract = story.suite["ProductProvenance"]
        # The naive loop first, on a node that has not just swallowed thousands of transactions.
        naive = naive_tx_per_s(chain, coop, contract, naive_count)
        runs: dict[str, list[float]] = {"raw": [], "sdk": []}
        for turn in range(rounds):
            for kind in ("raw", "sdk") if turn % 2 == 0 else ("sdk", "raw"):
                offset = (3 + len(runs["raw"]) + len(runs["sdk"])) * 10**6  # fresh items every phase
                if kind == "raw":
                    runs[kind].append(raw_tx_per_s(chain, coop, contract, count, offset))
                else:
                    runs[kind].append(sdk_tx_per_s(chain, coop, contract, count, offset, Path(tmp) / f"j{offset}.sqlite"))
    raw, sdk = statistics.median(runs["raw"]), statistics.median(runs["sdk"])
    return {"raw_tx_per_s": round(raw, 1), "sdk_tx_per_s": round(sdk, 1), "naive_web3_tx_per_s": round(naive, 1),
            "ratio": round(sdk / raw, 3)}


def measure_batching(count: int = 2000, rounds: int = 3) -> dict[str, float]:
    """SDK throughput with batch limits none, 8 and 1, in turns on one node; ratios of the medians
    to the unlimited run."""
    limits = {"unlimited": None, "batch_8": 8, "single": 1}
    runs: dict[str, list[float]] = {name: [] for name in limits}
    with LocalNode("anvil") as node, tempfile.TemporaryDirectory() as tmp:
        story, coop = _prepare(connect(node.profile))
        contract = story.suite["ProductProvenance"]
        for turn in range(rounds):
            order = list(limits) if turn % 2 == 0 else list(reversed(limits))
            for name in order:
                chain = connect(replace(node.profile, batch_limit=limits[name]))
                offset = (10 + sum(len(r) for r in runs.values())) * 10**6
                runs[name].append(sdk_tx_per_s(chain, Transactor(chain, coop.account), contract, count, offset,
                                               Path(tmp) / f"b{offset}.sqlite"))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    return {**{f"{name}_tx_per_s": round(value, 1) for name, value in medians.items()},
            "batch_8_ratio": round(medians["batch_8"] / medians["unlimited"], 3),
            "single_ratio": round(medians["single"] / medians["unlimited"], 3)}


if __name__ == "__main__":
    print(measure_batching() if sys.argv[1:] == ["batching"] else measure())
