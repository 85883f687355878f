"""The suite every registered channel passes (bot.channels.CHANNELS), each against its
platform's fake at the HTTP boundary (the console's platform is its terminal): a text and a
button press parsed to the core's message, a redelivery changing nothing, a message with buttons
rendered and delivered, and a registration plus one report answer end to end. A new channel adds
its driver to DRIVERS."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from report_steps import K2, choose

from bot.app import App
from bot.channels import CHANNELS, Channel, enveloped
from bot.channels import install as install_channels
from bot.channels.console.chat import ConsoleChat
from bot.config import Settings
from fakes.graph_api import wa_button_reply, wa_envelope, wa_text
from handlers.app import build_outbox_worker, build_runtime
from handlers.core.outbox import Delivery, Envelope
from handlers.core.outgoing import Button, Outgoing

from tests.telegram_support import TOKEN
from tests.whatsapp_support import labels, said, whatsapp_settings

CHAT = "501"  # a chat id every platform accepts (Telegram's are numbers)


class TelegramDriver:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.fake = request.getfixturevalue("fake_telegram")

    def settings(self, db_url: str) -> Settings:
        return Settings(
            _env_file=None,
            database_url=db_url,
            telegram_bot_token=TOKEN,
            telegram_api_url=self.fake.url,
        )

    def text(self, chat: str, text: str) -> Any:
        return self.fake.push_message(int(chat), text)

    def press(self, chat: str, data: str) -> Any:
        return self.fake.push_callback(int(chat), data)

    def screen(self, chat: str) -> str:
        return "\n".join(self.fake.texts(int(chat)))

    def shown_buttons(self, chat: str) -> list[str]:
        markup = self.fake.sent(int(chat))[-1].params["reply_markup"]
        return [b["text"] for row in markup["inline_keyboard"] for b in row]

    def deliverer(self, app: App, chat: str) -> Any:
        return CHANNELS["telegram"].deliverer(app)


class WhatsAppDriver:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.graph = request.getfixturevalue("graph")

    def settings(self, db_url: str) -> Settings:
        return whatsapp_settings(db_url, self.graph)

    def text(self, chat: str, text: str) -> Any:
        return wa_envelope([wa_text(chat, text)])

    def press(self, chat: str, data: str) -> Any:
        return wa_envelope([wa_button_reply(chat, data, "?")])

    def screen(self, chat: str) -> str:
        return said(self.graph.messages(chat))

    def shown_buttons(self, chat: str) -> list[str]:
        return labels(self.graph.messages(chat)[-1])

    def deliverer(self, app: App, chat: str) -> Any:
        return CHANNELS["whatsapp"].deliverer(app)


class ConsoleDriver:
    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.terminal = io.StringIO()
        self.lines = 0

    def settings(self, db_url: str) -> Settings:
        return Settings(_env_file=None, database_url=db_url)

    def text(self, chat: str, text: str) -> Any:
        self.lines += 1
        return {"chat": chat, "line": text, "id": str(self.lines)}

    def press(self, chat: str, data: str) -> Any:
        """The console presses by number: a one-button question stands for the pressed one."""
        self.lines += 1
        last = Outgoing("console", chat, "", (Button("?", data),))
        return {"chat": chat, "line": "1", "last": last, "id": str(self.lines)}

    def screen(self, chat: str) -> str:
        return self.terminal.getvalue()

    def shown_buttons(self, chat: str) -> list[str]:
        block = self.terminal.getvalue().rstrip().split("bot> ")[-1]
        return [line.split(". ", 1)[1] for line in block.splitlines()[1:] if ". " in line]

    def deliverer(self, app: App, chat: str) -> Any:
        return ConsoleChat(app.runtime, chat, io.StringIO(), self.terminal).deliver


DRIVERS = {"telegram": TelegramDriver, "whatsapp": WhatsAppDriver, "console": ConsoleDriver}


@dataclass
class Line:
    """One person on one channel: payloads in through the channel's `parse`, replies out
    through its deliverer to the platform (the outbox worker for outbox channels)."""

    channel: Channel
    driver: Any
    app: App
    chat: str = CHAT
    seen: list[Outgoing] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.real = self.driver.deliverer(self.app, self.chat)

        async def recording(out: Outgoing, *envelope: Envelope) -> Delivery:
            self.seen.append(out)
            return await self.real(out, *envelope)

        self.deliver = recording
        self.worker = build_outbox_worker(self.app.runtime, {self.channel.name: recording})
        self.worker.enveloped = enveloped([self.channel.name])

    async def receive(self, payload: Any) -> int:
        """Handles the payload's messages and delivers what they caused; how many were sent."""
        runtime = self.app.runtime
        before = len(self.seen)
        for msg in self.channel.parse(payload, runtime.clock()):
            for out in await runtime.handle(msg):  # replies that do not go through the outbox
                await self.deliver(out)
        await self.worker.drain()
        return len(self.seen) - before

    async def send(self, text: str) -> int:
        return await self.receive(self.driver.text(self.chat, text))

    async def press(self, label: str) -> int:
        for out in reversed(self.seen):
            for button in out.buttons:
                if button.label.casefold() == label.casefold():
                    return await self.receive(self.driver.press(self.chat, button.data))
        raise AssertionError(f"no button {label!r} in {self.buttons}")

    @property
    def buttons(self) -> list[str]:
        with_buttons = [o for o in self.seen if o.buttons]
        return [b.label for b in with_buttons[-1].buttons] if with_buttons else []


@pytest.fixture(params=sorted(CHANNELS))
async def line(request, db, texts, clock):
    """The channel's runtime as the composition sets it up (bot.app.build, bot.channels.install)."""
    channel = CHANNELS[request.param]
    driver = DRIVERS[request.param](request)
    settings = driver.settings(db.url)
    runtime = build_runtime(db, texts, clock=clock, settings=settings.runtime())
    install_channels(runtime, [channel])
    person = Line(channel, driver, App(settings, db, runtime))
    yield person
    close = getattr(person.real, "close", None)  # the console's deliverer owns nothing
    if close is not None:
        await close()


def test_every_registered_channel_has_a_driver():
    assert set(DRIVERS) == set(CHANNELS)


async def test_a_text_message_is_parsed_to_the_core_message(line):
    [msg] = line.channel.parse(line.driver.text(CHAT, "halo"), line.app.runtime.clock())
    assert (msg.channel, msg.chat_id, msg.inbound.text, msg.callback) == (
        line.channel.name,
        CHAT,
        "halo",
        None,
    )


async def test_a_button_press_is_parsed_to_the_core_message(line):
    [msg] = line.channel.parse(line.driver.press(CHAT, "c:7:1"), line.app.runtime.clock())
    assert (msg.channel, msg.chat_id, msg.callback) == (line.channel.name, CHAT, "c:7:1")


async def test_a_redelivered_payload_changes_nothing_the_second_time(line):
    payload = line.driver.text(CHAT, "halo")
    assert await line.receive(payload) > 0  # the bot answers a stranger
    screen = line.driver.screen(CHAT)
    assert await line.receive(payload) == 0
    assert line.driver.screen(CHAT) == screen


async def test_a_message_with_buttons_is_rendered_and_delivered(line):
    now = line.app.runtime.clock()
    out = Outgoing(
        line.channel.name, CHAT, "Lanjut?", (Button("Ya", "c:1:0"), Button("Tidak", "c:1:1"))
    )
    assert line.channel.render(out, line.app.runtime.texts)
    # a reply to a message just written: inside WhatsApp's 24-hour window
    envelope = (Envelope("reply", now, now),) if line.channel.enveloped else ()
    delivery = await line.deliver(out, *envelope)
    assert delivery.status == "sent", delivery
    assert "Lanjut?" in line.driver.screen(CHAT)
    assert line.driver.shown_buttons(CHAT) == ["Ya", "Tidak"]


@pytest.mark.slow  # a whole story through the webhook, several seconds
async def test_registration_and_one_report_answer_round_trip(line, invite):
    await line.send(f"DAFTAR {await invite('petugas')}")
    await line.send("Siti Aminah")
    await line.press("Ya")
    assert "Selamat datang, Siti Aminah!" in line.driver.screen(CHAT)
    await choose(line, K2)
    asked = line.driver.screen(CHAT)
    assert await line.send("3") > 0  # K1 taken: the next question, ANC K4, comes
    assert "(K4)" in line.driver.screen(CHAT)[len(asked) :]
