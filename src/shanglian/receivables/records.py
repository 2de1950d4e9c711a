"""What the receivables reads return: obligations (slots), fragments (tokens) with their financing,
and the lineage tree of a receivable's fragments.

A confidential receivable's amounts are yuan only for a reader whose key opens its sealed facts
(``readable``); for anyone else they are None, and a fragment shows the fraction of the receivable it
holds (``shares``, ``percent``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shanglian import chaintime
from shanglian.confidential import percent_of
from shanglian.receivables.units import index_of, slot_of, token_id


@dataclass(frozen=True)
class Obligation:
    """One receivable (a slot): who owes whom how much, when, backed by which invoice."""

    slot: int
    debtor: str
    debtor_name: str
    creditor: str
    creditor_name: str
    face_value: Decimal | None  # yuan; None: confidential, and the reader is not a party
    currency: str  # "" when confidential and unreadable
    due: int  # unix seconds: settlement opens, financing closes
    invoice_hash: str  # the invoice hash; for a confidential receivable its document root
    settled_value: Decimal | None  # yuan, of its settled fragments (None as face_value)
    fragments: int  # created so far
    frozen: bool
    confidential: bool = False
    settled_shares: int | None = None  # confidential: shares of its settled fragments
    invoice_number: str | None = None  # confidential and readable: from the sealed invoice
    invoice_date: str | None = None

    @property
    def readable(self) -> bool:
        """Whether the amounts are known to the reader (always, for a transparent receivable)."""
        return self.face_value is not None

    @property
    def due_date(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.due, chaintime.CST).date()

    @property
    def first_token(self) -> int:
        return token_id(self.slot, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "debtor": self.debtor,
            "debtor_name": self.debtor_name,
            "creditor": self.creditor,
            "creditor_name": self.creditor_name,
            "face_value": _text(self.face_value),
            "currency": self.currency,
            "due_date": self.due_date.isoformat(),
            "due_timestamp": self.due,
            ("document_root" if self.confidential else "invoice_hash"): self.invoice_hash,
            "settled_value": _text(self.settled_value),
            "fragments": self.fragments,
            "frozen": self.frozen,
            "confidential": self.confidential,
            **({"settled_percent": str(percent_of(self.settled_shares or 0)), "invoice_number": self.invoice_number,
                "invoice_date": self.invoice_date} if self.confidential else {}),
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Financing:
    """How a fragment was financed (保理), from its ``ReceivableFinanced`` event."""

    seller: str
    seller_name: str
    financier: str
    price: Decimal | None  # yuan the financier paid the seller (None: confidential, unreadable)
    payment_reference: str  # 0x hash; confidential: the reference if readable, else its commitment
    block: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "seller": self.seller,
            "seller_name": self.seller_name,
            "financier": self.financier,
            "price": _text(self.price),
            "payment_reference": self.payment_reference,
            "block": self.block,
        }


@dataclass(frozen=True)
class Fragment:
    """One fragment (token) as the contract holds it now."""

    token: int
    parent: int | None  # the fragment it was split from; None for the issued fragment
    holder: str
    holder_name: str
    value: Decimal | None  # yuan (a settled fragment keeps it as the record of what was paid); None:
    # confidential and the reader is not a party
    offered: bool
    financed: bool
    settled: bool
    frozen: bool
    financier: str | None  # of the pending offer
    financier_name: str
    offer_price: Decimal | None  # yuan, of the pending offer
    overdue: bool  # past the due date by the chain's clock and not settled
    financing: Financing | None = None  # when financed (and the node still serves its event)
    shares: int | None = None  # confidential: shares of the receivable's 10**18

    @property
    def percent(self) -> Decimal | None:
        """The fraction of its receivable a confidential fragment holds, in percent (public)."""
        return None if self.shares is None else percent_of(self.shares)

    @property
    def slot(self) -> int:
        return slot_of(self.token)

    @property
    def index(self) -> int:
        return index_of(self.token)

    @property
    def flags(self) -> list[str]:
        """Its states in life order: offered, financed, frozen, settled, overdue."""
        names = ("offered", "financed", "frozen", "settled", "overdue")
        return [name for name in names if getattr(self, name)]

    @property
    def status(self) -> str:
        return " · ".join(self.flags) or "open"

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "slot": self.slot,
            "index": self.index,
            "parent": self.parent,
            "holder": self.holder,
            "holder_name": self.holder_name,
            "value": _text(self.value),
            "value_fen": None if self.value is None else int(self.value * 100),
            **({"shares": self.shares, "percent": str(self.percent)} if self.shares is not None else {}),
            "offered": self.offered,
            "financed": self.financed,
            "settled": self.settled,
            "frozen": self.frozen,
            "overdue": self.overdue,
            "financier": self.financier,
            "financier_name": self.financier_name,
            "offer_price": None if self.offer_price is None else str(self.offer_price),
            "financing": None if self.financing is None else self.financing.as_dict(),
        }


@dataclass(frozen=True)
class Receivable:
    """What :meth:`Receivables.show` tells about one fragment: itself, its obligation, and the time."""

    fragment: Fragment
    obligation: Obligation
    overdue: bool  # the contract's own verdict
    chain_time: int

    @property
    def chain_day(self) -> dt.date:
        """The chain's current day in China Standard Time."""
        return dt.datetime.fromtimestamp(self.chain_time, chaintime.CST).date()

    @property
    def days_overdue(self) -> int:
        """Calendar days (CST) since the due date, by the chain's clock; 0 unless overdue."""
        return max(0, (self.chain_day - self.obligation.due_date).days) if self.overdue else 0

    @property
    def days_to_due(self) -> int:
        """Calendar days (CST) until the due date, by the chain's clock; 0 on the due date and after."""
        return max(0, (self.obligation.due_date - self.chain_day).days)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.fragment.as_dict(),
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "chain_time": self.chain_time,
            "obligation": self.obligation.as_dict(),
        }


@dataclass(frozen=True)
class LineageNode:
    """A fragment with the fragments split from it (in creation order)."""

    fragment: Fragment
    children: tuple[LineageNode, ...] = field(default=())

    def walk(self) -> Iterator[LineageNode]:
        """This node, then its descendants, depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    @property
    def tokens(self) -> list[int]:
        return [node.fragment.token for node in self.walk()]

    def as_dict(self) -> dict[str, Any]:
        return {**self.fragment.as_dict(), "children": [child.as_dict() for child in self.children]}


@dataclass(frozen=True)
class Lineage:
    """A receivable's tree of fragments from `root` down, with the path above `root` (`ancestors`,
    the issued fragment first; empty when `root` is the issued fragment)."""

    obligation: Obligation
    root: LineageNode
    ancestors: tuple[Fragment, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "obligation": self.obligation.as_dict(),
            "ancestors": [a.token for a in self.ancestors],
            "tree": self.root.as_dict(),
        }
