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
