"""Driving the real Telegram channel against the fake Bot API: people who type and press
buttons in Telegram, and a way to wait until the bot has answered them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import App
from bot.config import Settings
from bot.processes import outbox_sender
from bot.web import create_app
from db.database import Database
from db.models import Outbox, ProcessedInbound
from fakes.telegram_api import FakeBotApi
from handlers.app import build_runtime
from handlers.core.text import Texts

START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # the tests' frozen clock: Senin 10.00 WIB
TOKEN = "123456:TEST"
SECRET = "s3cret-Token_1-for-tests"
METRICS_TOKEN = "metrics-token-for-tests"
SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}  # what Prometheus sends
Post = Callable[[dict[str, Any]], Awaitable[httpx.Response]]


class LiveClock:
    """Starts at the frozen test time and then runs with the wall clock, so the outbox's
    retry_after and backoff really elapse while invites made at the test time stay valid."""

    def __init__(self, start: datetime) -> None:
        self.start, self.t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.start.timestamp() + time.monotonic() - self.t0, UTC)


def telegram_app(db_url: str, fake: FakeBotApi, texts: Texts, clock: Callable) -> App:
    settings = Settings(
        _env_file=None,
        database_url=db_url,
        telegram_bot_token=TOKEN,
        telegram_api_url=fake.url,
        telegram_webhook_secret=SECRET,
        metrics_token=METRICS_TOKEN,
    )
    db = Database(db_url)
    runtime = build_runtime(db, texts, clock=clock, settings=settings.runtime())
    return App(settings, db, runtime)


async def until(condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(0.02)


async def settled(db: Database, update_id: int, timeout: float = 15.0) -> None:
    """The update is committed and every reply it caused has left the outbox."""

    async def done() -> bool:
        async with db.transaction() as session:
            seen = await session.scalar(
                select(func.count()).where(
                    ProcessedInbound.channel == "telegram",
                    ProcessedInbound.external_id == str(update_id),
                )
            )
            pending = await session.scalar(
                select(func.count()).where(Outbox.status == "pending", Outbox.channel == "telegram")
            )
        return bool(seen) and not pending

    await until(done, timeout, f"update {update_id} to settle")


@dataclass
class Person:
    """Someone in a private chat with the bot. Updates reach the bot by long polling (the fake
    queues them) or, with `post`, by the webhook."""

    fake: FakeBotApi
    db: Database
    chat_id: int
    post: Post | None = None
    clock: Callable[[], datetime] | None = None  # dates the messages; else the wall clock
    read_upto: int = 0
    responses: list[int] = field(default_factory=list)

    def _date(self) -> int:
        return int((self.clock() if self.clock else datetime.now(UTC)).timestamp())

    async def send(self, text: str) -> list[str]:
        return await self._deliver(self.fake.push_message(self.chat_id, text, date=self._date()))

    async def send_photo(self, file_id: str, caption: str | None = None) -> list[str]:
        sizes = [(f"{file_id}_s", 90), (file_id, 1280)]  # Telegram sends several, smallest first
        photo = [
            {"file_id": f, "file_unique_id": f"u{f}", "width": w, "height": w * 3 // 4}
            for f, w in sizes
        ]
        content = {"photo": photo} | ({"caption": caption} if caption else {})
        return await self._send_raw(content)

    async def send_location(self, lat: float, lon: float) -> list[str]:
        return await self._send_raw({"location": {"latitude": lat, "longitude": lon}})

    async def _send_raw(self, content: dict[str, Any]) -> list[str]:
        message_id = self.fake.next_message_id(self.chat_id)
        update = private_message(self.chat_id, date=self._date(), message_id=message_id, **content)
        return await self._deliver(self.fake.push_raw(update))

    async def press(self, label: str) -> list[str]:
        """Presses a button of the latest question, as Telegram reports it: the callback data
        and the id of the message that carried the keyboard."""
        message_id, buttons = await self.question()
        for button in buttons:
            if button["label"].casefold() == label.casefold():
                update = self.fake.push_callback(self.chat_id, button["data"], message_id)
                return await self._deliver(update)
        raise AssertionError(f"no button {label!r} in {[b['label'] for b in buttons]}")

    async def question(self) -> tuple[int, list[dict[str, Any]]]:
        """The latest delivered message with inline buttons: its message id and buttons."""
        stmt = (
            select(Outbox)
            .where(
                Outbox.channel == "telegram",
                Outbox.chat_id == str(self.chat_id),
                Outbox.status == "sent",
            )
            .order_by(Outbox.id.desc())
        )
        async with self.db.transaction() as session:
            for row in (await session.execute(stmt)).scalars():
                if row.payload.get("buttons") and not row.payload.get("request"):
                    return int(row.provider_message_id), row.payload["buttons"]
        raise AssertionError("no question with buttons yet")

    async def buttons(self) -> list[str]:
        return [b["label"] for b in (await self.question())[1]]

    async def deliver_raw(self, update: dict[str, Any]) -> list[str]:
        return await self._deliver(update)

    async def _deliver(self, update: dict[str, Any]) -> list[str]:
        if self.post is not None:
            response = await self.post(update)
            self.responses.append(response.status_code)
        await settled(self.db, update["update_id"])
        return self.read()

    def read(self) -> list[str]:
        """Texts delivered to this chat since the last read."""
        texts = self.fake.texts(self.chat_id)
        new, self.read_upto = texts[self.read_upto :], len(texts)
        return new


@dataclass
class WebHarness:
    """One `ilpbot web` process: the Starlette app over ASGI, with or without its sender."""

    app: App
    http: httpx.AsyncClient

    @classmethod
    @asynccontextmanager
    async def serving(
        cls, db_url: str, fake: FakeBotApi, texts: Texts, clock: Callable, with_sender: bool = True
    ) -> AsyncIterator[WebHarness]:
        app = telegram_app(db_url, fake, texts, clock)
        sender, clients = outbox_sender(app) if with_sender else (None, [])
        web = create_app(app, sender=sender)
        transport = httpx.ASGITransport(web)
        try:
            async with (
                web.router.lifespan_context(web),
                httpx.AsyncClient(transport=transport, base_url="http://ilpbot") as http,
            ):
                yield cls(app, http)
        finally:
            for client in clients:
                await client.close()
            await app.close()

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post("/telegram/webhook", json=update, headers=headers)

    def person(self, fake: FakeBotApi, chat_id: int) -> Person:
        return Person(fake, self.app.db, chat_id, post=self.post, clock=self.app.runtime.clock)


def private_message(chat_id: int, **content: Any) -> dict[str, Any]:
    """A raw update from a chat (negative ids are groups), for kinds the fake can't push."""
    chat = (
        {"id": chat_id, "type": "private", "first_name": "Siti"}
        if chat_id > 0
        else {"id": chat_id, "type": "group", "title": "Bidan Sumber Urip"}
    )
    sender = {"id": abs(chat_id), "is_bot": False, "first_name": "Siti"}
    message = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": sender}
    return {"message": message | content}


def member_update(chat_id: int, status: str) -> dict[str, Any]:
    """my_chat_member: the person blocked ("kicked") or unblocked ("member") the bot."""
    bot = {"id": 7000000001, "is_bot": True, "first_name": "ILP Test Bot"}
    change = {
        "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
        "date": int(time.time()),
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": status, "user": bot}
        | ({"until_date": 0} if status == "kicked" else {}),
    }
    return {"my_chat_member": change}


async def register(person: Person, code: str, name: str = "Siti Aminah") -> None:
    await person.send(f"/start {code}")
    await person.send(name)
    replies = await person.press("Ya")
    assert replies[0].startswith(f"Selamat datang, {name}!"), replies
