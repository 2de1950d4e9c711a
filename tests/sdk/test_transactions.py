"""Reverts become named errors, whether caught at estimation or replayed after mining."""

import pytest
from eth_abi import encode
from eth_utils import keccak

from shanglian.errors import ContractError
from shanglian.network import connect
from shanglian.transactions import Transactor, decode_revert

from conftest import sender
from test_deploy import options


def selector(signature):
    return keccak(text=signature)[:4]


def test_custom_error_is_decoded_with_argument_names_and_notice():
    data = selector("RegistryInvalidThreshold(uint256,uint256)") + encode(["uint256", "uint256"], [5, 3])
    err = decode_revert(data)
    assert (err.name, err.args_by_name, err.contract) == ("RegistryInvalidThreshold", {"threshold": 5, "admins": 3}, "EnterpriseRegistry")
    assert err.notice == "The threshold must be between 1 and the number of admins."
    assert str(err) == "RegistryInvalidThreshold: a threshold of 5 is not between 1 and the 3 admins"


def test_error_string_and_panic_are_decoded():
    assert decode_revert(selector("Error(string)") + encode(["string"], ["nope"])).args_by_name == {"reason": "nope"}
    panic = decode_revert(selector("Panic(uint256)") + encode(["uint256"], [0x11]))
    assert panic.name == "Panic" and "overflow" in str(panic)


def test_unknown_selector_keeps_the_raw_data():
    assert decode_revert(bytes.fromhex("deadbeef")).name == "UnknownError"


def test_mined_revert_is_replayed_into_its_named_error(anvil):
    chain = connect("testnode", str(anvil.config))
    from shanglian import deploy

    suite = deploy.deploy_suite(chain, sender(chain, 0), options(chain), manifest=deploy.Manifest(None))
    stranger = Transactor(chain, sender(chain, 7).account)
    call = suite.registry.functions.suspend(sender(chain, 5).address)
    with pytest.raises(ContractError) as err:
        stranger.send(call, gas=100_000)  # a fixed gas limit skips estimation: the revert is mined
    assert err.value.name == "RegistryNotAdmin"
    # The mined revert consumed its nonce, and the local count agrees with the node's.
    assert chain.w3.eth.get_transaction_count(stranger.address) == 1
    assert stranger.next_nonce() == 1
