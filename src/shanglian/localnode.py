"""Local development nodes (Anvil, Ganache) started from the npm packages, for `shanglian node`,
the test suites and the benchmarks. One place knows their flags."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from shanglian.errors import ConfigError, NetworkError
from shanglian.network import NetworkProfile

CHAIN_ID = {"anvil": 31337, "ganache": 1337}
GAS_LIMIT = 30_000_000

# The settings every local node takes, each in its own words: port, chain id, hardfork, block gas limit.
_FLAGS = {
    "anvil": ("--port", "--chain-id", "--hardfork", "--gas-limit"),
    "ganache": ("--server.port", "--chain.chainId", "--chain.hardfork", "--miner.blockGasLimit"),
}


def find_binary(name: str) -> str:
    """`name` from PATH, or from the npm packages installed beside the project."""
    found = shutil.which(name)
    if found:
        return found
    for folder in [Path.cwd(), *Path(__file__).resolve().parents]:
        candidate = folder / "node_modules" / ".bin" / name
        if candidate.exists():
            return str(candidate)
    raise ConfigError(f"{name} not found: run `npm ci` in the shanglian checkout, or put {name} on PATH")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(kind: str, port: int, hardfork: str, chain_id: int | None = None) -> list[str]:
    """The node's binary with the settings every kind takes (see _FLAGS)."""
    values = (str(port), str(CHAIN_ID[kind] if chain_id is None else chain_id), hardfork, str(GAS_LIMIT))
    return [find_binary(kind), *(part for flag, value in zip(_FLAGS[kind], values) for part in (flag, value))]


def anvil_command(port: int, state: Path | None, hardfork: str = "london", block_time: int | None = None,
                  chain_id: int | None = None, genesis_timestamp: int | None = None,
                  steps_tracing: bool = False) -> list[str]:
    command = [
        *_command("anvil", port, hardfork, chain_id),
        # No base fee, like brownie's development network and the zero-gas consortium chains: a
        # bulk job's fees then cannot fall behind a base fee that its own full blocks drive up.
        "--base-fee", "0",
        # Anvil writes the state of every block that falls out of its memory to a folder of its
        # own under ~/.foundry/anvil/tmp, and a killed node leaves it behind: gigabytes per bulk
        # job. Nothing here reads state at old blocks, so none is kept on disk.
        "--max-persisted-states", "0",
    ]
    if state is not None:
        # Dumped every second as well as on a clean stop, so a killed node loses at most a second.
        command += ["--state", str(state), "--state-interval", "1"]
    if block_time:
        command += ["--block-time", str(block_time)]
    if genesis_timestamp is not None:
        command += ["--timestamp", str(genesis_timestamp)]
    if steps_tracing:  # opcode traces for debug_traceTransaction (bench/gastrace.py)
        command += ["--steps-tracing"]
    return command


def ganache_command(port: int, state_dir: Path | None, hardfork: str = "london") -> list[str]:
    from shanglian import devkeys

    command = [
        *_command("ganache", port, hardfork),
        "--wallet.mnemonic", devkeys.MNEMONIC,
        "--wallet.totalAccounts", str(devkeys.COUNT),
        "--logging.quiet",
    ]
    if state_dir is not None:
        command += ["--database.dbPath", str(state_dir)]
    return command


class LocalNode:
    """A node process on 127.0.0.1:`port`; `profile` is its local network profile. An Anvil node
    can take another chain id and genesis time (the suites imitate consortium chains with it), and
    keep opcode traces (`steps_tracing`)."""

    def __init__(self, kind: str = "anvil", port: int | None = None, state_dir: Path | None = None,
                 hardfork: str = "london", chain_id: int | None = None, genesis_timestamp: int | None = None,
                 steps_tracing: bool = False) -> None:
        if kind not in CHAIN_ID:
            raise ConfigError(f"unknown node kind {kind!r}; use anvil or ganache")
        if kind != "anvil" and (chain_id is not None or genesis_timestamp is not None or steps_tracing):
            raise ConfigError("only an Anvil node takes a chain id, genesis time or steps tracing here")
        self.kind = kind
        self.port = port or free_port()
        self.state_dir = state_dir
        self.hardfork = hardfork
        self.chain_id = CHAIN_ID[kind] if chain_id is None else chain_id
        self.genesis_timestamp = genesis_timestamp
        self.steps_tracing = steps_tracing
        self.url = f"http://127.0.0.1:{self.port}"
        self.profile = NetworkProfile(f"{kind}-{self.port}", rpc=self.url, chain_id=self.chain_id, local=True,
                                      logs_range=1_000_000, timeout=30)
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        if self.kind == "anvil":
            state = self.state_dir / "anvil-state.json" if self.state_dir else None
            return anvil_command(self.port, state, self.hardfork, chain_id=self.chain_id,
                                 genesis_timestamp=self.genesis_timestamp, steps_tracing=self.steps_tracing)
        return ganache_command(self.port, self.state_dir / "ganache" if self.state_dir else None, self.hardfork)

    def start(self, timeout: float = 30) -> "LocalNode":
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            if self.kind == "ganache":
                (self.state_dir / "ganache").mkdir(exist_ok=True)
        # A session of its own: npm's launcher starts the native binary as a child, and a kill must
        # reach both.
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NetworkError(f"{self.kind} exited at start with status {self.process.returncode}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop(kill=True)
        raise NetworkError(f"{self.kind} did not start within {timeout:g} s")

    def _answers(self) -> bool:
        import requests

        try:
            requests.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=0.5)
            return True
        except requests.exceptions.RequestException:
            return False

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        except ProcessLookupError:
            return
        self.process.wait(15)
        # The native node outlives npm's launcher by its state dump: wait for the whole group.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def __enter__(self) -> "LocalNode":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
