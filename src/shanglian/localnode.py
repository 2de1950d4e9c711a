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


def native_binary(name: str) -> str:
    """The node's own executable behind npm's launcher (the launcher exits 0 whatever the node's
    status, so a caller that must know why a node failed runs this); the launcher if it has none."""
    import platform

    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "")
    package = f"{name}-{platform.system().lower()}-{arch}"
    for folder in [Path.cwd(), *Path(__file__).resolve().parents]:
        candidate = folder / "node_modules" / "@foundry-rs" / package / "bin" / name
        if candidate.exists():
            return str(candidate)
    return find_binary(name)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on (or holds) `host`:`port`."""
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(kind: str, port: int, hardfork: str, chain_id: int | None = None, gas_limit: int = GAS_LIMIT) -> list[str]:
    """The node's binary with the settings every kind takes (see _FLAGS)."""
    values = (str(port), str(CHAIN_ID[kind] if chain_id is None else chain_id), hardfork, str(gas_limit))
    return [find_binary(kind), *(part for flag, value in zip(_FLAGS[kind], values) for part in (flag, value))]


def anvil_command(port: int, state: Path | None, hardfork: str = "london", block_time: int | None = None,
                  chain_id: int | None = None, genesis_timestamp: int | None = None, native: bool = False,
                  steps_tracing: bool = False, gas_limit: int = GAS_LIMIT) -> list[str]:
    command = [
        *_command("anvil", port, hardfork, chain_id, gas_limit),
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
    if native:
        command[0] = native_binary("anvil")
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


def answers(url: str) -> bool:
    """Whether a JSON-RPC node answers at `url`."""
    import requests

    try:
        requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=0.5)
        return True
    except requests.exceptions.RequestException:
        return False


class LocalNode:
    """A node process on 127.0.0.1:`port`; `profile` is its local network profile. An Anvil node
    can take another chain id and genesis time (the suites imitate consortium chains with it), keep
    opcode traces (`steps_tracing`), and mine on a clock as a consortium chain does: a block every
    `block_time` seconds holding up to `gas_limit` (without a block time it mines a block for each
    transaction as it arrives)."""

    def __init__(self, kind: str = "anvil", port: int | None = None, state_dir: Path | None = None,
                 hardfork: str = "london", chain_id: int | None = None, genesis_timestamp: int | None = None,
                 steps_tracing: bool = False, block_time: int | None = None, gas_limit: int = GAS_LIMIT) -> None:
        if kind not in CHAIN_ID:
            raise ConfigError(f"unknown node kind {kind!r}; use anvil or ganache")
        anvil_only = (chain_id, genesis_timestamp, block_time)
        if kind != "anvil" and (any(v is not None for v in anvil_only) or steps_tracing or gas_limit != GAS_LIMIT):
            raise ConfigError("only an Anvil node takes a chain id, genesis time, block time, gas limit or steps tracing here")
        self.kind = kind
        self.port = port or free_port()
        self.state_dir = state_dir
        self.hardfork = hardfork
        self.chain_id = CHAIN_ID[kind] if chain_id is None else chain_id
        self.genesis_timestamp = genesis_timestamp
        self.steps_tracing = steps_tracing
        self.block_time = block_time
        self.gas_limit = gas_limit
        self.url = f"http://127.0.0.1:{self.port}"
        self.profile = NetworkProfile(f"{kind}-{self.port}", rpc=self.url, chain_id=self.chain_id, local=True,
                                      logs_range=1_000_000, timeout=30, block_time=float(block_time or 0))
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        if self.kind == "anvil":
            state = self.state_dir / "anvil-state.json" if self.state_dir else None
            return anvil_command(self.port, state, self.hardfork, self.block_time, chain_id=self.chain_id,
                                 genesis_timestamp=self.genesis_timestamp, steps_tracing=self.steps_tracing,
                                 gas_limit=self.gas_limit)
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
        return answers(self.url)

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


class DevNode:
    """`shanglian node`: Anvil on 127.0.0.1:`port` with its state kept in `folder` (``anvil-state.json``),
    its output in a log file, and its process id in ``node.pid`` so that ``--stop`` finds it. Starting
    checks the port first and waits until the node answers; a node that cannot start is a
    NetworkError carrying its own last words."""

    def __init__(self, folder: Path, port: int = 8545, hardfork: str = "london", block_time: int | None = None,
                 log: Path | None = None) -> None:
        self.folder = folder
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log  # None: this terminal
        self.pid_file = folder / "node.pid"
        self.command = anvil_command(port, folder / "anvil-state.json", hardfork, block_time, native=True)

    def running(self) -> tuple[int, str] | None:
        """(pid, url) of the node started from this folder, if it still runs."""
        try:
            pid_text, url = self.pid_file.read_text().split()
            os.kill(int(pid_text), 0)
            return int(pid_text), url
        except (OSError, ValueError):
            return None

    def start(self, detach: bool, timeout: float = 30) -> subprocess.Popen[bytes]:
        self.folder.mkdir(parents=True, exist_ok=True)
        found = self.running()
        if found:
            raise NetworkError(f"a node started from {self.folder} runs already (pid {found[0]}, {found[1]}): "
                               "stop it with `shanglian node --stop`")
        if port_in_use(self.port):
            raise NetworkError(f"port {self.port} on 127.0.0.1 is in use: stop what holds it (a node started with "
                               f"--detach stops with `shanglian node --stop`), or give another --port")
        output = open(self.log, "ab") if self.log else None  # noqa: SIM115 - the child's, closed below
        try:
            process = subprocess.Popen(self.command, stdout=output, stderr=subprocess.STDOUT if output else None,
                                       stdin=subprocess.DEVNULL, start_new_session=detach)
        finally:
            if output:
                output.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise NetworkError(f"anvil exited with status {process.returncode} at start: {self._last_words()}")
            if answers(self.url):
                self.pid_file.write_text(f"{process.pid} {self.url}\n")
                return process
            time.sleep(0.05)
        process.kill()
        raise NetworkError(f"anvil did not answer on {self.url} within {timeout:g} s: {self._last_words()}")

    def _last_words(self) -> str:
        if self.log is None or not self.log.exists():
            return "see its output above"
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        return (lines[-1].strip() if lines else "it printed nothing") + f" (log: {self.log})"

    def stop(self, timeout: float = 15) -> str | None:
        """Stops the node started from this folder (it dumps its state first); its URL, or None if
        none ran."""
        found = self.running()
        if found is None:
            self.pid_file.unlink(missing_ok=True)
            return None
        pid, url = found
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return url
