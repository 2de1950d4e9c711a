"""`shanglian account new|import|list`: keystores shared with brownie."""

from __future__ import annotations

import os

import click

from shanglian import accounts
from shanglian.cli.common import emit, out, table
from shanglian.errors import InputError


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
