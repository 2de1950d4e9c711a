"""Funding accounts on a chain that wants a balance before it accepts a transaction.

FISCO BCOS 3.16.4's web3 RPC refuses a sender holding 0 wei whatever the gas price (see
engines.min_balance), so on such a chain every account that will ever sign — the deployer, the
admins, each enterprise and its operators, the accounts of an import — needs at least the profile's
`min_balance` before its first transaction. `fund` tops each account up to an amount from one
funded account, through the bulk pipeline: thousands of accounts in seconds, journaled, and a run
interrupted at any point can simply be run again (accounts that already hold the amount are left
alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import requests
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from shanglian.errors import InputError, NetworkError
from shanglian.network import Chain
from shanglian.pipeline import Job, Journal, Pipeline, Rpc

TRANSFER_GAS = 21_000


@dataclass(frozen=True)
class Funding:
    accounts: int  # distinct accounts asked about
    funded: list[str]  # topped up now
    already: int  # held the amount before
    amount: int  # wei each account holds at least afterwards
    sent_wei: int


def balances(chain: Chain, addresses: list[str]) -> dict[str, int]:
    """Each address's balance (pending state), asked in as few requests as the node allows."""
    answers = Rpc(chain).batch(requests.Session(), [("eth_getBalance", [a, "pending"]) for a in addresses])
    found = {}
    for address, answer in zip(addresses, answers):
        if "error" in answer:
            raise NetworkError(f"eth_getBalance of {address} failed: {answer['error']}")
        found[address] = int(answer["result"], 16)
    return found


def fund(
    chain: Chain,
    funder: LocalAccount,
    addresses: Iterable[str],
    amount: int,
    journal: Journal | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Funding:
    """Tops every address up to `amount` wei from `funder`; returns what was done."""
    if amount <= 0:
        raise InputError("amount", "must be at least 1 wei")
    wanted = list(dict.fromkeys(to_checksum_address(a) for a in addresses))
    if not wanted:
        raise InputError("accounts", "no accounts to fund")
    held = balances(chain, wanted)
    short = {a: amount - b for a, b in held.items() if b < amount}
    needed = sum(short.values())
    own = balances(chain, [funder.address])[funder.address]
    if own < needed + 1:  # the funder must itself keep a balance to go on sending
        raise InputError("account", f"{funder.address} holds {own} wei; topping up {len(short)} accounts "
                         f"needs {needed} wei and one more for itself")
    jobs = [Job(f"fund:{a}:{held[a]}:{amount}", a, b"", TRANSFER_GAS, value=v) for a, v in short.items()]
    outcome = Pipeline(chain, funder, journal, progress=progress).run(jobs) if jobs else None
    if outcome is not None and outcome.reverted:
        raise NetworkError(f"{len(outcome.reverted)} transfers failed, the first {outcome.reverted[0]}; run again")
    return Funding(len(wanted), list(short), len(wanted) - len(short), amount, needed)


def summary(result: Funding) -> dict[str, Any]:
    return {"accounts": result.accounts, "funded": len(result.funded), "already_funded": result.already,
            "amount_wei": result.amount, "sent_wei": result.sent_wei}
