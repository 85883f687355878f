"""The queries only the dashboard needs: per-desa values (PWS), who reports for a puskesmas, and
the dana desa list with filters. The rest comes from db/digest_queries.py, as the digest's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import ScheduledRun
from db.dana import DanaRequest
from db.digest_queries import Scope, _within
from db.models import Desa, Kecamatan, Puskesmas, PuskesmasDesa, User
from db.reports import Report, ReportValue, Sasaran
from db.totals import TotalAllDay, TotalDay


async def desa_of(session: AsyncSession, scope: Scope) -> list[tuple[int, str, str, int]]:
    """(desa id, name, jenis, puskesmas id) of the desa the puskesmas in scope serve, by name."""
    stmt = (
        select(Desa.id, Desa.nama, Desa.jenis, PuskesmasDesa.puskesmas_id)
        .join(PuskesmasDesa, PuskesmasDesa.desa_id == Desa.id)
        .where(_within(PuskesmasDesa.puskesmas_id, scope))
        .order_by(Desa.nama, PuskesmasDesa.puskesmas_id)
    )
    return [(d, n, j, p) for d, n, j, p in (await session.execute(stmt)).all()]


async def desa_values(
    session: AsyncSession, first: date, last: date, codes: Collection[str], scope: Scope
) -> dict[tuple[int, date], int]:
    """{(desa, period start): sum} of the current desa reports' values of `codes`."""
    stmt = (
        select(Report.desa_id, Report.period_start, func.sum(ReportValue.value))
        .join(ReportValue, ReportValue.report_id == Report.id)
        .where(
            Report.is_current.is_(True),
            Report.desa_id.is_not(None),
            Report.period_start.between(first, last),
            ReportValue.indicator.in_(list(codes)),
            _within(Report.puskesmas_id, scope),
        )
        .group_by(Report.desa_id, Report.period_start)
    )
    return {(d, p): int(v) for d, p, v in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class Reporter:
    name: str
    role: str
    active: bool
    last_report: date | None


async def reporters(session: AsyncSession, puskesmas_id: int) -> list[Reporter]:
    """The puskesmas's users with the day of their latest report, the quietest first."""
    last = (
        select(Report.user_id, func.max(Report.period_start).label("last"))
        .where(Report.puskesmas_id == puskesmas_id)
        .group_by(Report.user_id)
        .subquery()
    )
    stmt = (
        select(User.name, User.role, User.active, last.c.last)
        .outerjoin(last, last.c.user_id == User.id)
        .where(User.puskesmas_id == puskesmas_id)
        .order_by(last.c.last.is_not(None), last.c.last, User.name)
    )
    return [Reporter(n, r, bool(a), d) for n, r, a, d in (await session.execute(stmt)).all()]


async def weekly_totals(
    session: AsyncSession, puskesmas_id: int, first: date, last: date, codes: Collection[str]
) -> dict[tuple[date, str], int]:
    """{(day, indicator): total} of one puskesmas (the running totals; the caller buckets)."""
    stmt = select(TotalDay.day, TotalDay.indicator, TotalDay.total).where(
        TotalDay.puskesmas_id == puskesmas_id,
        TotalDay.day.between(first, last),
        TotalDay.indicator.in_(list(codes)),
    )
    return {(d, c): int(t) for d, c, t in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class DanaFilter:
    status: str | None = None
    year: int | None = None
    desa: int | None = None
    kecamatan: int | None = None
    route: str | None = None


@dataclass(frozen=True)
class DanaRow:
    request: DanaRequest
    desa: str
    jenis: str
    kecamatan: str
    puskesmas: str | None


async def dana_rows(
    session: AsyncSession,
    scope: Scope,
    desa_only: int | None,
    f: DanaFilter,
    limit: int = 500,
    desa_set: Collection[int] | None = None,
) -> list[DanaRow]:
    """The requests a viewer may see (a puskesmas scope, one desa, or the desa a camat or
    pendamping desa coaches), newest first."""
    r = DanaRequest
    stmt = (
        select(r, Desa.nama, Desa.jenis, Kecamatan.nama, Puskesmas.nama)
        .join(Desa, Desa.id == r.desa_id)
        .join(Kecamatan, Kecamatan.id == Desa.kecamatan_id)
        .outerjoin(Puskesmas, Puskesmas.id == r.puskesmas_id)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(limit)
    )
    if desa_only is not None:
        stmt = stmt.where(r.desa_id == desa_only)
    elif desa_set is not None:
        stmt = stmt.where(r.desa_id.in_(list(desa_set)))
    elif scope is not None:
        stmt = stmt.where(r.puskesmas_id.in_(list(scope)))
    conditions = [
        (f.status, r.status == f.status),
        (f.year, r.year == f.year),
        (f.desa, r.desa_id == f.desa),
        (f.kecamatan, Desa.kecamatan_id == f.kecamatan),
        (f.route, r.rute == f.route),
    ]
    wanted = [c for value, c in conditions if value is not None]
    if wanted:
        stmt = stmt.where(and_(*wanted))
    rows = (await session.execute(stmt)).all()
    return [DanaRow(req, d, j, k, p) for req, d, j, k, p in rows]


async def waiting_requests(
    session: AsyncSession, scope: Scope, desa_only: int | None
) -> list[tuple[str, str, datetime]]:
    """(reference, desa, submitted at) of the requests waiting for a kades, the oldest first."""
    r = DanaRequest
    stmt = (
        select(r.year, r.number, Desa.nama, r.submitted_at)
        .join(Desa, Desa.id == r.desa_id)
        .where(r.status == "diajukan")
        .order_by(r.submitted_at)
    )
    if desa_only is not None:
        stmt = stmt.where(r.desa_id == desa_only)
    elif scope is not None:
        stmt = stmt.where(r.puskesmas_id.in_(list(scope)))
    return [(f"DD-{y}-{n}", d, at) for y, n, d, at in (await session.execute(stmt)).all()]


async def desa_targets(session: AsyncSession, tahun: int, spm: str, scope: Scope) -> dict[int, int]:
    """{desa: the year's sasaran of one SPM service}, where per-desa sasaran are imported."""
    stmt = select(Sasaran.desa_id, Sasaran.target).where(
        Sasaran.tahun == tahun,
        Sasaran.spm == spm,
        Sasaran.desa_id.is_not(None),
        _within(Sasaran.puskesmas_id, scope),
    )
    return {int(d): int(t) for d, t in (await session.execute(stmt)).all()}


async def desa_report_months(
    session: AsyncSession, desa_id: int, first: date, last: date
) -> list[tuple[date, int]]:
    """(first day of the month, current reports for the desa) for months in [first, last]."""
    stmt = select(Report.period_start).where(
        Report.desa_id == desa_id,
        Report.is_current.is_(True),
        Report.period_start.between(first, last),
    )
    months: dict[date, int] = {}
    for (day,) in (await session.execute(stmt)).all():
        key = day.replace(day=1)
        months[key] = months.get(key, 0) + 1
    return sorted(months.items())


async def monthly_totals(
    session: AsyncSession, first: date, last: date, codes: Collection[str], scope: Scope
) -> dict[tuple[int, str], int]:
    """{(month number, indicator): total} for days in [first, last] (one year), summed in the
    database from the running totals."""
    table = TotalAllDay if scope is None else TotalDay
    month = extract("month", table.day)
    stmt = (
        select(month, table.indicator, func.sum(table.total))
        .where(table.day.between(first, last), table.indicator.in_(list(codes)))
        .group_by(month, table.indicator)
    )
    if scope is not None:
        stmt = stmt.where(TotalDay.puskesmas_id.in_(list(scope)))
    return {(int(m), c): int(t) for m, c, t in (await session.execute(stmt)).all()}


async def least_complete(
    session: AsyncSession,
    first: date,
    last: date,
    klasters: Collection[str],
    scope: Scope,
    limit: int,
) -> dict[int, str]:
    """The `limit` puskesmas with the fewest whole-puskesmas forms of `klasters` for days in
    [first, last] (none at all first), by name; counted in the database."""
    filed = (
        select(Report.puskesmas_id.label("p"), func.count().label("n"))
        .where(
            Report.period_start.between(first, last),
            Report.desa_id.is_(None),
            Report.is_current.is_(True),
            Report.klaster.in_(list(klasters)),
            _within(Report.puskesmas_id, scope),
        )
        .group_by(Report.puskesmas_id)
        .subquery()
    )
    stmt = (
        select(Puskesmas.id, Puskesmas.nama)
        .outerjoin(filed, filed.c.p == Puskesmas.id)
        .where(_within(Puskesmas.id, scope))
        .order_by(func.coalesce(filed.c.n, 0), Puskesmas.nama)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return dict(sorted(((p, n) for p, n in rows), key=lambda pair: pair[1]))


async def alert_claims(
    session: AsyncSession, since: datetime, prefixes: Collection[str]
) -> list[tuple[str, str, datetime]]:
    """(job, period, claimed at) of the alerts claimed since `since` whose job starts with one
    of `prefixes` (deaths, early-warning rules: db/clock.py claims each alert once)."""
    wanted = [ScheduledRun.job.startswith(p) for p in prefixes]
    stmt = (
        select(ScheduledRun.job, ScheduledRun.period, ScheduledRun.claimed_at)
        .where(ScheduledRun.claimed_at >= since, or_(*wanted))
        .order_by(ScheduledRun.claimed_at)
    )
    return [(j, p, at) for j, p, at in (await session.execute(stmt)).all()]
