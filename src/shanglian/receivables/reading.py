"""Reading receivables from the contract's state: a fragment, an obligation, a slot's fragments, the
lineage tree, a holder's fragments, and the enterprises' names. Every other part of the SDK looks
tokens and slots up through here before it sends anything.

A confidential receivable is read the same way; its amounts come out in yuan when the signing
account's key opens the receivable's sealed facts (:meth:`Reading.facts`, checked against the chain's
document root and commitments), and as shares of the receivable (None in yuan) otherwise."""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

from web3.contract import Contract

from shanglian import artifacts, chaintime, confidential, logs, validate
from shanglian.client import ContractClient
from shanglian.errors import ContractError, InputError, NotAPartyError
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
        # by (slot, latest block) for the signer's key: a new block may bring new facts sealed to it
        self._opened: dict[tuple[int, int], confidential.PartyFacts | None] = {}

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
        try:
            record = self._obligation_record(slot)
        except ContractError as exc:
            if exc.name != "ReceivableConfidential":
                raise
            return self._confidential_obligation(slot)
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

    def is_confidential(self, slot: str | int) -> bool:
        slot = check_slot(slot)
        try:
            return bool(self._call(self.contract.functions.isConfidential(slot)))
        except ContractError as exc:
            if exc.name == "ReceivableNonexistentSlot":
                raise InputError("slot", f"no receivable {slot} on this chain") from None
            raise

    def facts(self, slot: str | int) -> confidential.PartyFacts:
        """What the signer's key opens of confidential receivable `slot`: its invoice, and the prices and
        payment references sealed to it, each checked against the chain. Raises NotAPartyError when the
        key opens none of them (or there is no signing account)."""
        slot = check_slot(slot)
        found = self._facts(slot)
        if found is None:
            who = self.sender.address if self.sender is not None else "a reader without an account"
            raise NotAPartyError(
                f"{who} is not a party to receivable {slot}: its key opens none of the receivable's sealed facts"
            )
        return found

    def sealed_facts(self, token: str | int) -> list[bytes]:
        """The envelopes sealed about fragment `token`, as anyone reads them (ciphertext)."""
        token = self._existing(token)
        found = self._logs(["FactsSealed"], "0x" + token.to_bytes(32, "big").hex())
        return [bytes(event["args"]["envelope"]) for event in found]

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
            for event in self._logs(["ReceivableFinanced", "ConfidentialReceivableFinanced"], ids):
                args = event["args"]
                token = int(args["tokenId"])
                if event["event"] == "ReceivableFinanced":
                    price, reference = to_yuan(args["price"]), "0x" + bytes(args["paymentReference"]).hex()
                else:
                    price, reference = self._opened_financing(token, args)
                found[token] = Financing(
                    seller=args["seller"],
                    seller_name=self.name_of(args["seller"]),
                    financier=args["financier"],
                    price=price,
                    payment_reference=reference,
                    block=int(event["blockNumber"]),
                )
        return [replace(f, financing=found[f.token]) if f.token in found else f for f in fragments]

    # -- confidential receivables ----------------------------------------------------------------------

    def _reader_key(self) -> bytes | None:
        account = getattr(self.sender, "account", None)
        return None if account is None else bytes(account.key)

    def _facts(self, slot: int) -> confidential.PartyFacts | None:
        """The signer's opened facts of confidential `slot` (None: no key, or not a party), cached."""
        key = self._reader_key()
        if key is None:
            return None
        cached = (slot, int(self.chain.w3.eth.block_number))
        if cached not in self._opened:
            fn = self.contract.functions
            root = bytes(self._call(fn.confidentialObligation(slot))[2])
            count = int(self._call(fn.slotState(slot))[1])
            sealed, vouched = [], []
            for start in range(1, count + 1, 100):
                ids = ["0x" + token_id(slot, i).to_bytes(32, "big").hex() for i in range(start, min(count, start + 99) + 1)]
                events = ["FactsSealed", "ConfidentialFinancingOffered", "ConfidentialReceivableFinanced"]
                for event in self._logs(events, ids):
                    args = event["args"]
                    if event["event"] == "FactsSealed":
                        sealed.append(confidential.Sealed(int(args["tokenId"]), bytes(args["envelope"])))
                    else:
                        vouched.append(bytes(args["priceCommitment"]))
                        if "referenceCommitment" in args:
                            vouched.append(bytes(args["referenceCommitment"]))
            try:
                self._opened[cached] = confidential.open_facts(root, sealed, key, vouched)
            except NotAPartyError:
                self._opened[cached] = None
        return self._opened[cached]

    def _confidential_obligation(self, slot: int) -> Obligation:
        fn = self.contract.functions
        debtor, due, root = self._call(fn.confidentialObligation(slot))
        settled_shares, count, frozen = self._call(fn.slotState(slot))
        issued = self._logs(["ReceivableIssuedConfidentially"], "0x" + slot.to_bytes(32, "big").hex())
        creditor = issued[-1]["args"]["creditor"] if issued else "0x" + "00" * 20
        facts = self._facts(slot)
        face = settled = None
        document = facts.document if facts is not None else None
        if document is not None:
            face = to_yuan(document.face_value)
            records = [self._call(fn.fragment(token_id(slot, i))) for i in range(1, int(count) + 1)]
            settled = to_yuan(sum(confidential.amount_of(r[1], document.face_value) for r in records if r[6]))
        return Obligation(
            slot=slot,
            debtor=debtor,
            debtor_name=self.name_of(debtor),
            creditor=creditor,
            creditor_name=self.name_of(creditor) if int(creditor, 16) else "",
            face_value=face,
            currency=document.currency if document is not None else "",
            due=int(due),
            invoice_hash="0x" + bytes(root).hex(),
            settled_value=settled,
            fragments=int(count),
            frozen=bool(frozen),
            confidential=True,
            settled_shares=int(settled_shares),
            invoice_number=document.invoice_number if document is not None else None,
            invoice_date=document.invoice_date if document is not None else None,
        )

    def _amount(self, slot: int, shares: int) -> int | None:
        """Fen that `shares` of confidential `slot` stand for, for a reader who can open its facts."""
        facts = self._facts(slot)
        return None if facts is None else confidential.amount_of(shares, facts.document.face_value)

    def _opened_financing(self, token: int, args: Any) -> tuple[Any, str]:
        """A confidential financing's price and payment reference for a reader who can open them (the
        commitment otherwise)."""
        facts = self._facts(slot_of(token))
        offer = facts.offers.get(token) if facts is not None else None
        acceptance = facts.acceptances.get(token) if facts is not None else None
        price = None
        if offer is not None and offer.commitment == bytes(args["priceCommitment"]):
            price = to_yuan(offer.price)
        reference = acceptance.reference if acceptance is not None else "0x" + bytes(args["referenceCommitment"]).hex()
        return price, reference

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
        shares = None
        yuan: Any = to_yuan(value)
        offer_price: Any = to_yuan(price) if offered else None
        if obligation.confidential:
            shares = int(value)
            fen = self._amount(obligation.slot, shares)
            yuan = None if fen is None else to_yuan(fen)
            facts = self._facts(obligation.slot)
            opened = facts.offers.get(token) if facts is not None and offered else None
            offer_price = None if opened is None else to_yuan(opened.price)
        return Fragment(
            token=token,
            parent=int(parent) or None,
            holder=holder,
            holder_name=self.name_of(holder),
            value=yuan,
            offered=offered,
            financed=bool(financed),
            settled=bool(settled),
            frozen=bool(frozen),
            financier=financier if offered else None,
            financier_name=self.name_of(financier) if offered else "",
            offer_price=offer_price,
            overdue=not settled and now > obligation.due,  # the contract's rule, on the latest block
            shares=shares,
        )
