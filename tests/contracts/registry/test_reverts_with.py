"""The custom-error assertion (`reverts_with`, tests/contracts/conftest.py) every contract suite uses
compares the exact revert bytes, so it fails on a wrong name, a wrong argument or no revert at all."""

import pytest


def test_matching_error_passes(registry, new_account, reverts_with):
    stranger = new_account("reverts_with stranger")
    with reverts_with("RegistryNotAdmin", stranger):
        registry.suspend(stranger, {"from": stranger})


def test_a_wrong_argument_fails(registry, admins, new_account, reverts_with):
    stranger = new_account("reverts_with stranger")
    with pytest.raises(AssertionError, match=r"reverted with RegistryNotAdmin\(.*expected RegistryNotAdmin"):
        with reverts_with("RegistryNotAdmin", admins[0]):
            registry.suspend(stranger, {"from": stranger})


def test_a_wrong_error_name_fails(registry, new_account, reverts_with):
    stranger = new_account("reverts_with stranger")
    with pytest.raises(AssertionError, match=r"expected RegistryZeroAddress\(\)"):
        with reverts_with("RegistryZeroAddress"):
            registry.suspend(stranger, {"from": stranger})


def test_no_revert_fails(registry, admins, onboard, new_account, reverts_with):
    enterprise = onboard(new_account("reverts_with enterprise"), "producer")
    with pytest.raises(AssertionError, match="did not revert"):
        with reverts_with("RegistryNotAdmin", admins[0]):
            registry.suspend(enterprise, {"from": admins[0]})


def test_unknown_names_and_wrong_arity_are_refused(reverts_with):
    with pytest.raises(AssertionError, match="no single custom error RegistryNoSuchError"):
        with reverts_with("RegistryNoSuchError"):
            pass
    with pytest.raises(AssertionError, match="no single custom error RegistryNotAdmin with 2"):
        with reverts_with("RegistryNotAdmin", 1, 2):
            pass
