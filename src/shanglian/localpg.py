"""A throwaway PostgreSQL server (Debian's ``postgresql`` package) for the test suites and the
benchmark: a cluster made with ``initdb`` in a temporary folder, listening on a unix socket there
only (no TCP port to collide with), stopped and deleted at the end.

PostgreSQL refuses to run as root; started by root, the cluster is owned by and the server runs as
the ``postgres`` account that Debian's package creates. The server's settings are the package's
defaults (``synchronous_commit`` on: a commit is on disk when it returns)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shanglian.errors import ConfigError, NetworkError

SUPERUSER = "shanglian"
INSTALL_HINT = "install Debian's postgresql package (`make system` does)"


def server_binaries() -> Path:
    """The folder of the newest installed PostgreSQL server's programs (initdb, postgres)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("postgres")
    if on_path:
        return Path(on_path).parent
    raise ConfigError(f"no PostgreSQL server found (/usr/lib/postgresql/*/bin/postgres): {INSTALL_HINT}")


def _run_as() -> tuple[Callable[[], None] | None, int, int]:
    """(what a child runs before exec, uid, gid): as ``postgres`` when started by root."""
    if os.geteuid() != 0:
        return None, os.getuid(), os.getgid()
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise ConfigError(f"PostgreSQL will not run as root and there is no postgres account: {INSTALL_HINT}") from None
    uid, gid = account.pw_uid, account.pw_gid

    def drop() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return drop, uid, gid


class LocalPostgres:
    """``with LocalPostgres() as server: server.database("x")`` → a URL of an empty database."""

    def __init__(self) -> None:
        self.bin = server_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="shanglian-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._databases = 0

    def start(self, timeout: float = 60) -> LocalPostgres:
        drop, uid, gid = _run_as()
        os.chown(self.folder, uid, gid)
        initdb = subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--no-locale", "--no-sync"],
            preexec_fn=drop, capture_output=True, text=True, check=False)  # noqa: PLW1509 - before exec only
        if initdb.returncode != 0:
            self.close()
            raise ConfigError(f"initdb failed ({initdb.returncode}): {(initdb.stderr or initdb.stdout).strip()[-1500:]}")
        log = open(self.log, "ab")  # noqa: SIM115 - closed with the child
        os.chown(self.log, uid, gid)
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-k", str(self.folder), "-c", "listen_addresses=",
             "-c", "max_connections=200", "-c", "shared_buffers=256MB"],
            preexec_fn=drop, stdout=log, stderr=subprocess.STDOUT)  # noqa: PLW1509 - before exec only
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-1500:]
                self.close()
                raise NetworkError(f"the PostgreSQL server exited with status {self.process.returncode}: {tail}")
            if self._answers():
                return self
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-1500:]
        self.close()
        raise NetworkError(f"the PostgreSQL server did not accept connections within {timeout:g} s: {tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}"

    def _answers(self) -> bool:
        import psycopg

        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def database(self, name: str | None = None) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        self._databases += 1
        name = name or f"resolver{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[call-overload]
        return self.url(name)

    def close(self) -> None:
        """Stops the server (fast shutdown: clients are disconnected) and deletes the cluster."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
