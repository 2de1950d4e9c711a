"""Custody of batches in two signed steps (offer, accept), the chain of custody, and the seller a
consumer is shown (the last retailer to accept custody)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3.types import TxReceipt

from shanglian import validate
from shanglian.client import ContractClient
from shanglian.provenance.identifiers import BatchRef, _nonzero, _topic32, batch_key


@dataclass(frozen=True)
class CustodyMove:
    """A holder of the batch, from `since` on (the producer first, then each accepted custody)."""

    enterprise: str
    since: int
    block: int
    handed_over_by: str | None


class Custody(ContractClient):
    """Offering, accepting and withdrawing custody, and reading who held a batch."""

    def offer_custody(self, batch: BatchRef, to_enterprise: str) -> TxReceipt:
        key = batch_key(batch)
        return self._send(self.contract.functions.offerCustody(key, validate.address(to_enterprise, "to")))

    def accept_custody(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.acceptCustody(batch_key(batch)))

    def withdraw_offer(self, batch: BatchRef) -> TxReceipt:
        return self._send(self.contract.functions.withdrawOffer(batch_key(batch)))

    def custody(self, ref: BatchRef, history: list[Any] | None = None) -> list[CustodyMove]:
        """The chain of custody: the creator, then every enterprise that accepted custody, in order."""
        key = batch_key(ref)
        events = (
            history if history is not None else self._logs(["BatchCreated", "CustodyAccepted"], _topic32(key))
        )
        moves = []
        for event in events:
            args, block = event["args"], int(event["blockNumber"])
            if event["event"] == "BatchCreated":
                moves.append(CustodyMove(args["producer"], self._block_time(block), block, None))
            elif event["event"] == "CustodyAccepted":
                moves.append(CustodyMove(args["to"], self._block_time(block), block, args["from"]))
        return moves

    def seller(self, ref: BatchRef) -> str | None:
        return _nonzero(self._call(self.contract.functions.sellerOf(batch_key(ref))))
