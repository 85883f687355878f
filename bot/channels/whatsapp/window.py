"""The 24-hour window seen from the inbound side: a person who writes again opens it, so the
messages held for them go now; a status webhook saying a message missed the window (131047)
holds that message and sends its template instead."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.whatsapp.client import UNREACHABLE_CODES, WINDOW_CLOSED
from bot.channels.whatsapp.render import MAX_ROWS, merge
from bot.channels.whatsapp.templates import Templates
from bot.channels.whatsapp.wire import CHANNEL, Status
from conversations import engine
from conversations.model import Inbound
from conversations.parsing import normalize
from db import queries
from db.models import Outbox
from handlers.core.inbound import Runtime
from handlers.core.outbox import fail, release_held
from handlers.core.outgoing import Outgoing, conversation_token
from handlers.core.text import Texts
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
    stmt = (
        select(Outbox.payload)
        .where(Outbox.channel == CHANNEL, Outbox.chat_id == turn.msg.chat_id)
        .order_by(Outbox.id.desc())
        .limit(1)
    )
    payload = (await turn.session.execute(stmt)).scalar_one_or_none() or {}
    buttons = payload.get("buttons") or []
    if len(buttons) > MAX_ROWS and 1 <= number <= len(buttons):
        _press(turn, buttons[number - 1]["data"])


def _press(turn: Turn, data: str) -> None:
    turn.msg = replace(turn.msg, callback=data, inbound=Inbound())


async def apply_statuses(
    session: AsyncSession, statuses: list[Status], templates: Templates, runtime: Runtime
) -> None:
    """sent/delivered/read change nothing (the row is sent); failed holds or fails the row,
    as the sender would have failed it (the same hooks)."""
    texts, now = runtime.texts, runtime.clock()
    for status in statuses:
        if status.status != "failed":
            continue
        stmt = select(Outbox).where(Outbox.provider_message_id == status.message_id)
        row = (await session.execute(stmt.with_for_update())).scalars().first()
        if row is None or row.status not in ("sent", "held"):
            continue
        error = f"status failed: {status.error_code} {status.error or ''}".strip()
        if status.error_code == WINDOW_CLOSED and row.status == "sent" and row.kind != NOTICE:
            await _hold(session, row, templates, texts, now, error)
            continue
        unreachable = status.error_code in UNREACHABLE_CODES
        await fail(session, row, error, now, runtime.delivery_failed, unreachable)


async def _hold(
    session: AsyncSession, row: Outbox, templates: Templates, texts: Texts, now: datetime, why: str
) -> None:
    """Meta accepted the message but could not show it: it waits, and a template tells why."""
    row.status, row.last_error = "held", why[:500]
    out = Outgoing.from_json(row.payload)
    template = templates.message(row.kind, out, row.created_at, texts)
    notice = Outgoing(CHANNEL, row.chat_id, templates.preview(template), template=template)
    await queries.add_outbox(
        session,
        channel=CHANNEL,
        chat_id=row.chat_id,
        payload=notice.to_json(),
        kind=NOTICE,
        now=now,
        user_id=row.user_id,
    )
