"""SQLite for the async engine without a thread hop per call.

aiosqlite runs every cursor call in its own thread: a statement through SQLAlchemy is four
hand-offs (cursor, execute, fetch, close), and each costs more than the statement itself on a
local file in WAL mode (tens of microseconds). Our writers are already queued one at a time by
`Database`, so nothing is gained by the thread. This shim gives SQLAlchemy's aiosqlite dialect
(through `create_async_engine(async_creator=…)`) the same awaitable interface, running each call
directly on the event loop's thread. A writer from another process (a CLI command) can make
`BEGIN IMMEDIATE` busy: then the call waits with `asyncio.sleep` and tries again, so the loop
(and another `Database` in this process holding the lock) goes on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from typing import Any

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 10.0  # seconds a statement waits for another connection's write lock
# FULL: the WAL is synced at every commit, so a commit the platform was answered 200 for
# survives a power cut (NORMAL syncs only at checkpoints: safe from a crash of the process, not
# of the machine). The group commit shares one sync among a group; bench/sqlite_sync.py measures.
SYNCHRONOUS = "FULL"
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=0",  # busy: we wait in `_patiently`, not SQLite in the loop's thread
    "PRAGMA wal_autocheckpoint=0",  # the Checkpointer's job
)


async def _patiently(call: Callable[[], Any]) -> Any:
    """Runs `call`; while the database is locked by another connection, sleeps and retries."""
    delay, waited = 0.001, 0.0
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or waited >= BUSY_TIMEOUT:
                raise
        await asyncio.sleep(delay)
        waited += delay
        delay = min(delay * 2, 0.05)


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        await _patiently(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(rows)
        await _patiently(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """The part of `aiosqlite.Connection` that SQLAlchemy's dialect uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        await _patiently(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, name: str, arity: int, func: Callable, **kw: Any) -> None:
        self._conn.create_function(name, arity, func, **kw)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def creator(path: str, synchronous: str = SYNCHRONOUS) -> Callable[[], Any]:
    """`async_creator` for `create_async_engine`: autocommit mode, so `BEGIN IMMEDIATE` is ours.
    `synchronous` other than FULL only for the bench that measures what FULL costs."""
    pragmas = (*PRAGMAS, f"PRAGMA synchronous={synchronous}")

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in pragmas:
            await _patiently(lambda pragma=pragma: connection.execute(pragma))
        return InlineConnection(connection)

    return connect


class Checkpointer:
    """Copies the WAL back into the database file in a worker thread, in a lull.

    Left to SQLite, a commit that fills the WAL runs the checkpoint itself (writing pages back
    and syncing the file) and the event loop would wait for it. In a thread it still syncs the
    disk, which stalls the commits running meanwhile by tens of milliseconds: so it waits for
    a moment without commits, unless the WAL has grown too long to wait any more."""

    EVERY = 500  # commits before a checkpoint is due: about 2-4 MB of WAL
    QUIET = 0.2  # seconds without a commit that count as a lull
    AT_MOST = 20_000  # commits: due now, lull or not (the WAL must not grow without end)

    def __init__(self, path: str) -> None:
        self.path = path
        self._commits = 0
        self._last = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None

    def committed(self) -> None:
        loop = asyncio.get_running_loop()
        self._commits += 1
        self._last = loop.time()
        if self._commits >= self.EVERY and self._timer is None and not self._busy():
            self._timer = loop.call_later(self.QUIET, self._when_quiet)

    def _busy(self) -> bool:
        return self._running is not None and not self._running.done()

    def _when_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        self._timer = None
        if loop.time() - self._last < self.QUIET and self._commits < self.AT_MOST:
            self._timer = loop.call_later(self.QUIET, self._when_quiet)
            return
        self._commits = 0
        self._running = loop.create_task(asyncio.to_thread(self._run))

    def _run(self) -> None:
        try:
            with closing(sqlite3.connect(self.path, timeout=0)) as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # busy or gone: the next round tries again
            log.info("WAL checkpoint skipped: %s", exc)

    async def settled(self) -> None:
        """Waits for a due checkpoint to run and finish (the process is stopping, or a test)."""
        while self._timer is not None or self._busy():
            if self._running is not None:
                await self._running
            await asyncio.sleep(self.QUIET / 4)

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is not None:
            await self._running
