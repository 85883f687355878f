"""Delivering outbox rows on WhatsApp within Meta's rules.

The 24-hour window: free-form messages only within 24 hours of the person's last message. A
reply counts from the message it answers; anything else from ChannelIdentity.last_inbound_at.
Outside the window (or when Meta says 131047) the row's template goes instead and the row is
`held`; the runtime releases it when the person writes again (bot.channels.whatsapp.window).

Limits: sends are spaced below the number's throughput (default 80 msg/s; inbound counts too, so
the client leaves people's own messages their room: client.sending_limit); each person has a
token bucket for the pair rate (about 1 message per 6 s, bursts allowed); a turn's replies are
merged before they are stored (whatsapp_render.merge).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from bot.app import App
from bot.channels.send_thread import SendThread
from bot.channels.whatsapp.client import WINDOW, WhatsAppClient
from bot.channels.whatsapp.render import Words, render
from bot.channels.whatsapp.templates import Templates
from handlers.core.outbox import Delivery, Envelope
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts

log = logging.getLogger(__name__)

WINDOW_LENGTH = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=10)  # a send must arrive before the window closes


@dataclass
class PairRate:
    """Per-person token bucket: `burst` messages at once, then one per `seconds`."""

    seconds: float = 6.0
    burst: float = 40.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def wait(self, chat_id: str, count: int) -> float:
        """0 and the tokens are taken, or how long until `count` messages may go."""
        now = time.monotonic()
        tokens, last = self._buckets.get(chat_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) / self.seconds)
        if tokens < count:
            self._buckets[chat_id] = (tokens, now)
            return (count - tokens) * self.seconds
        self._buckets[chat_id] = (tokens - count, now)
        return 0.0


@dataclass
class WhatsAppDelivery:
    """The outbox worker's deliverer for the "whatsapp" channel (an EnvelopeDeliver)."""

    client: WhatsAppClient
    templates: Templates
    texts: Texts
    clock: Callable[[], datetime]
    pair: PairRate = field(default_factory=PairRate)

    @cached_property
    def words(self) -> Words:
        return Words.translated(lambda msgid: self.texts(msgid))

    async def __call__(self, out: Outgoing, envelope: Envelope) -> Delivery:
        if out.template and out.template.get("name"):  # a notice standing in for a held row
            return await self._post(out.chat_id, [{"type": "template", "template": out.template}])
        if not self.inside_window(envelope):
            return await self._hold(out, envelope, "outside the 24-hour window")
        out = await self._uploaded(out)
        result = await self._post(out.chat_id, render(out, self.words))
        if result.status == WINDOW:
            return await self._hold(out, envelope, result.error or "131047")
        return result

    async def close(self) -> None:
        await self.client.close()

    def inside_window(self, envelope: Envelope) -> bool:
        anchors = [envelope.last_inbound_at]
        if envelope.kind == "reply":  # written the moment the person's message was handled
            anchors.append(envelope.created_at)
        last = max((a for a in anchors if a is not None), default=None)
        return last is not None and self.clock() - last < WINDOW_LENGTH - WINDOW_MARGIN

    async def _hold(self, out: Outgoing, envelope: Envelope, why: str) -> Delivery:
        """The template goes now; the row waits for the person's next message."""
        template = self.templates.message(envelope.kind, out, envelope.created_at, self.texts)
        result = await self._post(out.chat_id, [{"type": "template", "template": template}])
        if result.status != "sent":
            return result
        note = f"held ({why}); template {template['name']} sent"
        return Delivery("held", result.provider_message_id, error=note)

    async def _post(self, to: str, bodies: list[dict]) -> Delivery:
        """Sends the parts in order; the last part's id names the row's message."""
        wait = self.pair.wait(to, len(bodies))
        if wait:
            return Delivery("retry", retry_after=wait, error="pair rate: waiting for this person")
        result = Delivery("failed", error="nothing to send")
        for body in bodies:
            result = await self.client.send(to, body)
            if result.status != "sent":
                return result
        return result

    async def _uploaded(self, out: Outgoing) -> Outgoing:
        """A photo or document given as a local file is uploaded first and sent by media id."""
        for name in ("photo", "document"):
            ref = getattr(out, name)
            if ref and Path(ref).is_file():
                out = replace(out, **{name: await self.client.upload(Path(ref))})
        return out


def build(app: App) -> WhatsAppDelivery:
    """The deliverer for the outbox sender, from the settings (WHATSAPP_*)."""
    settings = app.settings
    assert settings.whatsapp_access_token and settings.whatsapp_phone_number_id
    client = WhatsAppClient(
        settings.whatsapp_api_url,
        settings.whatsapp_access_token,
        settings.whatsapp_phone_number_id,
        per_second=settings.whatsapp_messages_per_second,
        thread=SendThread("whatsapp-send"),
    )
    templates = Templates.load(settings.whatsapp_templates_file)
    return WhatsAppDelivery(client, templates, app.runtime.texts, app.runtime.clock)
