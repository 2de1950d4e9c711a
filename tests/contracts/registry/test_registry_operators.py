"""EnterpriseRegistry operators: accounts an enterprise lets act for it. The enterprise adds and
removes them itself; an operator serves one enterprise only and is never an enterprise account."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.roles import Role, Status

YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)
RETAILER = int(Role.RETAILER)


@pytest.fixture(scope="module")
def world(registry, onboard, new_account, credit_code):
    w = SimpleNamespace()
    w.enterprise = onboard(new_account("operators enterprise"), "producer")
    w.other = onboard(new_account("operators other enterprise"), "retailer")
    w.operator = new_account("operators operator")
    w.added = registry.addOperator(w.operator, {"from": w.enterprise})
    w.free = new_account("operators free account")
    w.applicant = new_account("operators applicant")
    registry.applyToJoin(
        "applicant", credit_code(1), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": w.applicant}
    )
    return w


def test_adding_emits_operator_added(world):
    assert dict(world.added.events["OperatorAdded"]) == {
        "account": world.enterprise,
        "operator": world.operator,
    }


def test_added_operator_is_recorded(registry, world):
    assert registry.operatorOf(world.operator) == world.enterprise


def test_operator_acts_for_its_enterprise(registry, world):
    assert registry.actingFor(world.operator, PRODUCER) == world.enterprise


def test_operator_acts_only_in_its_enterprises_roles(registry, world):
    assert registry.actingFor(world.operator, RETAILER) == ZERO_ADDRESS


def test_operator_of_a_suspended_enterprise_does_not_act(registry, admins, world):
    registry.suspend(world.enterprise, {"from": admins[0]})
    assert registry.actingFor(world.operator, PRODUCER) == ZERO_ADDRESS


def test_removing_emits_operator_removed(registry, world):
    tx = registry.removeOperator(world.operator, {"from": world.enterprise})
    assert dict(tx.events["OperatorRemoved"]) == {"account": world.enterprise, "operator": world.operator}


def test_removed_operator_no_longer_acts(registry, world):
    registry.removeOperator(world.operator, {"from": world.enterprise})
    assert registry.operatorOf(world.operator) == ZERO_ADDRESS
    assert registry.actingFor(world.operator, PRODUCER) == ZERO_ADDRESS


def test_removed_operator_may_serve_another_enterprise(registry, world):
    registry.removeOperator(world.operator, {"from": world.enterprise})
    registry.addOperator(world.operator, {"from": world.other})
    assert registry.actingFor(world.operator, RETAILER) == world.other


def test_enterprise_cannot_remove_another_enterprises_operator(registry, world, reverts_with):
    with reverts_with("RegistryNotOperator", world.other, world.operator):
        registry.removeOperator(world.operator, {"from": world.other})


def test_removing_an_account_that_is_no_operator_is_refused(registry, world, reverts_with):
    with reverts_with("RegistryNotOperator", world.enterprise, world.free):
        registry.removeOperator(world.free, {"from": world.enterprise})


def test_operator_cannot_serve_two_enterprises(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.operator, world.enterprise):
        registry.addOperator(world.operator, {"from": world.other})


def test_operator_cannot_be_added_twice(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.operator, world.enterprise):
        registry.addOperator(world.operator, {"from": world.enterprise})


def test_enterprise_account_cannot_be_an_operator(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.other, world.other):
        registry.addOperator(world.other, {"from": world.enterprise})


def test_applicant_account_cannot_be_an_operator(registry, world, reverts_with):
    with reverts_with("RegistryOperatorTaken", world.applicant, world.applicant):
        registry.addOperator(world.applicant, {"from": world.enterprise})


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


def test_applicant_may_name_operators_before_approval(registry, world):
    registry.addOperator(world.free, {"from": world.applicant})
    assert registry.operatorOf(world.free) == world.applicant
    assert registry.actingFor(world.free, PRODUCER) == ZERO_ADDRESS


def test_revoked_enterprise_cannot_add_operators(registry, world, govern, reverts_with):
    govern("revoke", world.enterprise)
    with reverts_with("RegistryWrongStatus", world.enterprise, Status.REVOKED):
        registry.addOperator(world.free, {"from": world.enterprise})
