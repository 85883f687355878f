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
from handlers.app import build_outbox_worker, build_runtime
from handlers.core.inbound import Runtime
from handlers.core.outbox import Delivery, OutboxWorker
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts
from handlers.core.turn import Incoming
from handlers.people.invites import DEV_SECRET, create_invite

PG_URL = os.environ.get("TEST_DATABASE_URL")
os.environ.setdefault("PTB_TIMEDELTA", "true")  # as bot.channels.telegram.send opts in for the bot
# Channels and PostgreSQL need an INVITE_SECRET: the tests' is the key invites made without settings use.
os.environ.setdefault("INVITE_SECRET", DEV_SECRET)
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

    async def send_written_at(self, sent_at: datetime, text: str) -> list[str]:
        """A message written offline at `sent_at` (provider time) and delivered now."""
        return await self._deliver(Inbound(text=text), None, sent_at)

    @property
    def buttons(self) -> list[str]:
        with_buttons = [o for o in self.last if o.buttons]
        return [b.label for b in with_buttons[-1].buttons] if with_buttons else []

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.last)

    async def _deliver(
        self, inbound: Inbound, callback: str | None, sent_at: datetime | None = None
    ) -> list[str]:
        msg = Incoming(
            channel=self.channel,
            chat_id=self.chat_id,
            external_id=f"{self.chat_id}:{next(_ids)}",
            sent_at=sent_at or self.runtime.clock(),
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
        if role in ("kades", "kader", "pendamping_desa", "operator_desa"):
            kwargs.setdefault("desa", "17.02.11.2009")
        if role == "camat":
            kwargs.setdefault("kecamatan", "Selupu Rejang")
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


@dataclass
class OutboxDriver:
    """The real outbox worker delivering the "test" channel into a list. A chat can be made to
    fail for good (`blocked`: the user blocked the bot, 403) or to ask for `retries` first."""

    sent: list[Outgoing] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)
    retries: dict[str, int] = field(default_factory=dict)
    worker: OutboxWorker | None = None
    _seen: dict[str, int] = field(default_factory=dict)

    async def deliver(self, out: Outgoing) -> Delivery:
        if out.chat_id in self.blocked:
            return Delivery(
                "failed", error="403 Forbidden: bot was blocked by the user", unreachable=True
            )
        if self.retries.get(out.chat_id, 0) > 0:
            self.retries[out.chat_id] -= 1
            return Delivery("retry", retry_after=5, error="429 Too Many Requests")
        self.sent.append(out)
        return Delivery("sent", provider_message_id=f"test-{len(self.sent)}")

    async def drain(self) -> int:
        return await self.worker.drain()

    def to(self, chat_id: str) -> list[Outgoing]:
        return [o for o in self.sent if o.chat_id == chat_id]

    def read(self, person: Chat) -> list[str]:
        """What reached this person since the last read; its buttons become pressable."""
        mine = self.to(person.chat_id)
        new = mine[self._seen.get(person.chat_id, 0) :]
        self._seen[person.chat_id] = len(mine)
        if new:
            person.last = new
        return [o.text for o in new]


@pytest.fixture
def outbox_for():
    """An outbox driver for a runtime (a second one stands for a new process)."""

    def make(runtime: Runtime) -> OutboxDriver:
        driver = OutboxDriver()
        driver.worker = build_outbox_worker(runtime, {"test": driver.deliver})
        return driver

    return make


@pytest.fixture
def outbox(runtime, outbox_for) -> OutboxDriver:
    return outbox_for(runtime)


# --- Telegram against the fake Bot API (see tests/telegram_support.py) ---------------------


@pytest.fixture
def fake_telegram():
    from fakes.telegram_api import FakeBotApi

    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def telegram_polling(db_url, fake_telegram, texts):
    """`ilpbot run` with Telegram, in this process: long polling plus the outbox sender."""
    from bot.processes import PollingBot

    from tests.telegram_support import LiveClock, telegram_app

    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    bot = PollingBot(app)
    task = asyncio.create_task(bot.run())
    yield app
    bot.stop()
    await task
    await app.close()


# --- WhatsApp against the fake Graph API (see tests/whatsapp_support.py) -------------------


@pytest.fixture
def graph():
    """The fake Graph API; a test that broke one of Meta's limits fails here."""
    from fakes.graph_api import FakeGraphApi

    with FakeGraphApi() as fake:
        yield fake
    assert fake.violations == [], fake.violations


@pytest.fixture
async def whatsapp(db, texts, clock, graph):
    """`ilpbot web` with WhatsApp and the outbox sender, in this process."""
    from tests.whatsapp_support import WhatsAppWorld

    world = WhatsAppWorld(db, texts, clock, graph)
    yield world
    await world.close()


@pytest.fixture
async def telegram_web(db_url, fake_telegram, texts):
    """`ilpbot web` with its sender in-process, driven over ASGI (see WebHarness)."""
    from tests.telegram_support import LiveClock, WebHarness

    async with WebHarness.serving(db_url, fake_telegram, texts, LiveClock(START)) as harness:
        yield harness
