"""Stateful property test: random sequences of issue / split / value transfer / whole-token transfer /
offer / withdraw / accept / settle / confirm / freeze / unfreeze, with time passing, checked against a
Python model after every step. Receivables are transparent or confidential at random: a confidential one
counts shares of 10**18, is split and offered with sealed facts and commitments, goes only to accounts
that published a key (the producer has none), and is paid through the token only by revealing its face
value.

Every rule predicts from the model whether the call succeeds or which named error it reverts with (in
the contract's order of checks), and asserts exactly that. After every step the invariants compare the
whole contract state with the model:
- per slot, the value of its unsettled fragments plus its settled value equals its face value;
- every fragment's holder, value, lineage, flags and offer match (so no fragment is settled or financed
  twice, and nothing moved while frozen, offered, financed or settled: the model refused those moves);
- every holder is an active enterprise, and the ERC-721 counts and settlement-token payments match.
"""

import brownie
import pytest
from hypothesis import strategies as st

from shanglian.confidential import TOTAL_SHARES, InvoiceDocument, amount_of, commitment

DAY = 24 * 3600
ID_BASE = 10**7
OFFERED, FINANCED, SETTLED, FROZEN = 1, 2, 4, 8
FUNDS = 10**15
SEALED = b"\x01sealed"
PRICE = commitment("price", 1, b"\x01" * 32)


@pytest.fixture(scope="module")
def funded_debtors(settlement_token, receivables, parties, accounts):
    for debtor in (parties.core, parties.core2):
        settlement_token.mint(debtor, FUNDS, {"from": accounts[0]})
        settlement_token.approve(receivables, 2**256 - 1, {"from": debtor})


class Receivables:
    """The rules; `__init__` is called once as a class method by brownie's `state_machine`."""

    st_pick = st.integers(min_value=0, max_value=255)
    st_flag = st.booleans()
    st_percent = st.integers(min_value=0, max_value=110)
    st_face = st.integers(min_value=1, max_value=10**9)
    st_due_days = st.integers(min_value=1, max_value=10)
    st_days = st.integers(min_value=1, max_value=30)

    def __init__(cls, receivables, settlement_token, registry, parties, chain, custom_error, keyed):
        cls.rec = receivables
        cls.token = settlement_token
        cls.registry = registry
        cls.chain = chain
        cls.error = staticmethod(custom_error)
        cls.regulator = parties.regulator
        cls.debtors = [parties.core, parties.core2]
        cls.creditors = [parties.supplier, parties.supplier2]
        cls.financiers = [parties.financier, parties.financier2]
        cls.holders = cls.creditors + cls.financiers + [parties.producer]
        cls.keyless = {parties.producer.address}  # published no encryption key
        cls.invoices = 0

    def setup(self):
        self.slots = {}  # slot -> {debtor, face, due, frozen, settled, fragments}
        self.tokens = {}  # id -> {holder, value, parent, flags, financier, price}
        self.paid = {h.address: 0 for h in self.holders}
        self.start_balances = {h.address: self.token.balanceOf(h) for h in self.holders}

    def initialize_receivables(self, face="st_face", due_days="st_due_days"):
        """Every run starts with a transparent and a confidential receivable, so the first steps have
        fragments of both kinds to act on."""
        self.rule_issue(0, 0, face, due_days, False)
        self.rule_issue(1, 1, face // 2 + 1, due_days + 3, True)

    # ------------------------------------------------------------------ model helpers

    def _pick_token(self, pick, among=None):
        ids = sorted(self.tokens if among is None else among)
        return ids[pick % len(ids)]

    def _slot_of(self, token_id):
        return self.slots[token_id // ID_BASE]

    def _movable_error(self, token_id):
        """The error the contract's movability check raises for `token_id`, or None."""
        token, slot = self.tokens[token_id], self._slot_of(token_id)
        if slot["frozen"]:
            return ("ReceivableSlotFrozen", token_id // ID_BASE)
        flags = token["flags"]
        if flags & FROZEN:
            return ("ReceivableFrozen", token_id)
        if flags & SETTLED:
            return ("ReceivableAlreadySettled", token_id)
        if flags & FINANCED:
            return ("ReceivableAlreadyFinanced", token_id)
        if flags & OFFERED:
            return ("ReceivableOfferPending", token_id)
        return None

    def _matured(self, token_id):
        # dues sit half a day away from any whole-day sleep, so the next block is clearly before or after
        return self.chain.time() >= self._slot_of(token_id)["due"]

    def _settle_error(self, token_id):
        token, slot = self.tokens[token_id], self._slot_of(token_id)
        if slot["frozen"]:
            return ("ReceivableSlotFrozen", token_id // ID_BASE)
        if token["flags"] & FROZEN:
            return ("ReceivableFrozen", token_id)
        if token["flags"] & SETTLED:
            return ("ReceivableAlreadySettled", token_id)
        if not self._matured(token_id):
            return ("ReceivableNotMatured", token_id // ID_BASE, slot["due"])
        return None

    def _expect(self, error, call):
        """Runs `call`; with an expected error, asserts it reverts with exactly that error."""
        if error is None:
            return call()
        with brownie.reverts(self.error(*error)):
            call()
        return None

    def _key_error(self, token_id, to):
        """A confidential fragment's recipient must have published a key."""
        if self._slot_of(token_id)["confidential"] and to.address in self.keyless:
            return ("ReceivableNoEncryptionKey", to)
        return None

    def _new_fragment(self, slot_id, holder, value, parent):
        slot = self.slots[slot_id]
        slot["fragments"] += 1
        token_id = slot_id * ID_BASE + slot["fragments"]
        self.tokens[token_id] = dict(holder=holder, value=value, parent=parent, flags=0, financier=None, price=0)
        return token_id

    def _settle_in_model(self, token_id):
        token = self.tokens[token_id]
        token["flags"] = (token["flags"] & FINANCED) | SETTLED
        token["financier"], token["price"] = None, 0
        self._slot_of(token_id)["settled"] += token["value"]

    # ------------------------------------------------------------------ rules

    def rule_issue(self, debtor="st_pick", creditor="st_pick", face="st_face", due_days="st_due_days", confidential="st_flag"):
        debtor = self.debtors[debtor % 2]
        creditor = self.creditors[creditor % 2]
        type(self).invoices += 1
        invoice = (0x5A << 248 | type(self).invoices).to_bytes(32, "big")
        due = self.chain.time() + due_days * DAY + DAY // 2
        document = None
        if confidential:
            document = InvoiceDocument(f"INV-{type(self).invoices}", "2026-01-02", face, "CNY", due)
            tx = self.rec.issueConfidential(creditor, due, invoice, document.root, SEALED, {"from": debtor})
        else:
            tx = self.rec.issue(creditor, face, b"CNY", due, invoice, {"from": debtor})
        slot_id = len(self.slots) + 1
        value = TOTAL_SHARES if confidential else face
        self.slots[slot_id] = dict(
            debtor=debtor, face=value, due=due, frozen=False, settled=0, fragments=0, confidential=confidential,
            document=document,
        )
        assert self._new_fragment(slot_id, creditor, value, 0) == tx.return_value

    def rule_split(self, pick="st_pick", to="st_pick", percent="st_percent"):
        token_id = self._pick_token(pick)
        token, to = self.tokens[token_id], self.holders[to % len(self.holders)]
        value = token["value"] * percent // 100 + (1 if percent > 100 else 0)
        error = self._movable_error(token_id)
        if error is None and value == 0:
            error = ("ReceivableZeroValue", token_id)
        if error is None and value > token["value"]:
            error = ("ReceivableInsufficientValue", token_id, token["value"], value)
        error = error or self._key_error(token_id, to)
        if self._slot_of(token_id)["confidential"]:
            call = lambda: self.rec.splitConfidential(token_id, to, value, SEALED, {"from": token["holder"]})  # noqa: E731
        else:
            call = lambda: self.rec.transferFrom["uint256,address,uint256"](token_id, to, value, {"from": token["holder"]})  # noqa: E731
        tx = self._expect(error, call)
        if tx:
            token["value"] -= value
            new = self._new_fragment(token_id // ID_BASE, to, value, token_id)
            assert tx.return_value == new

    def rule_merge(self, source="st_pick", into="st_pick", percent="st_percent"):
        """Moves value into another fragment of the same slot (or, picking itself, into itself)."""
        from_id = self._pick_token(source)
        same_slot = [t for t in self.tokens if t // ID_BASE == from_id // ID_BASE and t != from_id]
        to_id = self._pick_token(into, same_slot or [from_id])
        source, target = self.tokens[from_id], self.tokens[to_id]
        value = max(1, source["value"] * min(percent, 100) // 100)
        if from_id == to_id:
            error = ("ReceivableSameToken", from_id)
        elif from_id // ID_BASE != to_id // ID_BASE:
            error = ("ReceivableSlotMismatch", from_id, to_id)
        else:
            error = self._movable_error(from_id) or self._movable_error(to_id)
            if error is None and value > source["value"]:
                error = ("ReceivableInsufficientValue", from_id, source["value"], value)
        tx = self._expect(
            error,
            lambda: self.rec.transferFrom["uint256,uint256,uint256"](from_id, to_id, value, {"from": source["holder"]}),
        )
        if tx:
            source["value"] -= value
            target["value"] += value

    def rule_transfer_token(self, pick="st_pick", to="st_pick"):
        token_id = self._pick_token(pick)
        token, to = self.tokens[token_id], self.holders[to % len(self.holders)]
        tx = self._expect(
            self._movable_error(token_id) or self._key_error(token_id, to),
            lambda: self.rec.transferFrom["address,address,uint256"](token["holder"], to, token_id, {"from": token["holder"]}),
        )
        if tx:
            token["holder"] = to

    def rule_offer(self, pick="st_pick", financier="st_pick", percent="st_percent"):
        """Offers a fragment to a financier (a fragment that may be offered, when there is one)."""
        offerable = [t for t in self.tokens if self._movable_error(t) is None and not self._matured(t)]
        token_id = self._pick_token(pick, offerable or None)
        token, financier = self.tokens[token_id], self.financiers[financier % 2]
        price = token["value"] * percent // 100
        error = self._movable_error(token_id)
        if error is None and self._matured(token_id):
            error = ("ReceivableMatured", token_id // ID_BASE, self._slot_of(token_id)["due"])
        if error is None and financier == token["holder"]:
            error = ("ReceivableInvalidFinancier", financier)
        if self._slot_of(token_id)["confidential"]:
            price = 0  # only its commitment goes on chain
            call = lambda: self.rec.offerFinancingConfidential(token_id, financier, PRICE, SEALED, {"from": token["holder"]})  # noqa: E731
        else:
            if error is None and (price == 0 or price > token["value"]):
                error = ("ReceivableInvalidPrice", price, token["value"])
            call = lambda: self.rec.offerFinancing(token_id, financier, price, {"from": token["holder"]})  # noqa: E731
        tx = self._expect(error, call)
        if tx:
            token.update(flags=OFFERED, financier=financier, price=price)

    def rule_resolve_offer(self, pick="st_pick", accept="st_flag"):
        """The offered financier accepts a fragment's offer, or its holder withdraws it (an offered
        fragment when there is one)."""
        offered = [t for t, token in self.tokens.items() if token["flags"] & OFFERED]
        token_id = self._pick_token(pick, offered or None)
        token = self.tokens[token_id]
        if not token["flags"] & OFFERED:
            if accept:
                call = lambda: self.rec.acceptFinancing(token_id, 0, b"\x01" * 32, {"from": self.financiers[0]})  # noqa: E731
            else:
                call = lambda: self.rec.withdrawOffer(token_id, {"from": token["holder"]})  # noqa: E731
            self._expect(("ReceivableNotOffered", token_id), call)
            return
        if not accept:
            self.rec.withdrawOffer(token_id, {"from": token["holder"]})
            token.update(flags=token["flags"] & ~OFFERED, financier=None, price=0)
            return
        slot = self._slot_of(token_id)
        error = None
        if slot["frozen"]:
            error = ("ReceivableSlotFrozen", token_id // ID_BASE)
        elif token["flags"] & FROZEN:
            error = ("ReceivableFrozen", token_id)
        elif self._matured(token_id):
            error = ("ReceivableMatured", token_id // ID_BASE, slot["due"])
        financier = token["financier"]
        if slot["confidential"]:
            call = lambda: self.rec.acceptFinancingConfidential(token_id, PRICE, b"\x02" * 32, SEALED, {"from": financier})  # noqa: E731
        else:
            call = lambda: self.rec.acceptFinancing(token_id, token["price"], b"\x01" * 32, {"from": financier})  # noqa: E731
        tx = self._expect(error, call)
        if tx:
            token.update(holder=financier, flags=FINANCED, financier=None, price=0)

    def rule_settle(self, pick="st_pick", on_chain="st_flag", wait="st_flag"):
        """The debtor pays a fragment through the settlement token, or its holder confirms payment; with
        `wait`, first lets time pass until half a day after the fragment's due date."""
        token_id = self._pick_token(pick)
        token = self.tokens[token_id]
        if wait and not self._matured(token_id):
            self.chain.sleep(self._slot_of(token_id)["due"] - self.chain.time() + DAY // 2)
        slot = self._slot_of(token_id)
        if on_chain and slot["confidential"]:
            # the explicit way: the debtor reveals the face value, and pays the fragment's share of it
            document, debtor = slot["document"], slot["debtor"]
            salt, proof = document.salt("face_value"), document.proof("face_value")
            call = lambda: self.rec.settleRevealing(token_id, document.face_value, salt, proof, {"from": debtor})  # noqa: E731
            payment = amount_of(token["value"], document.face_value)
        elif on_chain:
            call = lambda: self.rec.settle(token_id, {"from": slot["debtor"]})  # noqa: E731
            payment = token["value"]
        else:
            call = lambda: self.rec.confirmSettlement(token_id, {"from": token["holder"]})  # noqa: E731
        if self._expect(self._settle_error(token_id), call):
            if on_chain:
                self.paid[token["holder"].address] += payment
            self._settle_in_model(token_id)

    def rule_freeze_slot(self, pick="st_pick", freeze="st_flag"):
        """Freezes (or unfreezes) the slot of a fragment."""
        token_id = self._pick_token(pick)
        slot_id = token_id // ID_BASE
        slot = self.slots[slot_id]
        if freeze:
            error = ("ReceivableSlotFrozen", slot_id) if slot["frozen"] else None
            call = lambda: self.rec.freezeSlot(slot_id, {"from": self.regulator})  # noqa: E731
        else:
            error = None if slot["frozen"] else ("ReceivableSlotNotFrozen", slot_id)
            call = lambda: self.rec.unfreezeSlot(slot_id, {"from": self.regulator})  # noqa: E731
        if self._expect(error, call):
            slot["frozen"] = freeze

    def rule_freeze_fragment(self, pick="st_pick", freeze="st_flag"):
        """Freezes (or unfreezes) a fragment."""
        token_id = self._pick_token(pick)
        token = self.tokens[token_id]
        if freeze:
            error = None
            if token["flags"] & SETTLED:
                error = ("ReceivableAlreadySettled", token_id)
            elif token["flags"] & FROZEN:
                error = ("ReceivableFrozen", token_id)
            call = lambda: self.rec.freezeFragment(token_id, {"from": self.regulator})  # noqa: E731
        else:
            error = None if token["flags"] & FROZEN else ("ReceivableNotFrozen", token_id)
            call = lambda: self.rec.unfreezeFragment(token_id, {"from": self.regulator})  # noqa: E731
        if self._expect(error, call):
            token["flags"] = token["flags"] | FROZEN if freeze else token["flags"] & ~FROZEN

    def rule_time_passes(self, days="st_days"):
        self.chain.sleep(days * DAY)

    # ------------------------------------------------------------------ invariants

    def invariant_values_add_up_to_face_value(self):
        for slot_id, slot in self.slots.items():
            state = self.rec.slotState(slot_id)
            unsettled = sum(
                self.rec.balanceOf["uint256"](token_id)
                for token_id, token in self.tokens.items()
                if token_id // ID_BASE == slot_id and not token["flags"] & SETTLED
            )
            assert unsettled + state["settledValue"] == slot["face"]
            assert (state["settledValue"], state["fragments"], state["frozen"]) == (
                slot["settled"],
                slot["fragments"],
                slot["frozen"],
            )

    def invariant_fragments_match_the_model(self):
        for token_id, token in self.tokens.items():
            fragment = self.rec.fragment(token_id)
            flags = token["flags"]
            assert tuple(fragment) == (
                token["holder"],
                token["value"],
                token_id // ID_BASE,
                token["parent"],
                bool(flags & OFFERED),
                bool(flags & FINANCED),
                bool(flags & SETTLED),
                bool(flags & FROZEN),
                token["financier"] or brownie.ZERO_ADDRESS,
                token["price"],
            )

    def invariant_holders_are_active_and_counted(self):
        for holder in self.holders:
            held = sum(1 for token in self.tokens.values() if token["holder"] == holder)
            assert self.rec.balanceOf["address"](holder) == held
            assert held == 0 or self.registry.isActive(holder)

    def invariant_payments_reached_holders(self):
        for holder in self.holders:
            assert self.token.balanceOf(holder) - self.start_balances[holder.address] == self.paid[holder.address]


def test_receivables_state_machine(
    state_machine, receivables, settlement_token, registry, parties, chain, custom_error, funded_debtors, keyed
):
    state_machine(
        Receivables,
        receivables,
        settlement_token,
        registry,
        parties,
        chain,
        custom_error,
        keyed,
        # no example database: every run explores afresh instead of replaying (and mutating) old runs
        settings={"max_examples": 12, "stateful_step_count": 20, "database": None},
    )
