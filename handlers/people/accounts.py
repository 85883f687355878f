"""Accounts an operator manages: the list of users, deactivation and reactivation (`ilpbot
user …`), and what a deactivated user meets in chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.parsing import normalize
from db import queries, web
from db.models import User
from handlers.core.inbound import Runtime
from handlers.core.turn import Turn
from handlers.people.invites import looks_like_code
from handlers.people.registration import place_of

REGISTRATION_FLOWS = ("invite_code", "registration")
REGISTER_WORDS = ("start", "daftar")
ENTITY = "user"


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Account:
    user: User
    place: str | None
    chats: list[str]  # "channel:…1234": the last digits only (phone numbers)


def masked(external_id: str) -> str:
    return f"…{external_id[-4:]}"


async def list_accounts(session: AsyncSession) -> list[Account]:
    users = list((await session.execute(select(User).order_by(User.id))).scalars())
    chats: dict[int, list[str]] = {}
    for ident in await queries.identities_of(session, [u.id for u in users]):
        chats.setdefault(ident.user_id, []).append(f"{ident.channel}:{masked(ident.external_id)}")
    return [
        Account(
            u,
            await place_of(session, u.puskesmas_id, u.desa_id, u.kecamatan_id),
            sorted(chats.get(u.id, [])),
        )
        for u in users
    ]


async def set_active(
    session: AsyncSession,
    user_id: int,
    active: bool,
    now: datetime,
    actor: User | None = None,
    channel: str | None = None,
) -> User:
    """Deactivated: refused in chat, sent nothing (the outbox drops their rows), in no recipient
    list; their chats may register again from a new invite; a form left open stays, for the
    admin to see. Reactivated: all of it back. `actor`: who did it in chat (/staf), else the
    operator's command line."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise AccountError(f"no user {user_id}")
    if user.active == active:
        raise AccountError(f"user {user_id} is already {'active' if active else 'deactivated'}")
    user.active = active
    if not active:  # every dashboard session of theirs ends with the account
        await web.end_sessions_of(session, user.id, now)
    action = "reactivated" if active else "deactivated"
    await queries.audit(
        session,
        now,
        ENTITY,
        action,
        entity_id=str(user.id),
        actor_user_id=actor.id if actor else None,
        actor_role=actor.role if actor else "operator",
        channel=channel,
    )
    return user


def _registering(turn: Turn) -> bool:
    """A deactivated user's chat may still register from a new invitation."""
    if turn.state is not None and turn.state.flow in REGISTRATION_FLOWS:
        return True
    word, _, arg = turn.msg.inbound.text.strip().partition(" ")
    if normalize(word).lstrip("/").split("@")[0] in REGISTER_WORDS:
        return True
    return not arg and looks_like_code(word)


async def refuse_deactivated(turn: Turn) -> bool:
    if not turn.deactivated or _registering(turn):
        return False
    # The form they had open stays as it was: /staf shows it to whoever manages them.
    turn.say(
        "Your account is no longer active, so your messages cannot be processed. If you still "
        "need access, ask your puskesmas or the Dinas Kesehatan for a new invitation code, "
        "then type DAFTAR <code>."
    )
    return True


def install(runtime: Runtime) -> None:
    runtime.gates.append(refuse_deactivated)
