"""/status (what is filed and missing), /rekap (month to date vs last month), /bukakunci."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from conversations.forms.report_common import KLASTERS, Klaster, indicators
from conversations.forms.spm import SERVICE_OF
from conversations.model import N_, Flow
from conversations.parsing import Ambiguous, ParseError, match_choice
from db import queries
from db.models import Desa, Puskesmas
from db.report_queries import Window, filed, last_references, recap_totals, sasaran_of
from db.reports import GEDUNG, add_unlock
from handlers.core.inbound import Command, Runtime
from handlers.core.text import format_day, format_number
from handlers.core.turn import Turn
from handlers.people import roles
from handlers.people.roles import Can, Place, roles_that
from handlers.reports import completeness, words
from handlers.reports.indicators import running_counts
from handlers.reports.recap_checks import check_lines
from handlers.wilayah import marks

RECAP_ROLES = roles_that(Can.RECAP)
UNLOCK_ROLES = roles_that(Can.UNLOCK)


# --- /status -------------------------------------------------------------------------------


async def status_command(turn: Turn, _arg: str) -> None:
    user = turn.user
    if user.puskesmas_id is None:
        turn.say("Your account is not linked to a puskesmas. Please contact the Dinas Kesehatan.")
        return
    today = words.today(turn)
    start = words.monday(today)
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    desa_id = user.desa_id if words.at_desa(user) else None
    reports = await filed(turn.session, user.puskesmas_id, start, today, desa_id)
    if desa_id is not None:  # a kader: her desa's reports, which add to the puskesmas's
        place = words.desa_name(await turn.session.get(Desa, desa_id))
        done = Done({(r.klaster, r.period_start) for r in reports})
    else:  # the puskesmas: reported as handlers/reports/completeness.py says
        place = await marks.place_marked(turn.session, turn.t, user.puskesmas_id)
        found = await completeness.reported(
            turn.session, days, words.allowed_klaster(user), [user.puskesmas_id]
        )
        done = Done({(k, d) for _p, d, k in found.slots})
    lines = [turn.t("Reports of {place}", place=place)]
    lines += _today_lines(turn, reports, done, today)
    lines += _week_lines(turn, done, days)
    lines += await _mine(turn)
    turn.say_raw("\n".join(lines))


@dataclass(frozen=True)
class Done:
    """(klaster key, period start) reported."""

    periods: set[tuple[str, date]]

    def has(self, klaster: Klaster, day: date) -> bool:
        return (klaster.key, completeness.period_of(klaster, day)) in self.periods


def _today_lines(turn: Turn, reports: list, done: Done, today: date) -> list[str]:
    lines = [turn.t("Today, {day}:", day=format_day(today, turn.locale))]
    for spec in words.allowed_klaster(turn.user):
        if spec.weekly or not spec.expected:
            continue
        mine = [r for r in reports if r.klaster == spec.key and r.period_start == today]
        refs = ", ".join(_ref(turn, r) for r in mine)
        name = turn.t(spec.name)
        if done.has(spec, today):
            lines.append(turn.t("✓ {klaster}: {refs}", klaster=name, refs=refs))
        elif mine:  # desa or posyandu reports only: they count, but do not make it complete
            lines.append(
                turn.t(
                    "✗ {klaster}: {refs}; the report for the building (or nihil) is missing",
                    klaster=name,
                    refs=refs,
                )
            )
        else:
            lines.append(turn.t("✗ {klaster}: not reported yet", klaster=name))
    return lines


def _ref(turn: Turn, report: Any) -> str:
    if report.nihil:
        return turn.t("{reference} (nihil)", reference=report.reference)
    if report.place != GEDUNG:
        return turn.t("{reference} (desa/posyandu)", reference=report.reference)
    return report.reference


def _week_lines(turn: Turn, done: Done, days: list[date]) -> list[str]:
    lines = [turn.t("This week ({span}):", span=words.week_span(turn, days[0]))]
    for spec in words.allowed_klaster(turn.user):
        if not spec.expected:  # deaths and outbreaks: nothing is missing when none happened
            continue
        name = turn.t(spec.name)
        if spec.weekly and done.has(spec, days[0]):
            lines.append(turn.t("✓ {klaster}: reported", klaster=name))
            continue
        if spec.weekly:
            lines.append(turn.t("✗ {klaster}: not reported yet", klaster=name))
            continue
        missing = [words.short_day(turn, d) for d in days if not done.has(spec, d)]
        if not missing:
            lines.append(turn.t("✓ {klaster}: every day", klaster=name))
        else:
            lines.append(
                turn.t("✗ {klaster}: missing {days}", klaster=name, days=", ".join(missing))
            )
    return lines


async def _mine(turn: Turn) -> list[str]:
    mine = await last_references(turn.session, turn.user.id)
    if not mine:
        return [turn.t("You have not sent a report yet. Type /lapor to start.")]
    names = {k.key: k.code for k in KLASTERS}
    lines = [turn.t("Your last reports:")]
    for item in mine:
        line = (
            f"{item.reference} · {names[item.klaster]} · {words.short_day(turn, item.period_start)}"
        )
        if not item.current:
            line += " " + turn.t("(replaced)")
        lines.append(line)
    return lines


# --- /rekap --------------------------------------------------------------------------------


async def rekap_command(turn: Turn, arg: str) -> None:
    user = turn.user
    if roles.place(user.role) is Place.PUSKESMAS:  # its own puskesmas
        await show_recap(turn, user.puskesmas_id)
        return
    everything = await queries.all_puskesmas(turn.session)
    options = [(str(p.id), [p.nama]) for p in everything]
    if arg:
        try:
            await show_recap(turn, int(match_choice(arg, options, words=turn.words)))
            return
        except (Ambiguous, ParseError):
            pass
    choices = [[str(p.id), p.nama] for p in everything]
    await turn.start_flow("rekap_pilih", {"choices": {"puskesmas": choices}})


async def on_recap_pick(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    await show_recap(turn, int(answers["puskesmas"]))


def recap_windows(today: date) -> dict[str, Window]:
    """This month to date, the same days of last month, and the year to date (for capaian)."""
    first = today.replace(day=1)
    last_first = (first - timedelta(days=1)).replace(day=1)
    last_days = calendar.monthrange(last_first.year, last_first.month)[1]
    return {
        "this": Window(first, today),
        "last": Window(last_first, last_first.replace(day=min(today.day, last_days))),
        "year": Window(today.replace(month=1, day=1), today),
    }


async def show_recap(turn: Turn, puskesmas_id: int) -> None:
    today = words.today(turn)
    windows = recap_windows(today)
    running = running_counts(turn.runtime.flows)
    totals = await recap_totals(turn.session, puskesmas_id, windows, running)
    targets = await sasaran_of(turn.session, puskesmas_id, today.year)
    puskesmas = await turn.session.get(Puskesmas, puskesmas_id)
    this, last = windows["this"], windows["last"]
    lines = [
        turn.t(
            "Recap Puskesmas {name}, {start}–{end} (compared with {last_start}–{last_end}):",
            name=puskesmas.nama,
            start=this.start.day,
            end=words.long_date(turn, this.end),
            last_start=last.start.day,
            last_end=words.long_date(turn, last.end),
        ),
        turn.t("★ = counts toward an SPM service"),
    ]
    if not totals["this"] and not totals["last"]:
        lines.append(turn.t("No reports yet in these periods."))
    for spec in KLASTERS:
        lines += _recap_klaster(turn, spec, totals, targets)
    lines += await check_lines(turn, puskesmas_id, this, totals["year"])
    turn.say_raw("\n".join(lines))


def _recap_klaster(turn: Turn, spec: Any, totals: dict, targets: dict[str, int]) -> list[str]:
    steps = [s for s in indicators(turn.runtime.flows[spec.flow]) if _any(s.code, totals)]
    if not steps:
        return []
    lines = [f"\n{turn.t(spec.name)}"]
    for step in steps:
        now, before = totals["this"].get(step.code, 0), totals["last"].get(step.code, 0)
        service = SERVICE_OF.get(step.code)
        numbers = {
            "mark": "★ " if service else "",
            "code": step.code,
            "label": turn.t(step.label),
            "now": format_number(now, turn.locale),
            "unit": turn.t(step.unit),
            "before": format_number(before, turn.locale),
        }
        if step.summable:
            line = turn.t("{mark}{code} {label}: {now} {unit} (last month {before})", **numbers)
        else:  # cases so far: the highest reported, adding them up would count a case twice
            line = turn.t(
                "{mark}{code} {label}: highest {now} {unit} (last month {before}), not added up",
                **numbers,
            )
        target = targets.get(service or "")
        if target:
            done = totals["year"].get(step.code, 0)
            line += " · " + turn.t(
                "year so far {percent}% of the target {target}",
                percent=format_number(round(100 * done / target), turn.locale),
                target=format_number(target, turn.locale),
            )
        lines.append(line)
    return lines


def _any(code: str, totals: dict) -> bool:
    return code in totals["this"] or code in totals["last"]


# --- /bukakunci ----------------------------------------------------------------------------


async def unlock_command(turn: Turn, _arg: str) -> None:
    everything = await queries.all_puskesmas(turn.session)
    choices = [[str(p.id), p.nama] for p in everything]
    await turn.start_flow("buka_kunci", {"choices": {"puskesmas": choices}})


async def on_unlock(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    puskesmas = await turn.session.get(Puskesmas, int(answers["puskesmas"]))
    day = date.fromisoformat(answers["tanggal"])
    until = turn.now + timedelta(days=turn.runtime.settings.report_unlock_days)
    await add_unlock(turn.session, puskesmas.id, day, until, turn.user.id, turn.now)
    await queries.audit(
        turn.session,
        turn.now,
        "report",
        "unlocked",
        actor_user_id=turn.user.id,
        actor_role=turn.user.role,
        channel=turn.msg.channel,
        entity_id=f"{puskesmas.id}:{day.isoformat()}",
    )
    turn.say(
        "Puskesmas {name} can report or correct {day} until {until}, with /lapor.",
        name=puskesmas.nama,
        day=format_day(day, turn.locale),
        until=turn.runtime.texts.moment(until, turn.locale),
    )


def install(runtime: Runtime) -> None:
    runtime.submit_handlers.update({"rekap_pilih": on_recap_pick, "buka_kunci": on_unlock})
    add = runtime.add_command
    add(Command("status", N_("Report status"), words.REPORTER_ROLES, status_command))
    add(Command("rekap", N_("Monthly recap"), RECAP_ROLES, rekap_command))
    add(Command("bukakunci", N_("Open an old report day"), UNLOCK_ROLES, unlock_command))
