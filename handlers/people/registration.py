"""Registration by invitation: code → name → confirm → the identity is bound to a user."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from conversations.model import Flow
from db import queries, scope
from db.models import ChannelIdentity, Invite, User
from handlers.core.turn import Turn
from handlers.people import handover, invites, roles
from handlers.people.places import place_name, place_of  # noqa: F401 (used from here)

KEYWORD = re.compile(r"^\s*/?(?:daftar|start)(?:\s+|$)", re.I)
MAX_WRONG_CODES = 5
LOCKOUT = timedelta(hours=1)


async def start_command(turn: Turn, arg: str) -> None:
    """/start CODE (Telegram deep link), DAFTAR CODE, /daftar."""
    if turn.user is not None:
        if arg:
            turn.say("You are already registered. Type /menu to see what you can do.")
        await turn.runtime.menu(turn)
        return
    if arg:
        await check_code(turn, arg)
    else:
        await turn.start_flow("invite_code", {})


async def unknown(turn: Turn, _flow: Flow, _answers: dict[str, Any]) -> None:
    typed = turn.msg.inbound.text
    if len(typed.split()) <= 2 and invites.looks_like_code(typed):
        await check_code(turn, typed)  # a bare code, without DAFTAR
        return
    turn.say(
        "Hello! This is the ILP reporting bot of Dinas Kesehatan Rejang Lebong. "
        "To use it you need an invitation code from your puskesmas or the Dinas Kesehatan. "
        "When you have it, type: DAFTAR <code>"
    )


async def on_code(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    await check_code(turn, answers["code"])


async def check_code(turn: Turn, code: str) -> None:
    code = KEYWORD.sub("", code)  # "Daftar K7QX2-M9PRT" typed where the code is asked
    channel, chat = turn.msg.channel, turn.msg.chat_id
    since = turn.now - LOCKOUT
    if await queries.failed_attempts(turn.session, channel, chat, since) >= MAX_WRONG_CODES:
        turn.say("Too many wrong codes. Please wait one hour and try again.")
        return
    secret = invites.secret_of(turn.runtime.settings)
    invite = await invites.find_usable(turn.session, code, turn.now, secret)
    if invite is None:
        await queries.add_failed_attempt(turn.session, channel, chat, turn.now)
        left = MAX_WRONG_CODES - await queries.failed_attempts(turn.session, channel, chat, since)
        if left <= 0:
            turn.say("Too many wrong codes. Please wait one hour and try again.")
        else:
            turn.say(
                "That code is not valid: it may be mistyped, expired or already used. "
                "Check it and type DAFTAR <code> again, or ask your puskesmas for a new one."
            )
        return
    if invite.link_user_id is not None:  # another chat of an existing account
        user = await turn.session.get(User, invite.link_user_id)
        if user is None or not user.active:
            turn.say("Sorry, this invitation is no longer valid. Please ask for a new one.")
            return
        context = {"invite_id": invite.id, "params": await welcome(turn, user)}
        await turn.start_flow("link_identity", context)
        return
    context = {"invite_id": invite.id, "params": await _grant(turn, invite)}
    if invite.name:  # from a roster: "Apakah Anda {nama}?" instead of asking the name
        context["params"]["name"] = invite.name
        await turn.start_flow("registration_named", context)
        return
    await turn.start_flow("registration", context)


async def on_named(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    name = turn.state.context["params"]["name"]
    if not answers.get("confirm"):
        turn.say(
            "This code is for {name}. If you are not {name}, please ask your puskesmas for "
            "your own code.",
            name=name,
        )
        return
    registration = turn.runtime.flows["registration"]  # its handler, with what others add to it
    await turn.runtime.submit(turn, registration, {"name": name, "confirm": True})


async def _grant(turn: Turn, invite: Invite) -> dict[str, str]:
    role = turn.t(roles.label(invite.role))
    place = await place_name(turn, invite.puskesmas_id, invite.desa_id, invite.kecamatan_id)
    return {"role": role, "place": place}


async def on_registration(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    if not answers.get("confirm"):  # the name was wrong: ask it again, the code still holds
        turn.say("All right, please type your name again. If the code is not yours, type /batal.")
        await turn.start_flow("registration", turn.state.context)
        return
    invite = await still_valid(turn)
    if invite is None:
        return
    invite.used += 1
    user = await _user_for(turn, invite, answers["name"])
    bind(turn, user)
    turn.user = user
    turn.say(
        "Welcome, {name}! You are registered as {role} for {place}.", **await welcome(turn, user)
    )
    if invite.replaces_user_id is not None:
        await handover.take_over(turn, invite, user)
    await turn.runtime.menu(turn)


async def still_valid(turn: Turn) -> Invite | None:
    """The form's invite, locked and checked again at the last step (it may have been used)."""
    invite_id = turn.state.context["invite_id"] if turn.state else None
    invite = await turn.session.get(Invite, invite_id, with_for_update=True)
    if (
        invite is None
        or invite.revoked_at
        or invite.expires_at <= turn.now
        or invite.used >= invite.max_uses
    ):
        turn.say("Sorry, this invitation is no longer valid. Please ask for a new one.")
        return None
    return invite


def bind(turn: Turn, user: User) -> None:
    """The chat now speaks for `user`: a chat of a deactivated account moves to the new one."""
    if turn.identity is not None:
        turn.identity.user_id, turn.identity.unreachable = user.id, False
        turn.identity.phone = turn.msg.phone or turn.identity.phone
        return
    turn.session.add(
        ChannelIdentity(
            channel=turn.msg.channel,
            external_id=turn.msg.chat_id,
            user_id=user.id,
            phone=turn.msg.phone,
            last_inbound_at=turn.now,
        )
    )


async def _user_for(turn: Turn, invite: Invite, name: str) -> User:
    if invite.link_user_id is not None:
        return await turn.session.get(User, invite.link_user_id)
    user = User(
        name=name,
        role=invite.role,
        puskesmas_id=invite.puskesmas_id,
        desa_id=invite.desa_id,
        kecamatan_id=invite.kecamatan_id,
        active=True,
        locale="id",
        created_at=turn.now,
    )
    turn.session.add(user)
    await turn.session.flush()
    if roles.place(user.role) is roles.Place.ASSIGNED and invite.desa_id is not None:
        await scope.assign(turn.session, user.id, invite.desa_id, turn.now)  # the first desa
    return user


async def welcome(turn: Turn, user: User) -> dict[str, str]:
    return {
        "name": user.name,
        "role": turn.t(roles.label(user.role)),
        "place": await place_name(turn, user.puskesmas_id, user.desa_id, user.kecamatan_id),
    }
