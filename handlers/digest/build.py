"""The daily Dinkes digest about one day: kelengkapan, key figures against the week, alerts,
dana desa and SPM capaian, built from a handful of aggregate queries (db/digest_queries.py).
`build` gathers the data; handlers/digest/words.py turns it into words; handlers/digest/charts.py
draws it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import Flow, Text
from db import digest_queries as q
from db import wilayah
from db.report_queries import klb_reports_since
from handlers.core.calendar import district
from handlers.reports.indicators import DAILY, KEY_CODES, catalog, short_name, spm_codes

PATTERN_DAYS = 28
WEEK = 7
SILENT_DAYS = 3
HEATMAP_DAYS = 14
HEATMAP_MAX = 40  # more puskesmas than this: the chart shows SPM capaian instead
WAITING_LONG = timedelta(days=3)


@dataclass(frozen=True)
class KlasterFiled:
    klaster: str  # key
    filed: int
    on_time: int


@dataclass(frozen=True)
class Missing:
    puskesmas: str
    klaster: tuple[str, ...]  # short names: K2, K3, LK


@dataclass(frozen=True)
class Figure:
    code: str
    label: str  # msgid
    value: int
    average: float  # over the comparison days


@dataclass(frozen=True)
class Outbreak:
    puskesmas: str
    desa: str | None
    disease: str | None
    cases: int | None


@dataclass(frozen=True)
class SpmLine:
    service: str  # SPM key
    served: int
    target: int
    lowest: str | None
    lowest_percent: float

    @property
    def percent(self) -> float:
        return 100 * self.served / self.target if self.target else 0.0


@dataclass(frozen=True)
class Grid:
    """Daily forms filed per puskesmas and day (0 to len(DAILY)): the heat-map."""

    puskesmas: tuple[str, ...]
    days: tuple[date, ...]
    filed: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Digest:
    day: date
    puskesmas: int
    klaster: tuple[KlasterFiled, ...]
    missing: tuple[Missing, ...]
    figures: tuple[Figure, ...]
    above_pattern: tuple[Figure, ...]
    outbreaks: tuple[Outbreak, ...]
    silent: tuple[str, ...]
    dana: q.DanaFigures
    spm: tuple[SpmLine, ...]
    spm_pace: float  # share of the year gone by the day, in percent
    grid: Grid | None = field(default=None)
    day_off: Text | None = None  # why the day is off (only rawat-inap puskesmas expected)


@dataclass(frozen=True)
class Frame:
    """Where and when: the day, the local zone, the deadline for "on time", the puskesmas."""

    day: date
    now: datetime
    zone: ZoneInfo
    deadline: time
    scope: q.Scope = None

    def start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)


async def build(session: AsyncSession, flows: dict[str, Flow], frame: Frame) -> Digest:
    day, scope = frame.day, frame.scope
    daily = [k.key for k in DAILY]
    names = await q.puskesmas_names(session, scope)
    rawat_inap = await wilayah.rawat_inap_ids(session, scope)
    # completeness is judged over the puskesmas expected to work that day
    expected = [p for p in names if district().works(day, p in rawat_inap)]
    deadline = datetime.combine(day, frame.deadline, frame.zone)
    filed = await q.kelengkapan(session, day, deadline, daily, expected)
    gaps = await q.incomplete(session, day, daily, expected)
    totals = await q.daily_totals(session, day - timedelta(days=PATTERN_DAYS), day, scope)
    figures, above = _figures(flows, totals, day)
    silent = await _silent(session, day, list(names), rawat_inap)
    month = frame.start(day.replace(day=1))
    dana = await q.dana_figures(
        session,
        (frame.start(day), frame.start(day + timedelta(days=1))),
        (month, frame.start(day + timedelta(days=1))),
        frame.now - WAITING_LONG,
        scope,
    )
    grid = None
    if len(names) <= HEATMAP_MAX:
        first = day - timedelta(days=HEATMAP_DAYS - 1)
        grid = _grid(await q.filed_slots(session, first, day, daily, scope), names, first, day)
    return Digest(
        day=day,
        puskesmas=len(expected),
        klaster=tuple(KlasterFiled(k.key, *filed.get(k.key, (0, 0))) for k in DAILY),
        missing=tuple(
            Missing(name, tuple(short_name(k) for k in DAILY if k.key not in done))
            for name, done in gaps
        ),
        figures=figures,
        above_pattern=above,
        outbreaks=await _outbreaks(session, frame, names),
        silent=tuple(names[p] for p in sorted(silent, key=lambda p: names[p])),
        dana=dana,
        spm=await spm_lines(session, flows, day, scope),
        spm_pace=year_pace(day),
        grid=grid,
        day_off=district().day_off(day),
    )


async def _silent(
    session: AsyncSession, day: date, names: list[int], rawat_inap: set[int]
) -> list[int]:
    """Puskesmas with no report at all on their last SILENT_DAYS working days up to `day`."""
    silent: list[int] = []
    for works_every_day in (True, False):
        group = [p for p in names if (p in rawat_inap) == works_every_day]
        window = district().last_working_days(day, SILENT_DAYS, works_every_day)
        if group and window:
            silent += await q.silent_puskesmas(session, window[0], day, group)
    return silent


def year_pace(day: date) -> float:
    """The share of the year gone by `day`, in percent: where SPM capaian should be by then."""
    return 100 * day.timetuple().tm_yday / date(day.year, 12, 31).timetuple().tm_yday


def _figures(
    flows: dict[str, Flow], totals: dict[tuple[date, str], int], day: date
) -> tuple[tuple[Figure, ...], tuple[Figure, ...]]:
    """The key figures against the 7 days before, and the surveillance signals (disease counts,
    conversations/forms/surveillance.py: never a weighing or screening day) above their 28-day
    pattern (mean + 2 sd, and at least 1.5 × the mean and 5): the most unusual first. A klaster
    with counts on fewer than half of those days has no pattern yet (the bot's first weeks, a
    puskesmas that only began reporting): its "average 0" would make every busy day an alert."""
    indicators = catalog(flows)
    daily = {k.key for k in DAILY}
    history = _days_counted(totals, indicators, day)

    def series(code: str, days: int) -> list[int]:
        return [totals.get((day - timedelta(days=n), code), 0) for n in range(1, days + 1)]

    figures = tuple(
        Figure(
            code,
            indicators[code].label,
            totals.get((day, code), 0),
            statistics.fmean(series(code, WEEK)),
        )
        for code in KEY_CODES
        if code in indicators
    )
    unusual = []
    for code, ind in indicators.items():
        if not (ind.signal and ind.summable) or ind.klaster.key not in daily:
            continue
        if len(history.get(ind.klaster.key, ())) < PATTERN_DAYS // 2:
            continue
        value, past = totals.get((day, code), 0), series(code, PATTERN_DAYS)
        mean, sd = statistics.fmean(past), statistics.pstdev(past)
        if value >= 5 and value > mean + 2 * sd and value >= 1.5 * mean:
            unusual.append(((value - mean) / max(sd, 1.0), Figure(code, ind.label, value, mean)))
    unusual.sort(key=lambda pair: -pair[0])
    return figures, tuple(f for _, f in unusual[:3])


def _days_counted(
    totals: dict[tuple[date, str], int], indicators: dict, day: date
) -> dict[str, set[date]]:
    """Per klaster, the days before `day` with any count above 0. Zero totals are not stored,
    so this is as near as the totals come to "the klaster was reported that day"."""
    days: dict[str, set[date]] = {}
    for (when, code), total in totals.items():
        if when < day and total and code in indicators:
            days.setdefault(indicators[code].klaster.key, set()).add(when)
    return days


async def spm_lines(
    session: AsyncSession, flows: dict[str, Flow], day: date, scope: q.Scope
) -> tuple[SpmLine, ...]:
    """Capaian since January per SPM service over the puskesmas that have a sasaran, with the
    lowest puskesmas; the lowest services first."""
    rows = await q.spm_capaian(session, day, spm_codes(flows), scope)
    lines = (
        SpmLine(c.service, c.served, c.target, c.lowest, 100 * c.lowest_served / c.lowest_target)
        for c in rows
    )
    return tuple(sorted(lines, key=lambda line: (line.percent, line.service)))


async def _outbreaks(session: AsyncSession, frame: Frame, names: dict) -> tuple[Outbreak, ...]:
    end = frame.start(frame.day + timedelta(days=1))
    found = await klb_reports_since(session, frame.start(frame.day))
    return tuple(
        Outbreak(k.puskesmas, k.desa, k.disease, k.cases)
        for k in found
        if k.received_at < end and k.puskesmas_id in names
    )


def _grid(slots: list[q.FiledSlot], names: dict[int, str], first: date, last: date) -> Grid:
    days = tuple(first + timedelta(days=n) for n in range((last - first).days + 1))
    count: dict[tuple[int, date], int] = {}
    for s in slots:
        count[(s.puskesmas_id, s.day)] = count.get((s.puskesmas_id, s.day), 0) + 1
    return Grid(
        tuple(names.values()),
        days,
        tuple(tuple(count.get((pid, d), 0) for d in days) for pid in names),
    )
