"""WhatsApp as a `bot.channels.Channel`: Cloud API webhooks in, message bodies out, and the
24-hour window as declared rules (hooks in the runtime, envelopes from the sender)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import App
from bot.channels.whatsapp import delivery, window
from bot.channels.whatsapp.render import Words, render
from bot.channels.whatsapp.wire import CHANNEL, parse
from handlers.core.inbound import Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts
from handlers.core.turn import Incoming


class WhatsApp:
    name = CHANNEL
    replies_via_outbox = True
    enveloped = True  # the 24-hour window: the deliverer needs each row's Envelope

    def parse(self, payload: Any, now: datetime) -> list[Incoming]:
        return parse(payload).messages

    def render(self, out: Outgoing, texts: Texts) -> list[dict[str, Any]]:
        return render(out, Words.translated(lambda msgid: texts(msgid)))

    def deliverer(self, app: App) -> delivery.WhatsAppDelivery | None:
        return delivery.build(app) if app.settings.whatsapp_enabled else None

    def install(self, runtime: Runtime) -> None:
        window.install(runtime)


WHATSAPP = WhatsApp()
