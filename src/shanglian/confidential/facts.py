"""The sealed payloads of a confidential receivable, and what a party's key opens of them.

Three kinds of payload travel in ``FactsSealed`` envelopes (one-letter keys: every byte costs gas):

- the invoice (``{"k": "i", "d": <document>}``) at issue, to a new holder at a split, and on request;
- an offer (``{"k": "o", "t": token, "p": price in fen, "ps": salt, "d": <document>}``) to the financier;
- an acceptance (``{"k": "a", "t": token, "r": payment reference, "rs": salt}``) to the seller.

:func:`open_facts` opens every envelope a key can and keeps only what the chain vouches for: the invoice
whose root is the slot's document root, prices and references whose commitments the chain holds. A copy
that does not check out (sealed by someone who lied, or of another receivable) is ignored, not trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shanglian.confidential.documents import InvoiceDocument, commitment
from shanglian.confidential.envelopes import open_envelope
from shanglian.errors import NotAPartyError

__all__ = [
    "Acceptance",
    "Offer",
    "PartyFacts",
    "Sealed",
    "acceptance_payload",
    "invoice_payload",
    "offer_payload",
    "open_facts",
]


def invoice_payload(document: InvoiceDocument) -> dict[str, Any]:
    return {"k": "i", "d": document.to_payload()}


def offer_payload(token: int, price: int, salt: bytes, document: InvoiceDocument) -> dict[str, Any]:
    return {"k": "o", "t": int(token), "p": int(price), "ps": salt.hex(), "d": document.to_payload()}


def acceptance_payload(token: int, reference: str, salt: bytes) -> dict[str, Any]:
    return {"k": "a", "t": int(token), "r": reference, "rs": salt.hex()}


@dataclass(frozen=True)
class Sealed:
    """One ``FactsSealed`` event: the fragment it is about and its envelope."""

    token: int
    envelope: bytes


@dataclass(frozen=True)
class Offer:
    token: int
    price: int  # fen
    salt: bytes

    @property
    def commitment(self) -> bytes:
        return commitment("price", self.price, self.salt)


@dataclass(frozen=True)
class Acceptance:
    token: int
    reference: str
    salt: bytes

    @property
    def commitment(self) -> bytes:
        return commitment("reference", self.reference, self.salt)


@dataclass(frozen=True)
class PartyFacts:
    """What one party reads of one receivable, every item checked against the chain."""

    document: InvoiceDocument
    offers: dict[int, Offer] = field(default_factory=dict)  # by fragment: the last offer that checks out
    acceptances: dict[int, Acceptance] = field(default_factory=dict)


def open_facts(root: bytes, sealed: Iterable[Sealed], key: bytes, commitments: Iterable[bytes] = ()) -> PartyFacts:
    """Opens the envelopes of one receivable with `key`. `root` is the slot's document root on chain;
    `commitments` the price and reference commitments its events hold. Raises NotAPartyError when no
    copy of the invoice sealed to `key` checks out against `root`."""
    vouched = set(commitments)
    document: InvoiceDocument | None = None
    offers: dict[int, Offer] = {}
    acceptances: dict[int, Acceptance] = {}
    for item in sealed:
        payload = open_envelope(item.envelope, key)
        if payload is None:
            continue
        kind = payload.get("k")
        try:
            if kind in ("i", "o"):
                opened = InvoiceDocument.from_payload(payload["d"])
                if opened.root != root:
                    continue
                document = opened
            if kind == "o":
                offer = Offer(int(payload["t"]), int(payload["p"]), bytes.fromhex(payload["ps"]))
                if offer.token == item.token and offer.commitment in vouched:
                    offers[offer.token] = offer
            elif kind == "a":
                acceptance = Acceptance(int(payload["t"]), str(payload["r"]), bytes.fromhex(payload["rs"]))
                if acceptance.token == item.token and acceptance.commitment in vouched:
                    acceptances[acceptance.token] = acceptance
        except (KeyError, TypeError, ValueError):
            continue  # a malformed copy vouches for nothing
    if document is None:
        raise NotAPartyError("its key opens none of the receivable's sealed facts: it is not a party to it")
    return PartyFacts(document, offers, acceptances)
