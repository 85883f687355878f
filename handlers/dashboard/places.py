"""PWS per desa (Pemantauan Wilayah Setempat: each desa's coverage against its target, this
month and since January) and one puskesmas over time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM, SpmService
from conversations.model import N_, Flow
from db import dashboard_queries as dq
from db import digest_queries as q
from db import posyandu as posyandu_db
from handlers.reports.indicators import KEY_CODES, catalog

NEAR = 0.8  # PWS colours: at or above the target's pace, from 80 % of it, below that
COLOUR_LABELS = {
    "above": N_("at or above target"),
    "near": N_("near target"),
    "below": N_("below target"),
    "none": N_("no sasaran for the desa"),
}
WEEKS = 8
QUIET_DAYS = 3


@dataclass(frozen=True)
class PwsRow:
    desa: str
    kelurahan: bool
    month: int
    cumulative: int
    target: int | None  # the year's sasaran of the desa; None: not imported

    def pace_target(self, month_number: int) -> float | None:
        return None if not self.target else self.target * month_number / 12

    def colour(self, month_number: int) -> str:
        """above | near | below | none: the PWS convention against the target's pace."""
        due = self.pace_target(month_number)
        if due is None:
            return "none"
        if self.cumulative >= due:
            return "above"
        return "near" if self.cumulative >= NEAR * due else "below"


@dataclass(frozen=True)
class Pws:
    service: SpmService
    month: date  # its first day
    rows: tuple[PwsRow, ...]


def month_span(month: date) -> tuple[date, date]:
    return month, month.replace(day=calendar.monthrange(month.year, month.month)[1])


async def pws(
    session: AsyncSession, scope: tuple[int, ...] | None, service: SpmService, month: date
) -> Pws:
    first, last = month_span(month)
    values = await dq.desa_values(session, date(month.year, 1, 1), last, service.numerator, scope)
    targets = await dq.desa_targets(session, month.year, service.key, scope)
    rows = []
    for desa_id, name, jenis, _p in dict(
        (d[0], d) for d in await dq.desa_of(session, scope)
    ).values():
        mine = {day: n for (d, day), n in values.items() if d == desa_id}
        rows.append(
            PwsRow(
                name,
                jenis == "kelurahan",
                sum(n for day, n in mine.items() if first <= day <= last),
                sum(mine.values()),
                targets.get(desa_id),
            )
        )
    return Pws(service, first, tuple(rows))


def service_named(key: str | None) -> SpmService:
    return next((s for s in SPM if s.key == key), SPM[0])


@dataclass(frozen=True)
class Week:
    start: date
    values: tuple[int, ...]  # one per key code


@dataclass(frozen=True)
class PuskesmasPage:
    puskesmas_id: int
    name: str
    codes: tuple[tuple[str, str], ...]  # (code, label msgid)
    weeks: tuple[Week, ...]
    desa: tuple[tuple[str, bool], ...]  # (name, kelurahan)
    reporters: tuple[dq.Reporter, ...]
    posyandu: tuple[tuple[str, str, bool], ...]  # (name, desa, active)
    quiet_since: date  # a reporter without a report since this day has gone quiet


async def puskesmas_page(
    session: AsyncSession, flows: dict[str, Flow], puskesmas_id: int, day: date
) -> PuskesmasPage | None:
    names = await q.puskesmas_names(session, [puskesmas_id])
    if puskesmas_id not in names:
        return None
    found = catalog(flows)
    codes = tuple((c, found[c].label) for c in KEY_CODES if c in found)
    monday = day - timedelta(days=day.weekday())
    starts = [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    totals = await dq.weekly_totals(session, puskesmas_id, starts[0], day, [c for c, _ in codes])
    weeks = tuple(
        Week(
            s,
            tuple(
                sum(totals.get((s + timedelta(days=n), c), 0) for n in range(7)) for c, _ in codes
            ),
        )
        for s in starts
    )
    desa = tuple(
        (n, j == "kelurahan") for _d, n, j, _p in await dq.desa_of(session, [puskesmas_id])
    )
    return PuskesmasPage(
        puskesmas_id,
        names[puskesmas_id],
        codes,
        weeks,
        desa,
        tuple(await dq.reporters(session, puskesmas_id)),
        tuple(
            (p.nama, p.desa, p.active)
            for p in await posyandu_db.of_puskesmas(session, puskesmas_id, active_only=False)
        ),
        day - timedelta(days=QUIET_DAYS),
    )
