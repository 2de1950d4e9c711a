"""The resolver's database — its index and its scan queue — in SQLite (embedded, the default) or in
PostgreSQL (``postgresql://…``, which several resolver processes share), behind one interface.

The resolver's statements are written once, in the SQL both speak: ``INSERT … ON CONFLICT``,
``RETURNING``, ``?`` parameters (which :class:`PostgresDatabase` hands to psycopg as ``%s``). What
differs lives here and nowhere else:

- column types: the schema is written in SQLite's (``BLOB``, ``REAL``, ``INTEGER PRIMARY KEY``,
  ``WITHOUT ROWID``) and :meth:`Database.schema` maps them to PostgreSQL's;
- a write transaction (:meth:`Database.write`): SQLite's ``BEGIN IMMEDIATE`` takes the one writer's
  lock; PostgreSQL takes transaction-scoped advisory locks on the keys the caller names, so only
  writers of the same keys wait for each other;
- locks across processes: :meth:`Database.exclusive` (one holder at a time, waited for) and
  :meth:`Database.lease` (taken if free and kept until the connection ends, so a killed process's
  lease goes with its connection): PostgreSQL's session advisory locks; for SQLite, one process
  owns the file, and both are trivially held;
- many statements at once (:meth:`Database.execute_each`): one round trip to a PostgreSQL server;
- a connection the server dropped: PostgreSQL's is replaced at its next statement (see
  :class:`PostgresDatabase`); an SQLite file has no server to lose;
- the schema's version, the tables there are, the columns of one, and SQLite's WAL checkpoints.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shanglian.errors import ConfigError

__all__ = ["Database", "PostgresDatabase", "Row", "SqliteDatabase", "connect_database", "is_postgres", "lock_key"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """Whether `target` names a PostgreSQL database (a URL) rather than an SQLite file."""
    return str(target).startswith(POSTGRES_SCHEMES)


def lock_key(name: str | bytes) -> int:
    """A signed 64-bit advisory lock key for `name` (BLAKE2b, so keys of distinct names differ)."""
    data = name.encode("utf-8") if isinstance(name, str) else name
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


class Database(ABC):
    """One connection to the resolver's database (not shared between threads)."""

    kind: str
    target: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Runs one statement (committed at once outside :meth:`write`); a cursor to fetch from."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Runs one statement for each of `rows`."""

    @abstractmethod
    def execute_each(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Runs one statement for each of `rows`, in order; how many rows each changed. (On
        PostgreSQL in one round trip to the server.)"""

    @abstractmethod
    def script(self, sql: str) -> None:
        """Runs several statements without parameters (the schema)."""

    @abstractmethod
    def insert_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> None:
        """Appends many rows to `table` (a batch's serials): the fastest way each database has."""

    @abstractmethod
    @contextmanager
    def write(self, keys: Iterable[bytes] = ()) -> Iterator[None]:
        """A write transaction, committed when the block ends (rolled back if it raises). Writers
        naming one of the same `keys` (and on SQLite, every writer) run one after the other."""

    @abstractmethod
    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Held by one connection at a time across every process sharing the database."""

    @abstractmethod
    def lease(self, name: str) -> bool:
        """Whether this connection holds the lease `name`, taking it if no other holds it. Kept
        until the connection ends: a process killed while holding it loses it with its connection."""

    @abstractmethod
    def schema(self, text: str) -> str:
        """`text`, DDL written in SQLite's types, in this database's."""

    @abstractmethod
    def tables(self) -> list[str]:
        """The tables of the resolver's database."""

    @abstractmethod
    def columns(self, table: str) -> set[str]:
        """The column names of `table`."""

    @property
    @abstractmethod
    def version(self) -> int:
        """The schema version the database was made with (0: new)."""

    @version.setter
    @abstractmethod
    def version(self, value: int) -> None: ...

    def checkpoint(self) -> None:  # noqa: B027 - only SQLite's WAL needs one
        """Moves a write-ahead log into the database, without blocking readers or writers."""

    def hold_checkpoints(self, held: bool) -> None:  # noqa: B027 - only SQLite's WAL needs one
        """Whether commits on this connection may checkpoint the log themselves (`held`: not)."""

    needs_checkpoints = False

    def reopen(self, named_rows: bool = False) -> Database:
        """Another connection to the same database."""
        return connect_database(self.target, named_rows)

    @abstractmethod
    def close(self) -> None: ...


class SqliteDatabase(Database):
    """The embedded index: one file, WAL, so pages read while the worker writes.

    ``synchronous=NORMAL`` in WAL mode keeps every committed transaction across a crash of the
    process (what a killed server is); only a power cut can lose the last commits."""

    kind = "sqlite"
    needs_checkpoints = True

    def __init__(self, path: str | Path, named_rows: bool = False) -> None:
        self.target = str(path)
        self.raw = sqlite3.connect(self.target, timeout=30, isolation_level=None, check_same_thread=False)
        if named_rows:
            self.raw.row_factory = sqlite3.Row
        self.raw.execute("PRAGMA journal_mode=WAL")
        self.raw.execute("PRAGMA synchronous=NORMAL")
        self.raw.execute("PRAGMA busy_timeout=30000")
        self.execute = self.raw.execute  # type: ignore[method-assign]  # the hot path: no extra call
        self.executemany = self.raw.executemany  # type: ignore[method-assign,assignment]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(sql, rows)

    def execute_each(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        return [self.raw.execute(sql, row).rowcount for row in rows]

    def script(self, sql: str) -> None:
        self.raw.executescript(sql)

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> None:
        self.raw.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})', rows)

    @contextmanager
    def write(self, keys: Iterable[bytes] = ()) -> Iterator[None]:
        with self.raw:
            self.raw.execute("BEGIN IMMEDIATE")
            yield

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        yield  # one process owns the file; writes are serialised by BEGIN IMMEDIATE

    def lease(self, name: str) -> bool:
        return True

    def schema(self, text: str) -> str:
        return text

    def tables(self) -> list[str]:
        return [name for (name,) in self.raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if name != "sqlite_sequence"]

    def columns(self, table: str) -> set[str]:
        return {column[1] for column in self.raw.execute(f'PRAGMA table_info("{table}")')}

    @property
    def version(self) -> int:
        return int(self.raw.execute("PRAGMA user_version").fetchone()[0])

    @version.setter
    def version(self, value: int) -> None:
        self.raw.execute(f"PRAGMA user_version = {int(value)}")

    def checkpoint(self) -> None:
        self.raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()

    def hold_checkpoints(self, held: bool) -> None:
        # SQLite would otherwise checkpoint inside whichever commit crosses 1000 WAL pages.
        self.raw.execute(f"PRAGMA wal_autocheckpoint={0 if held else 1000}")

    def close(self) -> None:
        self.raw.close()


class Row(tuple):  # type: ignore[type-arg]
    """A PostgreSQL row read by position or by column name, as :class:`sqlite3.Row` is."""

    __slots__ = ()
    _names: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _named_rows(cursor: Any) -> Any:
    if cursor.description is None:
        return tuple
    names = {column.name: i for i, column in enumerate(cursor.description)}
    row_type = type("Row", (Row,), {"__slots__": (), "_names": names})
    return row_type


# SQLite's types in the schema, each as PostgreSQL's (applied in order).
_PG_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\s+WITHOUT ROWID"), ""),
)


class PostgresDatabase(Database):
    """A PostgreSQL database (psycopg 3) that several resolver processes share. Each statement
    commits at once (autocommit) unless inside :meth:`write`.

    A connection the server dropped (restarted, or the backend terminated) is replaced by a new one
    at the next statement outside a transaction or lock: a read that failed because the server had
    dropped the connection is run again once on the new one, as is the ``BEGIN`` of a
    :meth:`write`; any other statement's failure is raised (it may have run: the caller decides),
    and a failure inside :meth:`write` or :meth:`exclusive` is raised whole (the lock went with the
    session). Leases went with the session too: :meth:`lease` asks for them again."""

    kind = "postgresql"

    def __init__(self, url: str, named_rows: bool = False) -> None:
        self.target = url
        self._named_rows = named_rows
        self._sql: dict[str, str] = {}
        self._leases: set[int] = set()
        self._held = 0  # depth of write() and exclusive() blocks: no new connection inside them
        self.raw = self._connect()

    def _connect(self) -> Any:
        import psycopg

        try:
            # Named for its process, so an operator (or the benchmark) sees who holds which lock.
            return psycopg.connect(self.target, autocommit=True, row_factory=_named_rows if self._named_rows else None,
                                   application_name=f"shanglian-resolver {os.getpid()}")
        except psycopg.OperationalError as exc:
            raise ConfigError(f"cannot connect to the index database {_redacted(self.target)}: "
                              f"{' '.join(str(exc).split())}; check that the server is running and the URL's user, "
                              "host and database") from exc

    def _live(self) -> Any:
        """The connection, a new one if the server dropped it (not inside a transaction or lock)."""
        if self.raw.closed and not self._held:
            self.raw = self._connect()
            self._leases.clear()
        return self.raw

    def _dropped(self) -> bool:
        """After a failure: whether it was the server dropping the connection, outside any block."""
        return bool(self.raw.closed) and not self._held

    def _pg(self, sql: str) -> str:
        translated = self._sql.get(sql)
        if translated is None:
            translated = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return translated

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        import psycopg

        try:
            return self._live().execute(self._pg(sql), params or None)
        except psycopg.OperationalError:
            if not (self._dropped() and sql.lstrip()[:6].upper() == "SELECT"):
                raise
        return self._live().execute(self._pg(sql), params or None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._live().cursor() as cursor:
            cursor.executemany(self._pg(sql), list(rows))

    def execute_each(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        # psycopg sends the statements in one pipeline; `returning` keeps each one's result.
        with self._live().cursor() as cursor:
            cursor.executemany(self._pg(sql), rows, returning=True)
            changed = [cursor.rowcount]
            while cursor.nextset():
                changed.append(cursor.rowcount)
        return changed

    def script(self, sql: str) -> None:
        self._live().execute(sql)  # several statements, no parameters

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> None:
        # COPY: a tenth of the time of INSERTs for a batch's ten thousand serials.
        with self._live().cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def _begin(self) -> Any:
        """A transaction begun (its BEGIN sent again on a new connection if the server had dropped
        this one): psycopg's transaction block, entered, for the caller to exit."""
        import psycopg

        block = self._live().transaction()
        try:
            block.__enter__()
        except psycopg.OperationalError:
            if not self._dropped():
                raise
            block = self._live().transaction()
            block.__enter__()
        return block

    @contextmanager
    def write(self, keys: Iterable[bytes] = ()) -> Iterator[None]:
        wanted = sorted({lock_key(k) for k in keys})  # always in one order: no deadlock between writers
        transaction = self._begin()
        self._held += 1
        try:
            if wanted:
                self.raw.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", (wanted,))
            yield
        except BaseException as exc:
            if not transaction.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            transaction.__exit__(None, None, None)
        finally:
            self._held -= 1

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        key = lock_key(name)
        self._live().execute("SELECT pg_advisory_lock(%s)", (key,))
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self.raw.closed:  # a dropped session's locks went with it
                self.raw.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def lease(self, name: str) -> bool:
        key = lock_key(name)
        if key not in self._leases and self._live().execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
            self._leases.add(key)
        return key in self._leases

    def schema(self, text: str) -> str:
        for pattern, replacement in _PG_TYPES:
            text = pattern.sub(replacement, text)
        return text

    def tables(self) -> list[str]:
        return [name for (name,) in self._live().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'")]

    def columns(self, table: str) -> set[str]:
        return {name for (name,) in self._live().execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s", (table,))}

    @property
    def version(self) -> int:
        self._live().execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        row = self.raw.execute("SELECT version FROM schema_version").fetchone()
        return 0 if row is None else int(row[0])

    @version.setter
    def version(self, value: int) -> None:
        with self._live().transaction():
            self.raw.execute("DELETE FROM schema_version")
            self.raw.execute("INSERT INTO schema_version VALUES (%s)", (int(value),))

    def close(self) -> None:
        self.raw.close()


def _redacted(url: str) -> str:
    """`url` without its password."""
    return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


def connect_database(target: str | Path, named_rows: bool = False) -> Database:
    """A connection to the database at `target`: a ``postgresql://`` URL, or an SQLite file.
    `named_rows`: rows read by column name too (the pages' queries)."""
    if is_postgres(target):
        return PostgresDatabase(str(target), named_rows)
    return SqliteDatabase(target, named_rows)
