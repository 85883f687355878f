"""A poison message: one whose turn raises however often it is tried (a bug, a row this release
cannot read). Retrying it only makes the chats behind it wait, so it is answered with an
apology, recorded once (its dedupe row, so a redelivery is a duplicate) and skipped.

A database that is down or busy is not a poison: that failure propagates, and the platform
delivers the message again later (webhook 5xx, polling offset not moved).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from conversations.model import N_
from db import queries
from handlers.core.outgoing import Outgoing
from handlers.core.turn import Incoming

if TYPE_CHECKING:
    from handlers.core.inbound import Runtime

log = logging.getLogger(__name__)

APOLOGY = N_(
    "Sorry, we could not process your message because of a problem on our side. "
    "Please try again later, or type /menu."
)
# The database or the network: the same message may well pass in a moment.
UNAVAILABLE = (DBAPIError, PoolTimeout, OSError, TimeoutError)
# ...except what the database refuses for the data itself: it refuses it again every time.
REFUSED_DATA = (IntegrityError, DataError)


def is_poison(exc: BaseException) -> bool:
    return isinstance(exc, Exception) and (
        not isinstance(exc, UNAVAILABLE) or isinstance(exc, REFUSED_DATA)
    )


async def handle_or_skip(runtime: Runtime, msg: Incoming) -> list[Outgoing]:
    """`Runtime.handle`, except that a poison gets the apology instead of raising."""
    try:
        return await runtime.handle(msg)
    except Exception as exc:
        if not is_poison(exc):
            raise
        return await _skip(runtime, msg, exc)


async def _skip(runtime: Runtime, msg: Incoming, exc: Exception) -> list[Outgoing]:
    now = runtime.clock()
    apology = Outgoing(msg.channel, msg.chat_id, runtime.texts(APOLOGY, "id"))
    async with runtime.db.transaction() as session:
        if not await queries.record_inbound(session, msg.channel, msg.external_id, now):
            # A redelivery of a poison skipped before (a redelivery is first run as new: see
            # Runtime._handle_together), or one another worker handled meanwhile.
            log.info("duplicate %s %s ignored", msg.channel, msg.external_id)
            for hook in runtime.on_duplicate:
                hook(msg)
            return []
        log.error(
            "%s message %s failed; answered with an apology and skipped",
            msg.channel,
            msg.external_id,
            exc_info=exc,
        )
        await queries.audit(
            session,
            now,
            "inbound",
            "failed",
            channel=msg.channel,
            reason=type(exc).__name__,  # not its text: it may quote the message
        )
        if runtime.replies_via_outbox:
            await queries.add_outbox(
                session,
                channel=msg.channel,
                chat_id=msg.chat_id,
                payload=apology.to_json(),
                kind="reply",
                now=now,
            )
    for hook in runtime.on_failed:
        hook(msg)
    for callback in runtime.on_commit:  # wakes the sender
        callback()
    return [] if runtime.replies_via_outbox else [apology]
