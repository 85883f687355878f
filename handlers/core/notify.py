"""Messages from the clock and the alerts to many people at once: one copy per person, in the
chat they used most recently and that is not known to be unreachable (as handlers/dana_notify
does for one person), written to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import queries
from db.models import ChannelIdentity, Outbox, User
from handlers.core.outgoing import Outgoing

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BATCH = 2000  # rows per INSERT and ids per IN (…): well under SQLite's variable limit


@dataclass(frozen=True)
class Letter:
    """What one person gets: the channel fills in the chat."""

    text: str
    photo: str | None = None
    document: str | None = None
    template: dict | None = None


Render = Callable[[User], Letter | None]


async def best_chats(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, ChannelIdentity]:
    chats: dict[int, ChannelIdentity] = {}
    for start in range(0, len(user_ids), BATCH):
        for ident in await queries.identities_of(session, list(user_ids[start : start + BATCH])):
            best = chats.get(ident.user_id)
            if best is None or _rank(ident) > _rank(best):
                chats[ident.user_id] = ident
    return chats


def _rank(ident: ChannelIdentity) -> tuple:
    return (not ident.unreachable, ident.last_inbound_at or EPOCH, ident.id)


async def send_to(
    session: AsyncSession, now: datetime, users: Sequence[User], kind: str, render: Render
) -> int:
    """One outbox row per user who has a chat and a letter; returns how many were written."""
    chats = await best_chats(session, [u.id for u in users])
    rows = []
    for user in users:
        chat, letter = chats.get(user.id), None
        if chat is not None:
            letter = render(user)
        if letter is None:
            continue
        out = Outgoing(chat.channel, chat.external_id, letter.text)
        out = replace(out, photo=letter.photo, document=letter.document, template=letter.template)
        rows.append(
            queries.outbox_row(
                channel=chat.channel,
                chat_id=chat.external_id,
                payload=out.to_json(),
                kind=kind,
                now=now,
                user_id=user.id,
            )
        )
    for start in range(0, len(rows), BATCH):
        await session.execute(insert(Outbox), rows[start : start + BATCH])
    return len(rows)


async def active_users(
    session: AsyncSession, roles: Sequence[str], puskesmas_ids: Sequence[int] | None = None
) -> list[User]:
    stmt = select(User).where(User.role.in_(list(roles)), User.active.is_(True))
    if puskesmas_ids is not None:
        stmt = stmt.where(User.puskesmas_id.in_(list(puskesmas_ids)))
    return list((await session.execute(stmt.order_by(User.id))).scalars())
