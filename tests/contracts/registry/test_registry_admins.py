"""EnterpriseRegistry admin set: adding and removing admins and changing the threshold, each by
M-of-N vote; and the epoch: votes cast before the admin set or threshold changed lapse."""

from types import SimpleNamespace

import pytest
from brownie import chain, web3
from eth_utils import keccak, to_checksum_address

from shanglian.roles import Role, Status

YEAR = 365 * 24 * 3600
PRODUCER = int(Role.PRODUCER)


@pytest.fixture(scope="module")
def world(registry, new_account, credit_code):
    w = SimpleNamespace(candidate=new_account("admins candidate"), applicant=new_account("admins applicant"))
    registry.applyToJoin(
        "applicant", credit_code(1), PRODUCER, b"\x01" * 32, chain.time() + YEAR, "", {"from": w.applicant}
    )
    return w


# ---------------------------------------------------------------- add


def test_adding_an_admin_emits_admin_added(world, govern):
    tx = govern("addAdmin", world.candidate)
    assert dict(tx.events["AdminAdded"]) == {"admin": world.candidate}


def test_added_admin_is_listed(registry, admins, world, govern):
    govern("addAdmin", world.candidate)
    assert registry.admins() == [*(a.address for a in admins), world.candidate.address]


def test_added_admin_can_vote(registry, admins, world, govern):
    govern("addAdmin", world.candidate)
    registry.approve(world.applicant, PRODUCER, {"from": world.candidate})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[0]})
    assert "EnterpriseApproved" in tx.events


def test_adding_an_existing_admin_is_refused(registry, admins, reverts_with):
    with reverts_with("RegistryAdminExists", admins[2]):
        registry.addAdmin(admins[2], {"from": admins[0]})


def test_adding_the_zero_address_is_refused(registry, admins, reverts_with):
    with reverts_with("RegistryZeroAddress"):
        registry.addAdmin("0x" + "00" * 20, {"from": admins[0]})


def test_a_257th_admin_is_refused(EnterpriseRegistry, admins, reverts_with):
    """A vote is one bit of a word per admin, so the set stops at 256. The registry starts with
    150 (about as many as one deployment fits in a block); one admin at threshold 1 adds the rest,
    sent straight to the node (brownie's and web3's handling of each would cost seconds); every
    one of them counts (256 listed)."""
    others = [to_checksum_address(keccak(text=f"admin {n}")[12:]) for n in range(256)]
    full = EnterpriseRegistry.deploy([admins[0].address, *others[:149]], 1, {"from": admins[0]})
    for admin in others[149:255]:
        tx = {"from": admins[0].address, "to": full.address, "data": full.addAdmin.encode_input(admin), "gas": hex(10**5)}
        sent = web3.provider.make_request("eth_sendTransaction", [tx])["result"]
    web3.eth.wait_for_transaction_receipt(sent, timeout=60, poll_latency=0.05)  # Anvil mines them in order
    assert len(full.admins()) == 256
    with reverts_with("RegistryTooManyAdmins", 256):
        full.addAdmin(others[255], {"from": admins[0]})


# ---------------------------------------------------------------- remove


def test_removing_an_admin_emits_admin_removed(admins, govern):
    tx = govern("removeAdmin", admins[2])
    assert dict(tx.events["AdminRemoved"]) == {"admin": admins[2]}


def test_removed_admin_is_no_longer_listed(registry, admins, govern):
    govern("removeAdmin", admins[0])
    assert sorted(registry.admins()) == sorted([admins[1].address, admins[2].address])


def test_removed_admin_cannot_vote(registry, admins, world, govern, reverts_with):
    govern("removeAdmin", admins[2])
    with reverts_with("RegistryNotAdmin", admins[2]):
        registry.approve(world.applicant, PRODUCER, {"from": admins[2]})


def test_removed_admin_cannot_suspend(registry, admins, onboard, new_account, govern, reverts_with):
    enterprise = onboard(new_account("admins enterprise"), "producer")
    govern("removeAdmin", admins[2])
    with reverts_with("RegistryNotAdmin", admins[2]):
        registry.suspend(enterprise, {"from": admins[2]})


def test_admin_moved_into_a_removed_admins_place_votes_correctly(registry, admins, world, record):
    # Removing admin 0 moves admin 2 into position 0; its vote must still count once as its own.
    registry.removeAdmin(admins[0], {"from": admins[0]})
    registry.removeAdmin(admins[0], {"from": admins[1]})
    registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" in tx.events
    assert record(world.applicant).status == Status.ACTIVE


def test_removing_a_non_admin_is_refused(registry, admins, world, reverts_with):
    with reverts_with("RegistryNotAdmin", world.candidate):
        registry.removeAdmin(world.candidate, {"from": admins[0]})


def test_removal_that_would_leave_fewer_admins_than_the_threshold_is_refused(
    registry, admins, govern, reverts_with
):
    govern("setThreshold", 3)
    with reverts_with("RegistryTooFewAdmins", 2, 3):
        registry.removeAdmin(admins[2], {"from": admins[0]})


# ---------------------------------------------------------------- threshold


def test_threshold_change_emits_threshold_changed(govern):
    tx = govern("setThreshold", 3)
    assert dict(tx.events["ThresholdChanged"]) == {"threshold": 3}


def test_threshold_change_is_recorded(registry, govern):
    govern("setThreshold", 3)
    assert registry.threshold() == 3


def test_raised_threshold_needs_more_votes(registry, admins, world, govern):
    govern("setThreshold", 3)
    registry.approve(world.applicant, PRODUCER, {"from": admins[0]})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" not in tx.events
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    assert "EnterpriseApproved" in tx.events


def test_threshold_of_one_executes_on_the_first_vote(registry, admins, world, govern):
    govern("setThreshold", 1)
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    assert "EnterpriseApproved" in tx.events


def test_zero_threshold_is_refused(registry, admins, reverts_with):
    with reverts_with("RegistryInvalidThreshold", 0, 3):
        registry.setThreshold(0, {"from": admins[0]})


def test_threshold_above_the_admin_count_is_refused(registry, admins, reverts_with):
    with reverts_with("RegistryInvalidThreshold", 4, 3):
        registry.setThreshold(4, {"from": admins[0]})


# ---------------------------------------------------------------- the epoch: pending votes lapse


def test_pending_vote_lapses_when_an_admin_is_added(registry, admins, world, govern):
    registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    govern("addAdmin", world.candidate)
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" not in tx.events
    assert tx.events["ProposalVoted"]["votes"] == 1


def test_pending_vote_lapses_when_an_admin_is_removed(registry, admins, world, govern):
    registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    govern("removeAdmin", admins[0])
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" not in tx.events
    assert tx.events["ProposalVoted"]["votes"] == 1


def test_pending_vote_lapses_when_the_threshold_changes(registry, admins, world, govern):
    registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    govern("setThreshold", 2)  # same value, new epoch
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    assert "EnterpriseApproved" not in tx.events
    assert tx.events["ProposalVoted"]["votes"] == 1


def test_pending_admin_change_lapses_when_another_admin_change_executes(registry, admins, world, govern):
    registry.setThreshold(3, {"from": admins[2]})
    govern("addAdmin", world.candidate)
    tx = registry.setThreshold(3, {"from": admins[1]})
    assert "ThresholdChanged" not in tx.events


def test_admin_whose_vote_lapsed_may_vote_again(registry, admins, world, govern):
    registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    govern("setThreshold", 2)
    registry.approve(world.applicant, PRODUCER, {"from": admins[1]})
    tx = registry.approve(world.applicant, PRODUCER, {"from": admins[2]})
    assert "EnterpriseApproved" in tx.events
