"""What `/healthz` and `/metrics` read: each in a read-only snapshot, so a probe never takes
SQLite's write lock (nor queues behind the turns holding it)."""

from __future__ import annotations

from db import runtime_queries
from db.database import Database


async def database_ok(db: Database) -> None:
    """Returns when the database answers; raises what reaching it raised."""
    async with db.snapshot() as session:
        await runtime_queries.ping(session)


async def outbox_depth(db: Database) -> dict[str, int]:
    """Pending outbox rows by channel (channels with none are absent)."""
    async with db.snapshot() as session:
        return await runtime_queries.pending_by_channel(session)
