"""Keystores in brownie's folder and format; development keys only on local networks."""

import json

import pytest
from eth_account import Account

from shanglian import accounts, devkeys
from shanglian.errors import AccountError, InputError
from shanglian.network import BUILTIN, NetworkProfile

CONSORTIUM = NetworkProfile("besu", rpc="http://127.0.0.1:1", chain_id=1)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(accounts.PASSWORD_ENV, raising=False)
    return tmp_path


def test_new_account_is_saved_where_brownie_looks(home):
    created = accounts.new("coop", "s3cret")
    path = home / ".brownie" / "accounts" / "coop.json"
    stored = json.loads(path.read_text())
    assert stored["address"] == created.address[2:].lower() or stored["address"] == created.address.lower()
    assert Account.decrypt(stored, "s3cret") == created.key


def test_load_decrypts_with_the_password(home):
    created = accounts.new("coop", "s3cret")
    assert accounts.load("coop", CONSORTIUM, "s3cret").address == created.address


def test_password_comes_from_the_environment(monkeypatch):
    created = accounts.new("coop", "s3cret")
    monkeypatch.setenv(accounts.PASSWORD_ENV, "s3cret")
    assert accounts.load("coop", CONSORTIUM).address == created.address


def test_wrong_password_is_an_account_error():
    accounts.new("coop", "s3cret")
    with pytest.raises(AccountError, match="wrong password"):
        accounts.load("coop", CONSORTIUM, "nope")


def test_import_keeps_the_address_and_lists_it():
    key = devkeys.key(42)
    imported = accounts.import_key("bank", key, "pw")
    assert accounts.list_accounts() == [("bank", imported.address)]


def test_existing_name_is_not_overwritten():
    accounts.new("coop", "a")
    with pytest.raises(AccountError, match="already exists"):
        accounts.new("coop", "b")


def test_bad_private_key_names_the_field():
    with pytest.raises(InputError) as err:
        accounts.import_key("x", "0x1234", "pw")
    assert err.value.field == "private_key"


def test_dev_keys_work_on_local_networks_only():
    assert accounts.load("dev0", BUILTIN["development"]).address == devkeys.addresses()[0]
    with pytest.raises(AccountError, match="public development key"):
        accounts.load("dev0", CONSORTIUM)


def test_missing_keystore_says_how_to_create_one():
    with pytest.raises(AccountError, match="shanglian account new nobody"):
        accounts.load("nobody", CONSORTIUM, "pw")


def test_brownie_loads_our_keystore(home):
    created = accounts.new("coop", "s3cret")
    from brownie.network.account import Accounts

    loaded = Accounts().load(str(home / ".brownie" / "accounts" / "coop.json"), password="s3cret")
    assert loaded.address == created.address
