"""Enterprises onboarded from CSV into Anvil, as a consortium does it: two of the three admins run
`shanglian enterprise import`; the second run reaches the threshold and applies it. Then the
resolver's index (what its pages read) is built from the chain: the enterprises table, from the
registry's events and the transactions that applied the import's chunks.

    python -m bench.onboard            30,000 and 300,000 enterprises
    python -m bench.onboard 300000     one size
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import members
from shanglian import deploy
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.registry import Registry
from shanglian.resolver.indexer import Indexer, connect_db


# Besu's IBFT 2.0 examples' block period; its free-gas guide lets a consortium size the block gas to
# what its validators process (https://besu.hyperledger.org/private-networks/how-to/configure/free-gas).
BLOCK_TIME = 2
BLOCK_GAS = 3_000_000_000


def label(count: int) -> str:
    return f"{count // 1000}k" if count % 1000 == 0 else str(count)


def measure(count: int = 30_000, index: bool = False) -> dict[str, float]:
    """`bulk_onboard_<n>_seconds`: both admins' import commands, wall clock; with `index`, also
    `index_<n>_seconds`: the resolver's indexer following the chain from the deployment to the
    head. Both are checked: every row an active enterprise, on chain and in the index."""
    # The node keeps its state in memory, as a consortium node keeps it in its database: Anvil's
    # --state would write all of it as JSON every second, which at 300,000 enterprises is most of
    # the node's time. Resuming is the import journal's business, not the node's.
    # It mines as a consortium chain does, a block every BLOCK_TIME seconds, not Anvil's default of
    # a block per arriving transaction, with which the import slowed as the state grew and took
    # several times as long (docs/scale.md, section 2).
    with tempfile.TemporaryDirectory() as tmp, LocalNode("anvil", block_time=BLOCK_TIME, gas_limit=BLOCK_GAS) as node:
        config = Path(tmp) / "shanglian.yaml"
        config.write_text(f"networks:\n  bench:\n    rpc: {node.url}\n    chain_id: 31337\n    local: true\n"
                          f"    timeout: 60\n    block_time: {BLOCK_TIME}\n")
        env = {**os.environ, "SHANGLIAN_CONFIG": str(config), "SHANGLIAN_NETWORK": "bench", "SHANGLIAN_HOME": str(Path(tmp) / "home")}
        csv = Path(tmp) / "members.csv"
        members.write(str(csv), count)
        cli = [sys.executable, "-m", "shanglian"]
        subprocess.run(cli + ["deploy", "--account", "dev0"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        for admin in ("dev0", "dev1"):
            subprocess.run(cli + ["enterprise", "import", str(csv), "--account", admin], env=env, check=True,
                           capture_output=True)
        figures = {f"bulk_onboard_{label(count)}_seconds": round(time.perf_counter() - start, 1)}
        chain = connect(node.profile)
        manifest = deploy.Manifest(Path(tmp) / "home" / "deployments.json")
        suite = deploy.load_suite(chain, manifest)
        deployed = int(manifest.entries(chain.chain_id)["EnterpriseRegistry"]["block"])
        first, last = (row.split(",")[0] for row in (next(members.rows(1)), list(members.rows(count))[-1]))
        registry = Registry(chain, suite.registry)
        assert registry.show(first).active and registry.show(last).active, "an imported enterprise is not active"
        if index:
            figures[f"index_{label(count)}_seconds"] = _index(chain, suite, deployed, Path(tmp) / "index.sqlite", count, last)
    return figures


def _index(chain: Any, suite: Any, deployed: int, path: Path, count: int, last: str) -> float:
    conn = connect_db(path)
    start = time.perf_counter()
    Indexer(chain, suite["ProductProvenance"], suite.registry, conn, Path(path).with_name("serials"), deployed).run_once()
    seconds = round(time.perf_counter() - start, 1)
    active = conn.execute("SELECT COUNT(*) FROM enterprises WHERE status = 'active'").fetchone()[0]
    assert active == count, f"the index holds {active} active enterprises, not {count}"
    assert conn.execute("SELECT name FROM enterprises WHERE account = ?", (last,)).fetchone()[0].startswith("湖南省第")
    return seconds


if __name__ == "__main__":
    sizes = [int(sys.argv[1])] if sys.argv[1:] else [30_000, 300_000]
    for size in sizes:
        print(measure(size, index=size >= 100_000))
