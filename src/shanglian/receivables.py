"""Supply-chain receivables (应收款链) from Python: issue, split, finance, settle, freeze, and read.

A receivable is an ERC-3525 slot: a core enterprise (the debtor) confirms it owes a supplier a face
value on a due date, backed by one invoice. A fragment (token) is a piece of it held by one
enterprise. Token ids are ``slot * 10**7 + index``: fragment 3 of receivable 42 is 420000003.

Amounts are :class:`~decimal.Decimal` yuan at the edges (``"1,000,000.00"``, ``Decimal("0.01")``)
and fen (minor units, the contract's ``valueDecimals`` is 2) inside. Due dates are ISO dates, due
at the end of that day in China Standard Time. Every argument is checked, and every token or slot
looked up, before a transaction is built: bad input raises :class:`InputError` naming the field and
sends nothing; a refusal by the contract raises its named :class:`ContractError`
(``ReceivableInvoiceUsed``, ``ReceivableAlreadySettled`` …), also before anything is signed.

Reads come from the contract's state (fragments of a slot are numbered consecutively and each
records its parent), so lineage and listings do not depend on how far back a node serves logs;
only a holder's listing uses ``Transfer`` logs to find candidate fragments, then checks each
against the state. Enterprise names come from the registry SDK.
"""

from __future__ import annotations

import builtins
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from eth_utils import to_checksum_address
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from shanglian import artifacts, chaintime, logs, validate
from shanglian.errors import ContractError, InputError
from shanglian.network import Chain
from shanglian.registry import Registry
from shanglian.transactions import REVERTS, Transactor, as_contract_error

__all__ = [
    "ID_BASE",
    "MAX_VALUE_FEN",
    "Financing",
    "Fragment",
    "Lineage",
    "LineageNode",
    "Obligation",
    "Receivable",
    "Receivables",
    "check_currency",
    "check_slot",
    "check_token",
    "format_yuan",
    "lineage_lines",
    "lineage_tree",
    "slot_of",
    "index_of",
    "token_id",
    "to_fen",
    "to_yuan",
]

ID_BASE = 10**7  # token id = slot * ID_BASE + index
MAX_INDEX = ID_BASE - 1
MAX_SLOT = 2**32 - 1
MAX_VALUE_FEN = 2**64 - 1  # the contract stores values in 64 bits
ZERO_ADDRESS = "0x" + "00" * 20
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SPLIT = "transferFrom(uint256,address,uint256)"

# The part of ERC-20 that settling through a token needs.
ERC20_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "allowance",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "approve",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "type": "function",
        "name": "symbol",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [{"name": "", "type": "string"}],
    },
]


# ------------------------------------------------------------------------------------------------
# Units and ids


def to_fen(value: str | int | Decimal, field: str = "amount") -> int:
    """Yuan (``"1,000,000.00"``, ``"¥300000"``, ``Decimal("0.01")``) into fen; positive, at most two
    decimals, at most the contract's 64-bit maximum. Raises InputError naming `field`."""
    if isinstance(value, float):
        raise InputError(field, "give yuan as a string or Decimal, not a float (binary fractions lose fen)")
    return validate.amount(value, field, MAX_VALUE_FEN)


def to_yuan(fen: int) -> Decimal:
    """Fen into yuan with two decimals."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def format_yuan(value: Decimal | int, currency: str = "CNY") -> str:
    """``¥1,000,000.00`` (an int is taken as fen); other currencies as ``1,000.00 USD``."""
    yuan = to_yuan(value) if isinstance(value, int) else value
    return f"¥{yuan:,.2f}" if currency == "CNY" else f"{yuan:,.2f} {currency}"


def slot_of(token: int) -> int:
    return int(token) // ID_BASE


def index_of(token: int) -> int:
    return int(token) % ID_BASE


def token_id(slot: int, index: int = 1) -> int:
    return int(slot) * ID_BASE + int(index)


def check_token(value: str | int, field: str = "token") -> int:
    """A fragment id's shape (``slot * 10**7 + index``, both positive), checked without the chain."""
    if isinstance(value, bool):
        raise InputError(field, "is not a whole number")
    token = validate.positive_int(value, field, MAX_SLOT * ID_BASE + MAX_INDEX)
    if slot_of(token) == 0 or index_of(token) == 0:
        raise InputError(
            field, f"{token} is not a receivable fragment id (slot × 10,000,000 + fragment number)"
        )
    return token


def check_slot(value: str | int, field: str = "slot") -> int:
    if isinstance(value, bool):
        raise InputError(field, "is not a whole number")
    return validate.positive_int(value, field, MAX_SLOT)


def check_currency(value: str) -> bytes:
    text = str(value).strip()
    if not _CURRENCY.match(text):
        raise InputError(
            "currency", f"{value!r} is not an ISO 4217 code (three upper-case letters, e.g. CNY)"
        )
    return text.encode("ascii")


# ------------------------------------------------------------------------------------------------
# What reads return


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


# ------------------------------------------------------------------------------------------------
# The SDK


class Receivables:
    """The Receivables contract bound to a chain; `sender` signs state changes (None: read only).

    `registry` names enterprises (default: the registry the contract trusts, read from block 0).
    """

    def __init__(
        self,
        chain: Chain,
        contract: Contract,
        sender: Transactor | None = None,
        from_block: int = 0,
        registry: Registry | None = None,
    ):
        self.chain = chain
        self.contract = contract
        self.sender = sender
        self.from_block = from_block
        self._registry = registry
        self._names: dict[str, str] = {}
        self.last_receipt: TxReceipt | None = None  # of the last transaction this object sent

    # -- issue and move -----------------------------------------------------------------------------

    def issue(
        self,
        creditor: str,
        amount: str | Decimal,
        due: str | dt.date,
        invoice: str | bytes,
        currency: str = "CNY",
    ) -> int:
        """The signer's core enterprise confirms it owes `creditor` (an active supplier's primary
        account) `amount` yuan on `due` (an ISO date in the future), backed by `invoice` (its 32-byte
        hex hash, or a document reference hashed with keccak256). Returns the issued fragment's id.

        An invoice backs one receivable, ever: issuing it again raises ``ReceivableInvoiceUsed``.
        """
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
        record = self._fragment_record(token)
        if fen > int(record[1]):
            raise InputError(
                "amount",
                f"{format_yuan(to_yuan(fen))} is more than fragment {token} holds "
                f"({format_yuan(int(record[1]))})",
            )
        receipt = self._send(self.contract.get_function_by_signature(_SPLIT)(token, to, fen))
        split = self.contract.events.ReceivableSplit().process_receipt(receipt, errors=DISCARD)
        return int(split[-1]["args"]["tokenId"])

    # -- financing ----------------------------------------------------------------------------------

    def offer(self, token: str | int, financier: str, price: str | Decimal) -> TxReceipt:
        """The holder offers fragment `token` to `financier` (an active financier's primary account)
        for `price` yuan, at most the fragment's value; the financier pays off-chain on acceptance."""
        token = check_token(token)
        financier = validate.address(financier, "financier")
        fen = to_fen(price, "price")
        record = self._fragment_record(token)
        if fen > int(record[1]):
            raise InputError(
                "price",
                f"{format_yuan(to_yuan(fen))} is more than fragment {token} is worth "
                f"({format_yuan(int(record[1]))})",
            )
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

    # -- settlement ---------------------------------------------------------------------------------

    def confirm_payment(self, token: str | int) -> TxReceipt:
        """The holder confirms the debtor paid fragment `token` off-chain (at or after the due date);
        settles it. A second settlement raises ``ReceivableAlreadySettled``."""
        token = self._existing(token)
        return self._send(self.contract.functions.confirmSettlement(token))

    def settle(self, token: str | int, approve: bool = True) -> TxReceipt:
        """The debtor pays fragment `token` through the settlement token (at or after the due date).

        The Receivables contract pulls the fragment's value from the debtor's primary account, which
        must have approved it. When the allowance falls short and the signer is that account, the
        allowance is first set to exactly the fragment's value (one more transaction; never an
        unlimited approval) unless `approve` is false. To pay many fragments with one approval, call
        :meth:`approve_settlement` with their total first. A balance too low for the payment raises
        ``ERC20InsufficientBalance`` before anything is sent.
        """
        token = check_token(token)
        record = self._fragment_record(token)
        settlement = self.settlement_token()
        signer = self._signer()
        slot = slot_of(token)
        debtor = self._obligation_record(slot)[0]
        if settlement is not None and self._settleable(token, record, debtor, signer):
            value = int(record[1])
            erc20 = self._erc20(settlement)
            balance = int(self._call(erc20.functions.balanceOf(debtor)))
            if balance < value:
                raise ContractError(
                    "ERC20InsufficientBalance",
                    {"sender": debtor, "balance": balance, "needed": value},
                    settlement,
                    f"the debtor holds {format_yuan(balance)} of the settlement token; "
                    f"fragment {token} needs {format_yuan(value)}",
                )
            allowance = int(self._call(erc20.functions.allowance(debtor, self.contract.address)))
            if allowance < value:
                if not approve or signer != debtor:
                    raise ContractError(
                        "ERC20InsufficientAllowance",
                        {"spender": self.contract.address, "allowance": allowance, "needed": value},
                        settlement,
                        f"the debtor's account {debtor} must first approve the Receivables contract for "
                        f"{format_yuan(value)} of the settlement token (approve_settlement)",
                    )
                self._send(erc20.functions.approve(self.contract.address, value))
        return self._send(self.contract.functions.settle(token))

    def approve_settlement(self, amount: str | Decimal) -> TxReceipt:
        """Sets the signer's (the debtor's) settlement-token allowance for the Receivables contract
        to `amount` yuan, enough to :meth:`settle` several fragments without more approvals."""
        fen = to_fen(amount, "amount")
        settlement = self.settlement_token()
        if settlement is None:
            raise ContractError(
                "ReceivableNoSettlementToken",
                {},
                "Receivables",
                "no settlement token is configured: holders settle off-chain and confirm with "
                "confirm-payment",
            )
        return self._send(self._erc20(settlement).functions.approve(self.contract.address, fen))

    def settlement_token(self) -> str | None:
        """The ERC-20 that :meth:`settle` pays in, or None when settlement is off-chain only."""
        found = self._call(self.contract.functions.settlementToken())
        return None if int(found, 16) == 0 else to_checksum_address(found)

    # -- regulator ----------------------------------------------------------------------------------

    def freeze(self, token: str | int | None = None, *, slot: str | int | None = None) -> TxReceipt:
        """A regulator freezes fragment `token`, or every fragment of receivable `slot`."""
        if slot is not None:
            return self._send(self.contract.functions.freezeSlot(self._existing_slot(slot, token)))
        return self._send(self.contract.functions.freezeFragment(self._existing(self._one_of(token))))

    def unfreeze(self, token: str | int | None = None, *, slot: str | int | None = None) -> TxReceipt:
        """A regulator unfreezes fragment `token`, or receivable `slot`."""
        if slot is not None:
            return self._send(self.contract.functions.unfreezeSlot(self._existing_slot(slot, token)))
        return self._send(self.contract.functions.unfreezeFragment(self._existing(self._one_of(token))))

    # -- reads --------------------------------------------------------------------------------------

    def show(self, token: str | int) -> Receivable:
        """Fragment `token` with its holder's name, value, flags, obligation and whether it is overdue."""
        token = check_token(token)
        record = self._fragment_record(token)
        obligation = self.obligation(slot_of(token))
        now = chaintime.now(self.chain)
        overdue = bool(self._call(self.contract.functions.overdue(token)))
        (fragment,) = self._with_financing([self._fragment(token, record, obligation, now)])
        return Receivable(fragment, obligation, overdue, now)

    def obligation(self, slot: str | int) -> Obligation:
        """Receivable `slot`: debtor, original creditor, face value, currency, due date, invoice, and
        how much of it is settled."""
        slot = check_slot(slot)
        record = self._obligation_record(slot)
        state = self._call(self.contract.functions.slotState(slot))
        return Obligation(
            slot=slot,
            debtor=record[0],
            debtor_name=self.name_of(record[0]),
            creditor=record[1],
            creditor_name=self.name_of(record[1]),
            face_value=to_yuan(record[2]),
            currency=bytes(record[3]).decode("ascii", "replace"),
            due=int(record[4]),
            invoice_hash="0x" + bytes(record[5]).hex(),
            settled_value=to_yuan(state[0]),
            fragments=int(state[1]),
            frozen=bool(state[2]),
        )

    def fragments(self, slot: str | int) -> list[Fragment]:
        """Every fragment of receivable `slot`, in creation order."""
        obligation = self.obligation(slot)
        now = chaintime.now(self.chain)
        return self._with_financing(self._fragments_of(obligation, now))

    def lineage(self, token: str | int | None = None, *, slot: str | int | None = None) -> Lineage:
        """The tree of fragments split from `token` (with the path from the issued fragment down to
        it), or of the whole receivable `slot`.

        Built from the contract's state: a slot's fragments are numbered 1 … n in creation order and
        each records its parent, so the tree is complete whatever logs the node still serves.
        """
        if slot is not None:
            if token is not None:
                raise InputError("slot", "give a token or a slot, not both")
            obligation = self.obligation(slot)
            focus = obligation.first_token
        else:
            focus = self._existing(self._one_of(token))
            obligation = self.obligation(slot_of(focus))
        now = chaintime.now(self.chain)
        by_token = {f.token: f for f in self._with_financing(self._fragments_of(obligation, now))}
        # A child's index is above its parent's: building from the last fragment back, every node's
        # children are built before it (no recursion, however deep the splits go).
        nodes: dict[int, LineageNode] = {}
        children: dict[int, builtins.list[LineageNode]] = {}
        for token in sorted(by_token, reverse=True):
            nodes[token] = LineageNode(by_token[token], tuple(reversed(children.pop(token, []))))
            parent = by_token[token].parent
            if parent is not None:
                children.setdefault(parent, []).append(nodes[token])

        ancestors: list[Fragment] = []
        parent = by_token[focus].parent
        while parent is not None:
            ancestors.insert(0, by_token[parent])
            parent = by_token[parent].parent
        return Lineage(obligation, nodes[focus], tuple(ancestors))

    def list(self, holder: str | None = None, include_settled: bool = True) -> list[Fragment]:
        """Fragments held now by `holder` (an enterprise's primary account), or every fragment; in id
        order. A holder's candidates come from ``Transfer`` logs (mints, financing, ERC-721
        transfers to it) and are kept only if the contract says it holds them now."""
        now = chaintime.now(self.chain)
        found: list[Fragment] = []
        if holder is None:
            for slot in range(1, int(self._call(self.contract.functions.nextSlot()))):
                found.extend(self._fragments_of(self.obligation(slot), now))
        else:
            holder = validate.address(holder, "holder")
            topic = logs.topic(self.contract, "Transfer")
            candidates = sorted(
                {
                    int.from_bytes(bytes(log["topics"][3]), "big")
                    for log in logs.fetch(
                        self.chain,
                        self.contract.address,
                        [topic, None, logs.address_topic(holder)],
                        self.from_block,
                    )
                }
            )
            obligations: dict[int, Obligation] = {}
            for token in candidates:
                record = self._fragment_record(token)
                if record[0] != holder:
                    continue
                slot = slot_of(token)
                if slot not in obligations:
                    obligations[slot] = self.obligation(slot)
                found.append(self._fragment(token, record, obligations[slot], now))
        return self._with_financing([f for f in found if include_settled or not f.settled])

    def name_of(self, account: str) -> str:
        """The enterprise's public name in the registry ("" if it has none)."""
        if account not in self._names:
            try:
                self._names[account] = self.registry().show(account).name
            except InputError:
                self._names[account] = ""
        return self._names[account]

    def registry(self) -> Registry:
        if self._registry is None:
            address = self._call(self.contract.functions.registry())
            contract = self.chain.w3.eth.contract(address=address, abi=artifacts.abi("EnterpriseRegistry"))
            self._registry = Registry(self.chain, contract)
        return self._registry

    # -- internals ----------------------------------------------------------------------------------

    def _signer(self) -> str:
        if self.sender is None:
            raise InputError("account", "this action needs a signing account (--account)")
        return self.sender.address

    def _send(self, call: Any) -> TxReceipt:
        self._signer()
        receipt = self.sender.send(call)  # type: ignore[union-attr]
        self.last_receipt = receipt
        return receipt

    @staticmethod
    def _call(call: Any) -> Any:
        try:
            return call.call()
        except REVERTS as exc:
            raise as_contract_error(exc) from None

    def _settleable(self, token: int, record: Any, debtor: str, signer: str) -> bool:
        """Whether the contract would let `signer` settle `token` now, as far as it can tell without
        the token transfer: only then is an approval worth sending. Otherwise the settle call itself
        reports the contract's named refusal."""
        if bool(record[6]) or bool(record[7]):  # settled, frozen
            return False
        state = self._call(self.contract.functions.slotState(slot_of(token)))
        due = int(self._obligation_record(slot_of(token))[4])
        if bool(state[2]) or chaintime.now(self.chain) < due:
            return False
        return self.registry().acting_for(signer) == debtor

    def _erc20(self, address: str) -> Contract:
        return self.chain.w3.eth.contract(address=address, abi=ERC20_ABI)

    def _fragment_record(self, token: int) -> Any:
        """The contract's Fragment tuple; an unknown token is an InputError naming `token`."""
        try:
            return self._call(self.contract.functions.fragment(token))
        except ContractError as exc:
            if exc.name == "ReceivableNonexistentToken":
                raise InputError("token", f"no receivable fragment {token} on this chain") from None
            raise

    def _obligation_record(self, slot: int) -> Any:
        try:
            return self._call(self.contract.functions.obligation(slot))
        except ContractError as exc:
            if exc.name == "ReceivableNonexistentSlot":
                raise InputError("slot", f"no receivable {slot} on this chain") from None
            raise

    def _existing(self, token: str | int) -> int:
        token = check_token(token)
        self._fragment_record(token)
        return token

    def _existing_slot(self, slot: str | int, token: str | int | None) -> int:
        if token is not None:
            raise InputError("slot", "give a token or a slot, not both")
        slot = check_slot(slot)
        self._obligation_record(slot)
        return slot

    @staticmethod
    def _one_of(token: str | int | None) -> str | int:
        if token is None:
            raise InputError("token", "give a fragment id (or a slot)")
        return token

    def _with_financing(self, fragments: builtins.list[Fragment]) -> builtins.list[Fragment]:
        """`fragments`, the financed ones with their ``ReceivableFinanced`` facts (one log query per
        100 financed fragments, filtered by token id)."""
        financed = [f.token for f in fragments if f.financed]
        found: dict[int, Financing] = {}
        topic = logs.topic(self.contract, "ReceivableFinanced")
        for start in range(0, len(financed), 100):
            ids = ["0x" + t.to_bytes(32, "big").hex() for t in financed[start : start + 100]]
            raw = logs.fetch(self.chain, self.contract.address, [topic, ids], self.from_block)
            for event in logs.decode(self.contract, raw):
                args = event["args"]
                found[int(args["tokenId"])] = Financing(
                    seller=args["seller"],
                    seller_name=self.name_of(args["seller"]),
                    financier=args["financier"],
                    price=to_yuan(args["price"]),
                    payment_reference="0x" + bytes(args["paymentReference"]).hex(),
                    block=int(event["blockNumber"]),
                )
        return [replace(f, financing=found[f.token]) if f.token in found else f for f in fragments]

    def _fragments_of(self, obligation: Obligation, now: int) -> builtins.list[Fragment]:
        fn = self.contract.functions
        found = []
        for index in range(1, obligation.fragments + 1):
            token = token_id(obligation.slot, index)
            found.append(self._fragment(token, self._call(fn.fragment(token)), obligation, now))
        return found

    def _fragment(self, token: int, record: Any, obligation: Obligation, now: int) -> Fragment:
        holder, value, _slot, parent, offered, financed, settled, frozen, financier, price = record
        offered = bool(offered)
        return Fragment(
            token=token,
            parent=int(parent) or None,
            holder=holder,
            holder_name=self.name_of(holder),
            value=to_yuan(value),
            offered=offered,
            financed=bool(financed),
            settled=bool(settled),
            frozen=bool(frozen),
            financier=financier if offered else None,
            financier_name=self.name_of(financier) if offered else "",
            offer_price=to_yuan(price) if offered else None,
            overdue=not settled and now > obligation.due,  # the contract's rule, on the latest block
        )


# ------------------------------------------------------------------------------------------------
# Presentation shared by the CLI and the demo


def _label(fragment: Fragment, currency: str) -> str:
    from rich.markup import escape

    name = escape(fragment.holder_name or fragment.holder)
    status = fragment.status
    if fragment.financing is not None:
        seller = escape(fragment.financing.seller_name or fragment.financing.seller)
        status = status.replace(
            "financed",
            f"financed: bought from {seller} for {format_yuan(fragment.financing.price, currency)}",
        )
    flags = f"  [dim]{status}[/dim]" if fragment.flags else ""
    if fragment.overdue:
        flags = flags.replace("overdue", "[red]overdue[/red]")
    return f"[bold]{fragment.token}[/bold]  {name}  {format_yuan(fragment.value, currency)}{flags}"


def lineage_tree(lineage: Lineage) -> Any:
    """The lineage as a :class:`rich.tree.Tree`: the obligation, then fragment → fragments split from it."""
    from rich.markup import escape
    from rich.tree import Tree

    o = lineage.obligation
    debtor = escape(o.debtor_name or o.debtor)
    title = (
        f"receivable {o.slot}: {debtor} owes {format_yuan(o.face_value, o.currency)}, "
        f"due {o.due_date.isoformat()}, settled {format_yuan(o.settled_value, o.currency)}"
        + ("  [red]frozen[/red]" if o.frozen else "")
    )
    tree = Tree(title)
    branch = tree
    for ancestor in lineage.ancestors:
        branch = branch.add(_label(ancestor, o.currency) + "  [dim](ancestor)[/dim]")

    def add(parent: Any, node: LineageNode) -> None:
        here = parent.add(_label(node.fragment, o.currency))
        for child in node.children:
            add(here, child)

    add(branch, lineage.root)
    return tree


def lineage_lines(lineage: Lineage, width: int = 160) -> list[str]:
    """The lineage tree rendered as plain text lines (for logs and for `say` callbacks)."""
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, soft_wrap=True).print(
        lineage_tree(lineage)
    )
    return buffer.getvalue().rstrip("\n").splitlines()
