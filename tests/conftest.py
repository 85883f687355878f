"""Shared fixtures: a real database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL
is set), a frozen clock, and a chat driver that talks to the real runtime."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from conversations.model import Inbound
from db.database import Database, normalize_url
from db.migrate import upgrade
from db.seed import seed
from handlers.app import build_runtime
from handlers.inbound import Runtime
from handlers.invites import create_invite
from handlers.outgoing import Outgoing
from handlers.text import Texts
from handlers.turn import Incoming

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
MASTER_TABLES = ("kecamatan", "desa", "puskesmas", "puskesmas_desa", "alembic_version")
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Senin 10.00 WIB


async def _seeded(url: str) -> None:
    db = Database(url)
    async with db.transaction() as session:
        await seed(session)
    await db.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ilpbot.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    asyncio.run(_seeded(url))
    return path


@pytest.fixture(scope="session")
def pg_database() -> str:
    """A fresh database on the test server, migrated and seeded once per run."""
    admin = normalize_url(PG_URL).replace("postgresql+asyncpg", "postgresql")
    name = f"ilpbot_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_exec(admin, f'CREATE DATABASE "{name}"'))
    url = normalize_url(admin.rsplit("/", 1)[0] + f"/{name}")
    upgrade(url)
    asyncio.run(_seeded(url))
    yield url
    asyncio.run(_pg_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_exec(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_reset(url: str) -> None:
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [r["tablename"] for r in rows if r["tablename"] not in MASTER_TABLES]
        if tables:
            await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ilpbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    asyncio.run(_pg_reset(url))
    return url


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


@pytest.fixture(scope="session")
def texts() -> Texts:
    return Texts.load("Asia/Jakarta")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def db(db_url):
    database = Database(db_url)
    yield database
    await database.dispose()


@pytest.fixture
def runtime(db, texts, clock) -> Runtime:
    return build_runtime(db, texts, clock=clock)


_ids = itertools.count(1)


@dataclass
class Chat:
    """One person typing into one chat, as a user story would tell it."""

    runtime: Runtime
    chat_id: str
    channel: str = "test"
    last: list[Outgoing] = field(default_factory=list)

    async def send(self, text: str = "", **inbound) -> list[str]:
        return await self._deliver(Inbound(text=text, **inbound), None)

    async def press(self, label: str) -> list[str]:
        """Presses the button with this label on the latest question that had buttons."""
        for out in reversed(self.last):
            for button in out.buttons:
                if button.label.casefold() == label.casefold():
                    return await self._deliver(Inbound(), button.data)
        raise AssertionError(f"no button {label!r} in {self.buttons}")

    async def press_data(self, data: str) -> list[str]:
        return await self._deliver(Inbound(), data)

    @property
    def buttons(self) -> list[str]:
        with_buttons = [o for o in self.last if o.buttons]
        return [b.label for b in with_buttons[-1].buttons] if with_buttons else []

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.last)

    async def _deliver(self, inbound: Inbound, callback: str | None) -> list[str]:
        msg = Incoming(
            channel=self.channel,
            chat_id=self.chat_id,
            external_id=f"{self.chat_id}:{next(_ids)}",
            sent_at=self.runtime.clock(),
            inbound=inbound,
            callback=callback,
        )
        replies = await self.runtime.handle(msg)
        if replies:
            self.last = replies
        return [r.text for r in replies]


@pytest.fixture
def chat(runtime):
    def make(chat_id: str = "100", channel: str = "test") -> Chat:
        return Chat(runtime, chat_id, channel)

    return make


@pytest.fixture
def invite(db, clock):
    async def make(role: str = "petugas", **kwargs) -> str:
        if role in ("petugas", "kepala_puskesmas"):
            kwargs.setdefault("puskesmas", "Sumber Urip")
        if role in ("kades", "kader"):
            kwargs.setdefault("desa", "17.02.11.2009")
        async with db.transaction() as session:
            created = await create_invite(session, clock(), role, **kwargs)
        return created.code

    return make


@pytest.fixture
def registered(chat, invite):
    """A user who has already registered from an invite."""

    async def make(
        role: str = "petugas", chat_id: str = "100", name: str = "Siti Aminah", **kw
    ) -> Chat:
        person = chat(chat_id)
        await person.send(f"DAFTAR {await invite(role, **kw)}")
        await person.send(name)
        await person.press("Ya")
        return person

    return make
