"""Engines and the unit of work: one transaction per use case; repositories never commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db import sqlite_inline


def normalize_url(url: str) -> str:
    """Heroku-style postgres:// URLs and plain postgresql:// become the asyncpg dialect."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


SNAPSHOT = "ilpbot_snapshot"  # a connection's execution option: see Database.snapshot


def _sqlite_hooks(engine: AsyncEngine) -> None:
    """BEGIN IMMEDIATE: read-then-write transactions must not fail on upgrading their lock.
    A snapshot only reads: a deferred BEGIN, which in WAL mode never waits for a writer nor
    holds one up. The connection's pragmas (WAL, foreign keys, …) are set in
    `sqlite_inline.creator`."""

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(
            "BEGIN" if conn.get_execution_options().get(SNAPSHOT) else "BEGIN IMMEDIATE"
        )


class Database:
    def __init__(
        self,
        url: str,
        pool_size: int = 10,
        echo: bool = False,
        sqlite_synchronous: str = sqlite_inline.SYNCHRONOUS,
    ):
        self.url = normalize_url(url)
        # hide_parameters: a failed statement's exception (logged) and the echo show its SQL, not
        # the values it carried (phone numbers, names).
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.is_sqlite:
            if ":memory:" in self.url:
                raise ValueError("use a file database: :memory: is not shared between connections")
        else:
            # No pool_pre_ping: with asyncpg it costs three round trips (BEGIN, ping, ROLLBACK)
            # per transaction. A connection the server closed (a restart) fails once instead;
            # SQLAlchemy then drops the whole pool and `is_transient` has the work run again.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        self._checkpointer: sqlite_inline.Checkpointer | None = None
        if self.is_sqlite:
            path = make_url(self.url).database or ""
            kwargs["async_creator"] = sqlite_inline.creator(path, sqlite_synchronous)
            self._checkpointer = sqlite_inline.Checkpointer(path)
        self.engine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _sqlite_hooks(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL's default reads each statement's own committed state: a snapshot is one view
        self._snapshot_options: dict[str, Any] = (
            {SNAPSHOT: True}
            if self.is_sqlite
            else {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        # SQLite has one writer at a time; queueing writers in-process avoids the busy-wait
        # sleeps of its lock (a long tail of latency); other processes are waited out in sqlite_inline.
        self._writer = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """The unit of work: commits when the block ends, rolls back on an exception."""
        if self._writer is None:
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._writer:
            session = self._sessions()
            try:
                async with session.begin():
                    yield session
            finally:
                # Not `async with session`: its exit closes in a task of its own behind
                # asyncio.shield, one more turn of the event loop per transaction, taken after
                # the COMMIT and before the group's answers are set. Updates that arrive then
                # form the next group at once, and a closed loop of N chats settles into groups
                # of N/2. The inline driver never suspends, so this close cannot be cut short.
                await session.close()
        assert self._checkpointer is not None
        self._checkpointer.committed()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads (an export, a report's figures): one consistent view,
        rolled back at the end. On SQLite it takes no write lock, so the chats' turns go on
        while it reads; in this process it does not queue behind them either."""
        async with self._sessions() as session:
            await session.connection(execution_options=self._snapshot_options)
            try:
                yield session
            finally:
                await session.rollback()

    async def dispose(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.close()
        await self.engine.dispose()


_IGNORING: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _ignoring(session: AsyncSession, table: Any, returning: tuple[str, ...] = ()) -> Any:
    """INSERT … ON CONFLICT DO NOTHING for `table`, built once per dialect: the inbound path
    runs it for every message."""
    dialect = session.bind.dialect.name
    stmt = _IGNORING.get((dialect, table.name, returning))
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:  # pragma: no cover - only the two supported backends
            dialect_insert = insert
        stmt = dialect_insert(table).on_conflict_do_nothing()
        if returning:
            stmt = stmt.returning(*(table.c[name] for name in returning))
        _IGNORING[(dialect, table.name, returning)] = stmt
    return stmt


async def insert_ignore(session: AsyncSession, table: Any, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row is new."""
    result = await session.execute(_ignoring(session, table), values)
    return result.rowcount == 1


async def insert_new(
    session: AsyncSession, table: Any, rows: list[dict[str, Any]], key: tuple[str, ...]
) -> set[tuple[Any, ...]]:
    """Several rows in one INSERT … ON CONFLICT DO NOTHING; the `key` columns of those that
    were new (a key twice in `rows` is new once)."""
    result = await session.execute(_ignoring(session, table, key), rows)
    return {tuple(row) for row in result}


# PostgreSQL's deadlock victim and serialization failure: the transaction may simply run again.
TRANSIENT_SQLSTATES = {"40P01", "40001"}


def is_transient(exc: BaseException) -> bool:
    """Worth running again at once: a deadlock victim, or a pooled connection found dead (the
    pool is renewed by then, so the next try gets a live one)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in TRANSIENT_SQLSTATES
