"""A database's master data: `ilpbot seed`, and the embedded SQLite seeding itself on start."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from db import runtime_queries
from db.database import Database
from db.seed import SeedReport, seed, seed_demo_posyandu


async def seed_places(db: Database, directory: Path | None = None) -> SeedReport:
    """Kecamatan, desa, puskesmas and their links from CSV (the bundled ones by default)."""
    async with db.transaction() as session:
        return await seed(session, directory) if directory else await seed(session)


async def seed_if_empty(db: Database, now: datetime | None = None) -> SeedReport | None:
    """Seeds a database that has no kecamatan yet, with the demo posyandu (the embedded
    SQLite of `make run`); None when it had some."""
    async with db.transaction() as session:
        if await runtime_queries.kecamatan_count(session) == 0:
            report = await seed(session)
            await session.flush()
            await seed_demo_posyandu(session, now or datetime.now(UTC))
            return report
    return None
