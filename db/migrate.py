"""Alembic driven from code: `ilpbot db upgrade`, and the embedded default's self-migration."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db.database import normalize_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Until the history became a line, 0002…0009 each revised 0001: a database upgraded then holds
# one alembic_version row per revision it applied (the star's heads).
STAR_HEADS = frozenset({"0002", "0003", "0004", "0006wa", "0007", "0008", "0009"})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser reads % as interpolation: a percent-encoded password or socket path is %%
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    config.attributes["url"] = normalize_url(url)
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    config = alembic_config(url)
    mend_star(config)
    command.upgrade(config, revision)


def downgrade(url: str, revision: str) -> None:
    config = alembic_config(url)
    mend_star(config)
    command.downgrade(config, revision)


async def upgrade_async(url: str, revision: str = "heads") -> None:
    """Alembic's env runs its own event loop, so run it in a worker thread."""
    await asyncio.to_thread(upgrade, url, revision)


def history(config: Config) -> list[str]:
    """The revisions in order, base first."""
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def mend_star(config: Config) -> None:
    """A database upgraded on the star becomes one at a point of the line: walk the line from
    0001, stamping each revision it applied and applying each it missed (revisions of the star
    were independent of each other), until nothing it applied is ahead."""
    url = config.attributes["url"]
    applied = set(asyncio.run(_versions(url)))
    if len(applied) <= 1:
        return  # a line's database (or an empty one): Alembic knows where it is
    if not applied <= STAR_HEADS:
        raise RuntimeError(f"alembic_version holds {sorted(applied)}: not a known history")
    line = history(config)
    asyncio.run(_set_version(url, line[0]))
    for at, revision in enumerate(line[1:], start=1):
        if not applied - set(line[:at]):
            return  # the rest is an ordinary upgrade
        if revision in applied:
            command.stamp(config, revision)
        else:
            command.upgrade(config, revision)


async def _versions(url: str) -> list[str]:
    engine = create_async_engine(normalize_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            if not await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")):
                return []
            return list(
                (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
            )
    finally:
        await engine.dispose()


async def _set_version(url: str, revision: str) -> None:
    engine = create_async_engine(normalize_url(url), poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM alembic_version"))
            await conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
    finally:
        await engine.dispose()
