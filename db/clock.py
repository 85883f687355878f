"""The clock's claims: one row per (job, period), so a job runs once whoever ticks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.database import insert_ignore
from db.models import Base


class ScheduledRun(Base):
    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("job", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    period: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[datetime]


async def claim(session: AsyncSession, job: str, period: str, now: datetime) -> bool:
    """True for the one caller that may run `job` for `period`; the claim commits with its outbox rows."""
    values = {"job": job, "period": period, "claimed_at": now}
    return await insert_ignore(session, ScheduledRun.__table__, values)


async def claimed(session: AsyncSession, job: str, period: str) -> bool:
    """Whether `job` already ran for `period` (a read: the claim itself is `claim`)."""
    stmt = select(ScheduledRun.id).where(ScheduledRun.job == job, ScheduledRun.period == period)
    return (await session.execute(stmt.limit(1))).first() is not None
