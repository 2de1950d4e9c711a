"""`shanglian serve` as a child process, for the test suites and the benchmark: started, waited
for until /healthz answers, killed (SIGKILL, like a crash) or stopped; and the pear producer on a
node, with the suite recorded where such a server finds it, to serve their own batches from."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shanglian.errors import NetworkError
from shanglian.localnode import free_port


@dataclass
class PearProducer:
    """The demo's cast on a chain, the pear product registered, the suite recorded in the manifest
    under `home` (a server started with SHANGLIAN_HOME=home follows it); batches are created with
    :meth:`batch`, their serial lists kept in ``home/serials``."""

    chain: Any
    home: Path

    def __post_init__(self) -> None:
        from shanglian import demo, deploy
        from shanglian.demo_pears import PEAR_FEATURES, PEAR_GTIN, PEAR_NAME
        from shanglian.provenance import Provenance
        from shanglian.trace import SerialFolder

        self.story = demo.prepare(self.chain)
        self.coop = Provenance(self.chain, self.story.suite["ProductProvenance"], self.story.senders["cooperative"])
        self.coop.register_product(PEAR_GTIN, PEAR_NAME, PEAR_FEATURES)
        self.serials = SerialFolder(self.home / "serials")
        manifest = deploy.Manifest(self.home / "deployments.json")
        for name, address in self.story.suite.addresses.items():
            manifest.record(self.chain.chain_id, name, {"address": address, "block": 0})

    def batch(self, lot: str, serials: list[str]) -> None:
        """A batch of pears made the day before the chain's latest block, from the demo's orchard."""
        import datetime as dt

        from shanglian.demo_pears import ORCHARD, PEAR_GTIN

        latest = dt.datetime.fromtimestamp(self.chain.w3.eth.get_block("latest")["timestamp"], dt.timezone.utc).date()
        self.coop.create_batch(PEAR_GTIN, lot, ORCHARD, latest - dt.timedelta(days=1), None, serials,
                               keep_serials=self.serials.save)


class ServerProcess:
    """``python -m shanglian.cli.serve ARGS --port PORT`` with `env`; output goes to `log`."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, port: int | None = None,
                 log: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = args
        self.env = env if env is not None else dict(os.environ)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180) -> ServerProcess:
        # On the embedded chain the server first builds the demo (onboarding, the pear story, the
        # service hall): minutes on py-evm when the machine is shared.

        command = [sys.executable, "-m", "shanglian.cli.serve", *self.args, "--port", str(self.port)]
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - closed with the child
        self.process = subprocess.Popen(command, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log else ""
                raise NetworkError(f"the resolver exited with status {self.process.returncode}: {tail}")
            try:
                self.get("/healthz")
                return self
            except urllib.error.HTTPError:  # answering, degraded (503): its node is not up yet
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.kill()
        raise NetworkError(f"the resolver did not answer within {timeout:g} s")

    def get(self, path: str, timeout: float = 10, headers: dict[str, str] | None = None) -> Any:
        """The answer to GET `path`: JSON decoded, text otherwise; an HTTP error status raises."""
        request = urllib.request.Request(self.url + path, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            kind = response.headers.get("content-type", "")
        return json.loads(body) if kind.startswith("application/json") else body.decode("utf-8")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(15)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
