"""Databases and processes for the benches and the fault suite: a migrated, seeded database
per run, outbox rows queued in bulk, and the environment of an `ilpbot` process that talks to
the fake Bot API. Shared by bench/ and tests/ (never shipped)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from db import queries
from db.database import Database, normalize_url
from db.migrate import upgrade
from db.seed import seed
from handlers.core.outgoing import Outgoing

PG_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent


def ilpbot_environment(url: str, api_url: str, token: str, secret: str, **extra: str):
    """The environment of an `ilpbot` process talking to a fake Bot API: the caller's, without
    any real platform settings, plus the database, the token and the webhook secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    return env | {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        conn = await asyncpg.connect(
            normalize_url(PG_URL).replace("postgresql+asyncpg", "postgresql"), timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def fresh_database(backend: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A migrated, seeded database URL and a cleanup function."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="ilpbot-bench-"))
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"

        async def cleanup() -> None:  # `make bench` would leave a dozen databases behind a run
            shutil.rmtree(folder, ignore_errors=True)
    else:
        admin = normalize_url(PG_URL).replace("postgresql+asyncpg", "postgresql")
        name = f"ilpbot_bench_{uuid.uuid4().hex[:8]}"
        await _pg(admin, f'CREATE DATABASE "{name}"')
        url = normalize_url(admin.rsplit("/", 1)[0] + f"/{name}")

        async def cleanup() -> None:
            await _pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    async with db.transaction() as session:
        await seed(session)
    await db.dispose()
    return url, cleanup


async def _pg(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def queue_broadcast(
    db: Database, messages: list[tuple[int | str, str]], channel: str = "telegram"
) -> None:
    """Messages waiting in the outbox, due now, in this order: (chat id, text)."""
    now = datetime.now(UTC)
    rows = [
        queries.outbox_row(
            channel=channel,
            chat_id=str(chat),
            payload=Outgoing(channel, str(chat), text).to_json(),
            kind="broadcast",
            now=now,
        )
        for chat, text in messages
    ]
    async with db.transaction() as session:
        await queries.add_outbox_rows(session, rows)
