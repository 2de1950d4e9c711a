"""What every command shares: the network/account options, the connection, and output.

A chain command is its parameters, one SDK call and what it prints. :class:`ChainCommand` does the
rest: it adds --network, --config and --json (and --account when the command signs), hands the
command a :class:`Run` whose session and SDK object open when first used (so input is checked
before anything touches a node), and prints what the command returns, an :class:`Output`: its
``data`` as JSON with --json, otherwise its human form. Errors need nothing: `shanglian.cli.main`
turns an InputError or a contract's refusal into one line and exit status 2, any other
ShanglianError into exit status 1. A new command, in a group declared with ``cls=ChainGroup``::

    @click.group(cls=ChainGroup)
    def evidence() -> None:
        \"\"\"File and look up evidence (存证).\"\"\"


    @evidence.command("file", sdk=_evidence, signs=True)  # _evidence(session) -> the SDK object
    @click.argument("digest")
    @enterprise_option("--party", "the enterprise that must co-sign")
    def evidence_file(run: Run[Evidence], digest: str, party: str) -> Output:
        \"\"\"File a document's SHA-256 digest as evidence, to be co-signed by PARTY.\"\"\"
        value = validate.bytes32(digest, "digest")  # checked before anything connects
        receipt = run.sdk.file(value, party)
        return done(f"filed evidence 0x{value.hex()}", {"digest": "0x" + value.hex(), "party": party}, receipt)

Input is checked before ``run.sdk`` (or ``run.session``) connects. A parameter that commands check
the same way gets a decorator that declares it, checks it and hands the command the checked value:
:func:`enterprise_option` for an enterprise named by its primary account, `batch_argument` in
cli/provenance.py, `token_argument` in cli/receivables.py. Those run before the body, outermost
first (above: --party, then the digest).

What it prints: :func:`done` for a transaction (the data plus its transaction, block and gas; the
message for people), :func:`fields` for one record (aligned ``label  value`` lines), :func:`listing`
for a table, or an :class:`Output` of any data and a line, lines, a rich renderable, or a function
that returns one. Lines are rich markup; pass ``markup=False`` for text that holds names from the
chain or the user. ``run.session`` gives the chain, the signer and the deployment when a command
needs more than the SDK object (see `shanglian trace`). A command outside a group takes
``@click.command(cls=ChainCommand, ...)``.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import click
from rich.console import Console
from rich.table import Table

from shanglian import accounts, deploy, validate
from shanglian.network import Chain, connect
from shanglian.transactions import Transactor

NETWORK_ENV = "SHANGLIAN_NETWORK"
ACCOUNT_ENV = "SHANGLIAN_ACCOUNT"

# Piped output keeps whole addresses: rich would otherwise wrap tables at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

SDK = TypeVar("SDK")
Decorator = Callable[[Any], Any]


def console_error(message: str) -> None:
    # One line: a multi-line message would read as a traceback in logs.
    _err.print(f"error: {' '.join(str(message).split())}", markup=False)


# -- the options every chain command takes ---------------------------------------------------------


def network_option(
    help: str = "embedded, development, ganache, a profile from the config file, or an http(s) URL.",
) -> Decorator:
    return click.option(
        "--network",
        default=lambda: os.environ.get(NETWORK_ENV, "development"),
        show_default="development, or $SHANGLIAN_NETWORK",
        help=help,
    )


def config_option() -> Decorator:
    return click.option("--config", type=click.Path(dir_okay=False), help="Network config file (default ./shanglian.yaml).")


def json_option() -> Decorator:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def account_option(
    help: str = "Keystore name (see `shanglian account list`), or dev0…dev9 on local networks.",
) -> Decorator:
    return click.option("--account", default=lambda: os.environ.get(ACCOUNT_ENV), help=help)


def enterprise_option(flag: str, whom: str) -> Decorator:
    """A required option naming an enterprise by its primary account ("Primary account of `whom`."),
    given to the command checksummed; checked before anything connects (InputError naming it)."""
    name = flag.lstrip("-").replace("-", "_")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @click.option(flag, name, required=True, help=f"Primary account of {whom}.")
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = validate.address(kwargs[name], name)
            return func(*args, **kwargs)

        return wrapper

    return decorate


# -- the connection --------------------------------------------------------------------------------


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


class Run(Generic[SDK]):
    """One run of a chain command: the network and account it was given, connected when first asked
    for (after the command has checked its input), and the command's SDK object on that session."""

    def __init__(
        self,
        network: str,
        config: str | None,
        account: str | None,
        signs: bool,
        sdk: Callable[[Session], SDK] | None,
    ) -> None:
        self.network = network
        self.config = config
        self.account = account
        self.signs = signs
        self._sdk = sdk

    @cached_property
    def session(self) -> Session:
        return session(self.network, self.config, self.account, need_account=self.signs)

    @property
    def signer(self) -> str:
        """The signing account's address (a command declared with ``signs=True`` always has one)."""
        sender = self.session.sender
        if sender is None:
            raise TypeError("this command was declared without signs=True")
        return sender.address

    @cached_property
    def sdk(self) -> SDK:
        if self._sdk is None:
            raise TypeError("this command was declared without sdk=; use run.session")
        return self._sdk(self.session)


# -- what a command prints -------------------------------------------------------------------------


def emit(data: Any, as_json: bool, human: Callable[[], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human()


@dataclass(frozen=True)
class Output:
    """What a command prints: `data` with --json; otherwise `human`, a line, a list of lines or a
    rich renderable (a Table, a Tree), or a function returning one, called only when printed.
    Lines are rich markup unless `markup` is False (then printed as they are)."""

    data: Any
    human: Any
    markup: bool = True

    def print(self, as_json: bool) -> None:
        emit(self.data, as_json, self._print_human)

    def _print_human(self) -> None:
        shown = self.human() if callable(self.human) else self.human
        for part in shown if isinstance(shown, (list, tuple)) else [shown]:
            out.print(part, markup=self.markup)


def tx_summary(receipt: Any) -> dict[str, Any]:
    return {"transaction": receipt["transactionHash"].to_0x_hex(), "block": receipt["blockNumber"], "gas_used": receipt["gasUsed"]}


def done(message: str | list[str], data: dict[str, Any], receipt: Any, *, markup: bool = True) -> Output:
    """A sent transaction: `data` with its transaction, block and gas for scripts; `message` (a line or
    lines) for people."""
    return Output({**data, **tx_summary(receipt)}, message, markup)


def fields(
    data: Any, rows: Mapping[str, Any] | Iterable[tuple[str, Any]], *, gap: str = "  ", markup: bool = True
) -> Output:
    """One record: `data` for scripts; for people a line per row, ``label<gap>value``, the labels
    aligned (underscores in them read as spaces)."""
    items = list(rows.items() if isinstance(rows, Mapping) else rows)
    width = max(len(key) for key, _ in items)
    return Output(data, [f"{key.replace('_', ' '):<{width}}{gap}{value}" for key, value in items], markup)


def listing(data: Any, title: str | None, columns: list[str], rows: list[list[Any]]) -> Output:
    """Many records: `data` for scripts, a table of `rows` under `title` for people."""
    return Output(data, lambda: grid(title, columns, rows))


def grid(title: str | None, columns: list[str], rows: list[list[Any]]) -> Table:
    built = Table(title=title, show_lines=False, title_justify="left")
    for column in columns:
        built.add_column(column)
    for row in rows:
        built.add_row(*[str(cell) for cell in row])
    return built


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    out.print(grid(title, columns, rows))


# -- the command class -----------------------------------------------------------------------------


class ChainCommand(click.Command):
    """A command that talks to a chain; see the module's docstring.

    `sdk` builds the SDK object from the session (``run.sdk``); `signs` adds --account and makes it
    required; `reads_as` adds it optional, for a read that shows more to the right account (a
    confidential receivable's amounts, to a party). The callback takes the :class:`Run` first, then its
    own parameters, and returns the :class:`Output` to print.
    """

    def __init__(
        self,
        *args: Any,
        sdk: Callable[[Session], Any] | None = None,
        signs: bool = False,
        reads_as: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sdk = sdk
        self.signs = signs
        # The shared options come first in --help, then the command's own.
        declared, self.params = self.params, []
        accounts = [account_option()] if signs else []
        if reads_as and not signs:
            accounts = [account_option("Read as this account: a confidential receivable shows yuan only to its "
                                        "parties (shares to anyone else).")]
        for option in (network_option(), config_option(), json_option(), *accounts):
            option(self)
        self.params.extend(declared)

    def invoke(self, ctx: click.Context) -> None:
        assert self.callback is not None
        params = dict(ctx.params)
        as_json = params.pop("as_json")
        run: Run[Any] = Run(params.pop("network"), params.pop("config"), params.pop("account", None), self.signs, self.sdk)
        output = ctx.invoke(self.callback, run, **params)
        if not isinstance(output, Output):
            raise TypeError(f"command {self.name!r} returned {output!r}; a chain command returns an Output")
        output.print(as_json)


class ChainGroup(click.Group):
    """A group whose ``@group.command(...)`` makes :class:`ChainCommand` (taking ``sdk=``, ``signs=``)."""

    command_class = ChainCommand
