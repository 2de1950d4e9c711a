"""`shanglian demo`: the seed story end to end."""

from __future__ import annotations

import click

from shanglian.cli.common import out


def register(cli: click.Group) -> None:
    cli.add_command(demo)


@click.command()
@click.option("--network", default="embedded", show_default=True, help="A local network: embedded, development or ganache.")
def demo(network: str) -> None:
    """Run the pear and receivables story on a local chain (embedded by default)."""
    from shanglian import demo as story

    story.run(network, out)
