"""Fixtures for the brownie contract suites.

They run on brownie's development network (Anvil). Every test is isolated by brownie's
`fn_isolation`; deployments are module-scoped so a module pays for them once.
"""

import time

import pytest

ROLES = {
    "producer": 1 << 0,
    "processor": 1 << 1,
    "logistics": 1 << 2,
    "retailer": 1 << 3,
    "quality_alliance": 1 << 4,
    "inspector": 1 << 5,
    "core_enterprise": 1 << 6,
    "supplier": 1 << 7,
    "financier": 1 << 8,
    "regulator": 1 << 9,
    "platform": 1 << 10,
}
YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every contract test starts from the module's deployment and leaves no trace."""


@pytest.fixture(scope="module")
def admins(accounts):
    return accounts[0:3]


@pytest.fixture(scope="module")
def registry(EnterpriseRegistry, admins):
    """A registry governed 2-of-3 by accounts 0..2."""
    return EnterpriseRegistry.deploy([a.address for a in admins], 2, {"from": admins[0]})


@pytest.fixture(scope="module")
def onboard(registry, admins):
    """Onboards `account` as an active enterprise holding `roles` (names from ROLES)."""
    counter = {"n": 0}

    def _onboard(account, *roles, name=None):
        counter["n"] += 1
        mask = 0
        for role in roles:
            mask |= ROLES[role]
        code = f"91340000TEST{counter['n']:05d}X"[:18].ljust(18, "0").encode()
        expiry = int(time.time()) + 10 * YEAR
        registry.applyToJoin(
            name or f"enterprise {counter['n']}", code, mask, b"\x01" * 32, expiry, "", {"from": account}
        )
        registry.approve(account, mask, {"from": admins[0]})
        registry.approve(account, mask, {"from": admins[1]})
        return account

    return _onboard
