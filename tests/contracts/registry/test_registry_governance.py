"""EnterpriseRegistry M-of-N governance: an admin votes by calling the action; the action takes
effect on the threshold-th vote, and a vote is bound to the enterprise record's version.

The registry fixture is 2-of-3 (admins = accounts 0..2).
"""

from types import SimpleNamespace

import pytest
from brownie import EnterpriseRegistry, chain

from shanglian.roles import Role, Status

LICENCE = b"\x22" * 32
YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)
RETAILER = int(Role.RETAILER)


@pytest.fixture(scope="module")
def world(registry, admins, onboard, new_account, credit_code):
    w = SimpleNamespace(admins=admins, expiry=chain.time() + 5 * YEAR)
    w.applicant = new_account("governance applicant")
    registry.applyToJoin(
        "applicant", credit_code(1), PRODUCER | RETAILER, LICENCE, w.expiry, "", {"from": w.applicant}
    )
    w.active = onboard(new_account("governance active"), "producer")
    w.suspended = onboard(new_account("governance suspended"), "producer")
    registry.suspend(w.suspended, {"from": admins[0]})
    w.candidate = new_account("governance admin candidate")
    return w


# Every governed action: its arguments, and the event its executing vote emits.
GOVERNED = {
    "approve": (lambda w: (w.applicant, PRODUCER), "EnterpriseApproved"),
    "reject": (lambda w: (w.applicant,), "EnterpriseRejected"),
    "setRoles": (lambda w: (w.active, RETAILER), "EnterpriseRolesChanged"),
    "reinstate": (lambda w: (w.suspended,), "EnterpriseReinstated"),
    "revoke": (lambda w: (w.active,), "EnterpriseRevoked"),
    "renewLicence": (lambda w: (w.active, LICENCE, w.expiry + YEAR), "LicenceRenewed"),
    "addAdmin": (lambda w: (w.candidate,), "AdminAdded"),
    "removeAdmin": (lambda w: (w.admins[2],), "AdminRemoved"),
    "setThreshold": (lambda w: (3,), "ThresholdChanged"),
    "approveImport": (lambda w: (b"\x33" * 32, 5), "ImportApproved"),
}


@pytest.mark.parametrize("function", GOVERNED)
def test_one_vote_below_threshold_changes_nothing(registry, admins, world, function):
    args, event = GOVERNED[function]
    tx = getattr(registry, function)(*args(world), {"from": admins[0]})
    assert event not in tx.events
    voted = tx.events["ProposalVoted"]
    assert (voted["admin"], voted["votes"], voted["threshold"]) == (admins[0], 1, 2)


@pytest.mark.parametrize("function", GOVERNED)
def test_threshold_vote_executes(registry, admins, world, function):
    args, event = GOVERNED[function]
    getattr(registry, function)(*args(world), {"from": admins[0]})
    tx = getattr(registry, function)(*args(world), {"from": admins[1]})
    assert event in tx.events
    voted = tx.events["ProposalVoted"]
    assert (voted["admin"], voted["votes"], voted["threshold"]) == (admins[1], 2, 2)


def test_vote_is_recorded_as_the_admins_bit(registry, admins, world):
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    assert registry.votesOf(tx.events["ProposalVoted"]["proposal"]) == 0b100


def test_executed_proposal_is_cleared(registry, admins, world):
    registry.approve(world.applicant, PRODUCER, {"from": admins[0]})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert registry.votesOf(tx.events["ProposalVoted"]["proposal"]) == 0


def test_admin_cannot_vote_twice(registry, admins, world, reverts_with):
    proposal = registry.approve(world.applicant, PRODUCER, {"from": admins[0]}).events["ProposalVoted"][
        "proposal"
    ]
    with reverts_with("RegistryAlreadyVoted", proposal, admins[0]):
        registry.approve(world.applicant, PRODUCER, {"from": admins[0]})


def test_admin_cannot_vote_twice_for_a_consortium_change(registry, admins, world, reverts_with):
    proposal = registry.setThreshold(3, {"from": admins[1]}).events["ProposalVoted"]["proposal"]
    with reverts_with("RegistryAlreadyVoted", proposal, admins[1]):
        registry.setThreshold(3, {"from": admins[1]})


def test_votes_for_different_roles_do_not_add_up(registry, record, admins, world):
    registry.approve(world.applicant, PRODUCER, {"from": admins[0]})
    tx = registry.approve(world.applicant, RETAILER, {"from": admins[1]})
    assert tx.events["ProposalVoted"]["votes"] == 1
    assert record(world.applicant).status == Status.APPLIED


def test_approve_and_reject_votes_do_not_add_up(registry, record, admins, world):
    registry.reject(world.applicant, {"from": admins[0]})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" not in tx.events
    assert record(world.applicant).status == Status.APPLIED


def test_vote_lapses_when_the_record_changes(registry, admins, world):
    registry.setRoles(world.active, RETAILER, {"from": admins[0]})
    registry.suspend(world.active, {"from": admins[2]})  # bumps the record's version
    tx = registry.setRoles(world.active, RETAILER, {"from": admins[1]})
    assert "EnterpriseRolesChanged" not in tx.events
    assert tx.events["ProposalVoted"]["votes"] == 1


def test_vote_after_execution_is_refused(registry, admins, world, reverts_with):
    registry.approve(world.applicant, PRODUCER, {"from": admins[0]})
    registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    with reverts_with("RegistryWrongStatus", world.applicant, Status.ACTIVE):
        registry.approve(world.applicant, PRODUCER, {"from": admins[2]})


def test_executed_action_cannot_run_twice_with_fresh_votes(registry, admins, world, govern, reverts_with):
    govern("approveImport", b"\x44" * 32, 2)
    with reverts_with("RegistryImportAlreadyApproved", b"\x44" * 32):
        registry.approveImport(b"\x44" * 32, 2, {"from": admins[2]})


def test_suspension_needs_a_single_admin(registry, admins, world):
    tx = registry.suspend(world.active, {"from": admins[2]})
    assert dict(tx.events["EnterpriseSuspended"]) == {"account": world.active, "admin": admins[2]}
    assert "ProposalVoted" not in tx.events


def test_constructor_refuses_zero_threshold(admins, reverts_with):
    with reverts_with("RegistryInvalidThreshold", 0, 3):
        EnterpriseRegistry.deploy([a.address for a in admins], 0, {"from": admins[0]})


def test_constructor_refuses_threshold_above_admins(admins, reverts_with):
    with reverts_with("RegistryInvalidThreshold", 4, 3):
        EnterpriseRegistry.deploy([a.address for a in admins], 4, {"from": admins[0]})


def test_constructor_refuses_duplicate_admin(admins, reverts_with):
    with reverts_with("RegistryAdminExists", admins[0]):
        EnterpriseRegistry.deploy([admins[0].address, admins[0].address], 1, {"from": admins[0]})


def test_constructor_refuses_zero_admin(admins, reverts_with):
    with reverts_with("RegistryZeroAddress"):
        EnterpriseRegistry.deploy([admins[0].address, "0x" + "00" * 20], 1, {"from": admins[0]})


def test_constructor_records_admins_and_threshold(registry, admins):
    assert (registry.admins(), registry.threshold()) == ([a.address for a in admins], 2)
