"""The well-known local development accounts.

THESE KEYS ARE PUBLIC. They come from the mnemonic "test test test test test test test test test
test test junk" that Anvil, Hardhat and brownie's development network all fund, and shanglian funds
the same accounts on the embedded chain and on Ganache. They are accepted on local networks only;
never use them on a consortium chain.
"""

from __future__ import annotations

from functools import cache

from eth_account import Account

MNEMONIC = "test test test test test test test test test test test junk"
COUNT = 10


@cache
def key(index: int) -> str:
    """The development key at m/44'/60'/0'/0/index; the first COUNT are funded at genesis."""
    Account.enable_unaudited_hdwallet_features()
    return "0x" + Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key.hex()


def keys() -> tuple[str, ...]:
    return tuple(key(i) for i in range(COUNT))


@cache
def addresses() -> tuple[str, ...]:
    return tuple(Account.from_key(key).address for key in keys())
