"""The aggregate queries behind the daily digest and the summaries: a few scans per digest,
whatever the number of puskesmas (the running totals in db/totals.py hold the sums).

`scope` is a collection of puskesmas ids, or None for every puskesmas in the database (the
district the bot serves)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.completeness import FiledSlot, completes, filed_slots  # noqa: F401  (callers' q.filed_slots)
from db.dana import DanaRequest
from db.models import Puskesmas
from db.reports import Report, Sasaran
from db.totals import TotalAllDay, TotalDay, TotalYear

Scope = Collection[int] | None


def _within(column: Any, scope: Scope) -> Any:
    return true() if scope is None else column.in_(list(scope))


async def puskesmas_names(session: AsyncSession, scope: Scope) -> dict[int, str]:
    stmt = select(Puskesmas.id, Puskesmas.nama).where(_within(Puskesmas.id, scope))
    return dict((await session.execute(stmt.order_by(Puskesmas.nama))).all())


def _slots_on(day: date, klasters: Collection[str], scope: Scope) -> Any:
    """One row per klaster each puskesmas has reported for `day` (db/completeness.py), with
    its first arrival."""
    return (
        select(
            Report.puskesmas_id.label("puskesmas_id"),
            Report.klaster.label("klaster"),
            func.min(Report.received_at).label("first"),
        )
        .where(
            completes(),
            Report.period_start == day,
            Report.klaster.in_(list(klasters)),
            _within(Report.puskesmas_id, scope),
        )
        .group_by(Report.puskesmas_id, Report.klaster)
        .subquery()
    )


async def kelengkapan(
    session: AsyncSession, day: date, deadline: datetime, klasters: Collection[str], scope: Scope
) -> dict[str, tuple[int, int]]:
    """{klaster: (puskesmas that filed it for `day`, of them first filed before `deadline`)}."""
    slots = _slots_on(day, klasters, scope)
    stmt = select(
        slots.c.klaster, func.count(), func.sum(case((slots.c.first < deadline, 1), else_=0))
    ).group_by(slots.c.klaster)
    rows = (await session.execute(stmt)).all()
    return {k: (int(n), int(on_time or 0)) for k, n, on_time in rows}


async def incomplete(
    session: AsyncSession, day: date, klasters: Collection[str], scope: Scope
) -> list[tuple[str, set[str]]]:
    """(name, forms filed) of every puskesmas that did not file all of `klasters` for `day`,
    by name; the forms filed travel as a bit mask so the answer is one row per puskesmas."""
    bits = {k: 1 << n for n, k in enumerate(klasters)}
    slots = _slots_on(day, klasters, scope)
    mask = func.coalesce(
        func.sum(case(*((slots.c.klaster == k, b) for k, b in bits.items()), else_=0)), 0
    )
    stmt = (
        select(Puskesmas.nama, mask)
        .outerjoin(slots, slots.c.puskesmas_id == Puskesmas.id)
        .where(_within(Puskesmas.id, scope))
        .group_by(Puskesmas.id, Puskesmas.nama)
        .having(mask < sum(bits.values()))
        .order_by(Puskesmas.nama)
    )
    rows = (await session.execute(stmt)).all()
    return [(name, {k for k, b in bits.items() if int(m) & b}) for name, m in rows]


async def silent_puskesmas(
    session: AsyncSession, first: date, last: date, scope: Scope
) -> list[int]:
    """Puskesmas with no report at all (any klaster, any desa) for days in [first, last]."""
    any_report = exists().where(
        Report.puskesmas_id == Puskesmas.id, Report.period_start.between(first, last)
    )
    stmt = select(Puskesmas.id).where(_within(Puskesmas.id, scope), ~any_report)
    return list((await session.execute(stmt)).scalars())


async def daily_totals(
    session: AsyncSession, first: date, last: date, scope: Scope
) -> dict[tuple[date, str], int]:
    """{(day, indicator): total over the scope} for days in [first, last]."""
    if scope is None:
        stmt = select(TotalAllDay.day, TotalAllDay.indicator, TotalAllDay.total).where(
            TotalAllDay.day.between(first, last)
        )
    else:
        stmt = (
            select(TotalDay.day, TotalDay.indicator, func.sum(TotalDay.total))
            .where(TotalDay.day.between(first, last), TotalDay.puskesmas_id.in_(list(scope)))
            .group_by(TotalDay.day, TotalDay.indicator)
        )
    return {(d, code): int(total) for d, code, total in (await session.execute(stmt)).all()}


async def puskesmas_totals(
    session: AsyncSession, first: date, last: date, scope: Scope, indicators: Collection[str] = ()
) -> dict[tuple[int, str], int]:
    """{(puskesmas, indicator): total} for days in [first, last] (optionally some indicators)."""
    stmt = (
        select(TotalDay.puskesmas_id, TotalDay.indicator, func.sum(TotalDay.total))
        .where(TotalDay.day.between(first, last), _within(TotalDay.puskesmas_id, scope))
        .group_by(TotalDay.puskesmas_id, TotalDay.indicator)
    )
    if indicators:
        stmt = stmt.where(TotalDay.indicator.in_(list(indicators)))
    return {(p, code): int(total) for p, code, total in (await session.execute(stmt)).all()}


async def served_since_january(
    session: AsyncSession, through: date, codes: Collection[str], scope: Scope
) -> dict[tuple[int, str], int]:
    """{(puskesmas, indicator): total from 1 January to `through`}: the year's running total
    less the days after `through` (at most a few, at digest time)."""
    codes = list(codes)
    year = select(TotalYear.puskesmas_id, TotalYear.indicator, TotalYear.total).where(
        TotalYear.tahun == through.year,
        TotalYear.indicator.in_(codes),
        _within(TotalYear.puskesmas_id, scope),
    )
    served = {(p, c): int(t) for p, c, t in (await session.execute(year)).all()}
    later = select(TotalDay.puskesmas_id, TotalDay.indicator, TotalDay.total).where(
        TotalDay.day > through,
        TotalDay.day <= date(through.year, 12, 31),
        TotalDay.indicator.in_(codes),
        _within(TotalDay.puskesmas_id, scope),
    )
    for p, c, t in (await session.execute(later)).all():
        served[(p, c)] = served.get((p, c), 0) - int(t)
    return served


@dataclass(frozen=True)
class Capaian:
    """One SPM service over the puskesmas with a sasaran, and the lowest of them."""

    service: str
    served: int
    target: int
    lowest: str
    lowest_served: int
    lowest_target: int


async def spm_capaian(
    session: AsyncSession, through: date, service_of: dict[str, str], scope: Scope
) -> list[Capaian]:
    """Served from 1 January to `through` ÷ the year's sasaran, per SPM service (indicator code
    → service in `service_of`): the year's running totals less the days after `through`, summed
    and ranked in the database, so the answer is one row per service."""
    codes = list(service_of)
    y, d = TotalYear, TotalDay
    y_service, d_service = case(service_of, value=y.indicator), case(service_of, value=d.indicator)
    year = (
        select(y.puskesmas_id.label("p"), y_service.label("spm"), func.sum(y.total).label("n"))
        .where(y.tahun == through.year, y.indicator.in_(codes), _within(y.puskesmas_id, scope))
        .group_by(y.puskesmas_id, y_service)
        .subquery()
    )
    later = (
        select(d.puskesmas_id.label("p"), d_service.label("spm"), func.sum(d.total).label("n"))
        .where(
            d.day > through,
            d.day <= date(through.year, 12, 31),
            d.indicator.in_(codes),
            _within(d.puskesmas_id, scope),
        )
        .group_by(d.puskesmas_id, d_service)
        .subquery()
    )
    done = func.coalesce(year.c.n, 0) - func.coalesce(later.c.n, 0)
    ratio = cast(done, Float) / Sasaran.target
    ranked = (
        select(
            Sasaran.spm,
            Puskesmas.nama,
            done.label("done"),
            Sasaran.target,
            func.sum(done).over(partition_by=Sasaran.spm).label("served"),
            func.sum(Sasaran.target).over(partition_by=Sasaran.spm).label("target_all"),
            func.row_number()
            .over(partition_by=Sasaran.spm, order_by=(ratio, Puskesmas.nama))
            .label("rank"),
        )
        .join(Puskesmas, Puskesmas.id == Sasaran.puskesmas_id)
        .outerjoin(year, and_(year.c.p == Sasaran.puskesmas_id, year.c.spm == Sasaran.spm))
        .outerjoin(later, and_(later.c.p == Sasaran.puskesmas_id, later.c.spm == Sasaran.spm))
        .where(
            Sasaran.tahun == through.year,
            Sasaran.desa_id.is_(None),
            Sasaran.target > 0,
            Sasaran.spm.in_(list(set(service_of.values()))),
            _within(Sasaran.puskesmas_id, scope),
        )
        .subquery()
    )
    stmt = select(
        ranked.c.spm,
        ranked.c.served,
        ranked.c.target_all,
        ranked.c.nama,
        ranked.c.done,
        ranked.c.target,
    ).where(ranked.c.rank == 1)
    rows = (await session.execute(stmt)).all()
    return [Capaian(s, int(a), int(b), n, int(c), int(t)) for s, a, b, n, c, t in rows]


async def sasaran(session: AsyncSession, tahun: int, scope: Scope) -> dict[tuple[int, str], int]:
    stmt = select(Sasaran.puskesmas_id, Sasaran.spm, Sasaran.target).where(
        Sasaran.tahun == tahun, Sasaran.desa_id.is_(None), _within(Sasaran.puskesmas_id, scope)
    )
    return {(p, spm): int(t) for p, spm, t in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class DanaFigures:
    new: int
    decided: int
    waiting_long: int
    approved_rupiah: int  # approved amounts of decisions in the month so far
    routes: tuple[tuple[str, int], ...] = ()  # decisions in the month so far per budget route


async def dana_figures(
    session: AsyncSession,
    day: tuple[datetime, datetime],
    month: tuple[datetime, datetime],
    waiting_since: datetime,
    scope: Scope,
) -> DanaFigures:
    """Requests made and decided in `day`, waiting since before `waiting_since`, and the Rupiah
    approved in `month` (each a [start, end) pair of UTC times); one scan."""
    r = DanaRequest

    def count(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def between(column: Any, span: tuple[datetime, datetime]) -> Any:
        return and_(column >= span[0], column < span[1])

    stmt = select(
        count(between(r.created_at, day)),
        count(between(r.decided_at, day)),
        count(and_(r.status == "diajukan", r.submitted_at <= waiting_since)),
        func.sum(case((between(r.decided_at, month), r.jumlah_disetujui), else_=0)),
    ).where(_within(r.puskesmas_id, scope))
    row = (await session.execute(stmt)).one()
    in_month = and_(between(r.decided_at, month), r.rute.is_not(None))
    by_route = (
        select(r.rute, func.count())
        .where(in_month, _within(r.puskesmas_id, scope))
        .group_by(r.rute)
        .order_by(r.rute)
    )
    routes = tuple((rute, int(n)) for rute, n in (await session.execute(by_route)).all())
    return DanaFigures(*(int(v or 0) for v in row), routes=routes)


@dataclass(frozen=True)
class DanaOfPuskesmas:
    waiting: int = 0
    approved: int = 0
    approved_rupiah: int = 0
    refused: int = 0  # rejected or sent back for revision


async def dana_by_puskesmas(
    session: AsyncSession, decided: tuple[datetime, datetime], scope: Scope
) -> dict[int, DanaOfPuskesmas]:
    """Per puskesmas: requests waiting now, and the decisions made in `decided`."""
    r = DanaRequest
    in_span = and_(r.decided_at >= decided[0], r.decided_at < decided[1])
    yes = and_(in_span, r.jumlah_disetujui.is_not(None))
    stmt = (
        select(
            r.puskesmas_id,
            func.sum(case((r.status == "diajukan", 1), else_=0)),
            func.sum(case((yes, 1), else_=0)),
            func.sum(case((yes, r.jumlah_disetujui), else_=0)),
            func.sum(case((and_(in_span, r.jumlah_disetujui.is_(None)), 1), else_=0)),
        )
        .where(r.puskesmas_id.is_not(None), _within(r.puskesmas_id, scope))
        .group_by(r.puskesmas_id)
    )
    rows = (await session.execute(stmt)).all()
    return {p: DanaOfPuskesmas(*(int(v or 0) for v in rest)) for p, *rest in rows}


async def klb_count(session: AsyncSession, start: datetime, end: datetime, scope: Scope) -> int:
    stmt = select(func.count()).where(
        Report.klb.is_(True),
        Report.received_at >= start,
        Report.received_at < end,
        Report.is_current.is_(True),
        _within(Report.puskesmas_id, scope),
    )
    return int((await session.execute(stmt)).scalar_one())
