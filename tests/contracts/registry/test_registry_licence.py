"""EnterpriseRegistry licence expiry: from its licence's expiry an enterprise is inactive (isActive
false, actingFor address(0), for itself and its operators) while its status stays Active, until a
renewed licence reaches the admins' threshold. The node clock is moved with chain.sleep + mine."""

from types import SimpleNamespace

import pytest
from brownie import ZERO_ADDRESS, chain

from shanglian.roles import Role, Status

DAY = 24 * 3600
YEAR = 365 * DAY
PRODUCER = int(Role.PRODUCER)
OLD_LICENCE = b"\x44" * 32
NEW_LICENCE = b"\x55" * 32


def block_time():
    return chain[-1].timestamp


@pytest.fixture(scope="module")
def world(registry, admins, new_account, credit_code, govern, bind_operator):
    """An active producer, with an operator, whose licence runs out in 30 days."""
    w = SimpleNamespace(
        enterprise=new_account("licence enterprise"), operator=new_account("licence operator")
    )
    w.expiry = block_time() + 30 * DAY
    registry.applyToJoin(
        "licensed", credit_code(1), PRODUCER, OLD_LICENCE, w.expiry, "", {"from": w.enterprise}
    )
    govern("approve", w.enterprise, PRODUCER)
    bind_operator(w.enterprise, w.operator)
    return w


@pytest.fixture
def expired(world):
    chain.sleep(31 * DAY)
    chain.mine()
    return world.enterprise


def test_enterprise_is_active_before_its_licence_expires(registry, world):
    chain.sleep(29 * DAY)
    chain.mine()
    assert registry.isActive(world.enterprise)


def test_expired_licence_makes_the_enterprise_inactive(registry, expired):
    assert not registry.isActive(expired)


def test_expired_licence_stops_the_enterprise_acting(registry, expired):
    assert registry.actingFor(expired, PRODUCER) == ZERO_ADDRESS


def test_expired_licence_stops_its_operators_acting(registry, world, expired):
    assert registry.actingFor(world.operator, PRODUCER) == ZERO_ADDRESS


def test_expired_licence_leaves_the_status_active(record, expired):
    assert record(expired).status == Status.ACTIVE


def test_one_renewal_vote_does_not_reactivate(registry, admins, expired):
    tx = registry.renewLicence(expired, NEW_LICENCE, block_time() + YEAR, {"from": admins[0]})
    assert "LicenceRenewed" not in tx.events
    assert not registry.isActive(expired)


def test_renewal_at_threshold_emits_licence_renewed(expired, govern):
    expiry = block_time() + YEAR
    tx = govern("renewLicence", expired, NEW_LICENCE, expiry)
    assert dict(tx.events["LicenceRenewed"]) == {
        "account": expired,
        "licenceHash": "0x" + NEW_LICENCE.hex(),
        "licenceExpiry": expiry,
    }


def test_renewal_at_threshold_reactivates(registry, world, expired, govern):
    govern("renewLicence", expired, NEW_LICENCE, block_time() + YEAR)
    assert registry.isActive(expired)
    assert registry.actingFor(world.operator, PRODUCER) == expired


def test_renewal_records_the_new_expiry(record, expired, govern):
    expiry = block_time() + YEAR
    govern("renewLicence", expired, NEW_LICENCE, expiry)
    assert record(expired).licence_expiry == expiry


def test_renewal_votes_for_different_expiries_do_not_add_up(registry, admins, expired):
    registry.renewLicence(expired, NEW_LICENCE, block_time() + YEAR, {"from": admins[0]})
    tx = registry.renewLicence(expired, NEW_LICENCE, block_time() + 2 * YEAR, {"from": admins[1]})
    assert "LicenceRenewed" not in tx.events


def test_renewal_before_expiry_extends_the_licence(registry, world, govern, record):
    govern("renewLicence", world.enterprise, NEW_LICENCE, world.expiry + YEAR)
    chain.sleep(31 * DAY)
    chain.mine()
    assert registry.isActive(world.enterprise)


def test_renewal_with_an_expiry_in_the_past_is_refused(registry, admins, expired, reverts_with):
    with reverts_with("RegistryLicenceExpired", block_time() - 1):
        registry.renewLicence(expired, NEW_LICENCE, block_time() - 1, {"from": admins[0]})


def test_renewed_licence_does_not_lift_a_suspension(registry, admins, expired, govern):
    registry.suspend(expired, {"from": admins[2]})
    govern("renewLicence", expired, NEW_LICENCE, block_time() + YEAR)
    assert not registry.isActive(expired)


def test_renewal_for_a_revoked_enterprise_is_refused(registry, admins, world, govern, reverts_with):
    govern("revoke", world.enterprise)
    with reverts_with("RegistryWrongStatus", world.enterprise, Status.REVOKED):
        registry.renewLicence(world.enterprise, NEW_LICENCE, block_time() + YEAR, {"from": admins[0]})


def test_renewal_for_an_unknown_account_is_refused(registry, admins, new_account, reverts_with):
    stranger = new_account("licence stranger")
    with reverts_with("RegistryWrongStatus", stranger, Status.NONE):
        registry.renewLicence(stranger, NEW_LICENCE, block_time() + YEAR, {"from": admins[0]})


def test_renewal_for_an_applicant_renews_the_licence_of_the_pending_application(
    registry, record, new_account, credit_code, govern
):
    applicant = new_account("licence renewing applicant")
    registry.applyToJoin(
        "pending", credit_code(4), PRODUCER, OLD_LICENCE, block_time() + DAY, "", {"from": applicant}
    )
    expiry = block_time() + YEAR
    govern("renewLicence", applicant, NEW_LICENCE, expiry)
    assert (record(applicant).licence_expiry, record(applicant).status) == (expiry, Status.APPLIED)


def test_application_with_an_expired_licence_is_refused(registry, new_account, credit_code, reverts_with):
    expiry = block_time() - DAY
    with reverts_with("RegistryLicenceExpired", expiry):
        registry.applyToJoin(
            "late", credit_code(2), PRODUCER, OLD_LICENCE, expiry, "", {"from": new_account("late")}
        )


def test_approval_after_expiry_leaves_the_enterprise_inactive(registry, new_account, credit_code, govern):
    applicant = new_account("licence applicant")
    registry.applyToJoin(
        "slow", credit_code(3), PRODUCER, OLD_LICENCE, block_time() + DAY, "", {"from": applicant}
    )
    chain.sleep(2 * DAY)
    chain.mine()
    govern("approve", applicant, PRODUCER)
    assert not registry.isActive(applicant)
