"""Confidential receivables: an account's encryption key, the confidential issue, the sealed variants
of split, offer, acceptance and revealing settlement, and disclosures of single invoice fields.

Facts are sealed (ECIES, :mod:`shanglian.confidential`) to the keys the parties published on chain:
the debtor (and the signing account, when an operator issues for it), the holder, the financier an
offer names, and every active regulator that published a key. The invoice key, the debtor's
one-receivable check, is derived from the signing account's key: an operator that issues for its
enterprise has its own, so an enterprise should issue confidential receivables from one account.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from web3.logs import DISCARD
from web3.types import TxReceipt

from shanglian import chaintime, confidential, validate
from shanglian.confidential.shares import MAX_FACE_VALUE
from shanglian.errors import DisclosureError, InputError
from shanglian.receivables.reading import Reading
from shanglian.receivables.units import check_currency, check_token, format_yuan, slot_of, to_fen, to_yuan, token_id
from shanglian.roles import Role


class Confidentiality(Reading):
    """Keys, the confidential issue and the sealed calls; disclosing and verifying invoice fields."""

    # -- keys ----------------------------------------------------------------------------------------

    def publish_key(self) -> TxReceipt:
        """The signer publishes its own public key, its consent to hold confidential fragments."""
        return self._send(self.contract.functions.publishEncryptionKey(confidential.public_key_of(self._signer_key())))

    def has_key(self, account: str) -> bool:
        account = validate.address(account, "account")
        return int.from_bytes(bytes(self._call(self.contract.functions.encryptionKey(account))), "big") != 0

    def encryption_key(self, account: str, field: str = "account") -> bytes:
        """The 64-byte public key `account` published; InputError naming `field` when it has none."""
        account = validate.address(account, field)
        x = bytes(self._call(self.contract.functions.encryptionKey(account)))
        if not any(x):
            raise InputError(
                field,
                f"{self.name_of(account) or account} has not published an encryption key, so nothing can be "
                "sealed to it: it runs `shanglian receivable publish-key` first",
            )
        return confidential.public_key_from_x(x, account)

    def regulator_keys(self) -> list[bytes]:
        """The keys of the active regulators that published one (every confidential fact is sealed to them)."""
        found = []
        for event in self._logs(["EncryptionKeyPublished"]):
            account = event["args"]["account"]
            if self.registry().acting_for(account, int(Role.REGULATOR)) == account:
                found.append(bytes(event["args"]["publicKey"]))
        return found

    # -- issue ---------------------------------------------------------------------------------------

    def issue_confidential(
        self,
        creditor: str,
        amount: str | Decimal,
        due: str | dt.date,
        invoice: str,
        currency: str = "CNY",
        invoice_date: str | dt.date | None = None,
    ) -> int:
        """The signer's core enterprise confirms it owes `creditor` `amount` yuan on `due`, backed by
        invoice number `invoice`, and nothing of it but shares reaches the chain in the clear: the
        invoice's fields are sealed to the debtor, the creditor and the regulators, and committed to by
        the document root. Returns the issued fragment's id. The creditor must have published its key."""
        creditor = validate.address(creditor, "creditor")
        fen = to_fen(amount, "amount")
        if fen > MAX_FACE_VALUE:
            raise InputError("amount", f"a confidential receivable is at most {format_yuan(MAX_FACE_VALUE)}")
        check_currency(currency)
        if not isinstance(invoice, str) or not invoice.strip():
            raise InputError("invoice", "a confidential receivable needs the invoice number as text")
        due_at = validate.future_timestamp(due, "due", chaintime.now(self.chain))
        day = validate.iso_date(invoice_date, "invoice_date") if invoice_date else chaintime.today(self.chain)
        document = confidential.InvoiceDocument(invoice.strip(), day.isoformat(), fen, currency.strip(), due_at)
        recipients = [self.encryption_key(creditor, "creditor"), *self._own_keys(), *self.regulator_keys()]
        key = confidential.invoice_key(confidential.issuer_secret(self._signer_key()), document.invoice_number)
        envelope = confidential.seal(confidential.invoice_payload(document), recipients)
        receipt = self._send(
            self.contract.functions.issueConfidential(creditor, due_at, key, document.root, envelope)
        )
        issued = self.contract.events.ReceivableIssuedConfidentially().process_receipt(receipt, errors=DISCARD)
        return token_id(int(issued[-1]["args"]["slot"]), 1)

    # -- disclosure ----------------------------------------------------------------------------------

    def disclose(
        self, token: str | int, fields: list[str], to: str | None = None, on_chain: bool = False
    ) -> confidential.Disclosure:
        """A disclosure of exactly `fields` of confidential fragment `token`'s invoice, with their salts
        and proofs, addressed to `to` (e.g. a bank). With `on_chain`, it is also sealed to `to`'s key in
        a ``FactsSealed`` event (the holder's call), so the basis of a financing stays on the record."""
        token = self._existing(token)
        slot = slot_of(token)
        to = validate.address(to, "to") if to is not None else None
        document = self.facts(slot).document
        disclosure = document.disclose(
            fields, chain_id=self.chain.chain_id, contract=self.contract.address, token=token, slot=slot,
            **({"to": to} if to else {}),
        )
        if on_chain:
            if to is None:
                raise InputError("to", "an on-chain disclosure is sealed to its recipient: name it")
            envelope = confidential.seal({"k": "x", "x": json.loads(disclosure.to_json())}, [self.encryption_key(to, "to")])
            self._send(self.contract.functions.sealFacts(token, envelope))
        return disclosure

    def verify_disclosure(self, disclosure: confidential.Disclosure) -> list[str]:
        """Checks every field of `disclosure` against this chain: the receivable it names, its document
        root, and for `due` the due date the contract enforces. Returns the proven fields; the first that
        does not prove raises DisclosureError naming it."""
        context = disclosure.context
        if context.get("chain_id") != self.chain.chain_id:
            raise DisclosureError("chain_id", f"the disclosure is of chain {context.get('chain_id')}, not {self.chain.chain_id}")
        if str(context.get("contract", "")).lower() != self.contract.address.lower():
            raise DisclosureError("contract", f"the disclosure is of contract {context.get('contract')}, not this suite's")
        token = check_token(context.get("token", 0), "token")
        if not self.is_confidential(slot_of(token)):
            raise DisclosureError("token", f"receivable {slot_of(token)} is not confidential")
        self._existing(token)
        _debtor, due, root = self._call(self.contract.functions.confidentialObligation(slot_of(token)))
        proven = confidential.verify_disclosure(disclosure, bytes(root))
        if "due" in proven and disclosure.fields["due"]["value"] != int(due):
            raise DisclosureError("due", "differs from the due date the chain enforces")
        return proven

    # -- the sealed calls the other parts make for a confidential fragment ----------------------------

    def _split_confidential(self, token: int, to: str, fen: int) -> int:
        document = self.facts(slot_of(token)).document
        shares = int(self._fragment_record(token)[1])
        moved = confidential.shares_to_move(fen, shares, document.face_value)
        envelope = confidential.seal(confidential.invoice_payload(document), [self.encryption_key(to, "to")])
        receipt = self._send(self.contract.functions.splitConfidential(token, to, moved, envelope))
        split = self.contract.events.ReceivableSplit().process_receipt(receipt, errors=DISCARD)
        return int(split[-1]["args"]["tokenId"])

    def _offer_confidential(self, token: int, financier: str, fen: int) -> TxReceipt:
        document = self.facts(slot_of(token)).document
        worth = confidential.amount_of(int(self._fragment_record(token)[1]), document.face_value)
        if fen > worth:
            raise InputError(
                "price", f"{format_yuan(to_yuan(fen))} is more than fragment {token} is worth ({format_yuan(worth)})"
            )
        salt = confidential.new_salt()
        recipients = [self.encryption_key(financier, "financier"), *self._own_keys(), *self.regulator_keys()]
        envelope = confidential.seal(confidential.offer_payload(token, fen, salt, document), recipients)
        price = confidential.commitment("price", fen, salt)
        return self._send(self.contract.functions.offerFinancingConfidential(token, financier, price, envelope))

    def _accept_confidential(self, token: int, reference: str, price: int) -> TxReceipt:
        holder = self._fragment_record(token)[0]
        offered = bytes(self._call(self.contract.functions.offerCommitment(token)))
        offer = self.facts(slot_of(token)).offers.get(token)
        if offer is None or offer.commitment != offered:
            raise InputError(
                "token", f"the offer of fragment {token} on chain is not one sealed to you: ask the holder to offer it again"
            )
        if offer.price != price:
            raise InputError("price", f"fragment {token} is offered at {format_yuan(to_yuan(offer.price))}, "
                                      f"not {format_yuan(to_yuan(price))}")
        salt = confidential.new_salt()
        recipients = [self.encryption_key(holder, "holder"), *self._own_keys(), *self.regulator_keys()]
        envelope = confidential.seal(confidential.acceptance_payload(token, reference, salt), recipients)
        committed = confidential.commitment("reference", reference, salt)
        return self._send(self.contract.functions.acceptFinancingConfidential(token, offered, committed, envelope))

    def _revealed_amount(self, token: int) -> int:
        """Fen the debtor pays for confidential fragment `token` when it reveals the face value."""
        return int(self._amount(slot_of(token), int(self._fragment_record(token)[1])) or 0)

    def _settle_revealing(self, token: int) -> TxReceipt:
        document = self.facts(slot_of(token)).document
        salt, proof = document.salt("face_value"), document.proof("face_value")
        return self._send(self.contract.functions.settleRevealing(token, document.face_value, salt, proof))

    def _signer_key(self) -> bytes:
        self._signer()
        return bytes(self.sender.account.key)  # type: ignore[union-attr]

    def _own_keys(self) -> list[bytes]:
        """The signer's own key, and its enterprise's published key when the signer is its operator."""
        signer = self._signer()
        keys = [confidential.public_key_of(self._signer_key())]
        enterprise = self.registry().acting_for(signer)
        if enterprise not in (None, signer) and self.has_key(enterprise):
            keys.append(self.encryption_key(enterprise))
        return keys
