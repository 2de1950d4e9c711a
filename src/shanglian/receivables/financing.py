"""Financing (保理): the holder offers a fragment to a financier, withdraws the offer, or the
financier accepts it with a payment reference."""

from __future__ import annotations

from decimal import Decimal

from web3.types import TxReceipt

from shanglian import validate
from shanglian.errors import InputError
from shanglian.receivables.confidentiality import Confidentiality
from shanglian.receivables.units import check_token, slot_of, to_fen


class Factoring(Confidentiality):
    """Offering fragments to financiers, withdrawing offers, accepting them."""

    def offer(self, token: str | int, financier: str, price: str | Decimal) -> TxReceipt:
        """The holder offers fragment `token` to `financier` (an active financier's primary account)
        for `price` yuan, at most the fragment's value; the financier pays off-chain on acceptance.
        A confidential fragment's price goes on chain only as a commitment, sealed to the financier."""
        token = check_token(token)
        financier = validate.address(financier, "financier")
        fen = to_fen(price, "price")
        self._existing(token)
        if self.is_confidential(slot_of(token)):
            return self._offer_confidential(token, financier, fen)
        self._at_most_value(token, fen, "price", "is worth")
        return self._send(self.contract.functions.offerFinancing(token, financier, fen))

    def withdraw(self, token: str | int) -> TxReceipt:
        """The holder withdraws its pending offer of fragment `token`."""
        token = self._existing(token)
        return self._send(self.contract.functions.withdrawOffer(token))

    def accept(self, token: str | int, payment_reference: str | bytes, price: str | Decimal) -> TxReceipt:
        """The offered financier accepts fragment `token` at `price` yuan, the price it read: a holder
        that offered again at another price in between is refused (the price is the financier's
        consent). `payment_reference` identifies its payment to the seller (32-byte hex, or a
        reference such as a bank transfer number, hashed). For a confidential fragment the reference is
        sealed to the seller and committed to on chain, and the offer accepted is the one sealed to the
        financier, at `price`."""
        token = self._existing(token)
        fen = to_fen(price, "price")
        if self.is_confidential(slot_of(token)):
            if isinstance(payment_reference, bytes) or not payment_reference.strip():
                raise InputError("payment_reference", "a confidential acceptance needs the reference as text")
            return self._accept_confidential(token, payment_reference.strip(), fen)
        reference = (
            validate.bytes32(payment_reference, "payment_reference")
            if isinstance(payment_reference, bytes)
            else validate.document_hash(payment_reference, "payment_reference")
        )
        self._fragment_record(token)
        return self._send(self.contract.functions.acceptFinancing(token, fen, reference))
