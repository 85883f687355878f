"""The embedded SQLite runs its statements on the event loop's thread: another process holding
the write lock must make us wait without stopping the loop, and the WAL is copied back into the
database file by the checkpointer, not inside a commit."""

import asyncio
import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db import queries
from db.database import Database
from db.models import ProcessedInbound
from db.sqlite_inline import Checkpointer

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_path(sqlite_template, tmp_path) -> Path:
    path = tmp_path / "ilpbot.db"
    shutil.copy(sqlite_template, path)
    return path


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    """Another process's writer (a CLI command) holding the lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    locked.set()
    threading.Event().wait(seconds)
    other.execute("COMMIT")
    other.close()


async def test_a_writer_elsewhere_makes_us_wait_while_the_loop_runs_on(sqlite_path):
    db = Database(f"sqlite+aiosqlite:///{sqlite_path}")
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(sqlite_path, 0.4, locked))
    holder.start()
    await asyncio.to_thread(locked.wait)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    running = asyncio.create_task(ticker())
    async with db.transaction() as session:
        assert await queries.record_inbound(session, "telegram", "1", NOW)
    running.cancel()
    holder.join()
    assert ticks >= 10  # the loop went on for the 0.4 s the lock was held
    async with db.transaction() as session:
        count = select(func.count()).select_from(ProcessedInbound)
        assert await session.scalar(count) == 1
    await db.dispose()


async def test_the_wal_is_checkpointed_in_the_background(sqlite_path):
    db = Database(f"sqlite+aiosqlite:///{sqlite_path}")
    size_before = sqlite_path.stat().st_size
    for n in range(Checkpointer.EVERY):
        async with db.transaction() as session:
            await queries.record_inbound(session, "telegram", f"u{n}-{'x' * 80}", NOW)
    assert sqlite_path.stat().st_size == size_before  # every page still in the WAL
    await db._checkpointer.settled()  # due, and run once no commit came for a moment
    assert sqlite_path.stat().st_size > size_before  # copied back into the database file
    await db.dispose()


async def test_a_commit_hands_back_without_giving_the_loop_a_turn(sqlite_path):
    """A group's transaction ends and its answers are set before the loop reads the next
    updates: those form one group later, not a group of half the chats at once (a closed
    loop of N chats settled into groups of N/2 while the session's close took a turn)."""
    db = Database(f"sqlite+aiosqlite:///{sqlite_path}")
    turns: list[str] = []
    try:
        async with db.transaction() as session:
            await queries.record_inbound(session, "test", "u-turn-1", NOW)
            asyncio.get_running_loop().call_soon(turns.append, "an update read")
        turns.append("committed")
        await asyncio.sleep(0)
        assert turns == ["committed", "an update read"]
        async with db.transaction() as session:
            stored = await session.scalar(select(func.count()).select_from(ProcessedInbound))
        assert stored == 1
    finally:
        await db.dispose()


async def test_a_commit_is_on_disk_before_the_platform_is_answered(sqlite_path):
    """synchronous=FULL: in WAL mode NORMAL syncs only at checkpoints, so a commit answered
    200 could be lost with the power; FULL syncs the WAL at every commit."""
    db = Database(f"sqlite+aiosqlite:///{sqlite_path}")
    try:
        async with db.transaction() as session:
            level = (await session.execute(text("PRAGMA synchronous"))).scalar_one()
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
        assert (level, mode) == (2, "wal")  # 2 = FULL
    finally:
        await db.dispose()
