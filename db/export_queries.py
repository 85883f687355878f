"""What an export reads: current report values summed per puskesmas, day and indicator (every
desa of the puskesmas included), the reports counted per slot, and the dana desa requests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.dana import DanaRequest
from db.models import Desa, Puskesmas
from db.reports import Report, ReportValue

Scope = Collection[int] | None


def _within(column, scope: Scope):
    return true() if scope is None else column.in_(list(scope))


async def report_values(
    session: AsyncSession,
    first: date,
    last: date,
    scope: Scope,
    running: Collection[str] = (),
) -> dict[tuple[int, date, str], int]:
    """{(puskesmas, period start, indicator): total} over the current reports; for the
    `running` counts (cases so far) the highest value instead of the sum."""
    value = ReportValue.value
    total = case((ReportValue.indicator.in_(list(running)), func.max(value)), else_=func.sum(value))
    stmt = (
        select(Report.puskesmas_id, Report.period_start, ReportValue.indicator, total)
        .join(ReportValue, ReportValue.report_id == Report.id)
        .where(
            Report.period_start.between(first, last),
            Report.is_current.is_(True),
            _within(Report.puskesmas_id, scope),
        )
        .group_by(Report.puskesmas_id, Report.period_start, ReportValue.indicator)
    )
    return {(p, d, c): int(v) for p, d, c, v in (await session.execute(stmt)).all()}


async def report_counts(
    session: AsyncSession, first: date, last: date, scope: Scope
) -> dict[tuple[int, date, str], int]:
    """{(puskesmas, period start, klaster): current reports (the puskesmas and its desa)}."""
    stmt = (
        select(Report.puskesmas_id, Report.period_start, Report.klaster, func.count())
        .where(
            Report.period_start.between(first, last),
            Report.is_current.is_(True),
            _within(Report.puskesmas_id, scope),
        )
        .group_by(Report.puskesmas_id, Report.period_start, Report.klaster)
    )
    return {(p, d, k): int(n) for p, d, k, n in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class DanaRow:
    request: DanaRequest
    desa: str
    desa_jenis: str
    puskesmas: str | None


async def dana_requests(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope
) -> list[DanaRow]:
    """Requests made in [start, end), oldest first."""
    stmt = (
        select(DanaRequest, Desa.nama, Desa.jenis, Puskesmas.nama)
        .join(Desa, Desa.id == DanaRequest.desa_id)
        .outerjoin(Puskesmas, Puskesmas.id == DanaRequest.puskesmas_id)
        .where(
            DanaRequest.created_at >= start,
            DanaRequest.created_at < end,
            _within(DanaRequest.puskesmas_id, scope),
        )
        .order_by(DanaRequest.created_at, DanaRequest.id)
    )
    return [DanaRow(r, d, j, p) for r, d, j, p in (await session.execute(stmt)).all()]


async def dana_decisions(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope
) -> list[tuple[int, datetime, str, int]]:
    """(puskesmas id, decided at, route, approved rupiah or 0) of the requests decided with a
    budget route in [start, end)."""
    stmt = (
        select(
            DanaRequest.puskesmas_id,
            DanaRequest.decided_at,
            DanaRequest.rute,
            func.coalesce(DanaRequest.jumlah_disetujui, 0),
        )
        .where(
            DanaRequest.decided_at >= start,
            DanaRequest.decided_at < end,
            DanaRequest.rute.is_not(None),
            DanaRequest.puskesmas_id.is_not(None),
            _within(DanaRequest.puskesmas_id, scope),
        )
        .order_by(DanaRequest.decided_at)
    )
    return [(p, at, r, int(n)) for p, at, r, n in (await session.execute(stmt)).all()]
