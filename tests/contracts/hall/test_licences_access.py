"""Licences access-control matrix: every state-changing function × every hall party.

Only active regulators issue; only the issuing regulator renews, suspends, reinstates and revokes.
Each call is made with arguments that would succeed for an allowed party.
"""

from types import SimpleNamespace

import pytest
from brownie import chain
from hall_support import HALL_PARTIES, SHA256, YEAR, Case, digest, mutators, run_case

FOOD_PRODUCTION = 2
NUMBER = b"SC11136072100123".ljust(32, b"\x00")


def _not_issuer(licence):
    return lambda w, hall, who: ("LicenceNotIssuer", getattr(w, licence), getattr(hall, who), hall.regulator)


CASES = {
    "issue": Case(
        lambda lc, w, hall, who: lc.issue(
            hall.filer, FOOD_PRODUCTION, NUMBER, SHA256, digest("new licence"), w.now, w.now + YEAR,
            {"from": getattr(hall, who)},
        ),
        frozenset({"regulator", "regulator2"}),
        lambda w, hall, who: ("LicenceNotRegulator", getattr(hall, who)),
        ("LicenceIssued", "issuer"),
    ),
    "renew": Case(
        lambda lc, w, hall, who: lc.renew(w.active, digest("renewed"), w.now, w.now + 2 * YEAR, {"from": getattr(hall, who)}),
        frozenset({"regulator"}),
        _not_issuer("active"),
        ("LicenceRenewed", None),
    ),
    "suspend": Case(
        lambda lc, w, hall, who: lc.suspend(w.active, digest("decision"), {"from": getattr(hall, who)}),
        frozenset({"regulator"}),
        _not_issuer("active"),
        ("LicenceSuspended", None),
    ),
    "reinstate": Case(
        lambda lc, w, hall, who: lc.reinstate(w.suspended, digest("decision"), {"from": getattr(hall, who)}),
        frozenset({"regulator"}),
        _not_issuer("suspended"),
        ("LicenceReinstated", None),
    ),
    "revoke": Case(
        lambda lc, w, hall, who: lc.revoke(w.active, digest("decision"), {"from": getattr(hall, who)}),
        frozenset({"regulator"}),
        _not_issuer("active"),
        ("LicenceRevoked", None),
    ),
}


@pytest.fixture(scope="module")
def world(licences, hall):
    """active: the regulator's licence to the filer; suspended: another, suspended."""
    now = chain.time()
    w = SimpleNamespace(now=now)
    for name in ("active", "suspended"):
        tx = licences.issue(hall.filer, FOOD_PRODUCTION, NUMBER, SHA256, digest(name), now, now + YEAR,
                            {"from": hall.regulator})
        setattr(w, name, tx.return_value)
    licences.suspend(w.suspended, digest("suspension"), {"from": hall.regulator})
    return w


def test_matrix_columns_are_every_state_changing_function(Licences):
    assert mutators(Licences.abi) == set(CASES)


@pytest.mark.parametrize("who", list(HALL_PARTIES))
@pytest.mark.parametrize("function", list(CASES))
def test_only_allowed_parties_can_call(licences, world, hall, reverts_with, function, who):
    run_case(CASES[function], licences, world, hall, who, reverts_with)
