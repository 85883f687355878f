"""Queries shared by the use cases. They read and add; the unit of work commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.database import insert_new
from db.models import (
    AuditEvent,
    ChannelIdentity,
    Conversation,
    Desa,
    Outbox,
    ProcessedInbound,
    Puskesmas,
    PuskesmasDesa,
    RegistrationAttempt,
)
from db.outbox_classes import class_of

NO_AUTOFLUSH = {"autoflush": False}


async def record_inbound(
    session: AsyncSession, channel: str, external_id: str, now: datetime
) -> bool:
    """False when this platform message was processed before (a redelivery)."""
    return (await record_inbounds(session, [(channel, external_id)], now))[0]


async def record_inbounds(
    session: AsyncSession, messages: list[tuple[str, str]], now: datetime
) -> list[bool]:
    """For each (channel, external_id), in one statement: True when it was not processed
    before, False for a redelivery (and for a second copy in `messages`)."""
    rows = [{"channel": c, "external_id": e, "received_at": now} for c, e in messages]
    new = await insert_new(session, ProcessedInbound.__table__, rows, _INBOUND_KEY)
    fresh = []
    for message in messages:
        fresh.append(message in new)
        new.discard(message)
    return fresh


_INBOUND_KEY = ("channel", "external_id")


async def inbound_counts(
    session: AsyncSession, since: datetime, recent: datetime
) -> dict[str, tuple[int, int]]:
    """Platform messages received by channel: (since `recent`, since `since`). A WhatsApp
    number's throughput counts them, so the sender leaves them room."""
    stmt = (
        select(
            ProcessedInbound.channel,
            func.sum(case((ProcessedInbound.received_at >= recent, 1), else_=0)),
            func.count(),
        )
        .where(ProcessedInbound.received_at >= since)
        .group_by(ProcessedInbound.channel)
    )
    return {channel: (int(last), n) for channel, last, n in (await session.execute(stmt)).all()}


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


async def set_unreachable(
    session: AsyncSession, channel: str, external_id: str, unreachable: bool = True
) -> None:
    """The platform says the chat cannot get our messages (blocked, no WhatsApp), or can again."""
    await session.execute(
        update(ChannelIdentity)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
        .values(unreachable=unreachable)
    )


async def identity(session: AsyncSession, channel: str, external_id: str) -> ChannelIdentity | None:
    stmt = select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def outbox_row(
    *,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    kind: str,
    now: datetime,
    user_id: int | None = None,
    priority: int | None = None,
) -> dict[str, Any]:
    """A pending outbox row's values, due now; its class is its kind's unless given."""
    return {
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "kind": kind,
        "priority": class_of(kind) if priority is None else priority,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


async def add_outbox(session: AsyncSession, **values: Any) -> Outbox:
    row = Outbox(**outbox_row(**values))
    session.add(row)
    return row


async def add_outbox_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Several rows in one statement (a turn's replies); see `outbox_row`."""
    if rows:
        # Core, not the ORM's bulk insert; the rest of the unit of work flushes at the commit
        await session.execute(insert(Outbox.__table__), rows, execution_options=NO_AUTOFLUSH)


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


async def all_puskesmas(session: AsyncSession) -> list[Puskesmas]:
    return list((await session.execute(select(Puskesmas).order_by(Puskesmas.nama))).scalars())


async def identities_of(session: AsyncSession, user_ids: list[int]) -> list[ChannelIdentity]:
    if not user_ids:
        return []
    stmt = select(ChannelIdentity).where(ChannelIdentity.user_id.in_(user_ids))
    return list((await session.execute(stmt)).scalars())


_PUSKESMAS_NAME = select(Puskesmas.__table__.c.nama).where(
    Puskesmas.__table__.c.id == bindparam("id")
)
_DESA_NAME = select(Desa.__table__.c.jenis, Desa.__table__.c.nama).where(
    Desa.__table__.c.id == bindparam("id")
)


async def puskesmas_name(session: AsyncSession, puskesmas_id: int) -> str | None:
    """A Core read, no ORM object: /profil asks it on every press."""
    return (await session.execute(_PUSKESMAS_NAME, {"id": puskesmas_id})).scalar()


async def desa_name(session: AsyncSession, desa_id: int) -> tuple[str, str] | None:
    """(jenis, nama), as a Core read like `puskesmas_name`."""
    row = (await session.execute(_DESA_NAME, {"id": desa_id})).first()
    return None if row is None else (row[0], row[1])
