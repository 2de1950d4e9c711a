"""Access-control matrix: every state-changing function of ProductProvenance × every party.

Only the allowed parties succeed (and the event names the enterprise they act for); every other
party reverts with the function's named custom error, arguments included.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from brownie import chain
from codes import GTIN_JUICE, GTIN_PEARS, gln_of, gs1_key, gtin_of

ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)
GLN = 6901234000016  # named by trace events only; never registered
ZERO32 = b"\x00" * 32
CERTIFICATE = b"\xce" * 32
YEAR = 365 * 24 * 3600

PRODUCER, PROCESSOR, QUALITY_ALLIANCE, PLATFORM, ALL_ROLES = 1, 2, 16, 1024, 4095
SHIPPING, INSPECTING = 4, 2

# The rows of the matrix: every party of conftest.PROVENANCE_PARTIES.
CALLERS = [
    "producer",
    "producer_operator",
    "other_producer",
    "processor",
    "logistics",
    "retailer",
    "quality_alliance",
    "other_alliance",
    "inspector",
    "regulator",
    "platform",
    "core_enterprise",
    "supplier",
    "financier",
    "suspended",
    "stranger",
]
ACTIVE = set(CALLERS) - {"suspended", "stranger"}
MAKERS = {"producer", "producer_operator", "other_producer", "processor"}
# Who may record a shipping event on batch "e" (custodian: logistics; producer: producer).
TRACERS = {"logistics", "producer", "producer_operator", "regulator"}


@dataclass(frozen=True)
class Case:
    act: Callable  # (provenance, world, parties, caller) -> tx
    allowed: frozenset
    error: Callable  # (world, parties, caller) -> (error name, *args)
    event: tuple  # (event name, field holding the acting enterprise)


def _scans(pv, w, p, who):
    records = b"\x11" * 32 + (3).to_bytes(4, "big") + ZERO32 + (1).to_bytes(4, "big")
    return pv.recordScans(b"\x01" * 32, w["a"], records, {"from": p[who]})


CASES = {
    # Each maker registers under its own GS1 Company Prefix.
    "registerProduct": Case(
        lambda pv, w, p, who: pv.registerProduct(
            gtin_of(who if who in MAKERS else "producer", 77), "礼盒梨", "gift box", ZERO32, {"from": p[who]}
        ),
        frozenset(MAKERS),
        lambda w, p, who: ("ProvenanceNotAuthorized", p[who], PRODUCER | PROCESSOR),
        ("ProductRegistered", "producer"),
    ),
    # "producer" was given the prefix of a product "other_producer" registered (see `world`).
    "claimProduct": Case(
        lambda pv, w, p, who: pv.claimProduct(w["claimed_gtin"], {"from": p[who]}),
        frozenset({"producer", "producer_operator"}),
        lambda w, p, who: (
            ("ProvenanceAlreadyRegistrant", w["claimed_gtin"], p[who])
            if who == "other_producer"
            else ("ProvenanceNotPrefixHolder", w["claimed_gtin"], p[who], p["producer"])
            if who in MAKERS
            else ("ProvenanceNotAuthorized", p[who], PRODUCER | PROCESSOR)
        ),
        ("ProductReassigned", "to"),
    ),
    "createBatch": Case(
        lambda pv, w, p, who: pv.createBatch(
            GTIN_PEARS, "MATRIX-NEW", ORIGIN, chain[-1].timestamp - 86400, 10, ZERO32, ZERO32, "", {"from": p[who]}
        ),
        frozenset({"producer", "producer_operator"}),
        lambda w, p, who: ("ProvenanceNotProducer", p[who], p["producer"]),
        ("BatchCreated", "producer"),
    ),
    "registerLocation": Case(
        lambda pv, w, p, who: pv.registerLocation(
            gln_of(who if who in ACTIVE else "producer", 77), ORIGIN, {"from": p[who]}
        ),
        frozenset(ACTIVE),
        lambda w, p, who: ("ProvenanceNotAuthorized", p[who], ALL_ROLES),
        ("LocationRegistered", "enterprise"),
    ),
    # "retailer" was given the prefix of a location "logistics" registered (see `world`).
    "claimLocation": Case(
        lambda pv, w, p, who: pv.claimLocation(w["claimed_gln"], {"from": p[who]}),
        frozenset({"retailer"}),
        lambda w, p, who: (
            ("ProvenanceAlreadyRegistrant", w["claimed_gln"], p[who])
            if who == "logistics"
            else ("ProvenanceNotPrefixHolder", w["claimed_gln"], _enterprise_of(p, who), p["retailer"])
            if who in ACTIVE
            else ("ProvenanceNotAuthorized", p[who], ALL_ROLES)
        ),
        ("LocationReassigned", "to"),
    ),
    "requestCertification": Case(
        lambda pv, w, p, who: pv.requestCertification(w["a"], p["other_alliance"], {"from": p[who]}),
        frozenset({"producer", "producer_operator"}),
        lambda w, p, who: ("ProvenanceNotProducer", p[who], p["producer"]),
        ("CertificationRequested", "producer"),
    ),
    # The producer asked quality_alliance to certify batch "a".
    "certify": Case(
        lambda pv, w, p, who: pv.certify(w["a"], CERTIFICATE, chain.time() + YEAR, {"from": p[who]}),
        frozenset({"quality_alliance"}),
        lambda w, p, who: (
            ("ProvenanceNotRequested", w["a"], p[who], p["quality_alliance"])
            if who == "other_alliance"
            else ("ProvenanceNotAuthorized", p[who], QUALITY_ALLIANCE)
        ),
        ("BatchCertified", "alliance"),
    ),
    "revokeCertification": Case(
        lambda pv, w, p, who: pv.revokeCertification(w["c"], {"from": p[who]}),
        frozenset({"quality_alliance", "regulator"}),
        lambda w, p, who: ("ProvenanceNotCertifier", w["c"], p[who], p["quality_alliance"]),
        ("CertificationRevoked", "revokedBy"),
    ),
    "recordEvent(shipping)": Case(
        lambda pv, w, p, who: pv.recordEvent(w["e"], ZERO32, SHIPPING, GLN, b"\x0d" * 32, {"from": p[who]}),
        frozenset(TRACERS),
        lambda w, p, who: ("ProvenanceCannotRecord", w["e"], p[who], SHIPPING),
        ("TraceEventRecorded", "enterprise"),
    ),
    "recordEvent(inspecting)": Case(
        lambda pv, w, p, who: pv.recordEvent(w["e"], ZERO32, INSPECTING, GLN, b"\x0d" * 32, {"from": p[who]}),
        frozenset(TRACERS | {"inspector", "quality_alliance", "other_alliance"}),
        lambda w, p, who: ("ProvenanceCannotRecord", w["e"], p[who], INSPECTING),
        ("TraceEventRecorded", "enterprise"),
    ),
    "offerCustody": Case(
        lambda pv, w, p, who: pv.offerCustody(w["a"], p["logistics"], {"from": p[who]}),
        frozenset({"producer", "producer_operator"}),
        lambda w, p, who: ("ProvenanceNotCustodian", w["a"], p[who], p["producer"]),
        ("CustodyOffered", "from"),
    ),
    "acceptCustody": Case(
        lambda pv, w, p, who: pv.acceptCustody(w["b"], {"from": p[who]}),
        frozenset({"logistics"}),
        lambda w, p, who: ("ProvenanceNotOfferee", w["b"], p[who], p["logistics"]),
        ("CustodyAccepted", "to"),
    ),
    "withdrawOffer": Case(
        lambda pv, w, p, who: pv.withdrawOffer(w["b"], {"from": p[who]}),
        frozenset({"producer", "producer_operator"}),
        lambda w, p, who: ("ProvenanceNotCustodian", w["b"], p[who], p["producer"]),
        ("CustodyOfferWithdrawn", "from"),
    ),
    "transform": Case(
        lambda pv, w, p, who: pv.transform(
            [w["d"]], GTIN_JUICE, "JUICE-M", ORIGIN, chain[-1].timestamp - 60, 500, ZERO32, ZERO32, "", {"from": p[who]}
        ),
        frozenset({"processor"}),
        lambda w, p, who: (
            ("ProvenanceNotProducer", p[who], p["processor"])
            if who in {"producer", "producer_operator", "other_producer"}
            else ("ProvenanceNotAuthorized", p[who], PRODUCER | PROCESSOR)
        ),
        ("BatchTransformed", "enterprise"),
    ),
    "recall": Case(
        lambda pv, w, p, who: pv.recall(w["a"], "酸度超标", {"from": p[who]}),
        frozenset({"producer", "producer_operator", "regulator"}),
        lambda w, p, who: ("ProvenanceCannotRecall", w["a"], p[who]),
        ("BatchRecalled", "enterprise"),
    ),
    "recordScans": Case(
        _scans,
        frozenset({"platform"}),
        lambda w, p, who: ("ProvenanceNotAuthorized", p[who], PLATFORM),
        ("ScanBatchRecorded", "platform"),
    ),
}


@pytest.fixture(scope="module")
def world(provenance, parties, make_batch, govern, assign_prefix):
    """Batches in the states the matrix needs, and codes whose prefix moved.

    a: held by its producer, certification requested from quality_alliance; b: offered by the
    producer to logistics; c: certified by quality_alliance; d: held by the processor; e: held by
    logistics. claimed_gtin: registered by other_producer under a prefix now the producer's;
    claimed_gln: registered by logistics under a prefix now the retailer's.
    """
    p = parties
    w = {name: make_batch(f"MATRIX-{name.upper()}") for name in "abcde"}
    provenance.requestCertification(w["a"], p["quality_alliance"], {"from": p["producer"]})
    provenance.offerCustody(w["b"], p["logistics"], {"from": p["producer"]})
    provenance.requestCertification(w["c"], p["quality_alliance"], {"from": p["producer"]})
    provenance.certify(w["c"], CERTIFICATE, chain.time() + YEAR, {"from": p["quality_alliance"]})
    for key, registrant, taker, code in (
        ("claimed_gtin", "other_producer", "producer", "6958888"),
        ("claimed_gln", "logistics", "retailer", "6957777"),
    ):
        assign_prefix(p[registrant], code)
        if key == "claimed_gtin":
            w[key] = gs1_key(code, 1, 14)
            provenance.registerProduct(w[key], "转让的产品", "", ZERO32, {"from": p[registrant]})
        else:
            w[key] = gs1_key(code, 1, 13)
            provenance.registerLocation(w[key], ORIGIN, {"from": p[registrant]})
        govern("revokePrefix", int(code), len(code))
        assign_prefix(p[taker], code)
    for name, holder in (("d", "processor"), ("e", "logistics")):
        provenance.offerCustody(w[name], p[holder], {"from": p["producer"]})
        provenance.acceptCustody(w[name], {"from": p[holder]})
    return w


def _enterprise_of(parties, caller):
    return parties["producer"] if caller == "producer_operator" else parties[caller]


def test_matrix_rows_are_every_party(parties):
    assert sorted(CALLERS) == sorted(parties)


def test_matrix_columns_are_every_state_changing_function(ProductProvenance):
    mutators = {item["name"] for item in ProductProvenance.abi if item["type"] == "function"
                and item["stateMutability"] not in ("view", "pure")}
    assert mutators == {name.split("(")[0] for name in CASES}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("function", list(CASES))
def test_only_allowed_parties_can_call(function, caller, provenance, world, parties, reverts_with):
    case = CASES[function]
    if caller in case.allowed:
        tx = case.act(provenance, world, parties, caller)
        event, field = case.event
        assert tx.events[event][field] == _enterprise_of(parties, caller)
    else:
        with reverts_with(*case.error(world, parties, caller)):
            case.act(provenance, world, parties, caller)
