"""The digest as the clock sends it at DIGEST_AT (and `ilpbot digest` builds it by hand): the
data, its chart as a PNG in EXPORT_DIR, and one message per Dinkes user with the chart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Text
from handlers.core import notify
from handlers.core.inbound import Runtime
from handlers.core.schedule import Tick
from handlers.core.text import Texts, format_day
from handlers.digest import charts
from handlers.digest.build import DAILY, Digest, Frame, SpmLine, build
from handlers.digest.words import headline, render
from handlers.exports import files as export_files
from handlers.people.roles import Can, roles_that
from handlers.reports.indicators import SPM_LABELS

KIND = "digest"
DINKES = roles_that(Can.HEAR_DIGEST)


@dataclass(frozen=True)
class Built:
    digest: Digest
    chart: Path | None


async def collect(session: AsyncSession, runtime: Runtime, day: date, now: datetime) -> Digest:
    settings = runtime.settings.clock
    frame = Frame(day, now, runtime.texts.timezone, settings.report_deadline)
    return await build(session, runtime.flows, frame)


async def chart_of(runtime: Runtime, digest: Digest) -> Path | None:
    folder = runtime.settings.clock.export_dir
    return await asyncio.to_thread(draw, runtime, digest, folder)


def draw(runtime: Runtime, digest: Digest, folder: Path) -> Path | None:
    """The 14-day heat-map of reporting, or (for many puskesmas) the SPM bars."""
    t = runtime.texts
    path = folder / f"digest-{digest.day.isoformat()}.png"
    if digest.grid is not None:
        first, last = digest.grid.days[0], digest.grid.days[-1]
        title = t(
            N_("Daily forms filed per puskesmas, {first} – {last}"),
            first=f"{first.day}/{first.month}",
            last=f"{last.day}/{last.month}/{last.year}",
        )
        legend = t(N_("daily forms filed (of {count})"), count=len(DAILY))
        return charts.heatmap(digest.grid, title, legend, path, len(DAILY))
    if digest.spm:
        return spm_chart(t, digest.spm, digest.spm_pace, path)
    return None


def spm_chart(texts: Texts, spm: Sequence[SpmLine], pace: float, path: Path) -> Path:
    """SPM capaian bars against the year's pace (the digest for many puskesmas, the month)."""
    labels = [texts.render(Text(SPM_LABELS[line.service])) for line in spm]
    title = texts(
        N_("SPM capaian since January; dashed line: the year so far ({pace}%)"),
        pace=round(pace),
    )
    return charts.spm_bars(list(spm), labels, pace, title, path)


def letter(runtime: Runtime, built: Built, locale: str) -> notify.Letter:
    texts, digest = runtime.texts, built.digest
    deadline = runtime.settings.clock.deadline_text
    params = [format_day(digest.day, locale), headline(digest, texts, locale)]
    return notify.Letter(
        render(digest, texts, locale, deadline),
        photo=str(built.chart) if built.chart else None,
        template={"params": params},  # the WhatsApp notice outside the 24-hour window
    )


async def send(session: AsyncSession, runtime: Runtime, built: Built, now: datetime) -> int:
    users = await notify.active_users(session, DINKES)
    letters: dict[str, notify.Letter] = {}

    def render_for(user) -> notify.Letter:
        if user.locale not in letters:
            letters[user.locale] = letter(runtime, built, user.locale)
        return letters[user.locale]

    return await notify.send_to(session, now, users, KIND, render_for)


async def by_hand(runtime: Runtime, day: date, now: datetime, chart: bool = True) -> Built:
    """`ilpbot digest`: the data in a snapshot; the chart drawn after it, so SQLite's writer
    lock is not held for it."""
    async with runtime.db.snapshot() as session:
        digest = await collect(session, runtime, day, now)
    return Built(digest, await chart_of(runtime, digest) if chart else None)


async def send_by_hand(runtime: Runtime, built: Built, now: datetime) -> int:
    """`ilpbot digest --send`: queued to every Dinkes user; returns how many."""
    async with runtime.db.transaction() as session:
        return await send(session, runtime, built, now)


async def prepare_tick(runtime: Runtime, now: datetime, period: date) -> Built | None:
    """The clock's part before its claim: the data in a snapshot of its own (no write lock),
    the chart drawn after it (nothing at all while no Dinkes user is registered yet)."""
    async with runtime.db.snapshot() as session:
        if not await notify.active_users(session, DINKES):
            return None
        digest = await collect(session, runtime, period - timedelta(days=1), now)
    return Built(digest, await chart_of(runtime, digest))


async def run(tick: Tick) -> None:
    """The clock's job: the digest about the day before the period, prepared by `prepare_tick`."""
    built: Built | None = tick.prepared
    if built is None:
        return
    await send(tick.session, tick.runtime, built, tick.now)
    folder = tick.runtime.settings.clock.export_dir
    export_files.prune(folder, time.time())
