"""`shanglian account new|import|list|fund`: keystores shared with brownie, and funding accounts on
chains that want a balance."""

from __future__ import annotations

import os
from pathlib import Path

import click

from shanglian import accounts, funding, registry, validate
from shanglian.cli.common import ChainCommand, Output, Run, emit, out, table
from shanglian.deploy import state_dir
from shanglian.errors import InputError
from shanglian.pipeline import Journal


def register(cli: click.Group) -> None:
    cli.add_command(account)


@click.group()
def account() -> None:
    """Encrypted signing accounts (the same folder as `brownie accounts`)."""


@account.command("new")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def new(name: str, as_json: bool) -> None:
    """Create a new random account NAME. The password comes from $SHANGLIAN_PASSWORD or a prompt."""
    created = accounts.new(name, accounts.password(f'New password for "{name}": ', confirm=True))
    emit({"name": name, "address": created.address}, as_json, lambda: out.print(f"created {name}: {created.address}"))


@account.command("import")
@click.argument("name")
@click.option(
    "--key-file",
    type=click.Path(exists=True, dir_okay=False),
    help="File holding the hex private key (default: prompt, or $SHANGLIAN_PRIVATE_KEY).",
)
@click.option("--json", "as_json", is_flag=True)
def import_(name: str, key_file: str | None, as_json: bool) -> None:
    """Import an existing private key as account NAME, encrypted."""
    if key_file:
        key = open(key_file, encoding="utf-8").read().strip()
    elif os.environ.get("SHANGLIAN_PRIVATE_KEY"):
        key = os.environ["SHANGLIAN_PRIVATE_KEY"]
    else:
        key = click.prompt("Private key (hex)", hide_input=True)
    if not key:
        raise InputError("private_key", "is empty")
    imported = accounts.import_key(name, key, accounts.password(f'New password for "{name}": ', confirm=True))
    emit({"name": name, "address": imported.address}, as_json, lambda: out.print(f"imported {name}: {imported.address}"))


@account.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """List the keystores."""
    rows = accounts.list_accounts()
    emit(
        [{"name": n, "address": a} for n, a in rows],
        as_json,
        lambda: table(f"accounts in {accounts.keystore_dir()}", ["name", "address"], [list(r) for r in rows])
        if rows
        else out.print(f"no accounts in {accounts.keystore_dir()}; create one with `shanglian account new NAME`"),
    )


@account.command("fund", cls=ChainCommand, signs=True)
@click.argument("addresses", nargs=-1)
@click.option("--csv", "csv_file", type=click.Path(exists=True, dir_okay=False),
              help="An enterprise import CSV: fund the accounts it lists.")
@click.option("--amount", type=click.IntRange(1), help="Wei each account should hold (default: the network's min_balance).")
def fund(run: Run[None], addresses: tuple[str, ...], csv_file: str | None, amount: int | None) -> Output:
    """Top ADDRESSES (and a CSV's accounts) up to the balance the network wants before it accepts
    their transactions, from --account. Re-run after any interruption."""
    wanted = [validate.address(a, "addresses") for a in addresses]
    if csv_file:
        wanted += [row.account for row in registry.parse_import_csv(Path(csv_file).read_text(encoding="utf-8-sig"), 0)]
    chain, sender = run.session.chain, run.session.sender
    if chain.profile.embedded:
        raise InputError("network", "the embedded chain needs no funding")
    amount = amount or chain.min_balance
    if not amount:
        raise InputError("amount", f"network {chain.name!r} needs no balance; give --amount to fund anyway")
    assert sender is not None
    result = funding.fund(chain, sender.account, wanted, amount, Journal(state_dir() / "journal.sqlite"))
    return Output(funding.summary(result),
                  f"{len(result.funded)} of {result.accounts} accounts topped up to {amount} wei; "
                  f"{result.already} held it already")
