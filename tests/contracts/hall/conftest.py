"""Fixtures of the service-hall suites (evidence, licences, copyright): the parties and the contracts."""

from types import SimpleNamespace

import pytest
from eth_utils import keccak
from hall_support import HALL_PARTIES


@pytest.fixture(scope="module")
def hall(accounts, registry, admins, onboard):
    """One account per hall party (deterministic keys), onboarded with its roles."""
    found = {}
    for name, roles in HALL_PARTIES.items():
        account = accounts.add(keccak(text=f"shanglian hall party {name}"))
        accounts[0].transfer(account, "10 ether")
        if roles:
            onboard(account, *roles, name=name)
        found[name] = account
    registry.addOperator(found["filer_operator"], {"from": found["filer"]})
    registry.acceptOperator(found["filer"], {"from": found["filer_operator"]})
    registry.suspend(found["suspended"], {"from": admins[0]})
    return SimpleNamespace(**found)


@pytest.fixture(scope="module")
def evidence(Evidence, registry, admins, hall):
    return Evidence.deploy(registry, {"from": admins[0]})


@pytest.fixture(scope="module")
def licences(Licences, registry, admins, hall):
    return Licences.deploy(registry, {"from": admins[0]})


@pytest.fixture(scope="module")
def copyrights(Copyrights, registry, admins, hall):
    return Copyrights.deploy(registry, {"from": admins[0]})
