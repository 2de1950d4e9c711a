"""The custom-error assertion helper (conftest.custom_error) checks the name and every argument."""

import brownie
import pytest

GTIN_SPARE = 6901234567915


def test_helper_renders_what_brownie_reports(provenance, parties, custom_error):
    expected = f"ProvenanceNotAuthorized: {parties['stranger'].address.lower()}, 3"
    assert custom_error(provenance, "ProvenanceNotAuthorized", parties["stranger"], 3) == expected
    with pytest.raises(brownie.exceptions.VirtualMachineError) as raised:
        provenance.registerProduct(GTIN_SPARE, "x", "", b"\x00" * 32, {"from": parties["stranger"]})
    assert raised.value.revert_msg == expected


def test_helper_renders_bytes32_arguments_as_brownie_does(provenance, custom_error):
    unknown = b"\xab" * 32
    expected = f"ProvenanceUnknownBatch: {unknown!r}"
    assert custom_error(provenance, "ProvenanceUnknownBatch", unknown) == expected
    assert custom_error(provenance, "ProvenanceUnknownBatch", "0x" + "ab" * 32) == expected
    with brownie.reverts(expected):
        provenance.batch(unknown)


def test_reverts_with_a_wrong_argument_fails(provenance, parties, custom_error):
    with pytest.raises(AssertionError, match="Unexpected revert string"):
        with brownie.reverts(custom_error(provenance, "ProvenanceNotAuthorized", parties["stranger"], 1)):
            provenance.registerProduct(GTIN_SPARE, "x", "", b"\x00" * 32, {"from": parties["stranger"]})


def test_reverts_with_a_wrong_error_name_fails(provenance, parties, custom_error):
    with pytest.raises(AssertionError, match="Unexpected revert string"):
        with brownie.reverts(custom_error(provenance, "ProvenanceCannotRecall", b"\x00" * 32, parties["stranger"])):
            provenance.registerProduct(GTIN_SPARE, "x", "", b"\x00" * 32, {"from": parties["stranger"]})


def test_helper_refuses_unknown_error_names_and_wrong_arity(provenance, custom_error):
    with pytest.raises(KeyError):
        custom_error(provenance, "ProvenanceNoSuchError")
    with pytest.raises(ValueError, match="incorrect length"):
        custom_error(provenance, "ProvenanceUnknownBatch")
