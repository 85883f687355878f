"""One chat's messages in the provider's order. Telegram (several webhook connections) and Meta
may deliver two messages of a chat out of order; answered in arrival order, the later answer
would fill the earlier question (K6's figure stored as K1's).

Within a group, a chat's messages are handled by their position (`Incoming.position`). Across
groups, the conversation keeps the position of the last message applied: an older one arriving
after it is late. It is not applied (it would answer the question after its own); the person is
told so, and it is counted as refused, why="late".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from conversations.model import N_
from db import queries
from db.models import Conversation
from handlers.core.turn import Incoming, Turn

LATE_IN_FORM = N_(
    'Your message "{text}" arrived after a newer one, so it was not used. '
    "Please check your answers before you send."
)
LATE = N_('Your message "{text}" arrived after a newer one, so it was not used.')
QUOTED = 40  # characters of the late message quoted back


def in_provider_order(msgs: Sequence[Incoming]) -> list[int]:
    """The indices of `msgs` in the order to handle them: each chat's messages by position,
    chats as they come. A message without a position keeps its place after the one before it."""
    keys: list[tuple[int, int, int]] = []
    chats: dict[tuple[str, str], tuple[int, int]] = {}  # chat -> (first index, last position)
    for index, msg in enumerate(msgs):
        chat = (msg.channel, msg.chat_id)
        first, last = chats.get(chat, (index, -1))
        position = last if msg.position is None else msg.position
        chats[chat] = (first, position)
        keys.append((first, position, index))
    return [index for _first, _position, index in sorted(keys)]


def is_late(msg: Incoming, conversation: Conversation) -> bool:
    applied = conversation.position
    return msg.position is not None and applied is not None and msg.position < applied


def position_after(msg: Incoming, conversation: Conversation) -> int | None:
    """The conversation's position once `msg` is handled."""
    if msg.position is None:
        return conversation.position
    return max(msg.position, conversation.position or msg.position)


async def refuse_late(turn: Turn) -> None:
    msg = turn.msg
    turn.after_commit += [partial(hook, msg, "late") for hook in turn.runtime.on_refused]
    await queries.audit(
        turn.session,
        turn.now,
        "inbound",
        "refused_late",
        actor_user_id=turn.user.id if turn.user else None,
        actor_role=turn.user.role if turn.user else None,
        channel=msg.channel,
    )
    text = msg.inbound.text.strip()
    if not text:  # a photo, a location: nothing to quote
        text = "…"
    elif len(text) > QUOTED:
        text = text[: QUOTED - 1] + "…"
    turn.say(LATE_IN_FORM if turn.state is not None else LATE, text=text)
