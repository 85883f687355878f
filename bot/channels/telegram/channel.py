"""Telegram as a `bot.channels.Channel`: Bot API updates in, Bot API calls out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import App
from bot.channels.send_thread import SendThread
from bot.channels.telegram import send
from bot.channels.telegram.wire import CHANNEL, ApiCall, parse, plan, read_update
from handlers.core.inbound import Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts
from handlers.core.turn import Incoming


class Telegram:
    name = CHANNEL
    replies_via_outbox = True
    enveloped = False

    def parse(self, payload: Any, now: datetime) -> list[Incoming]:
        incoming = parse(read_update(payload), now).incoming
        return [incoming] if incoming is not None else []

    def render(self, out: Outgoing, texts: Texts) -> list[ApiCall]:
        return plan(out, lambda msgid: texts(msgid, "id"))

    def deliverer(self, app: App) -> send.TelegramSender | None:
        settings = app.settings
        if not settings.telegram_bot_token:
            return None
        tg = send.client(settings.telegram_bot_token, settings.telegram_api_url)
        label_of = lambda msgid: app.runtime.texts(msgid, "id")  # noqa: E731
        thread = SendThread("telegram-send")
        return send.TelegramSender(tg.bot, label_of, client=tg, thread=thread)

    def install(self, runtime: Runtime) -> None:
        pass  # no rules of its own: its limits are the sender's


TELEGRAM = Telegram()
