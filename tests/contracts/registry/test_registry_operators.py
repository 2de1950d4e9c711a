"""EnterpriseRegistry operators: accounts an enterprise lets act for it. An active enterprise offers,
the operator accepts (nothing binds an account without its consent); the enterprise removes, the
operator resigns, and an admin clears the binding of an enterprise that is no longer active. An
operator serves one enterprise only and is never an enterprise account."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.roles import Role, Status

YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)
RETAILER = int(Role.RETAILER)


@pytest.fixture(scope="module")
def world(registry, onboard, new_account, credit_code, bind_operator):
    w = SimpleNamespace()
    w.enterprise = onboard(new_account("operators enterprise"), "producer")
    w.other = onboard(new_account("operators other enterprise"), "retailer")
    w.operator = new_account("operators operator")
    w.offered = registry.addOperator(w.operator, {"from": w.enterprise})
    w.added = registry.acceptOperator(w.enterprise, {"from": w.operator})
    w.free = new_account("operators free account")
    w.applicant = new_account("operators applicant")
    registry.applyToJoin(
        "applicant", credit_code(1), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": w.applicant}
    )
    return w


def test_offering_emits_operator_offered(world):
    assert dict(world.offered.events["OperatorOffered"]) == {"account": world.enterprise, "operator": world.operator}


def test_accepting_emits_operator_added(world):
    assert dict(world.added.events["OperatorAdded"]) == {"account": world.enterprise, "operator": world.operator}


def test_added_operator_is_recorded(registry, world):
    assert registry.operatorOf(world.operator) == world.enterprise
    assert registry.operatorOffered(world.enterprise, world.operator) is False


def test_an_offer_binds_nothing_until_accepted(registry, world):
    registry.addOperator(world.free, {"from": world.enterprise})
    assert registry.operatorOffered(world.enterprise, world.free) is True
    assert registry.operatorOf(world.free) == ZERO_ADDRESS
    assert registry.actingFor(world.free, PRODUCER) == ZERO_ADDRESS
    assert registry.enterprise(world.free)[3] == Status.NONE


def test_an_offered_account_may_still_apply_to_join(registry, world, credit_code):
    registry.addOperator(world.free, {"from": world.enterprise})
    registry.applyToJoin("free", credit_code(7), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": world.free})
    assert registry.enterprise(world.free)[3] == Status.APPLIED


def test_accepting_without_an_offer_is_refused(registry, world, reverts_with):
    with reverts_with("RegistryNoOperatorOffer", world.other, world.free):
        registry.acceptOperator(world.other, {"from": world.free})


def test_an_offer_is_accepted_once(registry, world, reverts_with):
    with reverts_with("RegistryNoOperatorOffer", world.enterprise, world.operator):
        registry.acceptOperator(world.enterprise, {"from": world.operator})


def test_operator_acts_for_its_enterprise(registry, world):
    assert registry.actingFor(world.operator, PRODUCER) == world.enterprise


def test_operator_acts_only_in_its_enterprises_roles(registry, world):
    assert registry.actingFor(world.operator, RETAILER) == ZERO_ADDRESS


def test_operator_of_a_suspended_enterprise_does_not_act(registry, admins, world):
    registry.suspend(world.enterprise, {"from": admins[0]})
    assert registry.actingFor(world.operator, PRODUCER) == ZERO_ADDRESS


def test_offer_of_a_suspended_enterprise_is_void(registry, admins, world, reverts_with):
    registry.addOperator(world.free, {"from": world.enterprise})
    registry.suspend(world.enterprise, {"from": admins[0]})
    with reverts_with("RegistryNotActive", world.enterprise):
        registry.acceptOperator(world.enterprise, {"from": world.free})


def test_offer_of_a_reinstated_enterprise_can_be_accepted(registry, admins, world, govern):
    registry.addOperator(world.free, {"from": world.enterprise})
    registry.suspend(world.enterprise, {"from": admins[0]})
    govern("reinstate", world.enterprise)
    registry.acceptOperator(world.enterprise, {"from": world.free})
    assert registry.operatorOf(world.free) == world.enterprise


def test_offer_of_an_enterprise_whose_licence_expired_is_void(registry, world, reverts_with):
    registry.addOperator(world.free, {"from": world.enterprise})
    chain.sleep(11 * YEAR)
    chain.mine()
    with reverts_with("RegistryNotActive", world.enterprise):
        registry.acceptOperator(world.enterprise, {"from": world.free})


def test_removing_emits_operator_removed(registry, world):
    tx = registry.removeOperator(world.operator, {"from": world.enterprise})
    assert dict(tx.events["OperatorRemoved"]) == {"account": world.enterprise, "operator": world.operator}


def test_removed_operator_no_longer_acts(registry, world):
    registry.removeOperator(world.operator, {"from": world.enterprise})
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS
    assert registry.actingFor(world.operator, PRODUCER) == ZERO_ADDRESS


def test_removed_operator_may_serve_another_enterprise(registry, world, bind_operator):
    registry.removeOperator(world.operator, {"from": world.enterprise})
    bind_operator(world.other, world.operator)
    assert registry.actingFor(world.operator, RETAILER) == world.other


def test_removing_withdraws_a_pending_offer(registry, world, reverts_with):
    registry.addOperator(world.free, {"from": world.enterprise})
    tx = registry.removeOperator(world.free, {"from": world.enterprise})
    assert dict(tx.events["OperatorOfferWithdrawn"]) == {"account": world.enterprise, "operator": world.free}
    with reverts_with("RegistryNoOperatorOffer", world.enterprise, world.free):
        registry.acceptOperator(world.enterprise, {"from": world.free})


def test_a_revoked_enterprise_may_still_remove_its_operators(registry, world, govern):
    govern("revoke", world.enterprise)
    registry.removeOperator(world.operator, {"from": world.enterprise})
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS


def test_enterprise_cannot_remove_another_enterprises_operator(registry, world, reverts_with):
    with reverts_with("RegistryNotOperator", world.other, world.operator):
        registry.removeOperator(world.operator, {"from": world.other})


def test_removing_an_account_that_is_no_operator_is_refused(registry, world, reverts_with):
    with reverts_with("RegistryNotOperator", world.enterprise, world.free):
        registry.removeOperator(world.free, {"from": world.enterprise})


def test_operator_may_resign(registry, world):
    tx = registry.resignOperator({"from": world.operator})
    assert dict(tx.events["OperatorRemoved"]) == {"account": world.enterprise, "operator": world.operator}
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS
    assert registry.enterprise(world.operator)[3] == Status.NONE


def test_resigned_operator_may_apply_to_join(registry, world, credit_code):
    registry.resignOperator({"from": world.operator})
    registry.applyToJoin("ex-operator", credit_code(8), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "",
                         {"from": world.operator})
    assert registry.enterprise(world.operator)[3] == Status.APPLIED


def test_an_account_that_is_no_operator_cannot_resign(registry, world, reverts_with):
    with reverts_with("RegistryNotOperator", ZERO_ADDRESS, world.free):
        registry.resignOperator({"from": world.free})


def test_admin_clears_the_operator_of_a_revoked_enterprise(registry, admins, world, govern):
    govern("revoke", world.enterprise)
    tx = registry.clearOperator(world.operator, {"from": admins[2]})
    assert dict(tx.events["OperatorRemoved"]) == {"account": world.enterprise, "operator": world.operator}
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS


def test_admin_clears_the_operator_of_a_suspended_enterprise(registry, admins, world):
    registry.suspend(world.enterprise, {"from": admins[0]})
    registry.clearOperator(world.operator, {"from": admins[1]})
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS


def test_admin_cannot_clear_the_operator_of_an_active_enterprise(registry, admins, world, reverts_with):
    with reverts_with("RegistryEnterpriseActive", world.enterprise):
        registry.clearOperator(world.operator, {"from": admins[0]})


def test_admin_cannot_clear_an_account_that_is_no_operator(registry, admins, world, reverts_with):
    with reverts_with("RegistryNotOperator", ZERO_ADDRESS, world.free):
        registry.clearOperator(world.free, {"from": admins[0]})


def test_operator_cannot_serve_two_enterprises(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.operator, world.enterprise):
        registry.addOperator(world.operator, {"from": world.other})


def test_operator_cannot_accept_a_second_enterprise(registry, world, reverts_with):
    registry.removeOperator(world.operator, {"from": world.enterprise})
    registry.addOperator(world.operator, {"from": world.other})
    registry.addOperator(world.operator, {"from": world.enterprise})
    registry.acceptOperator(world.other, {"from": world.operator})
    with reverts_with("RegistryOperatorTaken", world.operator, world.other):
        registry.acceptOperator(world.enterprise, {"from": world.operator})


def test_operator_cannot_be_offered_twice(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.operator, world.enterprise):
        registry.addOperator(world.operator, {"from": world.enterprise})


def test_enterprise_account_cannot_be_an_operator(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.other, world.other):
        registry.addOperator(world.other, {"from": world.enterprise})


def test_applicant_account_cannot_be_an_operator(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.applicant, world.applicant):
        registry.addOperator(world.applicant, {"from": world.enterprise})


def test_an_account_that_applied_after_an_offer_cannot_accept_it(registry, world, credit_code, reverts_with):
    registry.addOperator(world.free, {"from": world.enterprise})
    registry.applyToJoin("free", credit_code(9), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": world.free})
    with reverts_with("RegistryOperatorTaken", world.free, world.free):
        registry.acceptOperator(world.enterprise, {"from": world.free})


def test_enterprise_cannot_be_its_own_operator(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.enterprise, world.enterprise):
        registry.addOperator(world.enterprise, {"from": world.enterprise})


def test_zero_address_cannot_be_an_operator(registry, world, reverts_with):
    with reverts_with("RegistryZeroAddress"):
        registry.addOperator(ZERO_ADDRESS, {"from": world.enterprise})


def test_operator_cannot_apply_to_join(registry, world, credit_code, reverts_with):
    with reverts_with("RegistryWrongStatus", world.operator, Status.OPERATOR):
        registry.applyToJoin(
            "op", credit_code(2), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": world.operator}
        )


def test_unvetted_applicant_cannot_offer_operators(registry, world, reverts_with):
    """The review's finding: anyone, after one applyToJoin, could bind any fresh address."""
    with reverts_with("RegistryNotActive", world.applicant):
        registry.addOperator(world.free, {"from": world.applicant})


def test_suspended_enterprise_cannot_offer_operators(registry, admins, world, reverts_with):
    registry.suspend(world.enterprise, {"from": admins[0]})
    with reverts_with("RegistryNotActive", world.enterprise):
        registry.addOperator(world.free, {"from": world.enterprise})


def test_revoked_enterprise_cannot_offer_operators(registry, world, govern, reverts_with):
    govern("revoke", world.enterprise)
    with reverts_with("RegistryNotActive", world.enterprise):
        registry.addOperator(world.free, {"from": world.enterprise})
