"""What every command shares: the network/account options, the connection, and output."""

from __future__ import annotations

import functools
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

import click
from rich.console import Console
from rich.table import Table

from shanglian import accounts, deploy
from shanglian.network import Chain, connect
from shanglian.transactions import Transactor

NETWORK_ENV = "SHANGLIAN_NETWORK"
ACCOUNT_ENV = "SHANGLIAN_ACCOUNT"

# Piped output keeps whole addresses: rich would otherwise wrap tables at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def console_error(message: str) -> None:
    # One line: a multi-line message would read as a traceback in logs.
    _err.print(f"error: {' '.join(str(message).split())}", markup=False)


def network_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--network, --config and --json."""

    @click.option(
        "--network",
        default=lambda: os.environ.get(NETWORK_ENV, "development"),
        show_default="development, or $SHANGLIAN_NETWORK",
        help="embedded, development, ganache, a profile from the config file, or an http(s) URL.",
    )
    @click.option("--config", type=click.Path(dir_okay=False), help="Network config file (default ./shanglian.yaml).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def account_option(func: Callable[..., Any]) -> Callable[..., Any]:
    @click.option(
        "--account",
        default=lambda: os.environ.get(ACCOUNT_ENV),
        help="Keystore name (see `shanglian account list`), or dev0…dev9 on local networks.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


@dataclass
class Session:
    chain: Chain
    sender: Transactor | None

    def suite(self) -> deploy.Suite:
        return deploy.load_suite(self.chain)

    def from_block(self, name: str = "EnterpriseRegistry") -> int:
        entry = deploy.manifest_for(self.chain).entries(self.chain.chain_id).get(name, {})
        return int(entry.get("block", 0))


def session(network: str, config: str | None, account: str | None, need_account: bool = True) -> Session:
    chain = connect(network, config)
    sender = None
    if account:
        sender = Transactor(chain, accounts.load(account, chain.profile))
    elif need_account:
        raise click.UsageError("this command signs a transaction: give --account (or set $SHANGLIAN_ACCOUNT)")
    return Session(chain, sender)


def emit(data: Any, as_json: bool, human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human()


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    grid = Table(title=title, show_lines=False, title_justify="left")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*[str(cell) for cell in row])
    out.print(grid)


def tx_summary(receipt: Any) -> dict[str, Any]:
    return {"transaction": receipt["transactionHash"].to_0x_hex(), "block": receipt["blockNumber"], "gas_used": receipt["gasUsed"]}
