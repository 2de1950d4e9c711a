"""Stateful property test of Copyrights: random registrations, offers, acceptances, licence grants and
their acceptance or withdrawal by random parties, while parties are suspended and reinstated.

Every rule predicts from a Python model whether the call succeeds or which named error it reverts
with, and asserts exactly that. After every step the invariants compare the chain with the model:
- no work ever changes its registration (registrant, priority date, algorithm);
- a work changes holder only when the enterprise its holder offered it to accepts, and the ERC-721
  counts follow;
- a grant is accepted only by its licensee, while its grantor is active and still holds the work.
"""

import brownie
from brownie import chain
from hypothesis import strategies as st

from hall_support import SHA256, YEAR, choose, digest, expect, plain

ZERO = brownie.ZERO_ADDRESS
PARTIES = ["filer", "filer_operator", "buyer", "printer", "other", "stranger"]
ENTERPRISES = ["filer", "buyer", "printer", "other"]
OFFERED, ACCEPTED, WITHDRAWN = 1, 2, 3


class CopyrightsMachine:
    st_pick = st.integers(min_value=0, max_value=255)
    st_label = st.integers(min_value=0, max_value=4)

    def __init__(cls, copyrights, registry, hall, admins, reverts_with):
        cls.copyrights = copyrights
        cls.registry = registry
        cls.hall = hall
        cls.admins = admins
        cls.reverts_with = staticmethod(reverts_with)

    def setup(self):
        self.active = set(ENTERPRISES)
        self.works = {}  # token -> {registration, holder, offeree}
        self.grants = {}  # grant id -> model
        self.start = chain.time()
        self.salts = 0

    def initialize_works(self):
        """Every run starts with a work of the filer and one of the buyer."""
        self.rule_register(1, 0)
        self.rule_register(5, 1)

    # ------------------------------------------------------------------ helpers

    def _account(self, who):
        return getattr(self.hall, who)

    def _enterprise(self, who):
        who = "filer" if who == "filer_operator" else who
        return who if who in self.active else None

    @staticmethod
    def _choose(pick, likely, anyone=PARTIES):
        return choose(pick, likely, anyone)

    def _pick_work(self, pick, wanted=lambda work: True):
        """A work, three times in four one that `wanted` (when there is one)."""
        tokens = sorted(self.works)
        found = choose(pick, [token for token in tokens if wanted(self.works[token])], tokens)
        return int.from_bytes(digest("no work"), "big") if found is None else found

    def _expect(self, error, call):
        return expect(self.reverts_with, error, call)

    # ------------------------------------------------------------------ rules

    def rule_register(self, by="st_pick", label="st_label"):
        who = self._choose(by, ENTERPRISES)
        caller, enterprise = self._account(who), self._enterprise(who)
        self.salts += 1
        content, salt = digest(f"work {label}"), digest(f"salt {self.salts}")
        token = int.from_bytes(content, "big")
        if enterprise is not None:
            self.copyrights.commit(self.copyrights.commitmentFor(content, self._account(enterprise), salt), {"from": caller})
        if enterprise is None:
            error = ("CopyrightNotEnterprise", caller)
        elif token in self.works:
            registrant, registered_at, _ = self.works[token]["registration"]
            error = ("CopyrightAlreadyRegistered", content, registrant, registered_at)
        else:
            error = None
        tx = self._expect(error, lambda: self.copyrights.register(content, SHA256, salt, "作品", "作者", {"from": caller}))
        if tx is not None:
            self.works[token] = dict(registration=(self._account(enterprise).address, tx.timestamp, SHA256),
                                     holder=enterprise, offeree=None)

    def rule_offer(self, by="st_pick", pick="st_pick", to="st_pick"):
        token = self._pick_work(pick)
        work = self.works.get(token)
        who = self._choose(by, [work["holder"]] if work else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        offeree = self._choose(to, ENTERPRISES)
        if work is None:
            error = ("CopyrightNonexistentToken", token)
        elif enterprise != work["holder"]:
            error = ("CopyrightNotHolder", token, caller, self._account(work["holder"]))
        elif offeree == work["holder"] or offeree not in self.active:
            error = ("CopyrightInvalidRecipient", self._account(offeree))
        else:
            error = None
        if self._expect(error, lambda: self.copyrights.approve(self._account(offeree), token, {"from": caller})):
            work["offeree"] = offeree

    def rule_accept(self, by="st_pick", pick="st_pick", safe="st_pick"):
        token = self._pick_work(pick, lambda work: work["offeree"])
        work = self.works.get(token)
        who = self._choose(by, [work["offeree"]] if work and work["offeree"] else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        if work is None:
            error = ("CopyrightNonexistentToken", token)
        elif work["offeree"] is None or enterprise != work["offeree"]:
            offeree = self._account(work["offeree"]) if work["offeree"] else ZERO
            error = ("CopyrightNotOfferee", token, caller, offeree)
        elif work["holder"] not in self.active:
            error = ("CopyrightHolderInactive", token, self._account(work["holder"]))
        else:
            error = None
        holder = self._account(work["holder"]) if work else caller
        to = self._account(enterprise) if enterprise else caller
        transfer = self.copyrights.safeTransferFrom["address,address,uint256"] if safe % 2 else self.copyrights.transferFrom
        if self._expect(error, lambda: transfer(holder, to, token, {"from": caller})):
            work["holder"], work["offeree"] = enterprise, None

    def rule_offer_grant(self, by="st_pick", pick="st_pick", to="st_pick"):
        token = self._pick_work(pick)
        work = self.works.get(token)
        who = self._choose(by, [work["holder"]] if work else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        licensee = self._choose(to, ENTERPRISES)
        start, end = self.start, self.start + YEAR
        if work is None:
            error = ("CopyrightNonexistentToken", token)
        elif enterprise != work["holder"]:
            error = ("CopyrightNotHolder", token, caller, self._account(work["holder"]))
        elif licensee == work["holder"] or licensee not in self.active:
            error = ("CopyrightInvalidLicensee", self._account(licensee))
        else:
            error = None
        tx = self._expect(error, lambda: self.copyrights.offerGrant(
            token, self._account(licensee), start, end, digest("terms"), {"from": caller}))
        if tx is not None:
            self.grants[tx.return_value] = dict(fields=(token, self._account(enterprise).address, start, end),
                                                grantor=enterprise, licensee=licensee, status=OFFERED, accepted_at=0)

    def rule_settle_grant(self, by="st_pick", pick="st_pick", accept="st_pick"):
        ids = sorted(self.grants)
        pending = [grant_id for grant_id in ids if self.grants[grant_id]["status"] == OFFERED]
        if pending and pick % 4:
            grant_id = pending[pick // 4 % len(pending)]
        else:
            grant_id = ids[pick % len(ids)] if ids else 999
        grant = self.grants.get(grant_id)
        accepting = accept % 2 == 0
        party = grant and (grant["licensee"] if accepting else grant["grantor"])
        who = self._choose(by, [party] if party else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        if grant is None:
            error = ("CopyrightUnknownGrant", grant_id)
        elif enterprise != party:
            name = "CopyrightNotLicensee" if accepting else "CopyrightNotGrantor"
            error = (name, grant_id, caller, self._account(party))
        elif grant["status"] != OFFERED:
            error = ("CopyrightGrantNotPending", grant_id, grant["status"])
        elif accepting and (self.works[grant["fields"][0]]["holder"] != grant["grantor"] or grant["grantor"] not in self.active):
            error = ("CopyrightGrantVoid", grant_id, self._account(grant["grantor"]))
        else:
            error = None
        call = self.copyrights.acceptGrant if accepting else self.copyrights.withdrawGrant
        tx = self._expect(error, lambda: call(grant_id, {"from": caller}))
        if tx is not None:
            grant["status"] = ACCEPTED if accepting else WITHDRAWN
            grant["accepted_at"] = tx.timestamp if accepting else 0

    def rule_suspend_or_reinstate(self, pick="st_pick"):
        who = ENTERPRISES[pick % len(ENTERPRISES)]
        if who in self.active:
            self.registry.suspend(self._account(who), {"from": self.admins[0]})
            self.active.discard(who)
        else:
            for admin in self.admins[:2]:
                self.registry.reinstate(self._account(who), {"from": admin})
            self.active.add(who)

    # ------------------------------------------------------------------ invariants

    def invariant_registrations_never_change_and_holders_follow_acceptances(self):
        for token, work in self.works.items():
            offeree = self._account(work["offeree"]).address if work["offeree"] else ZERO
            assert plain(self.copyrights.work(token)) == (*work["registration"], self._account(work["holder"]).address, offeree)

    def invariant_balances_count_holdings(self):
        for who in ENTERPRISES:
            held = sum(1 for work in self.works.values() if work["holder"] == who)
            assert self.copyrights.balanceOf(self._account(who)) == held

    def invariant_grants_match(self):
        for grant_id, grant in self.grants.items():
            assert plain(self.copyrights.grant(grant_id)) == (
                *grant["fields"], grant["status"], self._account(grant["licensee"]).address, grant["accepted_at"],
                digest("terms"))


def test_copyrights_state_machine(state_machine, copyrights, registry, hall, admins, reverts_with):
    state_machine(
        CopyrightsMachine, copyrights, registry, hall, admins, reverts_with,
        settings={"max_examples": 10, "stateful_step_count": 25, "database": None},
    )
