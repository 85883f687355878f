"""The 24-hour window seen from the inbound side: a person who writes again opens it, so the
messages held for them go now; a status webhook saying a message missed the window (131047)
holds that message and sends its template instead."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp.client import UNREACHABLE_CODES, WINDOW_CLOSED
from bot.channels.whatsapp.render import MAX_ROWS, merge
from bot.channels.whatsapp.templates import Templates
from bot.channels.whatsapp.wire import CHANNEL, Status
from conversations import engine
from conversations.model import Inbound
from conversations.parsing import normalize
from db import runtime_queries
from handlers.core import events
from handlers.core.inbound import Runtime
from handlers.core.outbox import release_held
from handlers.core.outgoing import Outgoing, conversation_token
from handlers.core.turn import Turn

log = logging.getLogger(__name__)

NOTICE = "wa_template"  # the outbox kind of a template sent for a held row


def install(runtime: Runtime) -> None:
    runtime.group_hooks[CHANNEL] = release
    runtime.inbound_hooks[CHANNEL] = on_inbound
    runtime.reply_shapers[CHANNEL] = merge


async def release(session: AsyncSession, chat_ids: list[str], now: datetime) -> set[str]:
    """The group's chats wrote: their held messages go (one statement for the group)."""
    return await release_held(session, CHANNEL, chat_ids, now)


async def on_inbound(turn: Turn) -> bool:
    """The message that released held messages (`release`) answers a template ("ok",
    "lihat"), not yesterday's question, so it is not dispatched as well; a command or a button
    press still is. A number typed after a numbered menu presses that option."""
    if turn.marked:
        word = turn.msg.inbound.text.strip().split(" ", 1)[0]
        command = normalize(word).lstrip("/") in turn.runtime.commands if word else False
        return turn.msg.callback is None and not command
    await _numbered_choice(turn)
    return False


async def _numbered_choice(turn: Turn) -> None:
    """More than ten options went as a numbered text menu (no buttons). A typed number means its
    option, exactly as a tap would: its token (the engine alone would not count options it adds,
    such as Skip). The menu is the question the conversation asks now, even when a refusal or a
    notice came after it; else one that is the last thing the chat got."""
    text = turn.msg.inbound.text.strip().rstrip(".")
    if turn.msg.callback is not None or not (text.isascii() and text.isdigit()) or len(text) > 3:
        return
    number, state = int(text), turn.state
    if state is not None and state.status == "active" and state.flow in turn.runtime.flows:
        choices = engine.current_reply(turn.runtime.flows[state.flow], state).choices
        if len(choices) > MAX_ROWS:
            if 1 <= number <= len(choices):
                _press(turn, conversation_token(state.nonce, number - 1))
            return
    payload = await runtime_queries.last_payload(turn.session, CHANNEL, turn.msg.chat_id)
    buttons = payload.get("buttons") or []
    if len(buttons) > MAX_ROWS and 1 <= number <= len(buttons):
        _press(turn, buttons[number - 1]["data"])


def _press(turn: Turn, data: str) -> None:
    turn.msg = replace(turn.msg, callback=data, inbound=Inbound())


async def apply_statuses(statuses: list[Status], templates: Templates, runtime: Runtime) -> None:
    """sent/delivered/read change nothing (the row is sent); failed holds or fails the row,
    as the sender would have failed it (the same hooks)."""
    texts = runtime.texts
    reports = []
    for status in statuses:
        if status.status != "failed":
            continue
        error = f"status failed: {status.error_code} {status.error or ''}".strip()
        hold = status.error_code == WINDOW_CLOSED
        unreachable = status.error_code in UNREACHABLE_CODES
        reports.append(events.Undelivered(status.message_id, error, hold, unreachable))

    def notice(kind: str, out: Outgoing, written: datetime) -> Outgoing:
        """Meta accepted the message but could not show it: a template tells why."""
        template = templates.message(kind, out, written, texts)
        return Outgoing(CHANNEL, out.chat_id, templates.preview(template), template=template)

    await events.undelivered(runtime, CHANNEL, reports, notice, NOTICE)
