"""Shared bench helpers: a fresh migrated, seeded database per backend and timing utilities."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import uvloop
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from db.database import Database
from db.models import ChannelIdentity, Conversation, Puskesmas, User
from handlers.people.invites import DEV_SECRET

T = TypeVar("T")
# Channels and PostgreSQL need an INVITE_SECRET: the bench's is the key invites made without settings use.
os.environ.setdefault("INVITE_SECRET", DEV_SECRET)
PG_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent


def on_uvloop(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on uvloop, as `ilpbot` runs: the load generator's own timers and sockets
    then add less to the latencies it measures."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


async def settle(url: str) -> None:
    """The database as one in service is when the measuring starts.

    Table statistics: autovacuum keeps them in service; a fresh database's planner guesses,
    and on PostgreSQL guesses a join of 1,000 chats badly. A settled disk: creating, migrating
    and seeding the database leaves hundreds of MB dirty, and the kernel writes them back some
    20-30 s later, in the middle of the first measured run; every COMMIT's WAL flush then
    queues behind that writeback for 50-350 ms. A checkpoint and a sync write them now."""
    db = Database(url)
    async with db.transaction() as session:
        await session.execute(text("ANALYZE"))
    if not db.is_sqlite:  # CHECKPOINT needs a superuser or pg_checkpoint: else the sync alone
        with contextlib.suppress(DBAPIError):
            async with db.engine.connect() as conn:
                await conn.execute(text("CHECKPOINT"))
    await db.dispose()
    await asyncio.to_thread(os.sync)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def timed_concurrently(
    jobs: list[Callable[[], Awaitable[None]]], concurrency: int
) -> tuple[float, list[float]]:
    """Runs jobs with bounded concurrency; returns (wall seconds, per-job latencies)."""
    latencies: list[float] = []
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            job = queue.get_nowait()
            start = time.perf_counter()
            await job()
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start, latencies


def summary(latencies: list[float]) -> str:
    return (
        f"p50 {percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )


@contextlib.contextmanager
def no_collector_pauses():
    """The load generator's own garbage collector off while it measures: a full collection of
    everything this process imported (SQLAlchemy, the fakes) stops its sends for 50-70 ms,
    and the latencies would count that pause as the app's."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _cpu_ticks() -> list[int]:
    with open("/proc/stat") as stat:  # the first line: all CPUs, in clock ticks by state
        return [int(n) for n in stat.readline().split()[1:]]


@contextlib.contextmanager
def cpu_steal():
    """The share of the machine's CPU time the hypervisor gave to others while the block ran
    (/proc/stat's steal). A figure measured while it is high says more about the neighbours."""
    share = {"steal": 0.0}
    before = _cpu_ticks() if os.path.exists("/proc/stat") else None
    try:
        yield share
    finally:
        if before is not None:
            spent = [a - b for a, b in zip(_cpu_ticks(), before, strict=True)]
            share["steal"] = spent[7] / max(1, sum(spent))


@contextlib.contextmanager
def disk_flushes(folder: str | None = None, every: float = 0.02):
    """The slowest flush of the disk while the block ran: a thread writes one 8 kB block in
    place and fdatasyncs it every 20 ms. A durable COMMIT waits for the same kind of flush, so a
    latency measured while the disk stalled (a virtual disk can, for 100-500 ms, with no load
    of ours) says more about the disk. `folder`: on the disk to watch (default: the temp one)."""
    seen = {"slowest_ms": 0.0}
    stop = threading.Event()
    fd, path = tempfile.mkstemp(prefix="ilpbot-flush-", dir=folder)

    def probe() -> None:
        block = b"\0" * 8192
        while not stop.wait(every):
            started = time.perf_counter()
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            took = (time.perf_counter() - started) * 1000
            seen["slowest_ms"] = max(seen["slowest_ms"], round(took, 1))

    thread = threading.Thread(target=probe, name="disk-flushes", daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()
        os.close(fd)
        os.unlink(path)


async def posting_lanes(conns: list, total: int, updates) -> tuple[float, list[float], int]:
    """Keeps every open connection busy posting `updates` until `total` are sent; closes them.

    Returns (msg/s, per-post latencies, non-200 count): the most the web app does."""
    connections = len(conns)
    latencies: list[float] = []
    errors = 0
    remaining = itertools.count()

    async def lane(i: int) -> None:
        nonlocal errors
        while next(remaining) < total:
            started = time.perf_counter()
            if await conns[i].post(updates.next_for(i)) != 200:
                errors += 1
            latencies.append(time.perf_counter() - started)

    with no_collector_pauses():
        started = time.perf_counter()
        await asyncio.gather(*(lane(i) for i in range(connections)))
        wall = time.perf_counter() - started
    for conn in conns:
        conn.close()
    return total / wall, latencies, errors


async def register_bidans(
    url: str, channel: str, chat_ids: list[str], phones: bool = False
) -> None:
    """Registered bidans of one puskesmas, as registration leaves them: a user, the chat's
    identity and its (idle) conversation. Without the conversation each chat's first update
    takes the new-chat path (two more statements) that a registered user never takes."""
    db = Database(url)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        puskesmas = await session.scalar(
            select(Puskesmas.id).where(Puskesmas.nama == "Sumber Urip")
        )
        for chat_id in chat_ids:
            await _add_bidan(session, channel, chat_id, puskesmas, now, chat_id if phones else None)
    await db.dispose()


async def recent_writers(url: str, channel: str, chat_ids: list[str], wrote_at: datetime) -> None:
    """People who last wrote at `wrote_at` (WhatsApp's 24-hour window open for free-form
    messages): a user and the chat's identity each, inserted in bulk (a broadcast's thousands)."""
    db = Database(url)
    async with db.transaction() as session:
        puskesmas = await session.scalar(
            select(Puskesmas.id).where(Puskesmas.nama == "Sumber Urip")
        )
        people = [
            dict(name=f"Bidan {c}", role="petugas", puskesmas_id=puskesmas, created_at=wrote_at)
            for c in chat_ids
        ]
        added = insert(User).returning(User.id, sort_by_parameter_order=True)
        users = (await session.scalars(added, people)).all()
        identities = [
            dict(
                channel=channel,
                external_id=chat,
                phone=chat,
                user_id=user,
                last_inbound_at=wrote_at,
            )
            for chat, user in zip(chat_ids, users, strict=True)
        ]
        await session.execute(insert(ChannelIdentity), identities)
    await db.dispose()


async def _add_bidan(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    puskesmas: int,
    now: datetime,
    phone: str | None,
) -> None:
    user = User(name=f"Bidan {chat_id}", role="petugas", puskesmas_id=puskesmas, created_at=now)
    session.add(user)
    await session.flush()
    session.add(ChannelIdentity(channel=channel, external_id=chat_id, phone=phone, user_id=user.id))
    session.add(
        Conversation(
            channel=channel, chat_id=chat_id, user_id=user.id, status="idle", updated_at=now
        )
    )
