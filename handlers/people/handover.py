"""A role handed over: the successor registered from a code made in /staf (a new kepala
puskesmas, a new kepala desa after the pilkades). The predecessor is deactivated at once and
both are told; what waited for the predecessor waits for the successor, since it is kept by
place (a desa's dana requests go to its active kepala desa: handlers/dana shows them to a
kepala desa who has just registered)."""

from __future__ import annotations

from conversations.model import N_
from db import queries
from db.models import Invite, User
from handlers.core import notify
from handlers.core.outgoing import Outgoing
from handlers.core.turn import Turn
from handlers.people import roles
from handlers.people.staff_audit import record

KIND = "staff"


async def take_over(turn: Turn, invite: Invite, successor: User) -> None:
    old = await turn.session.get(User, invite.replaces_user_id, with_for_update=True)
    if old is None or not old.active or old.id == successor.id:
        return
    old.active = False
    role = turn.t(roles.label(old.role))
    await queries.audit(
        turn.session,
        turn.now,
        "user",
        "deactivated",
        entity_id=str(old.id),
        actor_user_id=successor.id,
        actor_role=successor.role,
        channel=turn.msg.channel,
        reason="handed_over",
    )
    await record(turn, "handed_over", old)
    await farewell(turn, old, successor)
    turn.say("You take over as {role} from {name}.", role=role, name=old.name)


async def farewell(turn: Turn, old: User, successor: User) -> None:
    """Written without the user's id: the outbox sends nothing to a deactivated user's id."""
    chat = (await notify.best_chats(turn.session, [old.id])).get(old.id)
    if chat is None:
        return
    text = turn.runtime.texts(
        N_(
            "{successor} has taken over your role as {role}. Your account is no longer "
            "active. Thank you for your work!"
        ),
        old.locale,
        successor=successor.name,
        role=turn.runtime.texts(roles.label(old.role), old.locale),
    )
    out = Outgoing(chat.channel, chat.external_id, text)
    await queries.add_outbox(
        turn.session,
        channel=chat.channel,
        chat_id=chat.external_id,
        payload=out.to_json(),
        kind=KIND,
        now=turn.now,
        user_id=None,
    )
