"""A database's master data: `ilpbot seed`, and the embedded SQLite seeding itself on start."""

from __future__ import annotations

from pathlib import Path

from db import runtime_queries
from db.database import Database
from db.seed import SeedReport, seed


async def seed_places(db: Database, directory: Path | None = None) -> SeedReport:
    """Kecamatan, desa, puskesmas and their links from CSV (the bundled ones by default)."""
    async with db.transaction() as session:
        return await seed(session, directory) if directory else await seed(session)


async def seed_if_empty(db: Database) -> SeedReport | None:
    """Seeds a database that has no kecamatan yet; None when it had some."""
    async with db.transaction() as session:
        if await runtime_queries.kecamatan_count(session) == 0:
            return await seed(session)
    return None
