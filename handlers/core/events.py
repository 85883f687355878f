"""What a platform reports besides messages the runtime handles: an update recorded once for its
dedupe (a block, a command in a group), and the fate of a message already sent (a delivery
status saying it never arrived). The channel says what its platform meant; this writes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from db import queries, runtime_queries
from db.models import Outbox
from handlers.core.inbound import Runtime
from handlers.core.outbox import fail
from handlers.core.outgoing import Outgoing


async def record_update(
    runtime: Runtime,
    channel: str,
    external_id: str,
    chat_id: str | None = None,
    *,
    blocked: bool | None = None,
    notice: str | None = None,
) -> bool:
    """Updates the runtime does not see are still recorded once, so redeliveries are
    recognised; `blocked` marks the chat unreachable (or reachable again), `notice` (a msgid)
    queues one polite notice to it. False for a duplicate."""
    now = runtime.clock()
    async with runtime.db.transaction() as session:
        if not await queries.record_inbound(session, channel, external_id, now):
            return False
        if blocked is not None and chat_id is not None:
            await queries.set_unreachable(session, channel, chat_id, blocked)
        if notice is not None and chat_id is not None:
            text = runtime.texts(notice, "id")
            out = Outgoing(channel, chat_id, text)
            await queries.add_outbox(
                session,
                channel=channel,
                chat_id=chat_id,
                payload=out.to_json(),
                kind="notice",
                now=now,
            )
    if notice is not None:
        for callback in runtime.on_commit:
            callback()
    return True


@dataclass(frozen=True)
class Undelivered:
    """A platform's word that a sent message did not arrive. `hold`: it may still go later (a
    channel rule such as WhatsApp's 24-hour window), so it waits and a notice tells why."""

    provider_message_id: str
    error: str
    hold: bool = False
    unreachable: bool = False


# The notice standing in for a held message: (the row's kind, its message, written at) → notice
Notice = Callable[[str, Outgoing, datetime], Outgoing]


async def undelivered(
    runtime: Runtime, channel: str, reports: list[Undelivered], notice: Notice, notice_kind: str
) -> None:
    """Holds or fails each reported row, as the sender would have (the same hooks)."""
    if not reports:
        return
    now = runtime.clock()
    async with runtime.db.transaction() as session:
        for report in reports:
            row = await runtime_queries.sent_row(session, report.provider_message_id)
            if row is None or row.status not in ("sent", "held"):
                continue
            if report.hold and row.status == "sent" and row.kind != notice_kind:
                await _hold(session, row, notice, notice_kind, now, report.error)
                continue
            await fail(session, row, report.error, now, runtime.delivery_failed, report.unreachable)


async def _hold(session, row: Outbox, notice: Notice, kind: str, now: datetime, why: str) -> None:
    """The platform accepted the message but could not show it: it waits, a notice tells why."""
    row.status, row.last_error = "held", why[:500]
    out = notice(row.kind, Outgoing.from_json(row.payload), row.created_at)
    await queries.add_outbox(
        session,
        channel=row.channel,
        chat_id=row.chat_id,
        payload=out.to_json(),
        kind=kind,
        now=now,
        user_id=row.user_id,
        priority=row.priority,  # the notice stands in for the row: it goes when the row would
    )
