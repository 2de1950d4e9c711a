"""30,000 enterprises onboarded from CSV into Anvil, as a consortium does it: two of the three
admins run `shanglian enterprise import`; the second run reaches the threshold and applies it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import members
from shanglian import deploy, devkeys
from shanglian.localnode import LocalNode
from shanglian.network import connect
from shanglian.registry import Registry
from shanglian.transactions import Transactor


def measure(count: int = 30_000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, LocalNode("anvil", state_dir=Path(tmp) / "state") as node:
        config = Path(tmp) / "shanglian.yaml"
        config.write_text(f"networks:\n  bench:\n    rpc: {node.url}\n    chain_id: 31337\n    local: true\n    timeout: 60\n")
        env = {**os.environ, "SHANGLIAN_CONFIG": str(config), "SHANGLIAN_NETWORK": "bench", "SHANGLIAN_HOME": str(Path(tmp) / "home")}
        csv = Path(tmp) / "members.csv"
        members.write(str(csv), count)
        cli = [sys.executable, "-m", "shanglian"]
        subprocess.run(cli + ["deploy", "--account", "dev0"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        for admin in ("dev0", "dev1"):
            subprocess.run(cli + ["enterprise", "import", str(csv), "--account", admin], env=env, check=True,
                           capture_output=True)
        seconds = time.perf_counter() - start
        chain = connect(node.profile)
        suite = deploy.load_suite(chain, deploy.Manifest(Path(tmp) / "home" / "deployments.json"))
        registry = Registry(chain, suite.registry, Transactor(chain, __import__("eth_account").Account.from_key(devkeys.key(0))))
        sample = registry.show(next(members.rows(1)).split(",")[0])
        assert sample.active, "the first imported enterprise is not active"
    return {"bulk_onboard_30k_seconds": round(seconds, 1)}


if __name__ == "__main__":
    print(measure())
