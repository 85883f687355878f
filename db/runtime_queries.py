"""What the runtime's edges ask the database: is it there, how deep is the outbox, and the
outbox rows a channel's own rules look at (WhatsApp's statuses and numbered menus)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Kecamatan, Outbox


async def ping(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def pending_by_channel(session: AsyncSession) -> dict[str, int]:
    stmt = (
        select(Outbox.channel, func.count())
        .where(Outbox.status == "pending")
        .group_by(Outbox.channel)
    )
    return {channel: count for channel, count in (await session.execute(stmt)).all()}


async def sent_row(session: AsyncSession, provider_message_id: str) -> Outbox | None:
    """The row a platform's message id names, locked: a status report changes it."""
    stmt = select(Outbox).where(Outbox.provider_message_id == provider_message_id)
    return (await session.execute(stmt.with_for_update())).scalars().first()


async def last_payload(session: AsyncSession, channel: str, chat_id: str) -> dict[str, Any]:
    """The payload of the last message written for a chat ({} when none)."""
    stmt = (
        select(Outbox.payload)
        .where(Outbox.channel == channel, Outbox.chat_id == chat_id)
        .order_by(Outbox.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none() or {}


async def kecamatan_count(session: AsyncSession) -> int:
    """0 on a database not seeded yet."""
    return (await session.execute(select(func.count()).select_from(Kecamatan))).scalar_one()
