"""Financing (保理): the holder offers a fragment to a financier, withdraws the offer, or the
financier accepts it with a payment reference."""

from __future__ import annotations

from decimal import Decimal

from web3.types import TxReceipt

from shanglian import validate
from shanglian.receivables.reading import Reading
from shanglian.receivables.units import check_token, to_fen


class Factoring(Reading):
    """Offering fragments to financiers, withdrawing offers, accepting them."""

    def offer(self, token: str | int, financier: str, price: str | Decimal) -> TxReceipt:
        """The holder offers fragment `token` to `financier` (an active financier's primary account)
        for `price` yuan, at most the fragment's value; the financier pays off-chain on acceptance."""
        token = check_token(token)
        financier = validate.address(financier, "financier")
        fen = to_fen(price, "price")
        self._at_most_value(token, fen, "price", "is worth")
        return self._send(self.contract.functions.offerFinancing(token, financier, fen))

    def withdraw(self, token: str | int) -> TxReceipt:
        """The holder withdraws its pending offer of fragment `token`."""
        token = self._existing(token)
        return self._send(self.contract.functions.withdrawOffer(token))

    def accept(self, token: str | int, payment_reference: str | bytes) -> TxReceipt:
        """The offered financier accepts fragment `token`; `payment_reference` identifies its payment
        to the seller (32-byte hex, or a reference such as a bank transfer number, hashed)."""
        token = check_token(token)
        reference = (
            validate.bytes32(payment_reference, "payment_reference")
            if isinstance(payment_reference, bytes)
            else validate.document_hash(payment_reference, "payment_reference")
        )
        self._fragment_record(token)
        return self._send(self.contract.functions.acceptFinancing(token, reference))
