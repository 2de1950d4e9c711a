"""Reading receivables from the contract's state: a fragment, an obligation, a slot's fragments, the
lineage tree, a holder's fragments, and the enterprises' names. Every other part of the SDK looks
tokens and slots up through here before it sends anything."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

from web3.contract import Contract

from shanglian import artifacts, chaintime, logs, validate
from shanglian.client import ContractClient
from shanglian.errors import ContractError, InputError
from shanglian.network import Chain
from shanglian.receivables.records import Financing, Fragment, Lineage, LineageNode, Obligation, Receivable
from shanglian.receivables.units import check_slot, check_token, format_yuan, slot_of, to_yuan, token_id
from shanglian.registry import Registry
from shanglian.transactions import Transactor


class Reading(ContractClient):
    """Reads of the Receivables contract, and the look-ups the other parts check input with.

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
        super().__init__(chain, contract, sender, from_block)
        self._registry = registry
        self._names: dict[str, str] = {}

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
                    for log in self._fetch([topic, None, logs.address_topic(holder)])
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

    def _fragment_record(self, token: int) -> Any:
        """The contract's Fragment tuple; an unknown token is an InputError naming `token`."""
        try:
            return self._call(self.contract.functions.fragment(token))
        except ContractError as exc:
            if exc.name == "ReceivableNonexistentToken":
                raise InputError("token", f"no receivable fragment {token} on this chain") from None
            raise

    def _at_most_value(self, token: int, fen: int, field: str, verb: str) -> None:
        """Checks that fragment `token` exists and `fen` is at most its value; InputError naming `field`
        otherwise ("… is more than fragment 10000001 `verb` (…)")."""
        record = self._fragment_record(token)
        if fen > int(record[1]):
            raise InputError(
                field,
                f"{format_yuan(to_yuan(fen))} is more than fragment {token} {verb} "
                f"({format_yuan(int(record[1]))})",
            )

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
        for start in range(0, len(financed), 100):
            ids = ["0x" + t.to_bytes(32, "big").hex() for t in financed[start : start + 100]]
            for event in self._logs(["ReceivableFinanced"], ids):
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
