"""What the profil kesehatan desa reads: one desa's current report values by month, its SPM
sasaran where the database keeps them per desa, and its dana desa requests by status."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.dana import DanaRequest
from db.reports import Report, ReportValue, Sasaran


async def monthly_values(
    session: AsyncSession, desa_id: int, first: date, last: date, codes: Collection[str]
) -> dict[tuple[str, str], int]:
    """{("2026-11", code): total} of the desa's current reports whose period starts in
    [first, last]: small (one desa, a few months), so grouped here rather than in SQL, which
    names the month differently on each backend."""
    stmt = (
        select(Report.period_start, ReportValue.indicator, ReportValue.value)
        .join(ReportValue, ReportValue.report_id == Report.id)
        .where(
            Report.desa_id == desa_id,
            Report.is_current.is_(True),
            Report.period_start.between(first, last),
            ReportValue.indicator.in_(list(codes)),
        )
    )
    totals: dict[tuple[str, str], int] = {}
    for day, code, value in (await session.execute(stmt)).all():
        key = (f"{day:%Y-%m}", code)
        totals[key] = totals.get(key, 0) + int(value)
    return totals


async def desa_sasaran(session: AsyncSession, desa_id: int, tahun: int) -> dict[str, int]:
    """{spm service: the desa's annual target}. Sasaran are kept per puskesmas; where the
    schema also keeps them per desa (a `desa_id` on sasaran), those of this desa. Nothing
    otherwise: the profile then says the capaian waits for per-desa sasaran."""
    per_desa = getattr(Sasaran, "desa_id", None)
    if per_desa is None:
        return {}
    stmt = select(Sasaran.spm, Sasaran.target).where(
        Sasaran.tahun == tahun, per_desa == desa_id, Sasaran.target > 0
    )
    return {spm: int(target) for spm, target in (await session.execute(stmt)).all()}


async def dana_by_status(session: AsyncSession, desa_id: int, year: int) -> dict[str, int]:
    """{status: count} of the desa's requests numbered in `year`."""
    stmt = (
        select(DanaRequest.status, func.count())
        .where(DanaRequest.desa_id == desa_id, DanaRequest.year == year)
        .group_by(DanaRequest.status)
    )
    return {status: int(n) for status, n in (await session.execute(stmt)).all()}
