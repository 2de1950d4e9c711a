"""`shanglian node`, `shanglian deploy`, `shanglian compile`: running a chain and putting the suite on it."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from shanglian import deploy as deploying
from shanglian import localnode, validate
from shanglian.cli.common import ChainCommand, Output, Run, grid, out
from shanglian.errors import InputError, NetworkError


def register(cli: click.Group) -> None:
    cli.add_command(node)
    cli.add_command(deploy)
    cli.add_command(compile_)


@click.command()
@click.option("--port", default=8545, show_default=True, type=click.IntRange(1, 65535))
@click.option("--state-dir", type=click.Path(file_okay=False), help="Folder for the chain state (default: $SHANGLIAN_HOME or ./.shanglian).")
@click.option("--hardfork", default="london", show_default=True, help="EVM hardfork of the local chain.")
@click.option("--block-time", type=click.IntRange(1), help="Mine a block every N seconds instead of on each transaction.")
@click.option("--log", "log", type=click.Path(dir_okay=False),
              help="File for the node's output (default: node.log in the state folder); - for this terminal.")
@click.option("--detach", is_flag=True, help="Run in the background: return once the node answers.")
@click.option("--stop", is_flag=True, help="Stop the node started from the state folder.")
def node(port: int, state_dir: str | None, hardfork: str, block_time: int | None, log: str | None, detach: bool,
         stop: bool) -> None:
    """Start a local Anvil chain whose state survives a restart (kept in the project folder).

    Prints one line with its URL once it answers; exits 1 with the reason when it cannot start (the
    port is taken, the node refuses its options). Without --detach it runs until stopped (Ctrl-C).
    """
    folder = Path(state_dir) if state_dir else deploying.state_dir()
    dev = localnode.DevNode(folder, port, hardfork, block_time, None if log == "-" else Path(log or folder / "node.log"))
    if stop:
        url = dev.stop()
        out.print(f"stopped the node on {url}" if url else f"no node started from {folder} is running", markup=False)
        return
    process = dev.start(detach)
    if not detach:  # before the line that says it runs: a stop sent right after it reaches Anvil
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda sig, _: process.send_signal(sig))
    where = f", log in {dev.log}" if dev.log else ""
    out.print(f"anvil on {dev.url} (chain id {localnode.CHAIN_ID['anvil']}), state in {folder}{where}"
              + (" — stop it with `shanglian node --stop`" if detach else ""), markup=False)
    sys.stdout.flush()
    if detach:
        return
    code = process.wait()
    dev.pid_file.unlink(missing_ok=True)
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise NetworkError(f"anvil stopped with status {code}" + (f" (log: {dev.log})" if dev.log else ""))


@click.command(cls=ChainCommand, signs=True)
@click.option("--admins", help="Comma-separated admin addresses (default on local networks: dev0,dev1,dev2).")
@click.option("--threshold", type=int, help="Approvals needed (default on local networks: 2).")
@click.option("--settlement-token", default=deploying.ZERO_ADDRESS, help="ERC-20 used to settle receivables on chain.")
@click.option("--fresh", is_flag=True, help="Deploy anew even if a live deployment is recorded.")
def deploy(run: Run[None], admins: str | None, threshold: int | None, settlement_token: str, fresh: bool) -> Output:
    """Deploy the contract suite, or reuse the deployment recorded for this chain."""
    s = run.session
    if admins is None:
        if not s.chain.profile.local:
            raise InputError("admins", "give the consortium admin addresses (comma-separated)")
        from shanglian import devkeys

        admin_list = list(devkeys.addresses()[:3])
    else:
        admin_list = [validate.address(a, "admins") for a in admins.split(",") if a.strip()]
    if threshold is None:
        if not s.chain.profile.local:
            raise InputError("threshold", "give the number of approvals needed")
        threshold = 2
    if not 1 <= threshold <= len(admin_list):
        raise InputError("threshold", f"must be between 1 and the number of admins ({len(admin_list)})")
    options = deploying.DeployOptions(admin_list, threshold, validate.address(settlement_token, "settlement_token"))
    rows: list[list[str]] = []
    assert s.sender is not None
    suite = deploying.deploy_suite(
        s.chain, s.sender, options, fresh=fresh,
        progress=lambda name, address, reused: rows.append([name, address, "reused" if reused else "deployed"]),
    )
    return Output(
        {"chain_id": s.chain.chain_id, "network": s.chain.name, "contracts": suite.addresses},
        lambda: grid(f"shanglian on {s.chain.name} (chain id {s.chain.chain_id})", ["contract", "address", ""], rows),
    )


@click.command("compile")
def compile_() -> None:
    """Recompile the contracts into the artifacts shipped with the SDK (needs a source checkout)."""
    from shanglian import compiler

    for path in compiler.write_artifacts(compiler.compile_suite()):
        out.print(f"wrote {path}")
