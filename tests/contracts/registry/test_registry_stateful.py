"""Stateful property test of operator bindings (hypothesis through brownie's `state_machine`).

Random offers, acceptances, removals, resignations and admin clearances between two enterprises and
three free accounts, while an admin suspends and the admins reinstate or revoke the enterprises. A
Python model predicts each call's outcome — success, or the exact custom error — and after every
step the registry must agree with it: an account is bound only after it accepted, an offer is good
only while its enterprise is active, and a bound account acts for its enterprise exactly while that
enterprise is active.
"""

from brownie import ZERO_ADDRESS
from hypothesis import strategies as st

PRODUCER = 1
ENTERPRISES = ("first", "second")
CANDIDATES = ("a", "b", "c")


class BindingMachine:
    enterprise = st.sampled_from(ENTERPRISES)
    candidate = st.sampled_from(CANDIDATES)

    def __init__(cls, registry, admins, accounts, reverts_with):
        cls.registry = registry
        cls.admins = admins
        cls.accounts = accounts
        cls.reverts_with = staticmethod(reverts_with)

    def setup(self):
        self.offers = set()
        self.bound = {}
        self.standing = {e: "active" for e in ENTERPRISES}

    def _active(self, enterprise):
        return self.standing[enterprise] == "active"

    def rule_offer(self, enterprise, candidate):
        a = self.accounts
        call = lambda: self.registry.addOperator(a[candidate], {"from": a[enterprise]})  # noqa: E731
        if not self._active(enterprise):
            with self.reverts_with("RegistryNotActive", a[enterprise]):
                call()
        elif candidate in self.bound:
            with self.reverts_with("RegistryOperatorTaken", a[candidate], a[self.bound[candidate]]):
                call()
        else:
            call()
            self.offers.add((enterprise, candidate))

    def rule_accept(self, enterprise, candidate):
        a = self.accounts
        call = lambda: self.registry.acceptOperator(a[enterprise], {"from": a[candidate]})  # noqa: E731
        if (enterprise, candidate) not in self.offers:
            with self.reverts_with("RegistryNoOperatorOffer", a[enterprise], a[candidate]):
                call()
        elif not self._active(enterprise):
            with self.reverts_with("RegistryNotActive", a[enterprise]):
                call()
        elif candidate in self.bound:
            with self.reverts_with("RegistryOperatorTaken", a[candidate], a[self.bound[candidate]]):
                call()
        else:
            call()
            self.offers.discard((enterprise, candidate))
            self.bound[candidate] = enterprise

    def rule_remove(self, enterprise, candidate):
        a = self.accounts
        call = lambda: self.registry.removeOperator(a[candidate], {"from": a[enterprise]})  # noqa: E731
        if self.bound.get(candidate) == enterprise:
            call()
            del self.bound[candidate]
        elif (enterprise, candidate) in self.offers:
            call()
            self.offers.discard((enterprise, candidate))
        else:
            with self.reverts_with("RegistryNotOperator", a[enterprise], a[candidate]):
                call()

    def rule_resign(self, candidate):
        a = self.accounts
        call = lambda: self.registry.resignOperator({"from": a[candidate]})  # noqa: E731
        if candidate in self.bound:
            call()
            del self.bound[candidate]
        else:
            with self.reverts_with("RegistryNotOperator", ZERO_ADDRESS, a[candidate]):
                call()

    def rule_clear(self, candidate):
        a = self.accounts
        call = lambda: self.registry.clearOperator(a[candidate], {"from": self.admins[2]})  # noqa: E731
        if candidate not in self.bound:
            with self.reverts_with("RegistryNotOperator", ZERO_ADDRESS, a[candidate]):
                call()
        elif self._active(self.bound[candidate]):
            with self.reverts_with("RegistryEnterpriseActive", a[self.bound[candidate]]):
                call()
        else:
            call()
            del self.bound[candidate]

    def rule_suspend(self, enterprise):
        if self._active(enterprise):
            self.registry.suspend(self.accounts[enterprise], {"from": self.admins[0]})
            self.standing[enterprise] = "suspended"

    def rule_reinstate(self, enterprise):
        if self.standing[enterprise] == "suspended":
            for admin in self.admins[:2]:
                self.registry.reinstate(self.accounts[enterprise], {"from": admin})
            self.standing[enterprise] = "active"

    def rule_revoke(self, enterprise):
        if self.standing[enterprise] == "suspended":  # revoked only after a suspension: rarer
            for admin in self.admins[:2]:
                self.registry.revoke(self.accounts[enterprise], {"from": admin})
            self.standing[enterprise] = "revoked"

    def invariant_registry_matches_the_model(self):
        a = self.accounts
        for candidate in CANDIDATES:
            enterprise = self.bound.get(candidate)
            assert self.registry.operatorOf(a[candidate]) == (a[enterprise] if enterprise else ZERO_ADDRESS)
            acting = a[enterprise] if enterprise and self._active(enterprise) else ZERO_ADDRESS
            assert self.registry.actingFor(a[candidate], PRODUCER) == acting
            for e in ENTERPRISES:
                assert self.registry.operatorOffered(a[e], a[candidate]) == ((e, candidate) in self.offers)


def test_operator_bindings_follow_the_model(state_machine, registry, admins, onboard, new_account, reverts_with):
    accounts = {e: onboard(new_account(f"bindings {e}"), "producer") for e in ENTERPRISES}
    accounts.update({c: new_account(f"bindings candidate {c}") for c in CANDIDATES})
    state_machine(
        BindingMachine, registry, admins, accounts, reverts_with,
        settings={"max_examples": 12, "stateful_step_count": 25},
    )
