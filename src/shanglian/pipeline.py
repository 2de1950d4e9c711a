"""The bulk transaction pipeline: thousands of transactions from one account, fast and resumable.

Transactions are signed locally (coincurve), given consecutive nonces by one nonce counter, written
to a SQLite journal, and only then sent, many per HTTP request as a JSON-RPC batch. Receipts are
collected in batches too, with a bounded number of transactions in flight. A batch is never longer
than the chain's batch limit (a profile key, or the engine's default); a single call goes as a
plain request; and a node that answers a batch as one call (FISCO before 3.16 answers its first
element only) is from then on sent one request at a time. A transient RPC error
resends the *same* signed bytes — the pipeline never signs a second transaction for a nonce the node
may hold — so a job killed at any point and run again resends what the node may not have, skips
what was mined, and continues with the next nonce: no gaps, no duplicates.
"""

from __future__ import annotations

import itertools
import queue
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import requests
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from shanglian import chaintime
from shanglian.errors import NetworkError, ShanglianError
from shanglian.network import Chain
from shanglian.signing import FastSigner, Fees
from shanglian.transactions import Transactor, abi_type, refusal

# Nodes cap the size of one HTTP request (Anvil answers "Invalid request" past a few MB); raw
# transactions travel as hex, so this keeps a request near 1 MB.
_MAX_REQUEST_BYTES = 512 * 1024

_NUDGE_AFTER = 1.0  # seconds without a receipt, beyond the chain's block time, before the node is nudged

# Transactions sent but not yet mined, per pipeline. A node is fastest fed steadily: Anvil tells its
# automining task about each ready transaction through a channel of 2,048 slots and drops the
# notice when it is full, so a flood of thousands leaves transactions unmined until something else
# wakes the miner — and measured here, the node stays slow (≈ 220 tx/s instead of ≈ 3,000) for the
# rest of its life. Two batches in flight keep the node busy while one is being collected.
MAX_IN_FLIGHT = 500

# Node answers to a resent transaction that mean "I have it already".
_ALREADY_KNOWN = ("already known", "known transaction", "already imported", "nonce too low",
                  "transaction already exists", "replacement transaction underpriced")


class PipelineError(ShanglianError):
    """A transaction of a bulk job was refused or reverted; `key` names the job."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class Job:
    key: str  # unique within the journal: what makes a re-run skip work already done
    to: str
    data: bytes
    gas: int
    value: int = 0


@dataclass
class Outcome:
    sent: int = 0
    mined: int = 0
    skipped: int = 0
    reverted: list[str] = field(default_factory=list)
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> receipt (when kept)


class Journal:
    """SQLite record of every signed transaction: written before sending, updated when mined."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS txs (chain_id INTEGER, sender TEXT, key TEXT, nonce INTEGER,"
            " hash TEXT, raw BLOB, state TEXT, status INTEGER, block INTEGER,"
            " PRIMARY KEY (chain_id, key))"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS by_state ON txs (chain_id, sender, state)")

    def known(self, chain_id: int) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT key FROM txs WHERE chain_id = ?", (chain_id,))}

    def unfinished(self, chain_id: int, sender: str) -> list[tuple[str, int, str, bytes]]:
        return list(self.db.execute(
            "SELECT key, nonce, hash, raw FROM txs WHERE chain_id = ? AND sender = ? AND state = 'signed'"
            " ORDER BY nonce", (chain_id, sender)))

    def reconcile(self, chain_id: int, sender: str, pending_nonce: int) -> int:
        """Drops the rows that can no longer be sent as they are, from the node's pending nonce on.
        Signed rows that continue the node's sequence without a gap are kept and sent again, the
        same bytes: the node may hold some of them already, queued behind one it never got (a
        client killed during a batch leaves such holes), and only the very same transactions fill
        those places. From the first row that breaks the sequence — a gap, or a row marked mined
        whose block a restarted node lost — every row is dropped and its job signed afresh.
        Returns the nonce the next new transaction gets."""
        expected = pending_nonce
        for nonce, state in self.db.execute(
            "SELECT nonce, state FROM txs WHERE chain_id = ? AND sender = ? AND nonce >= ? ORDER BY nonce",
            (chain_id, sender, pending_nonce),
        ).fetchall():
            if nonce != expected or state != "signed":
                break
            expected += 1
        with self.db:
            self.db.execute("DELETE FROM txs WHERE chain_id = ? AND sender = ? AND nonce >= ?", (chain_id, sender, expected))
        return expected

    def forget(self, chain_id: int, keys: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM txs WHERE chain_id = ? AND key = ?", [(chain_id, key) for key in keys])

    def signed(self, chain_id: int, sender: str, rows: Sequence[tuple[str, int, str, bytes]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO txs (chain_id, sender, key, nonce, hash, raw, state) VALUES (?, ?, ?, ?, ?, ?, 'signed')",
                [(chain_id, sender, key, nonce, tx_hash, raw) for key, nonce, tx_hash, raw in rows],
            )

    def mined(self, chain_id: int, rows: Sequence[tuple[int, int, str]]) -> None:
        """rows: (status, block, key)."""
        with self.db:
            self.db.executemany(
                "UPDATE txs SET state = 'mined', status = ?, block = ?, raw = NULL WHERE chain_id = ? AND key = ?",
                [(status, block, chain_id, key) for status, block, key in rows],
            )

    def count(self, chain_id: int, state: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM txs WHERE chain_id = ? AND state = ?", (chain_id, state)).fetchone()[0]

    def close(self) -> None:
        self.db.close()


class Pipeline:
    def __init__(
        self,
        chain: Chain,
        account: LocalAccount,
        journal: Journal | None = None,
        batch_size: int = 250,
        max_in_flight: int = MAX_IN_FLIGHT,
        keep_receipts: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if chain.profile.rpc is None:
            raise ShanglianError("the bulk pipeline needs an RPC node; the embedded chain has none")
        chaintime.require_seconds(chain)
        self.chain = chain
        self.address = account.address
        self.signer = FastSigner(bytes(account.key), chain.chain_id)
        self.journal = journal or Journal(":memory:")
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.keep_receipts = keep_receipts
        self.progress = progress
        self._http = requests.Session()
        self.rpc = Rpc(chain)
        self._fees = Fees.from_tx_fields(Transactor(chain, account).fees())
        self._mined_nonce = 0  # the account's mined nonce count at the last poll
        self._nudge_after = _NUDGE_AFTER + chain.profile.block_time  # a block period without one is no news

    # -- public ---------------------------------------------------------------------------------

    def run(self, jobs: Iterable[Job]) -> Outcome:
        outcome = Outcome()
        in_flight: dict[str, tuple[str, bytes, int]] = {}  # tx hash -> (key, raw, nonce), in nonce order
        pending_nonce = self._rpc_one("eth_getTransactionCount", [self.address, "pending"], int)
        nonce = self.journal.reconcile(self.chain.chain_id, self.address, pending_nonce)
        self._recover(in_flight, outcome)
        known = self.journal.known(self.chain.chain_id)
        # Signing the next window overlaps with the node executing the last one: the sender thread
        # spends its time waiting on HTTP, which releases the GIL.
        sender = _SenderThread(self._send)
        try:
            for window in _windows(jobs, self.batch_size):
                fresh = [job for job in window if job.key not in known]
                outcome.skipped += len(window) - len(fresh)
                if not fresh:
                    continue
                rows = []
                for job in fresh:
                    raw, tx_hash = self.signer.sign(nonce, bytes.fromhex(job.to[2:]), job.data, job.gas, self._fees, job.value)
                    rows.append((job.key, nonce, "0x" + tx_hash.hex(), raw))
                    nonce += 1
                self.journal.signed(self.chain.chain_id, self.address, rows)  # before sending: see module doc
                # Room is waited for only now: the window was signed while the node mined the last ones.
                if len(in_flight) + len(rows) > self.max_in_flight:
                    self._collect(in_flight, outcome, until=max(0, self.max_in_flight - len(rows)))
                sender.put([(key, raw) for key, _, _, raw in rows])
                outcome.sent += len(rows)
                in_flight.update({tx_hash: (key, raw, nonce) for key, nonce, tx_hash, raw in rows})
        finally:
            sender.close()
        self._collect(in_flight, outcome, until=0)
        return outcome

    # -- internals ------------------------------------------------------------------------------

    def _recover(self, in_flight: dict[str, tuple[str, bytes, int]], outcome: Outcome) -> None:
        """Resend whatever an earlier run journaled but did not see mined (same bytes, same nonce).
        A journaled transaction whose nonce another program used meanwhile can never be mined: its
        row is dropped, and its job is signed afresh like any new one."""
        pending = self.journal.unfinished(self.chain.chain_id, self.address)
        if not pending:
            return
        mined_nonce = self._rpc_one("eth_getTransactionCount", [self.address, "latest"], int)
        passed = [row for row in pending if row[1] < mined_nonce]
        answers = self.rpc.batch(self._http, [("eth_getTransactionReceipt", [tx_hash]) for _, _, tx_hash, _ in passed])
        replaced = {row[0] for row, answer in zip(passed, answers) if not answer.get("result")}
        if replaced:
            self.journal.forget(self.chain.chain_id, replaced)
            pending = [row for row in pending if row[0] not in replaced]
        self._send([(key, raw) for key, _, _, raw in pending])
        in_flight.update({tx_hash: (key, raw, nonce) for key, nonce, tx_hash, raw in pending})
        outcome.sent += len(pending)

    def _send(self, items: list[tuple[str, bytes]]) -> None:
        session = requests.Session()  # this runs on the sender thread: a session of its own
        for chunk in _by_size(items, min(self.batch_size, self.chain.batch_limit or self.batch_size), _MAX_REQUEST_BYTES):
            answers = self.rpc.batch(session, [("eth_sendRawTransaction", ["0x" + raw.hex()]) for _, raw in chunk])
            for (key, _), answer in zip(chunk, answers):
                error = answer.get("error")
                if error and not any(text in str(error.get("message", "")).lower() for text in _ALREADY_KNOWN):
                    raise PipelineError(key, refusal(self.chain, self.address, str(error.get("message"))))

    def _collect(self, in_flight: dict[str, tuple[str, bytes, int]], outcome: Outcome, until: int) -> None:
        """Waits until at most `until` transactions are unmined. One account's transactions are mined
        in nonce order, so the account's mined nonce count says how many of the oldest are done:
        polling it costs the node one lookup, where asking for every unmined receipt costs it
        hundreds. Receipts are fetched for the mined ones only (their status is the point), in the
        same request as the next poll: one round trip per poll, which a node far away feels."""
        deadline = time.monotonic() + self.chain.profile.timeout
        nudge = time.monotonic() + self._nudge_after
        mined_nonce = self._mined_nonce
        while len(in_flight) > until:
            hashes = [tx_hash for tx_hash, (_, _, nonce) in itertools.takewhile(
                lambda item: item[1][2] < mined_nonce, itertools.islice(in_flight.items(), self.batch_size * 4))]
            polled = self.rpc.batch(self._http, [("eth_getTransactionCount", [self.address, "latest"]),
                                                 *(("eth_getTransactionReceipt", [h]) for h in hashes)])
            if "error" in polled[0]:
                raise NetworkError(f"eth_getTransactionCount failed: {polled[0]['error']}")
            mined_nonce = self._mined_nonce = int(polled[0]["result"], 16)
            answers = polled[1:]
            if not hashes and mined_nonce > next(iter(in_flight.values()))[2]:
                continue  # the oldest are mined: their receipts come with the next poll, at once
            done = []
            for tx_hash, answer in zip(hashes, answers):
                receipt = answer.get("result")
                if not receipt:
                    break  # receipts are kept in nonce order too: ask again on the next round
                key, _, _ = in_flight.pop(tx_hash)
                status, block = int(receipt["status"], 16), int(receipt["blockNumber"], 16)
                done.append((status, block, key))
                if status != 1:
                    outcome.reverted.append(key)
                if self.keep_receipts:
                    outcome.receipts[key] = receipt
            if done:
                self.journal.mined(self.chain.chain_id, done)
                outcome.mined += len(done)
                deadline = time.monotonic() + self.chain.profile.timeout
                nudge = time.monotonic() + self._nudge_after
                if self.progress:
                    self.progress(outcome.mined, outcome.sent)
            elif time.monotonic() > nudge:
                # Nothing mined for a while. A node under load can drop an accepted transaction,
                # leaving every later nonce queued behind the gap: send the oldest unmined ones
                # again, the same bytes (a node that has them says so). And an automining dev node
                # (Anvil, Ganache) mines a block per arriving transaction, so when a block fills
                # up the rest waits for an arrival that a finished job never sends: ask for it.
                # Anvil can also keep the next transaction among its queued (not executable) ones
                # though its nonce is the account's — it arrived while the block before it was being
                # mined; about once in sixty runs of a crashed-and-resumed job here — and answers
                # "already known" to every resend. So on a local node the account's transactions
                # are taken out of the pool and all sent again, in order. Ganache answers that
                # Anvil-only call with an error, which changes nothing.
                if self.chain.profile.local:
                    self.rpc.batch(self._http, [("anvil_removePoolTransactions", [self.address])])
                    self._send([(key, raw) for key, raw, _ in in_flight.values()])
                    self.rpc.batch(self._http, [("evm_mine", [])])
                else:
                    self._send([(key, raw) for key, raw, _ in itertools.islice(in_flight.values(), self.batch_size)])
                nudge = time.monotonic() + self._nudge_after
            elif time.monotonic() > deadline:
                key, _, nonce = next(iter(in_flight.values()))
                if nonce < mined_nonce:
                    raise PipelineError(key, f"nonce {nonce} of {self.address} was used by a transaction this job did "
                                        "not sign (another program sending from this account?); run the job again")
                raise NetworkError(f"{len(in_flight)} transactions not mined within {self.chain.profile.timeout:g} s")
            else:
                time.sleep(0.01)

    def _rpc_one(self, method: str, params: list[Any], convert: Callable[[str], Any]) -> Any:
        answer = self.rpc.batch(self._http, [(method, params)])[0]
        if "error" in answer:
            raise NetworkError(f"{method} failed: {answer['error']}")
        result = answer["result"]
        return int(result, 16) if convert is int else convert(result)


class Rpc:
    """JSON-RPC calls to a chain's node, many per request as far as the node takes them (see the
    module doc): the pipeline's transport, and any bulk read (balances before funding)."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._ids = itertools.count()

    def batch(self, session: requests.Session, calls: list[tuple[str, list[Any]]], attempts: int = 5) -> list[dict[str, Any]]:
        """The answers to `calls`, in order: as JSON-RPC batches no longer than the chain's batch
        limit, a lone call as a plain request. No calls, no request (a node answers an empty batch
        with "Invalid request")."""
        answers: list[dict[str, Any]] = []
        while len(answers) < len(calls):
            limit = self.chain.batch_limit or len(calls)
            group = calls[len(answers) : len(answers) + limit]
            answers += self._post(session, group, attempts) if len(group) > 1 else [self._post_one(session, group[0], attempts)]
        return answers

    def _post(self, session: requests.Session, calls: list[tuple[str, list[Any]]], attempts: int) -> list[dict[str, Any]]:
        payload = [{"jsonrpc": "2.0", "id": next(self._ids), "method": m, "params": p} for m, p in calls]
        answers = self._exchange(session, payload, attempts)
        if isinstance(answers, dict):
            # The node answered the batch as one call. FISCO before 3.16 runs the first element only
            # and answers it alone (v3.15.0 Web3JsonRpcImpl.cpp parseRequestAndValidate): keep that
            # answer and send the rest one request at a time, now and from now on. A node that
            # refused the batch as a whole answers with no id and has run none of it; if it said
            # its limit (FISCO 3.16: "The requested array size exceeds the limit size: 8",
            # Web3JsonRpcImpl.cpp onRPCRequest), batches of that length go on.
            first = [answers] if answers.get("id") == payload[0]["id"] else []
            stated = re.search(r"limit size: (\d+)", str((answers.get("error") or {}).get("message", "")))
            shorter = int(stated.group(1)) if stated and not first else 1
            self.chain.batch_cap = max(1, shorter) if shorter < len(calls) else 1
            if self.chain.batch_cap > 1:
                return self.batch(session, calls, attempts)
            return first + [self._post_one(session, call, attempts) for call in calls[len(first) :]]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        return [by_id.get(p["id"], {"error": {"message": "missing answer"}}) for p in payload]

    def _post_one(self, session: requests.Session, call: tuple[str, list[Any]], attempts: int) -> dict[str, Any]:
        answer = self._exchange(session, {"jsonrpc": "2.0", "id": next(self._ids), "method": call[0], "params": call[1]},
                                attempts)
        if not isinstance(answer, dict):
            raise NetworkError(f"the node at {self.chain.profile.rpc} answered one call with {type(answer).__name__}")
        return answer

    def _exchange(self, session: requests.Session, payload: Any, attempts: int) -> Any:
        """One HTTP request; transient failures are retried with the same payload."""
        delay = 0.2
        for attempt in range(attempts):
            try:
                response = session.post(self.chain.profile.rpc, json=payload, timeout=self.chain.profile.timeout)
                if response.status_code >= 500 or response.status_code == 429:
                    raise requests.exceptions.ConnectionError(f"HTTP {response.status_code}")
                return response.json()
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if attempt == attempts - 1:
                    raise NetworkError(f"lost the node at {self.chain.profile.rpc}: {exc.__class__.__name__}") from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")



class _SenderThread:
    """Sends windows of signed transactions in order on a background thread; an exception there is
    raised again in the caller at its next put or at close."""

    def __init__(self, send: Callable[[list[tuple[str, bytes]]], None], depth: int = 2) -> None:
        self._send = send
        self._queue: queue.Queue[list[tuple[str, bytes]] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="shanglian-sender", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (items := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._send(items)
                except BaseException as exc:  # handed to the caller, which decides
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def put(self, items: list[tuple[str, bytes]]) -> None:
        self._raise()
        self._queue.put(items)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise()


def _by_size(items: list[tuple[str, bytes]], count: int, size: int) -> Iterator[list[tuple[str, bytes]]]:
    """Consecutive groups of at most `count` items and about `size` bytes of transactions."""
    group: list[tuple[str, bytes]] = []
    total = 0
    for item in items:
        if group and (len(group) == count or total + len(item[1]) > size):
            yield group
            group, total = [], 0
        group.append(item)
        total += len(item[1])
    if group:
        yield group


def _windows(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    iterator = iter(jobs)
    while window := list(itertools.islice(iterator, size)):
        yield window


class CallEncoder:
    """Calldata for one function of a contract, encoded with eth-abi directly: web3's
    ContractFunction path costs about 40 times more per call, which a bulk job feels. A function
    whose arguments are all one word each (uintN, bytesN, bool: a trace event's) is encoded word by
    word, about twenty times faster again; a value that does not fit goes to eth-abi, which says why."""

    def __init__(self, contract: Any, name: str) -> None:
        items = [i for i in contract.abi if i["type"] == "function" and i["name"] == name]
        if len(items) != 1:
            raise ValueError(f"{name} is not one function of the contract's ABI")
        self.types = [abi_type(i) for i in items[0]["inputs"]]
        self.selector = keccak(text=f"{name}({','.join(self.types)})")[:4]
        words = [_word_encoder(t) for t in self.types]
        self._words = None if None in words else words

    def __call__(self, *args: Any) -> bytes:
        if self._words is not None and len(args) == len(self._words):
            encoded = [encode(value) for encode, value in zip(self._words, args)]
            if None not in encoded:
                return self.selector + b"".join(encoded)  # type: ignore[arg-type]
        return self.selector + abi_encode(self.types, list(args))


def _word_encoder(abi: str) -> Callable[[Any], bytes | None] | None:
    """An encoder of one argument of type `abi` into its 32-byte word (None for a value it does not
    take), or None if the type is not a one-word type this knows."""
    if abi == "bool":
        return lambda value: (b"\0" * 31 + bytes([value])) if isinstance(value, bool) else None
    matched = re.fullmatch(r"(uint|bytes)(\d+)", abi)
    if matched is None:
        return None
    size = int(matched.group(2))
    if matched.group(1) == "uint":
        limit = 1 << size
        # type() rather than isinstance: eth-abi refuses a bool where it wants an integer.
        return lambda value: value.to_bytes(32, "big") if type(value) is int and 0 <= value < limit else None
    return lambda value: bytes(value).ljust(32, b"\0") if isinstance(value, (bytes, bytearray)) and len(value) <= size else None
