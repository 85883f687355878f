"""A button refused (forged, stale, out of the presser's scope): one warning in the log (the
chat id masked), one count for the metrics once the turn commits, one audit entry."""

from __future__ import annotations

import logging
from functools import partial

from db import queries
from handlers.core.privacy import masked
from handlers.core.turn import Turn

log = logging.getLogger(__name__)


async def record(turn: Turn, why: str, data: str, what: str = "button") -> None:
    """`what`: the kind of button in the log line ("button", "staff button")."""
    log.warning(
        "refused %s %s %r from %s:%s", why, what, data, turn.msg.channel, masked(turn.msg.chat_id)
    )
    turn.after_commit += [partial(hook, turn.msg, why) for hook in turn.runtime.on_refused]
    await queries.audit(
        turn.session,
        turn.now,
        "button",
        f"refused_{why}",
        actor_user_id=turn.user.id if turn.user else None,
        actor_role=turn.user.role if turn.user else None,
        channel=turn.msg.channel,
        reason=data[:200],
    )
