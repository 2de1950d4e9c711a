"""EnterpriseRegistry lifecycle: apply, approve, reject, re-apply after rejection, suspend,
reinstate, revoke, change roles, and what `isActive` / `actingFor` say at each stage."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.roles import Role, Status

LICENCE = b"\x33" * 32
YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)
RETAILER = int(Role.RETAILER)
LOGISTICS = int(Role.LOGISTICS)
ALL_ROLES = (1 << 12) - 1


@pytest.fixture(scope="module")
def world(registry, admins, new_account, credit_code):
    w = SimpleNamespace(expiry=chain.time() + 5 * YEAR, code=credit_code(1))
    w.applicant = new_account("lifecycle applicant")
    w.applied = registry.applyToJoin(
        "砀山梨业合作社",
        w.code,
        PRODUCER | RETAILER,
        LICENCE,
        w.expiry,
        "ipfs://profile",
        {"from": w.applicant},
    )
    w.stranger = new_account("lifecycle stranger")
    return w


@pytest.fixture
def active(world, govern):
    govern("approve", world.applicant, PRODUCER | RETAILER)
    return world.applicant


@pytest.fixture
def suspended(registry, admins, active):
    registry.suspend(active, {"from": admins[0]})
    return active


@pytest.fixture
def rejected(world, govern):
    govern("reject", world.applicant)
    return world.applicant


def apply(registry, account, code, name="enterprise", roles=PRODUCER, expiry=None):
    return registry.applyToJoin(
        name, code, roles, LICENCE, expiry or chain.time() + YEAR, "", {"from": account}
    )


# ---------------------------------------------------------------- apply


def test_application_emits_the_profile(world):
    assert dict(world.applied.events["EnterpriseApplied"]) == {
        "account": world.applicant,
        "creditCode": "0x" + world.code.hex(),
        "roles": PRODUCER | RETAILER,
        "licenceExpiry": world.expiry,
        "licenceHash": "0x" + LICENCE.hex(),
        "name": "砀山梨业合作社",
        "metadataURI": "ipfs://profile",
    }


def test_application_records_applied_status(record, world):
    assert record(world.applicant) == (world.code, PRODUCER | RETAILER, world.expiry, Status.APPLIED, 1)


def test_applicant_is_not_active(registry, world):
    assert not registry.isActive(world.applicant)
    assert registry.actingFor(world.applicant, ALL_ROLES) == ZERO_ADDRESS


def test_applying_twice_is_refused(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryWrongStatus", world.applicant, Status.APPLIED):
        apply(registry, world.applicant, credit_code(2))


def test_empty_name_is_refused(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryInvalidName", 0):
        apply(registry, world.stranger, credit_code(2), name="")


def test_name_of_96_bytes_is_accepted(registry, world, credit_code):
    tx = apply(registry, world.stranger, credit_code(2), name="梨" * 32)  # 3 bytes each
    assert tx.events["EnterpriseApplied"]["name"] == "梨" * 32


def test_name_over_96_bytes_is_refused(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryInvalidName", 99):
        apply(registry, world.stranger, credit_code(2), name="梨" * 33)


def test_application_without_roles_is_refused(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryInvalidRoles", 0):
        apply(registry, world.stranger, credit_code(2), roles=0)


def test_application_with_undefined_role_is_refused(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryInvalidRoles", PRODUCER | 1 << 12):
        apply(registry, world.stranger, credit_code(2), roles=PRODUCER | 1 << 12)


# ---------------------------------------------------------------- approve / reject


def test_approval_emits_enterprise_approved(world, govern):
    tx = govern("approve", world.applicant, PRODUCER | RETAILER)
    assert dict(tx.events["EnterpriseApproved"]) == {"account": world.applicant, "roles": PRODUCER | RETAILER}


def test_approval_makes_the_enterprise_active(registry, record, active):
    assert record(active)[-2:] == (Status.ACTIVE, 2)
    assert registry.isActive(active)


def test_approved_enterprise_acts_for_itself_in_its_roles(registry, active):
    assert registry.actingFor(active, RETAILER) == active
    assert registry.actingFor(active, LOGISTICS) == ZERO_ADDRESS


def test_admins_may_grant_fewer_roles_than_asked(registry, record, world, govern):
    govern("approve", world.applicant, RETAILER)
    assert record(world.applicant).roles == RETAILER
    assert registry.actingFor(world.applicant, PRODUCER) == ZERO_ADDRESS


def test_approval_with_no_roles_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryInvalidRoles", 0):
        registry.approve(world.applicant, 0, {"from": admins[0]})


def test_approval_with_undefined_role_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryInvalidRoles", 1 << 31):
        registry.approve(world.applicant, 1 << 31, {"from": admins[0]})


def test_approval_of_unknown_account_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryWrongStatus", world.stranger, Status.NONE):
        registry.approve(world.stranger, PRODUCER, {"from": admins[0]})


def test_rejection_emits_enterprise_rejected(world, govern):
    tx = govern("reject", world.applicant)
    assert dict(tx.events["EnterpriseRejected"]) == {"account": world.applicant}


def test_rejection_records_rejected_status(registry, record, rejected):
    assert record(rejected)[-2:] == (Status.REJECTED, 2)
    assert not registry.isActive(rejected)


def test_rejected_application_cannot_be_approved(registry, admins, rejected, reverts_with):
    with reverts_with("RegistryWrongStatus", rejected, Status.REJECTED):
        registry.approve(rejected, PRODUCER, {"from": admins[0]})


def test_active_enterprise_cannot_be_rejected(registry, admins, active, reverts_with):
    with reverts_with("RegistryWrongStatus", active, Status.ACTIVE):
        registry.reject(active, {"from": admins[0]})


# ---------------------------------------------------------------- re-apply after rejection


def test_rejected_enterprise_may_apply_again(registry, record, rejected, credit_code):
    tx = apply(registry, rejected, credit_code(2), roles=LOGISTICS, expiry=chain.time() + YEAR)
    assert tx.events["EnterpriseApplied"]["account"] == rejected
    new = record(rejected)
    assert (new.credit_code, new.roles, new.status, new.version) == (
        credit_code(2),
        LOGISTICS,
        Status.APPLIED,
        3,
    )


def test_second_application_can_be_approved(registry, rejected, credit_code, govern):
    apply(registry, rejected, credit_code(2), roles=LOGISTICS)
    govern("approve", rejected, LOGISTICS)
    assert registry.actingFor(rejected, LOGISTICS) == rejected


# ---------------------------------------------------------------- suspend / reinstate


def test_suspension_emits_the_suspending_admin(registry, admins, active):
    tx = registry.suspend(active, {"from": admins[1]})
    assert dict(tx.events["EnterpriseSuspended"]) == {"account": active, "admin": admins[1]}


def test_suspended_enterprise_is_inactive(registry, record, suspended):
    assert record(suspended).status == Status.SUSPENDED
    assert not registry.isActive(suspended)
    assert registry.actingFor(suspended, PRODUCER) == ZERO_ADDRESS


def test_suspending_an_applicant_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryWrongStatus", world.applicant, Status.APPLIED):
        registry.suspend(world.applicant, {"from": admins[0]})


def test_suspending_twice_is_refused(registry, admins, suspended, reverts_with):
    with reverts_with("RegistryWrongStatus", suspended, Status.SUSPENDED):
        registry.suspend(suspended, {"from": admins[1]})


def test_reinstatement_emits_enterprise_reinstated(suspended, govern):
    tx = govern("reinstate", suspended)
    assert dict(tx.events["EnterpriseReinstated"]) == {"account": suspended}


def test_reinstated_enterprise_is_active_again(registry, suspended, govern):
    govern("reinstate", suspended)
    assert registry.actingFor(suspended, PRODUCER) == suspended


def test_reinstating_an_active_enterprise_is_refused(registry, admins, active, reverts_with):
    with reverts_with("RegistryWrongStatus", active, Status.ACTIVE):
        registry.reinstate(active, {"from": admins[0]})


# ---------------------------------------------------------------- revoke


def test_revocation_emits_enterprise_revoked(active, govern):
    tx = govern("revoke", active)
    assert dict(tx.events["EnterpriseRevoked"]) == {"account": active}


def test_revoked_enterprise_is_inactive(registry, record, active, govern):
    govern("revoke", active)
    assert record(active).status == Status.REVOKED
    assert registry.actingFor(active, PRODUCER) == ZERO_ADDRESS


def test_suspended_enterprise_can_be_revoked(record, suspended, govern):
    govern("revoke", suspended)
    assert record(suspended).status == Status.REVOKED


def test_revoked_enterprise_cannot_be_reinstated(registry, admins, active, govern, reverts_with):
    govern("revoke", active)
    with reverts_with("RegistryWrongStatus", active, Status.REVOKED):
        registry.reinstate(active, {"from": admins[0]})


def test_revoked_enterprise_cannot_apply_again(registry, active, govern, credit_code, reverts_with):
    govern("revoke", active)
    with reverts_with("RegistryWrongStatus", active, Status.REVOKED):
        apply(registry, active, credit_code(2))


def test_applicant_cannot_be_revoked(registry, admins, world, reverts_with):
    with reverts_with("RegistryWrongStatus", world.applicant, Status.APPLIED):
        registry.revoke(world.applicant, {"from": admins[0]})


# ---------------------------------------------------------------- roles


def test_role_change_emits_enterprise_roles_changed(active, govern):
    tx = govern("setRoles", active, LOGISTICS)
    assert dict(tx.events["EnterpriseRolesChanged"]) == {"account": active, "roles": LOGISTICS}


def test_role_change_replaces_the_roles(registry, active, govern):
    govern("setRoles", active, LOGISTICS)
    assert registry.actingFor(active, LOGISTICS) == active
    assert registry.actingFor(active, PRODUCER | RETAILER) == ZERO_ADDRESS


def test_suspended_enterprise_roles_can_change(record, suspended, govern):
    govern("setRoles", suspended, LOGISTICS)
    assert (record(suspended).roles, record(suspended).status) == (LOGISTICS, Status.SUSPENDED)


def test_applicant_roles_cannot_be_changed(registry, admins, world, reverts_with):
    with reverts_with("RegistryWrongStatus", world.applicant, Status.APPLIED):
        registry.setRoles(world.applicant, LOGISTICS, {"from": admins[0]})


def test_role_change_to_no_roles_is_refused(registry, admins, active, reverts_with):
    with reverts_with("RegistryInvalidRoles", 0):
        registry.setRoles(active, 0, {"from": admins[0]})
