"""Read side of the cluster reports: history for soft limits, status, month totals, KLB alerts.

Every query reads current versions only and goes through ix_report_puskesmas_period
(puskesmas_id, period_start) and the report_value primary key (report_id, indicator)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import Desa, Puskesmas, User
from db.reports import NIHIL, Report, ReportValue, Sasaran, Slot, place_filter, reference

# The outbreak's cases so far: klaster 4's and the community form's (conversations/forms/kematian.py).
OUTBREAK_CASES = ("KLBKASUS", "DKLBKASUS")


def _current() -> Any:
    return Report.is_current.is_(True)


async def recent_means(
    session: AsyncSession,
    puskesmas_id: int,
    klaster: str,
    since: date,
    before: date,
    place: str,
) -> dict[str, tuple[float, int]]:
    """Mean value per report and number of reports, by indicator, in [since, before); reports
    are compared only with those of their own kind of place (building, desa, posyandu)."""
    scope = Report.place == place
    stmt = (
        select(ReportValue.indicator, func.avg(ReportValue.value), func.count())
        .join(Report, Report.id == ReportValue.report_id)
        .where(
            Report.puskesmas_id == puskesmas_id,
            Report.period_start >= since,
            Report.period_start < before,
            Report.klaster == klaster,
            _current(),
            scope,
        )
        .group_by(ReportValue.indicator)
    )
    return {code: (float(mean), n) for code, mean, n in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class Existing:
    """A current report at a slot's place: the reporter's own is corrected, another's added to."""

    id: int
    reference: str
    version: int
    user_name: str
    received_at: datetime
    user_id: int = 0
    nihil: bool = False


async def reports_at(session: AsyncSession, slot: Slot) -> list[Existing]:
    """The current reports of anyone for this klaster, period and place, oldest first."""
    stmt = (
        select(
            Report.id,
            Report.ref_day,
            Report.ref_seq,
            Report.version,
            Report.received_at,
            User.name,
            Report.user_id,
            Report.details,
        )
        .join(User, User.id == Report.user_id)
        .where(*place_filter(slot))
        .order_by(Report.id)
    )
    return [
        Existing(
            r.id,
            reference(r.ref_day, r.ref_seq),
            r.version,
            r.name,
            r.received_at,
            r.user_id,
            bool((r.details or {}).get(NIHIL)),
        )
        for r in (await session.execute(stmt)).all()
    ]


@dataclass(frozen=True)
class Filed:
    klaster: str
    period_start: date
    desa_id: int | None
    reference: str
    place: str = "gedung"
    nihil: bool = False


async def filed(
    session: AsyncSession, puskesmas_id: int, start: date, end: date, desa_id: int | None = None
) -> list[Filed]:
    """Current reports of a puskesmas (or of one of its desa) with a period start in [start, end]."""
    stmt = select(
        Report.klaster,
        Report.period_start,
        Report.desa_id,
        Report.ref_day,
        Report.ref_seq,
        Report.place,
        Report.details,
    ).where(
        Report.puskesmas_id == puskesmas_id,
        Report.period_start.between(start, end),
        _current(),
    )
    if desa_id is not None:
        stmt = stmt.where(Report.desa_id == desa_id)
    rows = (await session.execute(stmt.order_by(Report.period_start, Report.id))).all()
    return [
        Filed(r[0], r[1], r[2], reference(r[3], r[4]), r[5], bool((r[6] or {}).get(NIHIL)))
        for r in rows
    ]


@dataclass(frozen=True)
class Mine:
    reference: str
    klaster: str
    period_start: date
    current: bool


async def last_references(session: AsyncSession, user_id: int, limit: int = 5) -> list[Mine]:
    stmt = (
        select(
            Report.ref_day, Report.ref_seq, Report.klaster, Report.period_start, Report.is_current
        )
        .where(Report.user_id == user_id)
        .order_by(Report.id.desc())
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [Mine(reference(r[0], r[1]), r[2], r[3], r[4]) for r in rows]


@dataclass(frozen=True)
class Window:
    start: date
    end: date


async def recap_totals(
    session: AsyncSession,
    puskesmas_id: int,
    windows: dict[str, Window],
    running: Collection[str] = (),
) -> dict[str, dict[str, int]]:
    """{window name: {indicator: total}} in one scan from the earliest start to the latest end;
    for the `running` counts (cases so far) the highest value in the window, not the sum."""
    first = min(w.start for w in windows.values())
    last = max(w.end for w in windows.values())
    is_running = ReportValue.indicator.in_(list(running))

    def total(w: Window) -> Any:
        inside = Report.period_start.between(w.start, w.end)
        return case(
            (is_running, func.max(case((inside, ReportValue.value), else_=0))),
            else_=func.sum(case((inside, ReportValue.value), else_=0)),
        )

    sums = [total(w).label(name) for name, w in windows.items()]
    stmt = (
        select(ReportValue.indicator, *sums)
        .join(Report, Report.id == ReportValue.report_id)
        .where(
            Report.puskesmas_id == puskesmas_id,
            Report.period_start.between(first, last),
            _current(),
        )
        .group_by(ReportValue.indicator)
    )
    out: dict[str, dict[str, int]] = {name: {} for name in windows}
    for row in (await session.execute(stmt)).all():
        for i, name in enumerate(windows, start=1):
            out[name][row[0]] = int(row[i] or 0)
    return out


async def paired_totals(
    session: AsyncSession, puskesmas_id: int, window: Window, part: str, whole: str
) -> tuple[int, int]:
    """(sum of `part`, sum of `whole`) over the current reports in the window that give both:
    D/S counts D only where S was given, so the building's D does not inflate it."""
    whole_value = aliased(ReportValue)
    stmt = (
        select(func.sum(ReportValue.value), func.sum(whole_value.value))
        .join(Report, Report.id == ReportValue.report_id)
        .join(
            whole_value,
            and_(whole_value.report_id == ReportValue.report_id, whole_value.indicator == whole),
        )
        .where(
            Report.puskesmas_id == puskesmas_id,
            Report.period_start.between(window.start, window.end),
            ReportValue.indicator == part,
            _current(),
        )
    )
    part_sum, whole_sum = (await session.execute(stmt)).one()
    return int(part_sum or 0), int(whole_sum or 0)


async def totals_by_puskesmas(
    session: AsyncSession, puskesmas_ids: list[int], start: date, end: date
) -> dict[tuple[int, str], int]:
    """Totals per (puskesmas, indicator) for a district or any group of puskesmas."""
    stmt = (
        select(Report.puskesmas_id, ReportValue.indicator, func.sum(ReportValue.value))
        .join(ReportValue, ReportValue.report_id == Report.id)
        .where(
            Report.puskesmas_id.in_(puskesmas_ids),
            Report.period_start.between(start, end),
            _current(),
        )
        .group_by(Report.puskesmas_id, ReportValue.indicator)
    )
    return {(p, code): int(total) for p, code, total in (await session.execute(stmt)).all()}


async def sasaran_of(session: AsyncSession, puskesmas_id: int, tahun: int) -> dict[str, int]:
    stmt = select(Sasaran.spm, Sasaran.target).where(
        Sasaran.puskesmas_id == puskesmas_id, Sasaran.tahun == tahun, Sasaran.desa_id.is_(None)
    )
    return dict((await session.execute(stmt)).all())


@dataclass(frozen=True)
class KlbReport:
    report_id: int
    reference: str
    puskesmas_id: int
    puskesmas: str
    desa: str | None  # where the cases are
    disease: str | None
    cases: int | None
    reporter: str
    period_start: date
    sent_at: datetime
    received_at: datetime


async def klb_reports_since(session: AsyncSession, since: datetime) -> list[KlbReport]:
    """Current reports received since `since` that answered "ada dugaan KLB?" with yes."""
    cases = ReportValue.__table__.alias("cases")
    stmt = (
        select(Report, Puskesmas.nama, User.name, cases.c.value)
        .join(Puskesmas, Puskesmas.id == Report.puskesmas_id)
        .join(User, User.id == Report.user_id)
        .outerjoin(
            cases,
            and_(cases.c.report_id == Report.id, cases.c.indicator.in_(OUTBREAK_CASES)),
        )
        .where(Report.klb.is_(True), Report.received_at >= since, _current())
        .order_by(Report.received_at)
    )
    rows = (await session.execute(stmt)).all()
    desa_ids = {_klb_desa(r[0]) for r in rows} - {None}
    names = await _desa_names(session, desa_ids)
    return [
        KlbReport(
            report_id=report.id,
            reference=report.reference,
            puskesmas_id=report.puskesmas_id,
            puskesmas=puskesmas,
            desa=names.get(_klb_desa(report)),
            disease=(report.details or {}).get("klb_penyakit"),
            cases=count,
            reporter=reporter,
            period_start=report.period_start,
            sent_at=report.sent_at,
            received_at=report.received_at,
        )
        for report, puskesmas, reporter, count in rows
    ]


def _klb_desa(report: Report) -> int | None:
    """The desa asked for the outbreak (klaster 4), else the report's own (a kader's)."""
    value = (report.details or {}).get("klb_desa") or report.desa_id
    return int(value) if value else None


async def _desa_names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Desa.id, Desa.nama).where(Desa.id.in_(ids)))
    return dict(rows.all())
