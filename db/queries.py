"""Queries shared by the use cases. They read and add; the unit of work commits."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.model import State
from db.database import insert_ignore
from db.models import (
    AuditEvent,
    ChannelIdentity,
    Conversation,
    Desa,
    Kecamatan,
    Outbox,
    ProcessedInbound,
    Puskesmas,
    PuskesmasDesa,
    RegistrationAttempt,
    User,
)

DRAFT_AFTER = timedelta(hours=24)


async def record_inbound(
    session: AsyncSession, channel: str, external_id: str, now: datetime
) -> bool:
    """False when this platform message was processed before (a redelivery)."""
    values = {"channel": channel, "external_id": external_id, "received_at": now}
    return await insert_ignore(session, ProcessedInbound.__table__, values)


async def rekey_identity(
    session: AsyncSession, channel: str, old: str, new: str
) -> ChannelIdentity | None:
    """A chat first known under one id (a WhatsApp phone number) writes under another (its
    business-scoped user id): the identity, its open conversation and its waiting messages move
    to the new id, once. The phone number stays on the identity."""
    ident = await identity(session, channel, old)
    if ident is None:
        return None
    ident.external_id, ident.phone = new, ident.phone or old
    other = aliased(Conversation)
    taken = exists().where(other.channel == channel, other.chat_id == new)
    await session.execute(
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.chat_id == old, ~taken)
        .values(chat_id=new)
    )
    await session.execute(
        update(Outbox)
        .where(
            Outbox.channel == channel,
            Outbox.chat_id == old,
            Outbox.status.in_(("pending", "held")),
        )
        .values(chat_id=new)
    )
    return ident


async def identity(session: AsyncSession, channel: str, external_id: str) -> ChannelIdentity | None:
    stmt = select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def lock_conversation(
    session: AsyncSession, channel: str, chat_id: str, now: datetime
) -> Conversation:
    """The chat's conversation row, created if new, locked for this transaction."""
    values = {"channel": channel, "chat_id": chat_id, "status": "idle", "updated_at": now}
    await insert_ignore(session, Conversation.__table__, values)
    stmt = (
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.chat_id == chat_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one()


def load_state(conversation: Conversation) -> State | None:
    if conversation.status != "active" or not conversation.state:
        return None
    return State(**conversation.state)


def store_state(conversation: Conversation, state: State | None, now: datetime) -> None:
    conversation.updated_at = now
    if state is None or state.status != "active":
        conversation.status = "idle" if state is None else state.status
        conversation.state = None if state is None else asdict(state)
        conversation.flow = state.flow if state else None
        conversation.step = None
        conversation.expires_at = None
        return
    conversation.status = "active"
    conversation.expires_at = now + DRAFT_AFTER  # past this, the form waits as a draft
    conversation.state = asdict(state)
    conversation.flow, conversation.flow_version = state.flow, state.version
    conversation.step = state.step


async def add_outbox(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    kind: str,
    now: datetime,
    user_id: int | None = None,
) -> Outbox:
    row = Outbox(
        channel=channel,
        chat_id=chat_id,
        user_id=user_id,
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    return row


async def audit(
    session: AsyncSession, now: datetime, entity: str, action: str, **fields: Any
) -> None:
    session.add(AuditEvent(at=now, entity=entity, action=action, **fields))


async def failed_attempts(
    session: AsyncSession, channel: str, chat_id: str, since: datetime
) -> int:
    stmt = select(func.count()).where(
        RegistrationAttempt.channel == channel,
        RegistrationAttempt.chat_id == chat_id,
        RegistrationAttempt.at >= since,
    )
    return (await session.execute(stmt)).scalar_one()


async def add_failed_attempt(
    session: AsyncSession, channel: str, chat_id: str, now: datetime
) -> None:
    session.add(RegistrationAttempt(channel=channel, chat_id=chat_id, at=now))


async def puskesmas_serving(session: AsyncSession, desa_id: int) -> list[Puskesmas]:
    stmt = (
        select(Puskesmas)
        .join(PuskesmasDesa, PuskesmasDesa.puskesmas_id == Puskesmas.id)
        .where(PuskesmasDesa.desa_id == desa_id)
        .order_by(Puskesmas.nama)
    )
    return list((await session.execute(stmt)).scalars())


async def desa_of_puskesmas(session: AsyncSession, puskesmas_id: int) -> list[Desa]:
    stmt = (
        select(Desa)
        .join(PuskesmasDesa, PuskesmasDesa.desa_id == Desa.id)
        .where(PuskesmasDesa.puskesmas_id == puskesmas_id)
        .order_by(Desa.nama)
    )
    return list((await session.execute(stmt)).scalars())


async def all_desa(session: AsyncSession) -> list[tuple[Desa, str]]:
    stmt = select(Desa, Kecamatan.nama).join(Kecamatan).order_by(Desa.nama)
    return [(d, k) for d, k in (await session.execute(stmt)).all()]


async def all_puskesmas(session: AsyncSession) -> list[Puskesmas]:
    return list((await session.execute(select(Puskesmas).order_by(Puskesmas.nama))).scalars())


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def identities_of(session: AsyncSession, user_ids: list[int]) -> list[ChannelIdentity]:
    if not user_ids:
        return []
    stmt = select(ChannelIdentity).where(ChannelIdentity.user_id.in_(user_ids))
    return list((await session.execute(stmt)).scalars())
