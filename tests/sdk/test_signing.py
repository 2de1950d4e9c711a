"""The fast signer produces exactly what eth-account produces."""

import pytest
from eth_account import Account

from shanglian import devkeys
from shanglian.signing import Fees, FastSigner

TO = bytes.fromhex("5FbDB2315678afecb367f032d93F642f64180aa3")


@pytest.mark.parametrize("fees, extra", [
    (Fees(max_fee=3 * 10**9, priority_fee=10**9), {"maxFeePerGas": 3 * 10**9, "maxPriorityFeePerGas": 10**9, "type": 2}),
    (Fees(gas_price=0), {"gasPrice": 0}),
    (Fees(gas_price=7), {"gasPrice": 7}),
])
@pytest.mark.parametrize("nonce, data, value", [(0, b"", 0), (7, b"\x01\x02" * 150, 5), (2**20, b"\x00", 0)])
def test_fast_signer_equals_eth_account(fees, extra, nonce, data, value):
    key = devkeys.key(3)
    raw, tx_hash = FastSigner(bytes.fromhex(key[2:]), 31337).sign(nonce, TO, data, 90_000, fees, value)
    expected = Account.sign_transaction(
        {"to": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "nonce": nonce, "data": data, "gas": 90_000,
         "value": value, "chainId": 31337, **extra},
        key,
    )
    assert raw == bytes(expected.raw_transaction)
    assert tx_hash == bytes(expected.hash)


def test_call_encoder_equals_web3_encoding():
    from eth_utils import keccak
    from web3 import Web3

    from shanglian import artifacts
    from shanglian.pipeline import CallEncoder

    contract = Web3().eth.contract(address="0x" + "11" * 20, abi=artifacts.abi("ProductProvenance"))
    args = (keccak(b"batch"), keccak(b"PEAR-000001"), 4, 6901234500017, keccak(b"data"))
    expected = bytes.fromhex(contract.functions.recordEvent(*args)._encode_transaction_data()[2:])
    assert CallEncoder(contract, "recordEvent")(*args) == expected
    origin = ("砀山县", 341321, -34_420_000, 116_350_000)
    batch_args = (6901234567892, "LOT-1", origin, 1_700_000_000, 10, keccak(b"r"), keccak(b"m"), "uri")
    expected = bytes.fromhex(contract.functions.createBatch(*batch_args)._encode_transaction_data()[2:])
    assert CallEncoder(contract, "createBatch")(*batch_args) == expected


@pytest.mark.parametrize("args", [
    (b"\x01" * 32, b"", 0, 0, b"\xff" * 32),
    (b"\x01" * 31, b"\x02", 255, 2**64 - 1, bytearray(b"\x03" * 32)),
])
def test_call_encoder_encodes_one_word_arguments_as_eth_abi_does(args):
    from eth_abi import encode
    from web3 import Web3

    from shanglian import artifacts
    from shanglian.pipeline import CallEncoder

    contract = Web3().eth.contract(address="0x" + "11" * 20, abi=artifacts.abi("ProductProvenance"))
    encoder = CallEncoder(contract, "recordEvent")
    assert encoder(*args) == encoder.selector + encode(["bytes32", "bytes32", "uint8", "uint64", "bytes32"], list(args))


@pytest.mark.parametrize("args", [
    (b"\x01" * 33, b"", 0, 0, b""),  # bytes32 too long
    (b"", b"", 256, 0, b""),  # uint8 out of range
    (b"", b"", -1, 0, b""),
    (b"", b"", True, 0, b""),  # eth-abi takes no bool for an integer
    (b"", b"", 0, "5", b""),
])
def test_call_encoder_leaves_values_that_do_not_fit_to_eth_abi_errors(args):
    from eth_abi.exceptions import EncodingError
    from web3 import Web3

    from shanglian import artifacts
    from shanglian.pipeline import CallEncoder

    contract = Web3().eth.contract(address="0x" + "11" * 20, abi=artifacts.abi("ProductProvenance"))
    with pytest.raises(EncodingError):
        CallEncoder(contract, "recordEvent")(*args)
