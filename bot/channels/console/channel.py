"""The console as a `bot.channels.Channel`: a typed line in, printed lines out. Each terminal
delivers its own chat's messages itself (bot/channels/console/chat.py), so the outbox sender
has no deliverer for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.app import App
from bot.channels.console.chat import CHANNEL, format_message, to_incoming
from handlers.core.inbound import Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts
from handlers.core.turn import Incoming


class Console:
    name = CHANNEL
    replies_via_outbox = False  # a typed line's replies print at once
    enveloped = False

    def parse(self, payload: Any, now: datetime) -> list[Incoming]:
        """`payload`: {"chat", "line", "last": the message a typed number answers, "id": the
        line's id (a fresh one when absent: a terminal never sends a line twice)}."""
        msg = to_incoming(payload["chat"], payload["line"], payload.get("last"), lambda: now)
        if payload.get("id"):
            msg = replace(msg, external_id=f"{payload['chat']}:{payload['id']}")
        return [msg]

    def render(self, out: Outgoing, texts: Texts) -> list[str]:
        return [format_message(out)]

    def deliverer(self, app: App) -> None:
        return None

    def install(self, runtime: Runtime) -> None:
        pass


CONSOLE = Console()
