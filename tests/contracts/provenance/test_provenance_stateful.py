"""Stateful property test of the custody chain (hypothesis through brownie's `state_machine`).

Random offers, accepts, withdrawals and trace events by random parties against two batches, while
an admin suspends and the admins reinstate random custody enterprises. A Python model predicts each
call's outcome — success with its exact events, or the exact custom error — and after every step
the contract's custodian, pending offer and seller must equal the model's. An offer is void while
the custodian that made it is suspended; a suspended custodian's own account may still withdraw it.
"""

import brownie
from hypothesis import strategies as st

ZERO32 = b"\x00" * 32
GLN = 6901234000016
DATA = b"\xda" * 32
INSPECTING = 2

# Parties that take part: enterprises with custody roles, others, an operator and a stranger.
CUSTODY_ENTERPRISES = {"producer", "other_producer", "processor", "logistics", "retailer"}
ACTORS = sorted(CUSTODY_ENTERPRISES | {"producer_operator", "regulator", "inspector", "platform", "stranger"})
OPERATOR_OF = {"producer_operator": "producer"}


def _member(actor):
    """The enterprise an account belongs to, whatever its standing (None for a stranger)."""
    if actor == "stranger":
        return None
    return OPERATOR_OF.get(actor, actor)


class CustodyMachine:
    batch = st.sampled_from([0, 1])
    actor = st.sampled_from(ACTORS)
    receiver = st.sampled_from(ACTORS)
    step = st.sampled_from([INSPECTING, 4, 5, 6, 8])  # inspecting, shipping, receiving, storing, retail

    member = st.sampled_from(sorted(CUSTODY_ENTERPRISES))

    def __init__(cls, provenance, registry, admins, parties, batch_ids, reverts_with):
        cls.provenance = provenance
        cls.registry = registry
        cls.admins = admins
        cls.parties = parties
        cls.batch_ids = batch_ids
        cls.reverts_with = staticmethod(reverts_with)

    def setup(self):
        self.custodian = ["producer", "producer"]
        self.pending = [None, None]
        self.seller = [None, None]
        self.suspended = set()

    def _enterprise(self, actor):
        """The enterprise an account acts for: none while that enterprise is suspended."""
        enterprise = _member(actor)
        return None if enterprise in self.suspended else enterprise

    def rule_suspend(self, member):
        if member in self.suspended:
            return
        self.registry.suspend(self.parties[member], {"from": self.admins[0]})
        self.suspended.add(member)

    def rule_reinstate(self, member):
        if member not in self.suspended:
            return
        for admin in self.admins[:2]:
            self.registry.reinstate(self.parties[member], {"from": admin})
        self.suspended.discard(member)

    def _reverts(self, name, *args):
        return self.reverts_with(name, *args)

    def rule_offer(self, batch, actor, receiver):
        batch_id, p = self.batch_ids[batch], self.parties
        holder, pending = self.custodian[batch], self.pending[batch]
        call = lambda: self.provenance.offerCustody(batch_id, p[receiver], {"from": p[actor]})  # noqa: E731
        if self._enterprise(actor) != holder:
            with self._reverts("ProvenanceNotCustodian", batch_id, p[actor], p[holder]):
                call()
        elif pending is not None:
            with self._reverts("ProvenanceOfferPending", batch_id, p[pending]):
                call()
        elif receiver not in CUSTODY_ENTERPRISES or receiver == holder or receiver in self.suspended:
            with self._reverts("ProvenanceInvalidReceiver", batch_id, p[receiver]):
                call()
        else:
            tx = call()
            assert tuple(tx.events["CustodyOffered"].values()) == (batch_id, p[holder], p[receiver])
            self.pending[batch] = receiver

    def rule_accept(self, batch, actor):
        batch_id, p = self.batch_ids[batch], self.parties
        holder, pending = self.custodian[batch], self.pending[batch]
        enterprise = self._enterprise(actor) if self._enterprise(actor) in CUSTODY_ENTERPRISES else None
        call = lambda: self.provenance.acceptCustody(batch_id, {"from": p[actor]})  # noqa: E731
        if pending is None:
            if enterprise == holder:
                with self._reverts("ProvenanceAlreadyCustodian", batch_id, p[holder]):
                    call()
            else:
                with self._reverts("ProvenanceNoOffer", batch_id):
                    call()
        elif enterprise != pending:
            with self._reverts("ProvenanceNotOfferee", batch_id, p[actor], p[pending]):
                call()
        elif holder in self.suspended:  # the offer is void while its maker is suspended
            with self._reverts("ProvenanceInactiveCustodian", batch_id, p[holder]):
                call()
        else:
            tx = call()
            assert tuple(tx.events["CustodyAccepted"].values()) == (batch_id, p[holder], p[pending])
            if pending == "retailer":
                assert tuple(tx.events["SellerRecorded"].values()) == (batch_id, p[pending])
                self.seller[batch] = pending
            else:
                assert "SellerRecorded" not in tx.events
            self.custodian[batch], self.pending[batch] = pending, None

    def rule_withdraw(self, batch, actor):
        batch_id, p = self.batch_ids[batch], self.parties
        holder, pending = self.custodian[batch], self.pending[batch]
        call = lambda: self.provenance.withdrawOffer(batch_id, {"from": p[actor]})  # noqa: E731
        if actor != holder and self._enterprise(actor) != holder:
            with self._reverts("ProvenanceNotCustodian", batch_id, p[actor], p[holder]):
                call()
        elif pending is None:
            with self._reverts("ProvenanceNoOffer", batch_id):
                call()
        else:
            tx = call()
            assert tuple(tx.events["CustodyOfferWithdrawn"].values()) == (batch_id, p[holder], p[pending])
            self.pending[batch] = None

    def rule_record(self, batch, actor, step):
        batch_id, p = self.batch_ids[batch], self.parties
        enterprise = self._enterprise(actor)
        allowed = enterprise is not None and (
            enterprise in (self.custodian[batch], "producer", "regulator")
            or (step == INSPECTING and enterprise == "inspector")
        )
        call = lambda: self.provenance.recordEvent(batch_id, ZERO32, step, GLN, DATA, {"from": p[actor]})  # noqa
        if allowed:
            tx = call()
            assert tuple(tx.events["TraceEventRecorded"].values()) == (
                batch_id, "0x" + ZERO32.hex(), p[enterprise], step, GLN, "0x" + DATA.hex()
            )
        else:
            with self._reverts("ProvenanceCannotRecord", batch_id, p[actor], step):
                call()

    def invariant_contract_matches_model(self):
        p = self.parties
        for batch, batch_id in enumerate(self.batch_ids):
            record = self.provenance.batch(batch_id)
            pending, seller = self.pending[batch], self.seller[batch]
            assert record["custodian"] == p[self.custodian[batch]]
            assert record["pendingCustodian"] == (p[pending] if pending else brownie.ZERO_ADDRESS)
            assert record["seller"] == (p[seller] if seller else brownie.ZERO_ADDRESS)


def test_custody_chain_follows_the_model(state_machine, provenance, registry, admins, parties, make_batch,
                                        reverts_with):
    batch_ids = [make_batch("STATEFUL-0"), make_batch("STATEFUL-1")]
    state_machine(
        CustodyMachine,
        provenance,
        registry,
        admins,
        parties,
        batch_ids,
        reverts_with,
        settings={"max_examples": 15, "stateful_step_count": 20},
    )
