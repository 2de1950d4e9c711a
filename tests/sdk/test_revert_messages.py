"""Every custom error of every contract the SDK ships reads as a sentence, its values as the user
typed them."""

from __future__ import annotations

import string

import pytest
from eth_abi import encode as abi_encode
from eth_utils import keccak

from shanglian import artifacts, revert_messages
from shanglian.transactions import abi_type, decode_revert

ERRORS = sorted(
    {(item["name"], tuple((i["name"], abi_type(i)) for i in item["inputs"]))
     for contract in artifacts.CONTRACTS for item in artifacts.abi(contract) if item["type"] == "error"}
)


def test_every_custom_error_of_the_shipped_abis_has_a_message():
    missing = sorted({name for name, _ in ERRORS} - set(revert_messages.MESSAGES))
    assert not missing, (
        f"{len(missing)} custom errors have no sentence in shanglian/revert_messages.py MESSAGES: {', '.join(missing)}"
    )


def test_no_message_is_left_for_an_error_no_contract_has():
    assert sorted(set(revert_messages.MESSAGES) - {name for name, _ in ERRORS}) == []


def test_every_placeholder_of_a_message_is_an_argument_of_its_error():
    wrong = {}
    for name, inputs in ERRORS:
        fields = {f for _, f, _, _ in string.Formatter().parse(revert_messages.MESSAGES.get(name, "")) if f}
        if fields - {arg for arg, _ in inputs}:
            wrong[name] = sorted(fields - {arg for arg, _ in inputs})
    assert not wrong, f"placeholders that are no argument of their error: {wrong}"


SAMPLES = {"address": "0x" + "ab" * 20, "bool": True, "string": "DS/26"}


def sample(kind):
    if kind in SAMPLES:
        return SAMPLES[kind]
    if kind.startswith("bytes"):
        return bytes(range(1, int(kind[5:]) + 1))
    return 7  # every uint/int/enum


@pytest.mark.parametrize("name, inputs", ERRORS, ids=[name for name, _ in ERRORS])
def test_each_error_decodes_to_its_sentence(name, inputs):
    signature = f"{name}({','.join(kind for _, kind in inputs)})"
    data = keccak(text=signature)[:4] + abi_encode([kind for _, kind in inputs], [sample(kind) for _, kind in inputs])
    error = decode_revert(data)
    assert error.name == name and error.message
    assert str(error) == f"{name}: {error.message}"
    assert "{" not in error.message


def test_a_re_application_names_the_status_not_its_number():
    data = keccak(text="RegistryWrongStatus(address,uint8)")[:4] + abi_encode(["address", "uint8"], ["0x" + "ab" * 20, 2])
    message = decode_revert(data).message
    assert "is active" in message and "status=2" not in message


def test_a_gtin_reads_as_the_fourteen_digits_typed():
    data = keccak(text="ProvenanceProductExists(uint64,address)")[:4] + abi_encode(
        ["uint64", "address"], [6901234567892, "0x" + "ab" * 20])
    assert decode_revert(data).message.startswith("GTIN 06901234567892 is registered already")


@pytest.mark.parametrize("signature, types, values, expected", [
    ("RegistryLicenceExpired(uint40)", ["uint40"], [1_767_196_800], "2026-01-01"),
    ("ReceivableInsufficientValue(uint256,uint256,uint256)", ["uint256"] * 3, [5, 30_000_000, 50_000_000],
     "holds ¥300,000.00, less than the ¥500,000.00"),
    ("ProvenanceNotAuthorized(address,uint32)", ["address", "uint32"], ["0x" + "ab" * 20, 1 << 10], "role platform"),
    ("RegistryPrefixTaken(uint64,uint8,address)", ["uint64", "uint8", "address"], [690123, 7, "0x" + "ab" * 20],
     "Prefix 0690123"),
    ("ProvenanceInvalidLotCharacter(string,uint256)", ["string", "uint256"], ["AB~1", 2], "character 3 of lot AB~1"),
])
def test_values_read_as_people_write_them(signature, types, values, expected):
    assert expected in decode_revert(keccak(text=signature)[:4] + abi_encode(types, values)).message
