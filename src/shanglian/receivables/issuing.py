"""Issuing receivables (the debtor's confirmation, 确权) and splitting fragments (多级流转)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from web3.logs import DISCARD

from shanglian import chaintime, validate
from shanglian.errors import InputError
from shanglian.receivables.confidentiality import Confidentiality
from shanglian.receivables.units import check_currency, check_token, slot_of, to_fen, token_id

_SPLIT = "transferFrom(uint256,address,uint256)"


class Issuance(Confidentiality):
    """Issuing a receivable, and splitting a fragment to another enterprise."""

    def issue(
        self,
        creditor: str,
        amount: str | Decimal,
        due: str | dt.date,
        invoice: str | bytes,
        currency: str = "CNY",
        confidential: bool = False,
    ) -> int:
        """The signer's core enterprise confirms it owes `creditor` (an active supplier's primary
        account) `amount` yuan on `due` (an ISO date in the future), backed by `invoice` (its 32-byte
        hex hash, or a document reference hashed with keccak256). Returns the issued fragment's id.
        With `confidential`, see :meth:`issue_confidential` (`invoice` is then the invoice number).

        An invoice backs one receivable of its debtor, ever: issuing it again raises
        ``ReceivableInvoiceUsed``.
        """
        if confidential:
            if isinstance(invoice, bytes):
                raise InputError("invoice", "a confidential receivable needs the invoice number as text")
            return self.issue_confidential(creditor, amount, due, invoice, currency)
        creditor = validate.address(creditor, "creditor")
        fen = to_fen(amount, "amount")
        code = check_currency(currency)
        invoice_hash = (
            validate.bytes32(invoice, "invoice")
            if isinstance(invoice, bytes)
            else validate.document_hash(invoice, "invoice")
        )
        due_at = validate.future_timestamp(due, "due", chaintime.now(self.chain))
        receipt = self._send(self.contract.functions.issue(creditor, fen, code, due_at, invoice_hash))
        issued = self.contract.events.ReceivableIssued().process_receipt(receipt, errors=DISCARD)
        return token_id(int(issued[-1]["args"]["slot"]), 1)

    def split(self, token: str | int, to: str, amount: str | Decimal) -> int:
        """Moves `amount` yuan of fragment `token` to `to` (an active enterprise's primary account)
        as a new fragment whose parent is `token`; returns the new fragment's id."""
        token = check_token(token)
        to = validate.address(to, "to")
        fen = to_fen(amount, "amount")
        self._existing(token)
        if self.is_confidential(slot_of(token)):
            return self._split_confidential(token, to, fen)
        self._at_most_value(token, fen, "amount", "holds")
        receipt = self._send(self.contract.get_function_by_signature(_SPLIT)(token, to, fen))
        split = self.contract.events.ReceivableSplit().process_receipt(receipt, errors=DISCARD)
        return int(split[-1]["args"]["tokenId"])
