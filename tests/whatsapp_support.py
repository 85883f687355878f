"""Driving the real WhatsApp channel: webhooks posted to the real web app, signed as Meta signs
them, and the real outbox sender delivering to the fake Graph API on 127.0.0.1."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.app import App
from bot.channels.whatsapp.render import ROW_TITLE, shorten
from bot.channels.whatsapp.templates import Templates
from bot.config import Settings
from bot.processes import outbox_sender
from bot.sender import Sender
from bot.web import create_app
from conversations.model import Photo
from db.database import Database
from fakes.graph_api import (
    FakeGraphApi,
    WaMessage,
    sign,
    wa_button_reply,
    wa_envelope,
    wa_image,
    wa_list_reply,
    wa_location,
    wa_text,
)
from handlers.app import build_runtime
from handlers.core.text import Texts

from tests.telegram_support import METRICS_TOKEN

SECRET = "app-secret-for-tests"
VERIFY = "verify-token-for-tests"
PHONE_ID = "1234567890"
Json = dict[str, Any]


def whatsapp_settings(db_url: str, graph: FakeGraphApi) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        telegram_bot_token=None,
        whatsapp_access_token="test-token",
        whatsapp_phone_number_id=PHONE_ID,
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token=VERIFY,
        whatsapp_api_url=graph.base_url,
        metrics_token=METRICS_TOKEN,
    )


class WhatsAppWorld:
    """`ilpbot web` with WhatsApp plus the outbox sender, in this process."""

    def __init__(self, db: Database, texts: Texts, clock, graph: FakeGraphApi) -> None:
        settings = whatsapp_settings(db.url, graph)
        runtime = build_runtime(db, texts, clock=clock, settings=settings.runtime())
        self.app = App(settings, db, runtime)
        self.graph, self.clock, self.db = graph, clock, db
        self.web = create_app(self.app)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(self.web), base_url="http://ilpbot.test"
        )
        self.sender: Sender
        self.sender, self._closing = outbox_sender(self.app)
        self.templates = Templates.load()

    async def close(self) -> None:
        await self.http.aclose()
        for client in self._closing:
            await client.close()

    async def post(self, payload: Json, secret: str | None = SECRET) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers["X-Hub-Signature-256"] = sign(body, secret)
        return await self.http.post("/whatsapp/webhook", content=body, headers=headers)

    async def deliver(self) -> int:
        return await self.sender.worker.drain()

    def person(self, wa_id: str, name: str = "Siti", user_id: str | None = None) -> Phone:
        return Phone(self, wa_id, name, user_id)


@dataclass
class Phone:
    """One person on WhatsApp, driven like tests' Chat (send, press, buttons, text) so the shared
    story steps run on WhatsApp too. `last` holds the bodies that reached the phone last."""

    world: WhatsAppWorld
    wa_id: str
    name: str = "Siti"
    user_id: str | None = None  # the business-scoped user id, when Meta sends one
    read_upto: int = 0
    last: list[Json] = field(default_factory=list)

    @property
    def chat_id(self) -> str:
        return self.user_id or self.wa_id

    def _sender(self) -> dict[str, Any]:
        return {"name": self.name, **({"user_id": self.user_id} if self.user_id else {})}

    async def send(self, text: str = "", photo: Photo | None = None) -> list[str]:
        if photo is not None:
            return await self.post(
                wa_image(self.wa_id, photo.file_id, photo.caption, **self._sender())
            )
        return await self.post(wa_text(self.wa_id, text, **self._sender()))

    async def send_location(self, lat: float, lon: float) -> list[str]:
        return await self.post(wa_location(self.wa_id, lat, lon, sender_name=self.name))

    async def press(self, label: str) -> list[str]:
        """Taps the reply button or list row that shows `label` (a row shows a shortened title
        and the whole label below it), or types its number in a numbered menu."""
        body = self._question()
        action = (body.get("interactive") or {}).get("action") or {}
        for button in action.get("buttons") or []:
            if _shows(button["reply"]["title"], None, label):
                reply = button["reply"]
                return await self.post(wa_button_reply(self.wa_id, reply["id"], reply["title"]))
        for row in (r for s in action.get("sections") or [] for r in s["rows"]):
            if _shows(row["title"], row.get("description"), label):
                return await self.post(wa_list_reply(self.wa_id, row["id"], row["title"]))
        for number, shown in _numbered(body):
            if shown.casefold() == label.casefold():
                return await self.send(str(number))
        raise AssertionError(f"no option {label!r} in {self.buttons}")

    async def press_data(self, data: str) -> list[str]:
        return await self.post(wa_button_reply(self.wa_id, data, "?"))

    @property
    def buttons(self) -> list[str]:
        """The options of the latest question, as whole labels."""
        try:
            return labels(self._question())
        except AssertionError:
            return []

    @property
    def text(self) -> str:
        return said(self.last)

    def _question(self) -> Json:
        """The latest message with options among those that arrived last (as Chat does)."""
        for body in reversed(self.last):
            if body.get("type") == "interactive" or _numbered(body):
                return body
        raise AssertionError(f"no question with options in {self.text!r}")

    async def post(self, message: WaMessage) -> list[str]:
        response = await self.world.post(wa_envelope([message]))
        assert response.status_code == 200, response.text
        await self.world.deliver()
        bodies = self.read()
        if bodies:
            self.last = bodies
        return [words(b) for b in bodies]

    def read(self) -> list[Json]:
        """Bodies delivered to this phone since the last read."""
        sent = self.world.graph.messages(self.chat_id)
        new, self.read_upto = sent[self.read_upto :], len(sent)
        return new


def _shows(title: str, description: str | None, label: str) -> bool:
    shown = {title.casefold(), (description or "").casefold()}
    return label.casefold() in shown or shorten(label, ROW_TITLE).casefold() == title.casefold()


_MENU_LINE = re.compile(r"^(\d+)\. (.+)$", re.M)


def _numbered(body: Json) -> list[tuple[int, str]]:
    """A text menu (more than ten options): its numbered lines."""
    if body.get("type") != "text":
        return []
    text = body["text"]["body"]
    found = [(int(n), label) for n, label in _MENU_LINE.findall(text)]
    return found if len(found) > 10 else []


def _whole(row: Json) -> str:
    """A row's whole label: its description when the title is that label shortened."""
    note = row.get("description")
    return note if note and shorten(note, ROW_TITLE) == row["title"] else row["title"]


def labels(body: Json) -> list[str]:
    action = (body.get("interactive") or {}).get("action") or {}
    titles = [b["reply"]["title"] for b in action.get("buttons") or []]
    rows = [r for s in action.get("sections") or [] for r in s["rows"]]
    titles += [_whole(r) for r in rows]
    return titles or [label for _, label in _numbered(body)]


def words(body: Json) -> str:
    """What the person reads in one message."""
    kind = body.get("type")
    if kind == "text":
        return body["text"]["body"]
    if kind == "interactive":
        return body["interactive"]["body"]["text"]
    if kind == "template":
        return Templates.load().preview(body["template"])
    return (body.get(kind) or {}).get("caption", "")


def options(body: Json) -> list[str]:
    """The titles the phone shows."""
    action = (body.get("interactive") or {}).get("action") or {}
    titles = [b["reply"]["title"] for b in action.get("buttons") or []]
    return titles + [r["title"] for s in action.get("sections") or [] for r in s["rows"]]


def said(bodies: list[Json]) -> str:
    return "\n".join(words(b) for b in bodies)


async def register(world: WhatsAppWorld, code: str, wa_id: str, name: str) -> Phone:
    """Someone registers on WhatsApp with an invitation code."""
    person = world.person(wa_id, name=name.split()[0])
    await person.send(f"DAFTAR {code}")
    await person.send(name)
    await person.press("Ya")
    return person
