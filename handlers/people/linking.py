"""Another chat for an existing account (`ilpbot invite create --link-user ID`). The account's
chats are told at once, in the same transaction; when one of them is in use, the link waits
for a press of *Hubungkan* there (audit: link_requested → link_confirmed / link_refused), so a
code that leaked does not quietly open the account to a stranger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from conversations.model import N_, Flow
from db import queries
from db.models import AuditEvent, ChannelIdentity, User
from handlers.core.inbound import Runtime
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import Turn
from handlers.people.registration import bind, still_valid, welcome

ACTIVE_WITHIN = timedelta(days=30)  # a chat that wrote since then is in use: it must confirm
ACTION = "lk"
REQUEST = "link_request"  # the entity of the decision on a request (entity_id: its audit id)
KIND = "link"


def masked_chat(channel: str, chat_id: str) -> str:
    return f"{channel} …{chat_id[-4:]}"


def _in_use(ident: ChannelIdentity, turn: Turn) -> bool:
    seen = ident.last_inbound_at
    return not ident.unreachable and seen is not None and turn.now - seen <= ACTIVE_WITHIN


async def _tell(
    turn: Turn, user: User, ident: ChannelIdentity, msgid: str, buttons=(), **params: Any
) -> None:
    """A message in the outbox of this transaction, to one chat of `user`."""
    texts = turn.runtime.texts
    text = texts(msgid, user.locale, **params)
    out = Outgoing(ident.channel, ident.external_id, text, tuple(buttons))
    await queries.add_outbox(
        turn.session,
        channel=out.channel,
        chat_id=out.chat_id,
        payload=out.to_json(),
        kind=KIND,
        now=turn.now,
        user_id=user.id,
    )


async def on_link(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    if not answers.get("confirm"):
        turn.say("Cancelled. If the code is not yours, ask your puskesmas for a new one.")
        return
    invite = await still_valid(turn)
    user = await turn.session.get(User, invite.link_user_id) if invite else None
    if invite is None or user is None or not user.active:
        return
    invite.used += 1
    chats = await queries.identities_of(turn.session, [user.id])
    where = masked_chat(turn.msg.channel, turn.msg.chat_id)
    in_use = [ident for ident in chats if _in_use(ident, turn)]
    if in_use:
        await _ask(turn, user, in_use, where, invite.id)
        return
    bind(turn, user)
    turn.user = user
    await _audit(turn, user, "linked", {"chat": where, "invite_id": invite.id})
    for ident in chats:
        await _tell(
            turn,
            user,
            ident,
            N_(
                "A new chat ({chat}) was linked to your account. If that was not you, contact "
                "your puskesmas or the Dinas Kesehatan at once."
            ),
            chat=where,
        )
    turn.say(
        "Welcome, {name}! This chat is now linked to your account: {role} for {place}.",
        **await welcome(turn, user),
    )
    await turn.runtime.menu(turn)


async def _audit(turn: Turn, user: User, action: str, data: dict[str, Any]) -> AuditEvent:
    event = AuditEvent(
        at=turn.now,
        entity="user",
        entity_id=str(user.id),
        action=action,
        channel=turn.msg.channel,
        data=data,
    )
    turn.session.add(event)
    await turn.session.flush()
    return event


async def _ask(
    turn: Turn, user: User, chats: list[ChannelIdentity], where: str, invite_id: int
) -> None:
    data = {"channel": turn.msg.channel, "chat_id": turn.msg.chat_id, "phone": turn.msg.phone}
    request = await _audit(turn, user, "link_requested", {**data, "invite_id": invite_id})
    texts = turn.runtime.texts
    buttons = [
        Button(texts(N_("Link"), user.locale), f"{ACTION}:{request.id}:y"),
        Button(texts(N_("Refuse"), user.locale), f"{ACTION}:{request.id}:n"),
    ]
    for ident in chats:
        await _tell(
            turn,
            user,
            ident,
            N_(
                "Someone asks to link a new chat ({chat}) to your account. If it is you, press "
                "Link. If not, press Refuse and tell your puskesmas."
            ),
            buttons,
            chat=where,
        )
    turn.say(
        "Almost done: {name}, please press Link in the chat you already use with this bot. "
        "This chat is linked once you do.",
        name=user.name,
    )


async def on_button(turn: Turn, parts: list[str]) -> None:
    """*Link* or *Refuse*, pressed in a chat of the account."""
    request_id = int(parts[0]) if parts and parts[0].isdigit() else 0
    request = await turn.session.get(AuditEvent, request_id)
    if (
        request is None
        or request.action != "link_requested"
        or turn.user is None
        or request.entity_id != str(turn.user.id)
        or len(parts) != 2
    ):
        turn.say("This button is no longer valid. Please use the latest message.")
        return
    if await _decided(turn, request_id):
        turn.say("This request has already been answered.")
        return
    await _decide(turn, request, turn.user, parts[1] == "y")


async def _decided(turn: Turn, request_id: int) -> bool:
    stmt = select(AuditEvent.id).where(
        AuditEvent.entity == REQUEST, AuditEvent.entity_id == str(request_id)
    )
    return (await turn.session.execute(stmt)).first() is not None


async def _decide(turn: Turn, request: AuditEvent, user: User, link: bool) -> None:
    data = request.data or {}
    channel, chat_id = data["channel"], data["chat_id"]
    taken = await queries.identity(turn.session, channel, chat_id)
    if link and taken is not None:
        turn.say("That chat is already registered; nothing was changed.")
        link = False
    elif link:
        ident = ChannelIdentity(
            channel=channel, external_id=chat_id, user_id=user.id, phone=data.get("phone")
        )
        turn.session.add(ident)
    action = "link_confirmed" if link else "link_refused"
    turn.session.add(
        AuditEvent(
            at=turn.now,
            entity=REQUEST,
            entity_id=str(request.id),
            action=action,
            actor_user_id=user.id,
            actor_role=user.role,
            channel=turn.msg.channel,
        )
    )
    newcomer = ChannelIdentity(channel=channel, external_id=chat_id, user_id=user.id)
    if link:
        await _tell(
            turn,
            user,
            newcomer,
            N_("This chat is now linked to the account of {name}. Type /menu to begin."),
            name=user.name,
        )
        turn.say(
            "Done: the new chat ({chat}) is linked to your account.",
            chat=masked_chat(channel, chat_id),
        )
    elif taken is None:
        await _tell(
            turn,
            user,
            newcomer,
            N_(
                "The link was refused from the account's other chat. Ask for a new code if this is a mistake."
            ),
        )
        turn.say("Refused: the new chat was not linked.")


def install(runtime: Runtime) -> None:
    runtime.actions[ACTION] = on_button
    runtime.submit_handlers["link_identity"] = on_link
