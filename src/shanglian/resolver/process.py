"""`shanglian serve` as a child process, for the test suites and the benchmark: started, waited
for until /healthz answers, killed (SIGKILL, like a crash) or stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from shanglian.errors import NetworkError
from shanglian.localnode import free_port


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

    def start(self, timeout: float = 420) -> ServerProcess:
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
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.kill()
        raise NetworkError(f"the resolver did not answer within {timeout:g} s")

    def get(self, path: str, timeout: float = 10) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
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
