"""EnterpriseRegistry credit codes (统一社会信用代码): one vetted enterprise per code. An application
claims nothing (an unvetted applicant could otherwise hold a competitor's code); the admins' approval
binds the code, and a vetted enterprise keeps it."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.roles import Role

YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)


def apply(registry, account, code):
    return registry.applyToJoin(
        "enterprise", code, PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": account}
    )


@pytest.fixture(scope="module")
def world(registry, new_account, credit_code):
    w = SimpleNamespace(
        code=credit_code(1), holder=new_account("codes holder"), rival=new_account("codes rival")
    )
    apply(registry, w.holder, w.code)
    return w


def test_an_application_claims_nothing(registry, world):
    assert registry.accountOfCreditCode(world.code) == ZERO_ADDRESS


def test_two_applicants_may_name_the_same_code(registry, world, record):
    """A squatter who applies first with another company's code no longer blocks that company."""
    apply(registry, world.rival, world.code)
    assert record(world.rival).credit_code == world.code


def test_approval_binds_the_code(registry, world, govern):
    govern("approve", world.holder, PRODUCER)
    assert registry.accountOfCreditCode(world.code) == world.holder


def test_approving_a_second_applicant_with_a_bound_code_is_refused(registry, admins, world, govern, reverts_with):
    apply(registry, world.rival, world.code)
    govern("approve", world.holder, PRODUCER)
    registry.approve(world.rival, PRODUCER, {"from": admins[0]})
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        registry.approve(world.rival, PRODUCER, {"from": admins[1]})


def test_code_of_an_active_enterprise_is_taken(registry, world, govern, reverts_with):
    govern("approve", world.holder, PRODUCER)
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        apply(registry, world.rival, world.code)


def test_revoked_enterprise_keeps_its_code(registry, world, govern, reverts_with):
    govern("approve", world.holder, PRODUCER)
    govern("revoke", world.holder)
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        apply(registry, world.rival, world.code)


def test_rejection_leaves_the_code_unbound(registry, world, govern):
    govern("reject", world.holder)
    assert registry.accountOfCreditCode(world.code) == ZERO_ADDRESS


def test_rejecting_a_rival_does_not_free_the_holders_code(registry, world, govern):
    apply(registry, world.rival, world.code)
    govern("approve", world.holder, PRODUCER)
    govern("reject", world.rival)
    assert registry.accountOfCreditCode(world.code) == world.holder


def test_rejected_applicant_may_apply_again_with_its_code(registry, world, govern, record):
    govern("reject", world.holder)
    apply(registry, world.holder, world.code)
    assert record(world.holder).credit_code == world.code


def test_empty_code_is_refused(registry, world, reverts_with):
    with reverts_with("RegistryInvalidCreditCode", b"\x00" * 18):
        apply(registry, world.rival, b"\x00" * 18)


def test_unclaimed_code_has_no_holder(registry, credit_code):
    assert registry.accountOfCreditCode(credit_code(99)) == ZERO_ADDRESS
