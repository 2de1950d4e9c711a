"""EnterpriseRegistry GS1 Company Prefixes: the admins (M-of-N) give each prefix to one active
enterprise, which alone registers GTINs and GLNs under it; a prefix whose holder lost its standing
can be given to another enterprise, and taken away by the admins."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS

PREFIX = "6901234"


def prefix_of(registry, key12):
    """`prefixOf` as plain values (brownie's return values compare strictly by type)."""
    holder, prefix, digits = registry.prefixOf(key12)
    return (holder, int(prefix), int(digits))


@pytest.fixture(scope="module")
def world(onboard, new_account, assign_prefix):
    w = SimpleNamespace(
        holder=onboard(new_account("prefix holder"), "producer"),
        other=onboard(new_account("prefix other"), "producer"),
        applicant=new_account("prefix applicant"),
    )
    w.assigned = assign_prefix(w.holder, PREFIX)
    return w


def test_assignment_emits_prefix_assigned(world):
    assert dict(world.assigned.events["PrefixAssigned"]) == {
        "account": world.holder, "prefix": 6901234, "digits": 7, "previousHolder": ZERO_ADDRESS,
    }


def test_one_vote_does_not_assign_a_prefix(registry, admins, world):
    tx = registry.assignPrefix(world.other, 6955555, 7, {"from": admins[0]})
    assert "PrefixAssigned" not in tx.events
    assert registry.prefixHolder(6955555, 7) == ZERO_ADDRESS


def test_holder_of_a_prefix_is_recorded(registry, world):
    assert registry.prefixHolder(6901234, 7) == world.holder


def test_prefix_of_a_gtin_body_is_its_holders(registry, world):
    # GTIN-14 06901234567892: the twelve digits after the indicator are 690123456789.
    assert prefix_of(registry, 690123456789) == (world.holder, 6901234, 7)


def test_prefix_of_a_body_under_no_prefix_is_nobodys(registry, world):
    assert prefix_of(registry, 690999999999) == (ZERO_ADDRESS, 0, 0)


def test_the_longer_prefix_decides(registry, world, assign_prefix):
    assign_prefix(world.other, "690123456")
    assert registry.prefixOf(690123456789)[0] == world.other
    assert registry.prefixOf(690123400001)[0] == world.holder


def test_leading_zeros_make_a_different_prefix(registry, world, assign_prefix):
    assign_prefix(world.other, "0690123")
    assert registry.prefixHolder(690123, 7) == world.other
    assert registry.prefixHolder(6901234, 7) == world.holder
    assert registry.prefixOf(69012300001)[0] == world.other  # twelve digits 069012300001


def test_prefix_of_an_active_holder_cannot_be_reassigned(registry, admins, world, reverts_with):
    with reverts_with("RegistryPrefixTaken", 6901234, 7, world.holder):
        registry.assignPrefix(world.other, 6901234, 7, {"from": admins[0]})


def test_prefix_cannot_be_assigned_to_its_holder_again(registry, admins, world, reverts_with):
    with reverts_with("RegistryPrefixTaken", 6901234, 7, world.holder):
        registry.assignPrefix(world.holder, 6901234, 7, {"from": admins[0]})


def test_prefix_of_a_revoked_holder_can_be_reassigned(registry, world, govern, assign_prefix):
    govern("revoke", world.holder)
    tx = assign_prefix(world.other, PREFIX)
    assert tx.events["PrefixAssigned"]["previousHolder"] == world.holder
    assert registry.prefixHolder(6901234, 7) == world.other


def test_prefix_of_a_suspended_holder_can_be_reassigned(registry, admins, world, assign_prefix):
    registry.suspend(world.holder, {"from": admins[0]})
    assign_prefix(world.other, PREFIX)
    assert registry.prefixHolder(6901234, 7) == world.other


def test_votes_to_reassign_lapse_when_the_holder_changes(registry, admins, world, govern):
    registry.suspend(world.holder, {"from": admins[0]})
    registry.assignPrefix(world.other, 6901234, 7, {"from": admins[0]})
    govern("revokePrefix", 6901234, 7)
    tx = registry.assignPrefix(world.other, 6901234, 7, {"from": admins[1]})
    assert "PrefixAssigned" not in tx.events
    assert tx.events["ProposalVoted"]["votes"] == 1


def test_prefix_goes_only_to_an_active_enterprise(registry, admins, world, credit_code, reverts_with):
    registry.applyToJoin("applicant", credit_code(5), 1, b"\x01" * 32, 2**39, "", {"from": world.applicant})
    with reverts_with("RegistryWrongStatus", world.applicant, 1):
        registry.assignPrefix(world.applicant, 6977777, 7, {"from": admins[0]})


@pytest.mark.parametrize("prefix,digits", [(123, 3), (1234567890123, 13), (10000, 4), (0, 0)])
def test_malformed_prefix_is_refused(registry, admins, world, reverts_with, prefix, digits):
    with reverts_with("RegistryInvalidPrefix", prefix, digits):
        registry.assignPrefix(world.other, prefix, digits, {"from": admins[0]})


def test_revoking_a_prefix_frees_it(registry, world, govern):
    tx = govern("revokePrefix", 6901234, 7)
    assert dict(tx.events["PrefixRevoked"]) == {"account": world.holder, "prefix": 6901234, "digits": 7}
    assert prefix_of(registry, 690123456789) == (ZERO_ADDRESS, 0, 0)


def test_one_vote_does_not_revoke_a_prefix(registry, admins, world):
    tx = registry.revokePrefix(6901234, 7, {"from": admins[0]})
    assert "PrefixRevoked" not in tx.events
    assert registry.prefixHolder(6901234, 7) == world.holder


def test_revoking_an_unassigned_prefix_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryPrefixNotAssigned", 6955555, 7):
        registry.revokePrefix(6955555, 7, {"from": admins[0]})
