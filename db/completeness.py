"""The one definition of "a puskesmas has reported klaster X for period P", in SQL: a report
in the building (`place` gedung) for that klaster and period, a nihil confirmation being such a
report without values. Reports for a desa or a posyandu add to the figures and never make a
klaster complete: the bidan's desa report says nothing about the building.

Every completeness query (/status, the reminders, the digest, the summaries, the exports) is
built on `completes()` (through `filed_slots` here, or the digest's aggregates)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.reports import GEDUNG, Report

Scope = Collection[int] | None


def completes() -> Any:
    """The reports that make their klaster and period complete. Every version counts (they
    share the slot's place), so the first one tells when the period was first reported."""
    return Report.place == GEDUNG


def within(column: Any, scope: Scope) -> Any:
    return true() if scope is None else column.in_(list(scope))


@dataclass(frozen=True)
class FiledSlot:
    puskesmas_id: int
    day: date  # the period start (the Monday of a weekly form)
    klaster: str
    first_received: datetime  # the first version's arrival: "on time" is judged by it


async def filed_slots(
    session: AsyncSession, first: date, last: date, klasters: Collection[str], scope: Scope
) -> list[FiledSlot]:
    """The klaster and periods (start in [first, last]) each puskesmas has reported."""
    stmt = (
        select(
            Report.puskesmas_id, Report.period_start, Report.klaster, func.min(Report.received_at)
        )
        .where(
            completes(),
            Report.period_start.between(first, last),
            Report.klaster.in_(list(klasters)),
            within(Report.puskesmas_id, scope),
        )
        .group_by(Report.puskesmas_id, Report.period_start, Report.klaster)
    )
    rows = (await session.execute(stmt)).all()
    return [FiledSlot(p, d, k, aware(at)) for p, d, k, at in rows]


def aware(value: datetime) -> datetime:
    """A naive value from SQLite is UTC (see db.models.UTCDateTime)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
