"""Signing accounts: encrypted keystores shared with brownie, and the local development keys.

Keystores live where brownie keeps them (~/.brownie/accounts/<name>.json, eth-account's encrypted
format, address lower-cased), so `brownie accounts list` and `shanglian account list` show the same
accounts. A password comes from $SHANGLIAN_PASSWORD or a prompt; keys are never printed or logged.
Development keys (`dev0` … `dev9`) are refused on any network that is not local.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from shanglian import devkeys
from shanglian.errors import AccountError, InputError
from shanglian.network import NetworkProfile

PASSWORD_ENV = "SHANGLIAN_PASSWORD"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_DEV = re.compile(r"^dev([0-9])$")


def keystore_dir() -> Path:
    return Path.home() / ".brownie" / "accounts"


def _path(name: str) -> Path:
    if not _NAME.match(name):
        raise InputError("name", "use 1-64 letters, digits, '.', '_' or '-'")
    return keystore_dir() / f"{name}.json"


def password(prompt: str, confirm: bool = False) -> str:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise AccountError(f"no password: set ${PASSWORD_ENV} or run in a terminal to be prompted")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the password: ") != value:
        raise AccountError("the passwords differ")
    return value


def save(name: str, account: LocalAccount, secret: str) -> Path:
    path = _path(name)
    if path.exists():
        raise AccountError(f"an account named {name!r} already exists at {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    encrypted = Account.encrypt(account.key, secret)
    encrypted["address"] = encrypted["address"].lower()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(encrypted))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def new(name: str, secret: str) -> LocalAccount:
    account = Account.create()
    save(name, account, secret)
    return account


def import_key(name: str, private_key: str, secret: str) -> LocalAccount:
    try:
        account = Account.from_key(private_key.strip())
    except (ValueError, TypeError):
        raise InputError("private_key", "not a 32-byte hex private key") from None
    save(name, account, secret)
    return account


def list_accounts() -> list[tuple[str, str]]:
    """(name, checksummed address) of every keystore, sorted by name."""
    rows = []
    for path in sorted(keystore_dir().glob("*.json")):
        try:
            address = json.loads(path.read_text())["address"]
        except (OSError, ValueError, KeyError):
            continue
        rows.append((path.stem, _checksum(address)))
    return rows


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address if address.startswith("0x") else "0x" + address)


def load(name: str, profile: NetworkProfile, secret: str | None = None) -> LocalAccount:
    """The signing account called `name` on `profile`'s network."""
    dev = _DEV.match(name)
    if dev:
        if not profile.local:
            raise AccountError(
                f"{name} is a public development key; it is refused on {profile.name!r}, which is not local. "
                "Sign with an account of your own (`shanglian account new NAME`), or, for a test network only you "
                "use, mark it local: a profile with `local: true` under `networks:` in shanglian.yaml "
                "(README, Networks); a URL on 127.0.0.1 or localhost is local already"
            )
        return Account.from_key(devkeys.keys()[int(dev.group(1))])
    path = _path(name)
    if not path.exists():
        raise AccountError(f"no account named {name!r}; create one with `shanglian account new {name}`")
    encrypted = json.loads(path.read_text())
    secret = secret if secret is not None else password(f'Password for "{name}": ')
    try:
        return Account.from_key(Account.decrypt(encrypted, secret))
    except ValueError:
        raise AccountError(f"wrong password for account {name!r}") from None
