"""Every command and every menu button, as every role and as someone not registered, through
the real Telegram webhook and the real WhatsApp webhook: always a 2xx and an Indonesian
answer. The commands, roles and menus come from the code's own registry, so a command added
tomorrow is tried here too (a crash in it fails this test)."""

from __future__ import annotations

import itertools

import pytest

from bot.channels.telegram import send as telegram_send
from handlers.core.poison import APOLOGY
from handlers.people.invites import create_invite
from handlers.people.menu import menu_commands
from handlers.people.roles import Role

from tests.fuzz_support import Seat, TelegramSide, WhatsAppSide, not_indonesian
from tests.telegram_support import START, TOKEN, LiveClock, Person, WebHarness
from tests.whatsapp_support import WhatsAppWorld

pytestmark = pytest.mark.slow

STRANGER = "not registered"
PERSONAS = [*(str(r) for r in Role), STRANGER]
_phones = itertools.count(1)


@pytest.fixture(params=["telegram", "whatsapp"])
async def side(request, db_url, db, texts, clock, fake_telegram, graph):
    """The platform's real webhook in this process, its replies delivered to its fake API."""
    if request.param == "whatsapp":
        world = WhatsAppWorld(db, texts, clock, graph)
        yield WhatsAppSide(world, graph)
        await world.close()
        return
    client = telegram_send.client(TOKEN, fake_telegram.url)
    async with WebHarness.serving(
        db_url, fake_telegram, texts, LiveClock(START), with_sender=False
    ) as web:
        yield TelegramSide(web, fake_telegram, client)
    await client.close()


class Walk:
    """One persona trying everything; a WhatsApp chat is replaced by a fresh one of the same
    persona before Meta's pair rate would hold its answers back."""

    def __init__(self, side, persona: str) -> None:
        self.side, self.persona = side, persona
        self.seat: Seat | None = None
        self.apology = side.runtime.texts(APOLOGY, "id")  # what a turn that raised answers

    async def fresh_seat(self) -> Seat:
        if self.persona == STRANGER:
            return self._stranger()
        async with self.side.db.transaction() as session:
            invite = await create_invite(
                session, self.side.runtime.clock(), self.persona, **place(self.persona)
            )
        seat = await self.side.seat("every command", invite.code)
        seat.said = "Siti Aminah"  # the name she typed: answers may quote it
        return seat

    def _stranger(self) -> Seat:
        if self.side.channel == "telegram":
            chat_id = next(self.side.ids)
            person = Person(
                self.side.fake,
                self.side.db,
                chat_id,
                post=self.side.post,
                clock=self.side.runtime.clock,
            )
            return Seat(person, str(chat_id), "every command")
        wa_id = f"62813{next(_phones):07d}"
        return Seat(self.side.world.person(wa_id), wa_id, "every command")

    async def ready(self) -> Seat:
        if self.seat is None or not self.side.room(self.seat, 3):
            self.seat = await self.fresh_seat()
        return self.seat

    async def send(self, text: str) -> list[str]:
        seat = await self.ready()
        status, replies = await self.side.send(seat, ("text", text), None)
        return self.check(text, status, replies)

    async def press(self, label: str) -> list[str]:
        seat = self.seat
        assert seat is not None
        statuses = seat.person.responses if self.side.channel == "telegram" else []
        await seat.person.press(label)  # WhatsApp's Phone.post asserts its 200 itself
        status = statuses[-1] if statuses else 200
        return self.check(f"[{label}]", status, self.side.replies(seat))

    def check(self, what: str, status: int, replies: list[str]) -> list[str]:
        where = f"{self.side.channel}, {self.persona}, {what}"
        assert status < 300, f"{where}: HTTP {status}"
        assert replies, f"{where}: no answer"
        assert self.apology not in replies, f"{where}: the turn raised (see the log)"
        said = f"{self.seat.said} {what}"
        for reply in replies:
            problems = not_indonesian(reply, said)
            assert not problems, f"{where}: {reply!r} {problems}"
        assert self.side.violations() == [], self.side.violations()
        return replies


def place(role: str) -> dict[str, str]:
    if role in ("petugas", "kepala_puskesmas"):
        return {"puskesmas": "Sumber Urip"}
    if role in ("kades", "kader", "pendamping_desa", "operator_desa"):
        return {"desa": "17.02.11.2009"}
    if role == "camat":
        return {"kecamatan": "Selupu Rejang"}
    return {}


def typed(channel: str, word: str) -> str:
    """Telegram shows commands with a slash; on WhatsApp people type the word in capitals."""
    return f"/{word}" if channel == "telegram" else word.upper()


@pytest.mark.parametrize("persona", PERSONAS)
async def test_every_command_and_menu_button_gets_an_indonesian_answer(side, persona):
    runtime = side.runtime
    walk = Walk(side, persona)
    for word in sorted(runtime.commands):
        await walk.send(typed(side.channel, word))
    if persona == STRANGER:
        return  # no menu: the greeting says how to register (checked above through /menu)
    labels = [runtime.texts(c.label, "id") for c in menu_commands(runtime, persona)]
    assert labels, f"{persona} has an empty menu"
    for label in labels:
        await walk.send(typed(side.channel, "menu"))
        shown = await side.labels(walk.seat)
        assert label in shown, f"{side.channel}, {persona}: {label!r} not in the menu {shown}"
        await walk.press(label)
