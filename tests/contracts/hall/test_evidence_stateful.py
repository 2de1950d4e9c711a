"""Stateful property test of Evidence: random filings, co-signatures, notarisation requests and
attestations by random parties, while parties are suspended and reinstated.

Every rule predicts from a Python model whether the call succeeds or which named error it reverts
with (in the contract's order of checks), and asserts exactly that. After every step the invariants
compare the chain with the model:
- no record ever changes its filed facts (filer, time, algorithm, kind, co-signers, documents);
- a co-signature appears only when a named co-signer signed, and never changes after;
- a notarisation is requested only by the filer and attested only by the notary it asked.
"""

import brownie
from hypothesis import strategies as st

from hall_support import SHA256, choose, digest, expect, plain

ZERO = brownie.ZERO_ADDRESS
PARTIES = ["filer", "filer_operator", "buyer", "printer", "notary", "notary2", "regulator", "stranger"]
ENTERPRISES = ["filer", "buyer", "printer", "notary", "notary2", "regulator"]  # may be suspended in a run
NOTARIES = {"notary", "notary2"}
CONTRACT = 1


class EvidenceMachine:
    """The rules; `__init__` is called once as a class method by brownie's `state_machine`."""

    st_pick = st.integers(min_value=0, max_value=255)
    st_label = st.integers(min_value=0, max_value=5)  # few labels, so refilings happen
    st_cosigners = st.lists(st.integers(min_value=0, max_value=255), max_size=3)
    st_documents = st.sampled_from([1, 1, 1000])

    def __init__(cls, evidence, registry, hall, admins, reverts_with):
        cls.evidence = evidence
        cls.registry = registry
        cls.hall = hall
        cls.admins = admins
        cls.reverts_with = staticmethod(reverts_with)

    def setup(self):
        self.active = set(ENTERPRISES)
        self.records = {}  # id -> model of the record

    # ------------------------------------------------------------------ model helpers

    def _account(self, who):
        return getattr(self.hall, who)

    def _enterprise(self, who):
        """The enterprise `who` acts for while active, else None."""
        who = "filer" if who == "filer_operator" else who
        return who if who in self.active else None

    def _expect(self, error, call):
        return expect(self.reverts_with, error, call)

    @staticmethod
    def _choose(pick, likely, anyone=PARTIES):
        return choose(pick, likely, anyone)

    def _pick_record(self, pick, wanted=lambda record: True):
        """A record, three times in four one that `wanted` (when there is one)."""
        ids = sorted(self.records)
        found = choose(pick, [id_ for id_ in ids if wanted(self.records[id_])], ids)
        return digest("no record") if found is None else found

    # ------------------------------------------------------------------ rules

    def rule_file(self, by="st_pick", label="st_label", cosigners="st_cosigners", documents="st_documents"):
        who = PARTIES[by % len(PARTIES)]
        caller, filer = self._account(who), self._enterprise(who)
        named = [self._choose(i, ENTERPRISES) for i in cosigners]
        named_accounts = [self._account(n) for n in named]
        error = None
        id_ = filer and bytes(self.evidence.evidenceId(self._account(filer), digest(label)))
        if filer is None:
            error = ("EvidenceNotEnterprise", caller)
        elif id_ in self.records:
            error = ("EvidenceAlreadyFiled", id_, self._account(filer), self.records[id_]["filed_at"])
        else:
            seen = set()
            for name in named:
                if name == filer or name in seen or name not in self.active:  # operators and strangers are never active
                    error = ("EvidenceInvalidCosigner", self._account(name))
                    break
                seen.add(name)
        if named:
            call = lambda: self.evidence.fileWithCosigners(  # noqa: E731
                digest(label), SHA256, CONTRACT, documents, digest(f"meta {label}"), named_accounts, {"from": caller})
        else:
            call = lambda: self.evidence.file(  # noqa: E731
                digest(label), SHA256, CONTRACT, documents, digest(f"meta {label}"), {"from": caller})
        tx = self._expect(error, call)
        if tx is not None:
            self.records[id_] = dict(
                fields=(self._account(filer).address, tx.timestamp, SHA256, CONTRACT, len(named), documents),
                filed_at=tx.timestamp, filer=filer, cosigners=named, signed={n: 0 for n in named},
                notary=None, requested_at=0, notarised_at=0, certificate=b"\x00" * 32,
            )

    def rule_cosign(self, by="st_pick", pick="st_pick"):
        id_ = self._pick_record(pick, lambda record: not all(record["signed"].values()))
        record = self.records.get(id_)
        who = self._choose(by, record["cosigners"] if record else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        if enterprise is None:
            error = ("EvidenceNotEnterprise", caller)
        elif record is None or enterprise not in record["signed"]:
            error = ("EvidenceNotCosigner", id_, caller)
        elif record["signed"][enterprise]:
            error = ("EvidenceAlreadyCosigned", id_, self._account(enterprise))
        elif record["filer"] not in self.active:
            error = ("EvidenceFilerInactive", id_, self._account(record["filer"]))
        else:
            error = None
        tx = self._expect(error, lambda: self.evidence.cosign(id_, {"from": caller}))
        if tx is not None:
            record["signed"][enterprise] = tx.timestamp

    def rule_request_notarisation(self, by="st_pick", pick="st_pick", notary="st_pick"):
        id_ = self._pick_record(pick, lambda record: not record["notary"])
        record = self.records.get(id_)
        who = self._choose(by, [record["filer"], "filer_operator"] if record and record["filer"] == "filer" else
                           [record["filer"]] if record else [])
        caller, enterprise = self._account(who), self._enterprise(who)
        asked = self._choose(notary, sorted(NOTARIES))
        if record is None:
            error = ("EvidenceUnknown", id_)
        elif enterprise != record["filer"]:
            error = ("EvidenceNotFiler", id_, caller, self._account(record["filer"]))
        elif record["notarised_at"]:
            error = ("EvidenceAlreadyNotarised", id_, self._account(record["notary"]))
        elif asked == record["filer"] or asked in record["signed"] or asked not in NOTARIES or asked not in self.active:
            error = ("EvidenceInvalidNotary", self._account(asked))
        else:
            error = None
        tx = self._expect(error, lambda: self.evidence.requestNotarisation(id_, self._account(asked), {"from": caller}))
        if tx is not None:
            record["notary"], record["requested_at"] = asked, tx.timestamp

    def rule_notarise(self, by="st_pick", pick="st_pick"):
        id_ = self._pick_record(pick, lambda record: record["notary"] and not record["notarised_at"])
        record = self.records.get(id_, {})
        who = self._choose(by, [record["notary"]] if record.get("notary") else [])
        caller = self._account(who)
        notary = self._enterprise(who) if who in NOTARIES else None
        requested = record.get("notary")
        signed = sum(1 for at in record.get("signed", {}).values() if at)
        if requested is None or notary != requested:
            error = ("EvidenceNotRequestedNotary", id_, caller, self._account(requested) if requested else ZERO)
        elif record["notarised_at"]:
            error = ("EvidenceAlreadyNotarised", id_, self._account(requested))
        elif record["filer"] not in self.active:
            error = ("EvidenceFilerInactive", id_, self._account(record["filer"]))
        elif signed != len(record["signed"]):
            error = ("EvidenceIncomplete", id_, signed, len(record["signed"]))
        else:
            error = None
        certificate = digest(f"certificate {pick}")
        tx = self._expect(error, lambda: self.evidence.notarise(id_, certificate, {"from": caller}))
        if tx is not None:
            record["notarised_at"], record["certificate"] = tx.timestamp, certificate

    def initialize_contract(self):
        """Every run starts with a contract between the filer and the buyer awaiting the buyer."""
        self.rule_file(0, 0, [5], 1)

    def rule_suspend_or_reinstate(self, pick="st_pick"):
        who = ENTERPRISES[pick % len(ENTERPRISES)]
        account = self._account(who)
        if who in self.active:
            self.registry.suspend(account, {"from": self.admins[0]})
            self.active.discard(who)
        else:
            for admin in self.admins[:2]:
                self.registry.reinstate(account, {"from": admin})
            self.active.add(who)

    # ------------------------------------------------------------------ invariants

    def invariant_filed_facts_never_change(self):
        for id_, record in self.records.items():
            assert plain(self.evidence.record(id_)) == record["fields"]

    def invariant_only_named_cosigners_signed(self):
        for id_, record in self.records.items():
            names = record["cosigners"]
            assert plain(self.evidence.cosignersOf(id_)) == (
                tuple(self._account(n).address for n in names), tuple(record["signed"][n] for n in names))
            assert self.evidence.isComplete(id_) == all(record["signed"].values())

    def invariant_notarised_only_by_the_notary_asked(self):
        for id_, record in self.records.items():
            notary = self._account(record["notary"]).address if record["notary"] else ZERO
            assert plain(self.evidence.notarisation(id_)) == (
                notary, record["requested_at"], record["notarised_at"], record["certificate"])


def test_evidence_state_machine(state_machine, evidence, registry, hall, admins, reverts_with):
    state_machine(
        EvidenceMachine, evidence, registry, hall, admins, reverts_with,
        settings={"max_examples": 12, "stateful_step_count": 25, "database": None},
    )
