"""`shanglian serve`: the GS1 Digital Link resolver (the consumer's page) on a network.

On the embedded network the demo's enterprises and pear story are built in this process first (a
chain that lives as long as the server); on a node from `shanglian node` or a consortium network the
server follows the deployment recorded in the manifest. Runnable without the `shanglian` group as
``python -m shanglian.cli.serve``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from shanglian.cli.common import account_option, config_option, console_error, network_option, out


def register(cli: click.Group) -> None:
    cli.add_command(serve)


@click.command()
@network_option("embedded (demo data built in process), development, ganache, a profile from the config file, or a URL.")
@config_option()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@account_option(
    "The platform account that records scans on chain (keystore name, or devN locally). "
    "Without it scans are kept and counted but not flushed."
)
@click.option("--index", "index_path", metavar="FILE|URL",
              help="The index and scan queue: an SQLite file (default <state dir>/resolver/<chain id>.sqlite), or a "
                   "postgresql://user@host/database URL, which several resolvers may share.")
@click.option("--serials", type=click.Path(file_okay=False), help="Folder of published serial lists (default <state dir>/serials).")
@click.option("--fresh-index", is_flag=True,
              help="Rebuild the index from the chain (queued scans are kept; an index of another deployment is dropped with its queue).")
@click.option("--suspicious-after", default=20, show_default=True, type=click.IntRange(0), help="More scans than this are suspicious.")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05), help="Seconds between index/flush passes.")
@click.option("--trust-platform", "trusted", multiple=True, metavar="ACCOUNT",
              help="Also count the on-chain scans of this platform enterprise (repeatable). Scans recorded by "
                   "platforms neither trusted nor this resolver's own are not counted.")
@click.option("--scan-window", default=3600.0, show_default=True, type=click.FloatRange(1),
              help="Seconds within which one client's views of one item are one scan.")
def serve(network: str, config: str | None, host: str, port: int, account: str | None, index_path: str | None,
          serials: str | None, fresh_index: bool, suspicious_after: int, interval: float, trusted: tuple[str, ...],
          scan_window: float) -> None:
    """Serve the pages of GS1 Digital Links (/01/<gtin>/10/<lot>/21/<serial>, /01/<gtin>/21/<serial>,
    /01/<gtin>/10/<lot>), a JSON API at /api/v1 and QR codes at /qr."""
    import uvicorn

    from shanglian import validate
    from shanglian.resolver.app import create_app

    platforms = tuple(validate.address(a, "trust_platform") for a in trusted)
    resolver, demo_link = build(network, config, account, index_path, serials, fresh_index, suspicious_after, interval,
                                platforms, scan_window)
    health = resolver.health()
    out.print(f"index of chain {health.chain_id} at block {health.last_block}: {health.batches} batches, "
              f"{health.items_indexed:,} items; scans {'flushed by the platform account' if health.flushing else 'kept, not flushed (no --account)'}; "
              f"counting the scans of {', '.join(health.counted_platforms) or 'no platform on chain (give --trust-platform)'}",
              markup=False)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if demo_link:
        out.print(f"the demo box of pears: http://{shown_host}:{port}{demo_link}")
    out.print(f"serving on http://{shown_host}:{port}  (API docs: /docs)")
    uvicorn.run(create_app(resolver), host=host, port=port, log_level="warning", access_log=False)


def build(network: str, config: str | None, account: str | None, index_path: str | None, serials: str | None,
          fresh_index: bool, suspicious_after: int, interval: float, trusted: tuple[str, ...] = (),
          scan_window: float = 3600.0) -> tuple[Any, str | None]:
    """The resolver for `network`, and the demo item's path (embedded). Its own platform (the
    enterprise the signing account acts for) and `trusted` are whose on-chain scans count.

    A new index (or one rebuilt because its node lost blocks) is built up to the head here, before
    anything is served from it. An index built before is served as it is: a restart after a crash
    or a day down answers at once, and the worker's first pass catches up with the chain and the
    serial lists published meanwhile, as it does every interval."""
    from shanglian import accounts, deploy, gs1
    from shanglian.network import connect
    from shanglian.registry import Registry
    from shanglian.resolver.app import Resolver
    from shanglian.resolver.hall_index import HALL_CONTRACTS
    from shanglian.resolver.indexer import Indexer, connect_db
    from shanglian.resolver.scans import Flusher
    from shanglian.resolver.store import is_postgres
    from shanglian.roles import Role
    from shanglian.transactions import Transactor

    chain = connect(network, config)
    demo_link = None
    if chain.profile.embedded:
        from shanglian import demo
        from shanglian.demo_hall import hall_story
        from shanglian.demo_pears import pear_story

        out.print("building the demo on the embedded chain …")
        work = Path(tempfile.mkdtemp(prefix="shanglian-serve-"))
        story = demo.prepare(chain)
        facts = pear_story(story, lambda _: None, work)
        hall = hall_story(story, lambda _: None, work / "hall")
        out.print(f"the service hall's documents, to try at /verify: {hall['folder']}")
        suite = story.suite
        sender = story.senders["platform"] if account is None else Transactor(chain, accounts.load(account, chain.profile))
        serials_dir = Path(serials) if serials else work / "serials"
        db_file = Path(index_path) if index_path else work / "index.sqlite"
        start_block = 0
        link = gs1.parse_digital_link(facts["digital_link"])
        demo_link = gs1.DigitalLink(link.gtin, link.lot, link.serial, base="").uri
        # The chain dies with this process, so does its index.
        import atexit

        atexit.register(shutil.rmtree, work, True)
    else:
        suite = deploy.load_suite(chain)
        sender = Transactor(chain, accounts.load(account, chain.profile)) if account else None
        serials_dir = Path(serials) if serials else deploy.state_dir() / "serials"
        db_file = Path(index_path) if index_path else deploy.state_dir() / "resolver" / f"{chain.chain_id}.sqlite"
        entry = deploy.manifest_for(chain).entries(chain.chain_id).get("EnterpriseRegistry", {})
        start_block = int(entry.get("block", 0))
    db: Path | str = index_path if index_path and is_postgres(index_path) else db_file
    if isinstance(db, Path):
        db.parent.mkdir(parents=True, exist_ok=True)

    flusher_factory = None
    platforms = list(trusted)
    if sender is not None:
        platform = Registry(chain, suite.registry).acting_for(sender.address, int(Role.PLATFORM))
        if platform is None:
            raise click.UsageError(f"account {sender.address} does not act for an active platform enterprise; "
                                   "give the platform's account or one of its operators")
        contract = suite["ProductProvenance"]
        platforms.insert(0, platform)

        def flusher_factory(queue: Any) -> Flusher:
            return Flusher(queue, contract, sender, platform)

    hall_contracts = {name: suite.contracts[name] for name in HALL_CONTRACTS if name in suite.contracts}
    indexer = Indexer(chain, suite["ProductProvenance"], suite.registry, connect_db(db), serials_dir, start_block,
                      fresh=fresh_index, hall=hall_contracts)
    if not indexer.built:
        indexer.run_once()
    resolver = Resolver(db, chain.chain_id, indexer, flusher_factory, suspicious_after, interval,
                        platforms=tuple(dict.fromkeys(platforms)), scan_window=scan_window)
    return resolver, demo_link


def main(argv: list[str] | None = None) -> None:
    """`python -m shanglian.cli.serve …`: this command alone, with the CLI's error conventions."""
    from shanglian.errors import ContractError, InputError, ShanglianError

    try:
        serve.main(args=argv, prog_name="shanglian serve", standalone_mode=False)
    except click.ClickException as exc:
        console_error(exc.format_message())
        sys.exit(exc.exit_code)
    except (InputError, ContractError) as exc:
        console_error(str(exc))
        sys.exit(2)
    except ShanglianError as exc:
        console_error(str(exc))
        sys.exit(1)
    except (KeyboardInterrupt, click.exceptions.Abort):
        console_error("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
