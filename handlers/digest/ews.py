"""Early-warning rules (SKDR style) judged when a report commits, in its transaction: for the
report's puskesmas and the ISO week of its day, every rule of conversations/forms/surveillance.py
that names one of the report's indicators is judged on the week's sums (the running totals, so
every report of the week counts, whoever filed it). A rule that fires is claimed for
(rule, puskesmas, week), so a redelivery, a correction or a later report of the same week does
not fire it again; the next week can.

A "rise" rule compares with the weeks before only when the puskesmas reported something in each
of them: in the bot's first weeks an empty history is no mean to be twice above."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.surveillance import DEATH_ROUTE, RISE, RULES, EwsRule, fires
from conversations.model import N_, Day, Text
from db import digest_queries as q
from db.clock import claim
from db.models import Puskesmas
from db.reports import Report, ReportValue
from handlers.core import notify
from handlers.core.text import Texts
from handlers.digest import audience

KIND = "ews_alert"
WEEK = timedelta(days=7)


def signal_text(texts: Texts, locale: str, facts: dict) -> str:
    """The first line names place and rule: it is the WhatsApp notice's parameter."""
    return texts(
        N_(
            "⚠️ Early-warning signal (SKDR) at Puskesmas {puskesmas}: {rule}\n"
            "Week {week} ({start} to {end}): {value} cases; weekly mean of the 3 weeks before: "
            "{mean}.\n"
            "Please verify; if it is an outbreak, report it within 1×24 hours. "
            "The rule awaits the Dinkes' confirmation (/bantuan SKDR)."
        ),
        locale,
        **facts,
    )


def week_sums(
    totals: dict[tuple[date, str], int], codes: tuple[str, ...], monday: date, weeks: int
) -> list[int]:
    """The sums of `codes` for the week starting `monday` and the `weeks` weeks before it."""
    sums = []
    for back in range(weeks + 1):
        start = monday - back * WEEK
        days = [start + timedelta(days=n) for n in range(7)]
        sums.append(sum(totals.get((d, c), 0) for d in days for c in codes))
    return sums


def reported_weeks(totals: dict[tuple[date, str], int], monday: date, weeks: int) -> int:
    """How many of the `weeks` weeks before `monday` have any count from the puskesmas."""
    starts = {monday - back * WEEK for back in range(1, weeks + 1)}
    seen = {d - timedelta(days=d.weekday()) for (d, _), total in totals.items() if total}
    return len(starts & seen)


async def report_stored(session: AsyncSession, texts: Texts, report: Report) -> int:
    codes = await _codes(session, report.id)
    rules = [r for r in RULES if codes & set(r.codes)]
    if not rules:
        return 0
    monday = report.period_start - timedelta(days=report.period_start.weekday())
    history = max(r.weeks for r in rules)
    totals = await q.daily_totals(
        session, monday - history * WEEK, monday + timedelta(days=6), [report.puskesmas_id]
    )
    year, week, _ = monday.isocalendar()
    fired = []
    for rule in rules:
        sums = week_sums(totals, rule.codes, monday, rule.weeks)
        if rule.kind == RISE and reported_weeks(totals, monday, rule.weeks) < rule.weeks:
            continue
        if not fires(rule, sums[0], sums[1:]):
            continue
        if await claim(
            session,
            f"ews:{rule.key}",
            f"{report.puskesmas_id}:{year}-W{week:02d}",
            report.received_at,
        ):
            fired.append((rule, sums))
    if not fired:
        return 0
    puskesmas = await session.get(Puskesmas, report.puskesmas_id)
    users = await audience.recipients(session, report.puskesmas_id)
    written = 0
    for rule, sums in fired:
        facts = _facts(rule, sums, puskesmas.nama, monday, week)

        def render(user, facts=facts) -> notify.Letter:
            return notify.Letter(signal_text(texts, user.locale, facts))

        written += await notify.send_to(session, report.received_at, users, KIND, render)
    return written


def _facts(rule: EwsRule, sums: list[int], puskesmas: str, monday: date, week: int) -> dict:
    before = sums[1:]
    return {
        "puskesmas": puskesmas,
        "rule": Text(rule.name),
        "week": week,
        "start": Day(monday),
        "end": Day(monday + timedelta(days=6)),
        "value": sums[0],
        "mean": _one_decimal(sum(before) / len(before) if before else 0),
    }


def _one_decimal(value: float) -> int | Decimal:
    """7 or 2,3: a mean as people read it (Decimal and int are formatted for the locale)."""
    shown = Decimal(str(round(value, 1)))
    return int(shown) if shown == shown.to_integral_value() else shown


async def _codes(session: AsyncSession, report_id: int) -> set[str]:
    stmt = select(ReportValue.indicator).where(ReportValue.report_id == report_id)
    return set((await session.execute(stmt)).scalars())


def rules_text(texts: Texts, locale: str) -> str:
    """/bantuan SKDR: the early-warning rules and the death alerts, all awaiting confirmation."""
    lines = [
        texts(
            N_(
                "Early-warning rules (SKDR), judged per puskesmas and week when a report is "
                "saved; each fires once a week and goes to the Dinkes and the kepala puskesmas. "
                "The rules and their numbers await the Dinkes' confirmation:"
            ),
            locale,
        )
    ]
    lines += [f"- {texts(rule.name, locale)}" for rule in RULES]
    lines.append(
        texts(
            N_(
                "Deaths (mother, newborn, infant, under-five, in an outbreak) and a suspected "
                "outbreak seen in the community: /lapor, “Deaths and suspected outbreak” "
                "(LAPOR KM). The Dinkes is alerted at once; names and NIK go only through {route} "
                "(route awaiting the Dinkes' confirmation)."
            ),
            locale,
            route=DEATH_ROUTE,
        )
    )
    return "\n".join(lines)
