"""What the receivables reads return: obligations (slots), fragments (tokens) with their financing,
and the lineage tree of a receivable's fragments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shanglian import chaintime
from shanglian.receivables.units import index_of, slot_of, token_id


@dataclass(frozen=True)
class Obligation:
    """One receivable (a slot): who owes whom how much, when, backed by which invoice."""

    slot: int
    debtor: str
    debtor_name: str
    creditor: str
    creditor_name: str
    face_value: Decimal  # yuan
    currency: str
    due: int  # unix seconds: settlement opens, financing closes
    invoice_hash: str
    settled_value: Decimal  # yuan, of its settled fragments
    fragments: int  # created so far
    frozen: bool

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
            "face_value": str(self.face_value),
            "currency": self.currency,
            "due_date": self.due_date.isoformat(),
            "due_timestamp": self.due,
            "invoice_hash": self.invoice_hash,
            "settled_value": str(self.settled_value),
            "fragments": self.fragments,
            "frozen": self.frozen,
        }


@dataclass(frozen=True)
class Financing:
    """How a fragment was financed (保理), from its ``ReceivableFinanced`` event."""

    seller: str
    seller_name: str
    financier: str
    price: Decimal  # yuan the financier paid the seller
    payment_reference: str  # 0x hash
    block: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "seller": self.seller,
            "seller_name": self.seller_name,
            "financier": self.financier,
            "price": str(self.price),
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
    value: Decimal  # yuan; a settled fragment keeps its value as the record of what was paid
    offered: bool
    financed: bool
    settled: bool
    frozen: bool
    financier: str | None  # of the pending offer
    financier_name: str
    offer_price: Decimal | None  # yuan, of the pending offer
    overdue: bool  # past the due date by the chain's clock and not settled
    financing: Financing | None = None  # when financed (and the node still serves its event)

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
            "value": str(self.value),
            "value_fen": int(self.value * 100),
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
