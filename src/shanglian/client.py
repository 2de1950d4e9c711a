"""What every contract's SDK class shares: one place to send, call and read logs.

A :class:`ContractClient` is a deployed contract bound to a chain, with the account that signs for
it (None: read only) and the first block worth reading its logs from (its deployment). It sends a
transaction one way (signed locally; a revert raises the contract's named
:class:`~shanglian.errors.ContractError`, before anything is signed where the node can tell), calls
a view one way (reverts named the same), reads the chain's clock, and reads logs in the block ranges
the node accepts (:mod:`shanglian.logs`), decoded.

:class:`~shanglian.registry.Registry`, :class:`~shanglian.provenance.Provenance` and
:class:`~shanglian.receivables.Receivables` are ContractClients. A new contract's SDK subclasses it
and writes only its own methods: check the input, then one ``_send`` or ``_call``::

    class Evidence(ContractClient):
        def file(self, digest: str | bytes) -> TxReceipt:
            return self._send(self.contract.functions.file(validate.document_hash(digest, "digest")))

        def filed_by(self, digest: bytes) -> str:
            return self._call(self.contract.functions.filedBy(digest))

        def filings(self, enterprise: str) -> list[Any]:
            return self._logs(["EvidenceFiled"], logs.address_topic(enterprise))

A class too large for one module is split by concept into parts that each subclass ContractClient,
joined by one class that inherits them all (see :mod:`shanglian.provenance`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

from web3.contract import Contract
from web3.types import LogReceipt, TxReceipt

from shanglian import chaintime, logs
from shanglian.errors import InputError
from shanglian.network import Chain
from shanglian.transactions import as_contract_error, reverts, Transactor


class ContractClient:
    """`contract` on `chain`; `sender` signs state changes (None: read only); logs are read from
    `from_block` on."""

    def __init__(
        self, chain: Chain, contract: Contract, sender: Transactor | None = None, from_block: int = 0
    ) -> None:
        self.chain = chain
        self.contract = contract
        self.sender = sender
        self.from_block = from_block
        self.last_receipt: TxReceipt | None = None  # of the last transaction this object sent
        self._block_times: dict[int, int] = {}

    # -- sending and calling -----------------------------------------------------------------------

    def _signer(self) -> str:
        """The signing account's address; without one, an InputError that says to give it."""
        if self.sender is None:
            raise InputError("account", "this action needs a signing account (--account)")
        return self.sender.address

    def _send(self, call: Any) -> TxReceipt:
        """Sends `call` from the signer and waits for its receipt (see :meth:`Transactor.send`)."""
        self._signer()
        receipt = self.sender.send(call)  # type: ignore[union-attr]
        self.last_receipt = receipt
        return receipt

    @staticmethod
    def _call(call: Any) -> Any:
        """The result of a view call; a revert raises the contract's named ContractError."""
        try:
            return call.call()
        except reverts() as exc:
            raise as_contract_error(exc) from None

    # -- the chain's clock -------------------------------------------------------------------------

    def _now(self) -> int:
        return chaintime.now(self.chain)

    def _block_time(self, block: int) -> int:
        block = int(block)
        if block not in self._block_times:
            self._block_times[block] = int(self.chain.w3.eth.get_block(block)["timestamp"])
        return self._block_times[block]

    # -- logs --------------------------------------------------------------------------------------

    def _fetch(self, topics: Sequence[Any]) -> Iterator[LogReceipt]:
        """Raw logs of the contract matching `topics`, oldest first, from `from_block` on."""
        return logs.fetch(self.chain, self.contract.address, topics, self.from_block)

    def _logs(self, events: list[str], *topics: Any) -> list[Any]:
        """Decoded logs of `events` whose indexed arguments match `topics` (one entry per argument)."""
        first = [self._topics[name] for name in events]
        decoded = []
        for log in self._fetch([first, *topics]):
            name = self._by_topic.get("0x" + bytes(log["topics"][0]).hex())
            if name is not None:
                decoded.append(getattr(self.contract.events, name)().process_log(log))
        return decoded

    @cached_property
    def _topics(self) -> dict[str, str]:
        """topic0 of every event of the contract, by name."""
        return {
            item["name"]: logs.topic(self.contract, item["name"])
            for item in self.contract.abi
            if item["type"] == "event"
        }

    @cached_property
    def _by_topic(self) -> dict[str, str]:
        return {topic: name for name, topic in self._topics.items()}
