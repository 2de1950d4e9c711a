"""Copyrights access-control matrix: every state-changing function of the interface (ERC-721's
included) × every hall party.

Each call is made with arguments that would succeed for an allowed party, so a refusal can only come
from who is calling. Works are held by the filer; the offered work is offered to the buyer.
"""

from types import SimpleNamespace

import pytest
from brownie import chain
from hall_support import ANNOTATORS, ENTERPRISES, HALL_PARTIES, SHA256, YEAR, Case, digest, enterprise_of, mutators, run_case

HOLDER = frozenset({"filer", "filer_operator"})


def _not_enterprise(w, hall, who):
    return ("CopyrightNotEnterprise", getattr(hall, who))


def _accept(function):
    return Case(
        lambda cr, w, hall, who: function(cr)(hall.filer, hall.buyer, w.offered, {"from": getattr(hall, who)}),
        frozenset({"buyer"}),
        lambda w, hall, who: ("CopyrightNotOfferee", w.offered, getattr(hall, who), hall.buyer),
        ("Transfer", "to"),
    )


def _register(cr, w, hall, who):
    """Commits (a block earlier) and registers as `who`: the case under test is the registration."""
    caller = getattr(hall, who)
    content, salt = digest("new work"), digest("salt")
    if who in ENTERPRISES:
        cr.commit(cr.commitmentFor(content, enterprise_of(hall, who), salt), {"from": caller})
    return cr.register(content, SHA256, salt, "新作品", "作者", {"from": caller})


CASES = {
    "commit": Case(
        lambda cr, w, hall, who: cr.commit(digest("commitment"), {"from": getattr(hall, who)}),
        ENTERPRISES,
        _not_enterprise,
        ("RegistrationCommitted", "registrant"),
    ),
    "register": Case(_register, ENTERPRISES, _not_enterprise, ("WorkRegistered", "registrant")),
    "approve": Case(
        lambda cr, w, hall, who: cr.approve(hall.printer, w.held, {"from": getattr(hall, who)}),
        HOLDER,
        lambda w, hall, who: ("CopyrightNotHolder", w.held, getattr(hall, who), hall.filer),
        ("Approval", "owner"),
    ),
    "transferFrom": _accept(lambda cr: cr.transferFrom),
    "safeTransferFrom(address,address,uint256)": _accept(lambda cr: cr.safeTransferFrom["address,address,uint256"]),
    "safeTransferFrom(address,address,uint256,bytes)": _accept(
        lambda cr: lambda *args: cr.safeTransferFrom["address,address,uint256,bytes"](*args[:3], b"memo", args[3])
    ),
    "setApprovalForAll": Case(
        # `view` in the contract (it only refuses), so sent as a transaction explicitly, as wallets do.
        lambda cr, w, hall, who: cr.setApprovalForAll.transact(hall.printer, True, {"from": getattr(hall, who)}),
        frozenset(),
        lambda w, hall, who: ("CopyrightOperatorsUnsupported", getattr(hall, who)),
        (None, None),
    ),
    "offerGrant": Case(
        lambda cr, w, hall, who: cr.offerGrant(w.held, hall.printer, w.now, w.now + YEAR, digest("terms"),
                                               {"from": getattr(hall, who)}),
        HOLDER,
        lambda w, hall, who: ("CopyrightNotHolder", w.held, getattr(hall, who), hall.filer),
        ("GrantOffered", "grantor"),
    ),
    "withdrawGrant": Case(
        lambda cr, w, hall, who: cr.withdrawGrant(w.grant, {"from": getattr(hall, who)}),
        HOLDER,
        lambda w, hall, who: ("CopyrightNotGrantor", w.grant, getattr(hall, who), hall.filer),
        ("GrantWithdrawn", None),
    ),
    "acceptGrant": Case(
        lambda cr, w, hall, who: cr.acceptGrant(w.grant, {"from": getattr(hall, who)}),
        frozenset({"printer"}),
        lambda w, hall, who: ("CopyrightNotLicensee", w.grant, getattr(hall, who), hall.printer),
        ("GrantAccepted", "licensee"),
    ),
    "annotate": Case(
        lambda cr, w, hall, who: cr.annotate(w.held_subject, 0, digest("complaint"), {"from": getattr(hall, who)}),
        ANNOTATORS,
        lambda w, hall, who: ("AnnotationNotAuthorized", getattr(hall, who)),
        ("Annotated", "author"),
    ),
}


@pytest.fixture(scope="module")
def world(copyrights, hall):
    """held: a work of the filer with a grant offered to the printer; offered: a work offered to the buyer."""
    def registered(label):
        content, salt = digest(label), digest(label + " salt")
        copyrights.commit(copyrights.commitmentFor(content, hall.filer, salt), {"from": hall.filer})
        return copyrights.register(content, SHA256, salt, label, "作者", {"from": hall.filer}).return_value

    now = chain.time()
    w = SimpleNamespace(now=now, held=registered("held work"), offered=registered("offered work"))
    w.held_subject = w.held.to_bytes(32, "big")
    copyrights.approve(hall.buyer, w.offered, {"from": hall.filer})
    w.grant = copyrights.offerGrant(w.held, hall.printer, now, now + YEAR, digest("terms"), {"from": hall.filer}).return_value
    return w


def test_matrix_columns_are_every_state_changing_function_of_the_interface(interface):
    """Taken from ICopyrights, whose ERC-721 `setApprovalForAll` is state-changing (the contract's
    always refuses, so it is `view` there)."""
    abi = interface.ICopyrights.abi
    signatures = set()
    for name in mutators(abi):
        overloads = [item for item in abi if item.get("name") == name and item["type"] == "function"]
        for item in overloads:
            types = ",".join(i["type"] for i in item["inputs"])
            signatures.add(name if len(overloads) == 1 else f"{name}({types})")
    assert signatures == set(CASES)


@pytest.mark.parametrize("who", list(HALL_PARTIES))
@pytest.mark.parametrize("function", list(CASES))
def test_only_allowed_parties_can_call(copyrights, world, hall, reverts_with, function, who):
    run_case(CASES[function], copyrights, world, hall, who, reverts_with)
