"""EnterpriseRegistry credit codes (统一社会信用代码): one enterprise per code, claimed by the
application, freed again when the application is rejected."""

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


def test_application_claims_its_credit_code(registry, world):
    assert registry.accountOfCreditCode(world.code) == world.holder


def test_code_of_a_pending_application_is_taken(registry, world, reverts_with):
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        apply(registry, world.rival, world.code)


def test_code_of_an_active_enterprise_is_taken(registry, world, govern, reverts_with):
    govern("approve", world.holder, PRODUCER)
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        apply(registry, world.rival, world.code)


def test_revoked_enterprise_keeps_its_code(registry, world, govern, reverts_with):
    govern("approve", world.holder, PRODUCER)
    govern("revoke", world.holder)
    with reverts_with("RegistryCreditCodeTaken", world.code, world.holder):
        apply(registry, world.rival, world.code)


def test_rejection_frees_the_code(registry, world, govern):
    govern("reject", world.holder)
    assert registry.accountOfCreditCode(world.code) == ZERO_ADDRESS


def test_freed_code_can_be_claimed_by_another_applicant(registry, world, govern):
    govern("reject", world.holder)
    apply(registry, world.rival, world.code)
    assert registry.accountOfCreditCode(world.code) == world.rival


def test_rejected_applicant_may_apply_again_with_its_code(registry, world, govern):
    govern("reject", world.holder)
    apply(registry, world.holder, world.code)
    assert registry.accountOfCreditCode(world.code) == world.holder


def test_second_application_under_a_new_code_leaves_the_old_code_free(registry, world, govern, credit_code):
    govern("reject", world.holder)
    apply(registry, world.holder, credit_code(2))
    assert (registry.accountOfCreditCode(world.code), registry.accountOfCreditCode(credit_code(2))) == (
        ZERO_ADDRESS,
        world.holder,
    )


def test_empty_code_is_refused(registry, world, reverts_with):
    with reverts_with("RegistryInvalidCreditCode", b"\x00" * 18):
        apply(registry, world.rival, b"\x00" * 18)


def test_unclaimed_code_has_no_holder(registry, credit_code):
    assert registry.accountOfCreditCode(credit_code(99)) == ZERO_ADDRESS
