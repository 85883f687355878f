"""Summaries: each Monday to every kepala puskesmas (last week for their puskesmas: key totals,
kelengkapan, rank in the district, dana desa), and on the 1st to Dinkes (the month before)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Money, Text
from db import digest_queries as q
from db import wilayah
from handlers.core import notify
from handlers.core.calendar import district
from handlers.core.schedule import Tick
from handlers.core.text import Texts, format_day
from handlers.digest.build import SpmLine, spm_lines, year_pace
from handlers.digest.send import spm_chart
from handlers.digest.words import mark, names_list, spm_footnote, spm_line
from handlers.people.roles import Can, roles_that
from handlers.reports.indicators import DAILY, KEY_CODES, WEEKLY, catalog

if TYPE_CHECKING:
    from handlers.core.inbound import Runtime

WEEKLY_KIND, MONTHLY_KIND = "summary_weekly", "summary_monthly"


@dataclass(frozen=True)
class Filed:
    """Forms filed in a period per puskesmas, of how many expected (its working days: see
    handlers/core/calendar.py), and the rank by share."""

    filed: dict[int, int]
    expected: dict[int, int]

    def share(self, pid: int) -> float:
        expected = self.expected.get(pid, 0)
        return self.filed.get(pid, 0) / expected if expected else 0.0

    def rank(self, pid: int, everyone: list[int]) -> int:
        return 1 + sum(1 for other in everyone if self.share(other) > self.share(pid))


async def filed_in(session: AsyncSession, first: date, last: date, scope: q.Scope) -> Filed:
    days = (last - first).days + 1
    slots = await q.filed_slots(session, first, last, [k.key for k in DAILY], scope)
    weeks = [
        first + timedelta(days=n) for n in range(days) if (first + timedelta(days=n)).weekday() == 0
    ]
    weekly = []
    if weeks:
        weekly = await q.filed_slots(session, weeks[0], weeks[-1], [k.key for k in WEEKLY], scope)
    filed: dict[int, int] = {}
    for s in [*slots, *weekly]:
        filed[s.puskesmas_id] = filed.get(s.puskesmas_id, 0) + 1
    rawat_inap = await wilayah.rawat_inap_ids(session, scope)
    working = {
        every_day: sum(district().works(first + timedelta(days=n), every_day) for n in range(days))
        for every_day in (True, False)
    }
    expected = {
        pid: working[pid in rawat_inap] * len(DAILY) + len(weeks) * len(WEEKLY)
        for pid in await q.puskesmas_names(session, scope)
    }
    return Filed(filed, expected)


def _start(texts: Texts, day: date) -> datetime:
    return datetime.combine(day, time(0), texts.timezone).astimezone(UTC)


# --- weekly, to each kepala puskesmas ------------------------------------------------------


async def run_weekly(tick: Tick) -> None:
    session, texts = tick.session, tick.runtime.texts
    last = tick.period - timedelta(days=1)
    first = last - timedelta(days=6)
    heads = await notify.active_users(session, roles_that(Can.HEAR_WEEKLY))
    heads = [h for h in heads if h.puskesmas_id is not None]
    if not heads:
        return
    names = await q.puskesmas_names(session, None)
    filed = await filed_in(session, first, last, None)
    mine = sorted({h.puskesmas_id for h in heads})
    codes = [c for c in KEY_CODES if c in catalog(tick.runtime.flows)]
    totals = await q.puskesmas_totals(session, first - timedelta(days=7), last, mine, codes)
    this_week = await q.puskesmas_totals(session, first, last, mine, codes)
    dana = await q.dana_by_puskesmas(
        session, (_start(texts, first), _start(texts, tick.period)), mine
    )
    labels = catalog(tick.runtime.flows)

    def render(user) -> notify.Letter:
        pid, locale = user.puskesmas_id, user.locale
        lines = [
            texts(
                N_("📋 Weekly summary of Puskesmas {name}, {first} – {last}"),
                locale,
                name=names[pid],
                first=format_day(first, locale),
                last=format_day(last, locale),
            ),
            texts(
                N_("Forms filed: {filed} of {expected}; rank {rank} of {count} puskesmas"),
                locale,
                filed=filed.filed.get(pid, 0),
                expected=filed.expected.get(pid, 0),
                rank=filed.rank(pid, list(names)),
                count=len(names),
            ),
            texts(N_("Totals (the week before):"), locale),
        ]
        for code in codes:
            now_value = this_week.get((pid, code), 0)
            before = totals.get((pid, code), 0) - now_value
            lines.append(
                texts(
                    N_("{mark} {label}: {value} ({average})"),
                    locale,
                    mark=mark(now_value, before),
                    label=Text(labels[code].label),
                    value=now_value,
                    average=before,
                )
            )
        d = dana.get(pid, q.DanaOfPuskesmas())
        lines.append(
            texts(
                N_(
                    "Dana desa: {waiting} waiting; last week {approved} approved ({amount}), {refused} rejected or sent back"
                ),
                locale,
                waiting=d.waiting,
                approved=d.approved,
                amount=Money(d.approved_rupiah),
                refused=d.refused,
            )
        )
        return notify.Letter("\n".join(lines))

    await notify.send_to(session, tick.now, heads, WEEKLY_KIND, render)


# --- monthly, to Dinkes --------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """The month before the period, read (and its chart drawn) before the clock's claim."""

    first: date
    last: date
    previous_first: date
    names: dict[int, str]
    filed: Filed
    totals: dict[tuple[date, str], int]
    klb: int
    dana: q.DanaFigures
    spm: tuple[SpmLine, ...]
    chart: Path | None


async def prepare_monthly(runtime: Runtime, now: datetime, period: date) -> Month | None:
    """The clock's part before its claim (Job.prepare): the figures in a snapshot of their own
    (no write lock), the SPM chart drawn after it; nothing while no Dinkes user is registered."""
    texts = runtime.texts
    last = period - timedelta(days=1)
    first = last.replace(day=1)
    previous_first = (first - timedelta(days=1)).replace(day=1)
    month = (_start(texts, first), _start(texts, period))
    async with runtime.db.snapshot() as session:
        if not await notify.active_users(session, roles_that(Can.HEAR_DIGEST)):
            return None
        names = await q.puskesmas_names(session, None)
        filed = await filed_in(session, first, last, None)
        totals = await q.daily_totals(session, previous_first, last, None)
        klb = await q.klb_count(session, *month, None)
        dana = await q.dana_figures(session, month, month, now, None)
        spm = await spm_lines(session, runtime.flows, last, None)
    chart = await _spm_chart(runtime, spm, last) if spm else None
    return Month(first, last, previous_first, names, filed, totals, klb, dana, spm, chart)


async def _spm_chart(runtime: Runtime, spm: tuple[SpmLine, ...], last: date) -> Path:
    path = runtime.settings.clock.export_dir / f"spm-{last.isoformat()}.png"
    return await asyncio.to_thread(spm_chart, runtime.texts, spm, year_pace(last), path)


async def run_monthly(tick: Tick) -> None:
    """The clock's job: the monthly summary to Dinkes, from what `prepare_monthly` read."""
    m: Month | None = tick.prepared
    session, texts, runtime = tick.session, tick.runtime.texts, tick.runtime
    if m is None:
        return
    users = await notify.active_users(session, roles_that(Can.HEAR_DIGEST))
    if not users:
        return
    first, last, previous_first, names, filed = (
        m.first, m.last, m.previous_first, m.names, m.filed
    )  # fmt: skip
    totals, klb, dana, spm, chart = m.totals, m.klb, m.dana, m.spm, m.chart
    codes = [c for c in KEY_CODES if c in catalog(runtime.flows)]

    def total(code: str, start: date, end: date) -> int:
        return sum(v for (d, c), v in totals.items() if c == code and start <= d <= end)

    def render(user) -> notify.Letter:
        locale = user.locale
        expected = sum(filed.expected.get(p, 0) for p in names)
        overall = sum(filed.filed.get(p, 0) for p in names) / expected if expected else 0
        lowest = sorted(names, key=lambda p: (filed.share(p), names[p]))[:3]
        lines = [
            texts(
                N_("📅 Monthly summary, {first} – {last}"),
                locale,
                first=format_day(first, locale),
                last=format_day(last, locale),
            ),
            texts(
                N_("Forms filed: {percent}% of those expected; lowest: {names}"),
                locale,
                percent=round(100 * overall),
                names=names_list(
                    texts, locale, [f"{names[p]} {round(100 * filed.share(p))}%" for p in lowest]
                ),
            ),
            texts(N_("Totals (the month before):"), locale),
        ]
        for code in codes:
            value, before = (
                total(code, first, last),
                total(code, previous_first, first - timedelta(days=1)),
            )
            lines.append(
                texts(
                    N_("{mark} {label}: {value} ({average})"),
                    locale,
                    mark=mark(value, before),
                    label=Text(catalog(runtime.flows)[code].label),
                    value=value,
                    average=before,
                )
            )
        lines.append(texts(N_("Suspected outbreaks (KLB) reported: {count}"), locale, count=klb))
        lines.append(
            texts(
                N_("Dana desa: {new} requests, {decided} decided, {amount} approved"),
                locale,
                new=dana.new,
                decided=dana.decided,
                amount=Money(dana.approved_rupiah),
            )
        )
        lines += [spm_line(line, texts, locale) for line in spm]
        lines += spm_footnote(spm, texts, locale)
        return notify.Letter("\n".join(lines), photo=str(chart) if chart else None)

    await notify.send_to(session, tick.now, users, MONTHLY_KIND, render)
