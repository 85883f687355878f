"""Profil kesehatan desa: one desa's health for its kepala desa, short enough for a phone and
what a rembuk stunting or a musdes needs: the weighing (D, D/S where S is known) and its trend,
new stunting and bumil KEK, the month's DBD, diare and TB cases, the SPM capaian where per-desa
sasaran exist, and the desa's dana desa requests. On the 1st for the month before (a clock job,
written to the outbox in bulk) and on `/desa` for the month so far, each with a small chart."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM_BY_KEY
from conversations.model import N_, Flow, Text
from db import profile_queries as pq
from db.models import Desa, User
from handlers.core import notify
from handlers.core.inbound import Command
from handlers.core.outgoing import Outgoing
from handlers.core.schedule import Tick
from handlers.core.text import Texts, format_month
from handlers.dana.common import place, status
from handlers.digest import charts
from handlers.people.roles import Can, roles_that
from handlers.reports.indicators import spm_codes

if TYPE_CHECKING:
    from handlers.core.inbound import Runtime
    from handlers.core.turn import Turn

KIND = "desa_profile"
CHART = "desa_chart"  # the file builder drawing a /desa chart after the turn
MONTHS = 6  # the weighing trend
WEIGHING, NUTRITION, CASES = ("D", "T"), ("STUNT", "KEK"), ("DBD", "DIARE", "TB")
BALITA = "balita"  # the SPM service whose sasaran is S, the under-fives of the desa


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def months_back(last: date, count: int) -> tuple[str, ...]:
    """The `count` months up to the month of `last`, oldest first ("2026-06" … "2026-11")."""
    keys, day = [], last.replace(day=1)
    for _ in range(count):
        keys.append(month_key(day))
        day = (day - timedelta(days=1)).replace(day=1)
    return tuple(reversed(keys))


@dataclass(frozen=True)
class Profile:
    desa_id: int
    desa: str  # "Desa Sumber Urip"
    month: str  # "2026-11"
    values: dict[tuple[str, str], int]
    trend: tuple[str, ...]  # the months of the weighing trend, oldest first
    spm: tuple[tuple[str, int, int], ...]  # (service, served this year, the desa's sasaran)
    dana: dict[str, int]  # status → requests of the year

    def value(self, code: str, month: str | None = None) -> int:
        return self.values.get((month or self.month, code), 0)


async def read(session: AsyncSession, flows: dict[str, Flow], desa: Desa, last: date) -> Profile:
    """The profile of the month of `last`, counting up to `last`."""
    trend = months_back(last, MONTHS)
    spm_of = spm_codes(flows)
    first = min(date.fromisoformat(f"{trend[0]}-01"), date(last.year, 1, 1))
    codes = {*WEIGHING, *NUTRITION, *CASES, *spm_of}
    values = await pq.monthly_values(session, desa.id, first, last, codes)
    sasaran = await pq.desa_sasaran(session, desa.id, last.year)
    served: dict[str, int] = {}
    for (month, code), value in values.items():
        if code in spm_of and month.startswith(f"{last.year}-"):
            served[spm_of[code]] = served.get(spm_of[code], 0) + value
    spm = tuple((s, served.get(s, 0), target) for s, target in sorted(sasaran.items()))
    dana = await pq.dana_by_status(session, desa.id, last.year)
    return Profile(desa.id, place(desa), month_key(last), values, trend, spm, dana)


def render(texts: Texts, locale: str, p: Profile) -> str:
    def t(msgid: str, **params: Any) -> str:
        return texts(msgid, locale, **params)

    d, target = p.value("D"), dict((s, n) for s, _, n in p.spm).get(BALITA)
    lines = [
        t(N_("🏡 Village health profile: {desa}, {month}"), desa=p.desa, month=_month(p, locale)),
        t(N_("Under-fives weighed (D): {d}, not gaining weight (T): {t}"), d=d, t=p.value("T")),
    ]
    if target:  # D/S: S is the desa's under-fives, its SPM sasaran
        lines.append(
            t(N_("D/S: {percent}% of {s} under-fives"), percent=round(100 * d / target), s=target)
        )
    trend = " · ".join(
        f"{format_month(m, locale).split()[0][:3]} {p.value('D', m)}" for m in p.trend
    )
    lines += [
        t(N_("Weighing, last {n} months: {trend}"), n=len(p.trend), trend=trend),
        t(
            N_("New stunting: {stunting} · pregnant women with new KEK: {kek}"),
            stunting=p.value("STUNT"),
            kek=p.value("KEK"),
        ),
        t(
            N_("Cases this month: DBD {dbd} · diarrhoea {diare} · TB {tb}"),
            dbd=p.value("DBD"),
            diare=p.value("DIARE"),
            tb=p.value("TB"),
        ),
        *_spm_lines(texts, locale, p),
        _dana_line(texts, locale, p),
        t(N_("For the rembuk stunting and the musdes. /dana: the permohonan in full.")),
    ]
    return "\n".join(lines)


def _month(p: Profile, locale: str) -> str:
    return format_month(p.month, locale)


def _spm_lines(texts: Texts, locale: str, p: Profile) -> list[str]:
    if not p.spm:
        return [texts(N_("SPM capaian: no sasaran for this desa yet (perlu data Dinkes)."), locale)]
    lines = [texts(N_("SPM capaian this year:"), locale)]
    for service, served, target in p.spm:
        label = (
            texts.render(Text(SPM_BY_KEY[service].label), locale)
            if service in SPM_BY_KEY
            else service
        )
        lines.append(
            texts(
                N_("• {service}: {served} of {target} ({percent}%)"),
                locale,
                service=label,
                served=served,
                target=target,
                percent=round(100 * served / target),
            )
        )
    return lines


def _dana_line(texts: Texts, locale: str, p: Profile) -> str:
    if not p.dana:
        return texts(N_("Dana desa: no permohonan this year."), locale)
    counts = ", ".join(f"{n} {texts.render(status(s), locale)}" for s, n in sorted(p.dana.items()))
    return texts(N_("Dana desa {year}: {counts}"), locale, year=p.month[:4], counts=counts)


def chart(texts: Texts, locale: str, p: Profile, folder: Path) -> Path:
    """D and T of the trend's months as bars (matplotlib: only outside a turn's transaction)."""
    labels = [format_month(m, locale).split()[0][:3] for m in p.trend]
    title = texts(N_("Under-fives weighed (D) and not gaining weight (T)"), locale)
    return charts.weighing_bars(
        labels,
        [p.value("D", m) for m in p.trend],
        [p.value("T", m) for m in p.trend],
        f"{p.desa}: {title}",
        folder / f"profil-{p.desa_id}-{p.month}.png",
    )


# --- the 1st of the month, to every kepala desa ------------------------------------------------


async def prepare_monthly(runtime: Runtime, now: datetime, period: date) -> dict[int, Any]:
    """The clock's part before its claim: each kades' desa read in a snapshot (no write lock),
    its chart drawn after it. {desa id: (profile, chart)}."""
    last = period - timedelta(days=1)
    async with runtime.db.snapshot() as session:
        readers = await notify.active_users(session, roles_that(Can.DESA_PROFILE))
        desa_ids = sorted({u.desa_id for u in readers if u.desa_id is not None})
        profiles = [
            await read(session, runtime.flows, await session.get(Desa, i), last) for i in desa_ids
        ]
    folder, texts = runtime.settings.clock.export_dir, runtime.texts
    drawn = {}
    for p in profiles:  # the kades' language is Indonesian today: the chart is drawn once, in id
        drawn[p.desa_id] = (p, await asyncio.to_thread(chart, texts, "id", p, folder))
    return drawn


async def run_monthly(tick: Tick) -> None:
    drawn: dict[int, Any] = tick.prepared or {}
    session, texts = tick.session, tick.runtime.texts
    readers = await notify.active_users(session, roles_that(Can.DESA_PROFILE))

    def letter(user: User) -> notify.Letter | None:
        if user.desa_id not in drawn:
            return None  # registered after the figures were read: next month
        p, path = drawn[user.desa_id]
        return notify.Letter(render(texts, user.locale, p), photo=str(path))

    await notify.send_to(session, tick.now, readers, KIND, letter)


# --- /desa, at any time ----------------------------------------------------------------------


async def desa_command(turn: Turn, _arg: str) -> None:
    """The month so far as text at once; the chart is drawn after the commit by the process
    that sends the reply (Runtime.finish), never inside the turn's transaction."""
    user = turn.user
    if user is None or user.desa_id is None:
        turn.say("No desa is linked to your account yet. Please contact the Dinas Kesehatan.")
        return
    today = turn.runtime.texts.today(turn.now)
    desa = await turn.session.get(Desa, user.desa_id)
    p = await read(turn.session, turn.runtime.flows, desa, today)
    recipe = {
        "kind": CHART,
        "as": "photo",
        "desa_id": desa.id,
        "day": today.isoformat(),
        "locale": turn.locale,
    }
    text = render(turn.runtime.texts, turn.locale, p)
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, build=recipe))


async def make_chart(runtime: Runtime, recipe: dict[str, Any]) -> Path:
    async with runtime.db.snapshot() as session:
        desa = await session.get(Desa, recipe["desa_id"])
        p = await read(session, runtime.flows, desa, date.fromisoformat(recipe["day"]))
    folder = runtime.settings.clock.export_dir
    return await asyncio.to_thread(chart, runtime.texts, recipe["locale"], p, folder)


def install(runtime: Runtime) -> None:
    runtime.file_builders[CHART] = make_chart
    readers = roles_that(Can.DESA_PROFILE)
    runtime.add_command(Command("desa", N_("Village health profile"), readers, desa_command))
