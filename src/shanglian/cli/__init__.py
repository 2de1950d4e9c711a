"""The `shanglian` command line.

Every command that touches a chain takes --network and --account; output is for people unless
--json is given. Errors end the command with one line on stderr and no traceback: exit status 2 for
bad input and for actions the contracts refuse (nothing is sent for bad input), 1 for a node,
account or configuration problem.
"""

from __future__ import annotations

import sys

import click

from shanglian.cli.common import console_error
from shanglian.errors import ContractError, InputError, ShanglianError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="shanglian")
def cli() -> None:
    """上链 shanglian: enterprises, provenance, receivables and the service hall on a consortium EVM chain."""


def _register() -> None:
    from shanglian.cli import account, chain, copyright, demo, enterprise, evidence, licence, provenance, receivables, serve

    for module in (account, chain, demo, enterprise, provenance, receivables, evidence, licence, copyright, serve):
        module.register(cli)


_register()


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="shanglian", standalone_mode=False)
    except click.exceptions.Abort:
        console_error("aborted")
        sys.exit(1)
    except click.ClickException as exc:
        console_error(exc.format_message())
        sys.exit(exc.exit_code)
    except InputError as exc:
        console_error(str(exc))
        sys.exit(2)
    except ContractError as exc:
        console_error(f"refused by the contract: {exc}")
        sys.exit(2)
    except ShanglianError as exc:
        console_error(str(exc))
        sys.exit(1)
    except KeyboardInterrupt:
        console_error("interrupted")
        sys.exit(130)
