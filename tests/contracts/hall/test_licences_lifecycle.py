"""Digital licences: issue, verify from the document, renew, suspend, reinstate, revoke, with every
refusal's named error."""

import brownie
import pytest
from brownie import chain
from hall_support import SHA256, SM3, YEAR, digest, plain

BUSINESS, FOOD_PRODUCTION = 1, 2
ACTIVE, SUSPENDED, REVOKED = 1, 2, 3
NUMBER = b"SC11136072100123".ljust(32, b"\x00")
ZERO32 = b"\x00" * 32


@pytest.fixture(scope="module")
def issue(licences, hall):
    """`issue(label, holder=filer, valid_from=a minute ago, years=5)` issues a food production licence
    to the holder on digest(label) and returns its id."""

    def _issue(label, holder=None, valid_from=None, years=5, by=None):
        start = chain[-1].timestamp - 60 if valid_from is None else valid_from
        tx = licences.issue(holder or hall.filer, FOOD_PRODUCTION, NUMBER, SHA256, digest(label), start,
                            start + years * YEAR, {"from": by or hall.regulator})
        return tx.return_value

    return _issue


def test_licences_name_the_registry_they_ask(licences, registry):
    assert licences.registry() == registry


def test_a_licence_is_issued_with_its_document_as_id(licences, hall):
    now = chain.time()
    tx = licences.issue(hall.filer, FOOD_PRODUCTION, NUMBER, SM3, digest("licence"), now - 60, now + YEAR,
                        {"from": hall.regulator})
    assert tx.return_value == "0x" + digest("licence").hex()
    assert plain(licences.licence(digest("licence"))) == (
        hall.filer.address, hall.regulator.address, FOOD_PRODUCTION, SM3, ACTIVE, tx.timestamp, now - 60, now + YEAR, 0,
        digest("licence"))
    assert plain(dict(tx.events["LicenceIssued"])) == {
        "id": digest("licence"), "holder": hall.filer.address, "issuer": hall.regulator.address,
        "kind": FOOD_PRODUCTION, "number": NUMBER, "validFrom": now - 60, "validUntil": now + YEAR}
    assert licences.isValid(digest("licence")) is True
    assert licences.licenceOfDocument(digest("licence")) == "0x" + digest("licence").hex()


def test_a_licence_may_precede_its_holders_onboarding(licences, hall, issue, registry, new_account):
    newcomer = new_account("not yet onboarded")
    assert registry.enterprise(newcomer)[3] == 0  # no record in the registry
    id_ = issue("newcomer", holder=newcomer)
    assert licences.licence(id_)[0] == newcomer


def test_an_unknown_document_leads_nowhere(licences):
    assert licences.licenceOfDocument(digest("forged")) == "0x" + ZERO32.hex()
    assert plain(licences.licence(digest("forged"))) == (brownie.ZERO_ADDRESS,) * 2 + (0,) * 7 + (ZERO32,)
    assert licences.isValid(digest("forged")) is False


@pytest.mark.parametrize("holder", ["zero", "regulator"])
def test_the_holder_is_an_account_other_than_the_issuer(licences, hall, reverts_with, holder):
    account = brownie.ZERO_ADDRESS if holder == "zero" else hall.regulator
    now = chain.time()
    with reverts_with("LicenceInvalidHolder", account):
        licences.issue(account, FOOD_PRODUCTION, NUMBER, SHA256, digest("l"), now, now + YEAR, {"from": hall.regulator})


def test_a_kind_is_required(licences, hall, reverts_with):
    now = chain.time()
    with reverts_with("LicenceInvalidKind", 0):
        licences.issue(hall.filer, 0, NUMBER, SHA256, digest("l"), now, now + YEAR, {"from": hall.regulator})


def test_a_number_is_required(licences, hall, reverts_with):
    now = chain.time()
    with reverts_with("LicenceInvalidNumber", ZERO32):
        licences.issue(hall.filer, BUSINESS, ZERO32, SHA256, digest("l"), now, now + YEAR, {"from": hall.regulator})


def test_an_unknown_algorithm_is_refused(licences, hall, reverts_with):
    now = chain.time()
    with reverts_with("LicenceInvalidAlgorithm", 2):
        licences.issue(hall.filer, BUSINESS, NUMBER, 2, digest("l"), now, now + YEAR, {"from": hall.regulator})


def test_a_document_digest_is_required(licences, hall, reverts_with):
    now = chain.time()
    with reverts_with("LicenceInvalidDigest", ZERO32):
        licences.issue(hall.filer, BUSINESS, NUMBER, SHA256, ZERO32, now, now + YEAR, {"from": hall.regulator})


def test_a_document_belongs_to_one_licence(licences, hall, issue, reverts_with):
    id_ = issue("once")
    with reverts_with("LicenceDocumentUsed", id_, id_):
        issue("once", by=hall.regulator2)


@pytest.mark.parametrize("offsets", [(0, 0), (-2 * YEAR, -YEAR), (YEAR, YEAR // 2)])
def test_a_validity_ends_after_it_starts_and_in_the_future(licences, hall, reverts_with, offsets):
    now = chain.time() + 100
    start, end = now + offsets[0], now + offsets[1]
    with reverts_with("LicenceInvalidValidity", start, end):
        licences.issue(hall.filer, BUSINESS, NUMBER, SHA256, digest("l"), start, end, {"from": hall.regulator})


def test_a_licence_is_in_force_only_within_its_validity(licences, issue):
    id_ = issue("future", valid_from=chain.time() + 10 * 24 * 3600, years=1)
    assert licences.isValid(id_) is False
    chain.sleep(11 * 24 * 3600)
    chain.mine()
    assert licences.isValid(id_) is True
    chain.sleep(YEAR)
    chain.mine()
    assert licences.isValid(id_) is False


def test_a_renewal_extends_the_licence_and_its_document_leads_to_it(licences, hall, issue):
    id_ = issue("renewable", years=1)
    now = chain.time()
    tx = licences.renew(id_, digest("renewed"), now, now + 3 * YEAR, {"from": hall.regulator})
    assert plain(dict(tx.events["LicenceRenewed"])) == {
        "id": bytes(id_), "documentDigest": digest("renewed"), "validFrom": now, "validUntil": now + 3 * YEAR}
    stands = plain(licences.licence(id_))
    assert stands[6:] == (now, now + 3 * YEAR, 1, digest("renewed"))
    assert licences.licenceOfDocument(digest("renewed")) == id_
    assert licences.licenceOfDocument(id_) == id_  # the first document still leads to it


def test_a_renewal_document_is_no_licence_and_cannot_be_reused(licences, hall, issue, reverts_with):
    first, second = issue("first"), issue("second")
    now = chain.time()
    licences.renew(first, digest("renewal"), now, now + YEAR, {"from": hall.regulator})
    assert plain(licences.licence(digest("renewal")))[0] == brownie.ZERO_ADDRESS
    with reverts_with("LicenceUnknown", digest("renewal")):
        licences.suspend(digest("renewal"), digest("decision"), {"from": hall.regulator})
    with reverts_with("LicenceDocumentUsed", digest("renewal"), first):
        licences.renew(second, digest("renewal"), now, now + YEAR, {"from": hall.regulator})
    with reverts_with("LicenceDocumentUsed", digest("renewal"), first):
        issue("renewal")
    with reverts_with("LicenceDocumentUsed", second, second):
        licences.renew(first, second, now, now + YEAR, {"from": hall.regulator})


def test_suspension_and_reinstatement_switch_the_licence_off_and_on(licences, hall, issue):
    id_ = issue("switched")
    suspended = licences.suspend(id_, digest("inspection report"), {"from": hall.regulator})
    assert plain(dict(suspended.events["LicenceSuspended"])) == {"id": bytes(id_), "decisionDigest": digest("inspection report")}
    assert licences.licence(id_)[4] == SUSPENDED and licences.isValid(id_) is False
    reinstated = licences.reinstate(id_, digest("rectified"), {"from": hall.regulator})
    assert "LicenceReinstated" in reinstated.events
    assert licences.licence(id_)[4] == ACTIVE and licences.isValid(id_) is True


def test_revocation_is_final(licences, hall, issue, reverts_with):
    id_ = issue("revoked")
    licences.suspend(id_, digest("suspension"), {"from": hall.regulator})
    assert "LicenceRevoked" in licences.revoke(id_, digest("revocation"), {"from": hall.regulator}).events
    assert licences.isValid(id_) is False
    with reverts_with("LicenceWrongStatus", id_, REVOKED):
        licences.reinstate(id_, digest("appeal"), {"from": hall.regulator})
    with reverts_with("LicenceWrongStatus", id_, REVOKED):
        licences.revoke(id_, digest("again"), {"from": hall.regulator})


def test_only_an_active_licence_is_renewed_or_suspended(licences, hall, issue, reverts_with):
    id_ = issue("held")
    licences.suspend(id_, digest("suspension"), {"from": hall.regulator})
    now = chain.time()
    with reverts_with("LicenceWrongStatus", id_, SUSPENDED):
        licences.renew(id_, digest("renewal"), now, now + YEAR, {"from": hall.regulator})
    with reverts_with("LicenceWrongStatus", id_, SUSPENDED):
        licences.suspend(id_, digest("again"), {"from": hall.regulator})
    active = issue("active")
    with reverts_with("LicenceWrongStatus", active, ACTIVE):
        licences.reinstate(active, digest("decision"), {"from": hall.regulator})


def test_a_decision_digest_is_required(licences, hall, issue, reverts_with):
    with reverts_with("LicenceInvalidDigest", ZERO32):
        licences.revoke(issue("undecided"), ZERO32, {"from": hall.regulator})


def test_a_suspended_issuer_cannot_change_its_licences(licences, hall, issue, registry, admins, reverts_with):
    id_ = issue("issuer suspended")
    registry.suspend(hall.regulator, {"from": admins[0]})
    with reverts_with("LicenceNotIssuer", id_, hall.regulator, hall.regulator):
        licences.revoke(id_, digest("decision"), {"from": hall.regulator})
    assert licences.isValid(id_) is True  # the licence itself stands


def test_an_unknown_licence_cannot_be_changed(licences, hall, reverts_with):
    with reverts_with("LicenceUnknown", digest("none")):
        licences.revoke(digest("none"), digest("decision"), {"from": hall.regulator})
