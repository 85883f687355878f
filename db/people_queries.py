"""What /staf reads about people: who is in a scope, their last report, open forms, history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEvent, ChannelIdentity, Conversation, User
from db.reports import Report

STAFF = "staff"  # the audit entity of a staff change; entity_id: the puskesmas id, or "-"


async def people(
    session: AsyncSession, roles: Sequence[str], puskesmas_id: int | None
) -> list[User]:
    """Active and deactivated, the active first; None: the whole kabupaten."""
    stmt = select(User).where(User.role.in_(list(roles)))
    if puskesmas_id is not None:
        stmt = stmt.where(User.puskesmas_id == puskesmas_id)
    stmt = stmt.order_by(User.active.desc(), User.role, User.name, User.id)
    return list((await session.execute(stmt)).scalars())


async def last_reports(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, datetime]:
    if not user_ids:
        return {}
    stmt = (
        select(Report.user_id, func.max(Report.received_at))
        .where(Report.user_id.in_(list(user_ids)))
        .group_by(Report.user_id)
    )
    return {uid: at for uid, at in (await session.execute(stmt)).all()}


async def open_forms(
    session: AsyncSession, user_ids: Sequence[int], not_forms: Sequence[str] = ()
) -> dict[int, int]:
    """Forms left open in their chats (a deactivated user's stay, for the admin to see);
    `not_forms`: flows that are no form (the menu)."""
    if not user_ids:
        return {}
    stmt = (
        select(ChannelIdentity.user_id, func.count())
        .join(
            Conversation,
            (Conversation.channel == ChannelIdentity.channel)
            & (Conversation.chat_id == ChannelIdentity.external_id),
        )
        .where(
            ChannelIdentity.user_id.in_(list(user_ids)),
            Conversation.status == "active",
            Conversation.flow.not_in(list(not_forms)),
        )
        .group_by(ChannelIdentity.user_id)
    )
    return {uid: n for uid, n in (await session.execute(stmt)).all()}


def scope_key(puskesmas_id: int | None) -> str:
    return str(puskesmas_id) if puskesmas_id is not None else "-"


async def history(
    session: AsyncSession, puskesmas_id: int | None, limit: int = 15
) -> list[AuditEvent]:
    """The latest staff changes, newest first; None: every puskesmas and the kabupaten."""
    stmt = select(AuditEvent).where(AuditEvent.entity == STAFF)
    if puskesmas_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == scope_key(puskesmas_id))
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())
