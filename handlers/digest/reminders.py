"""Reminders to report: at REMIND_AT to the staff of each puskesmas whose daily forms for today
are missing (and, on the last working day of the week, the weekly form), naming what is
missing; none on a day off of the puskesmas (handlers/core/calendar.py). A report that arrives
while a reminder still waits in the outbox (WhatsApp holds it outside the 24-hour window)
updates it, or clears it when nothing is missing any more. /jeda pauses, /lanjut resumes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.report_common import Klaster
from conversations.model import N_, Text
from db import digest_queries as q
from db import wilayah
from db.models import Outbox, User
from handlers.core import notify
from handlers.core.calendar import district
from handlers.core.inbound import Command, Runtime
from handlers.core.schedule import Tick
from handlers.core.text import Texts, format_day
from handlers.core.turn import Turn
from handlers.people.roles import Can, roles_that
from handlers.reports import completeness
from handlers.reports.indicators import DAILY, WEEKLY, short_name

KIND = "reminder"
STAFF = roles_that(Can.HEAR_REMINDERS)
PAUSE_ROLES = roles_that(Can.PAUSE_REMINDERS)
DEFAULT_PAUSE, MAX_PAUSE = 7, 30
WAITING = ("pending", "held")


def paused(user: User, now: datetime) -> bool:
    return user.reminders_paused_until is not None and user.reminders_paused_until > now


async def missing_forms(
    session: AsyncSession, day: date, scope: q.Scope = None
) -> dict[int, list[Klaster]]:
    """Per puskesmas expected to work on `day`, the forms not reported for it (and the weekly
    one on the last working day of the week), as handlers/reports/completeness.py defines
    reported."""
    calendar, rawat_inap = district(), await wilayah.rawat_inap_ids(session, scope)
    filed = await completeness.reported(session, [day], [*DAILY, *WEEKLY], scope)
    out = {}
    for pid in await q.puskesmas_names(session, scope):
        if not calendar.works(day, pid in rawat_inap):
            continue
        expected = list(DAILY)
        if calendar.last_working_day_of_week(day, pid in rawat_inap):
            expected += WEEKLY
        gaps = filed.missing(pid, day, expected)
        if gaps:
            out[pid] = gaps
    return out


def reminder_text(texts: Texts, locale: str, day: date, gaps: list[Klaster]) -> str:
    """The first line says it all in a few words: it is the WhatsApp template's parameter."""
    first = texts(
        N_("⏰ Reports for today ({day}) not in yet: {forms}"),
        locale,
        day=format_day(day, locale),
        forms=", ".join(short_name(k) for k in gaps),
    )
    forms = [f"• {texts.render(Text(k.name), locale)}" for k in gaps]
    last = texts(
        N_("Type /lapor to report now. /jeda 7 pauses these reminders for 7 days."), locale
    )
    return "\n".join((first, *forms, last))


async def run(tick: Tick) -> None:
    """The clock's job at REMIND_AT: one reminder per staff member of each late puskesmas."""
    day, texts = tick.period, tick.runtime.texts
    missing = await missing_forms(tick.session, day)
    if not missing:
        return
    users = await notify.active_users(tick.session, STAFF, list(missing))
    users = [u for u in users if not paused(u, tick.now)]

    def render(user: User) -> notify.Letter:
        return notify.Letter(reminder_text(texts, user.locale, day, missing[user.puskesmas_id]))

    await notify.send_to(tick.session, tick.now, users, KIND, render)


async def report_filed(
    session: AsyncSession, texts: Texts, now: datetime, puskesmas_id: int
) -> None:
    """A report came in: today's reminders of this puskesmas still waiting to go are brought up
    to date, or cleared when nothing is missing any more."""
    today = texts.today(now)
    since = datetime.combine(today, time(0), texts.timezone)
    staff = select(User.id).where(User.puskesmas_id == puskesmas_id)
    waiting = (
        select(Outbox)
        .where(
            Outbox.kind == KIND,
            Outbox.status.in_(WAITING),
            Outbox.user_id.in_(staff),
            Outbox.created_at >= since,
        )
        .with_for_update()
    )
    rows = list((await session.execute(waiting)).scalars())
    if not rows:
        return
    gaps = (await missing_forms(session, today, [puskesmas_id])).get(puskesmas_id)
    if not gaps:
        await session.execute(delete(Outbox).where(Outbox.id.in_([r.id for r in rows])))
        return
    for row in rows:
        user = await session.get(User, row.user_id)
        row.payload = {**row.payload, "text": reminder_text(texts, user.locale, today, gaps)}


# --- /jeda and /lanjut ---------------------------------------------------------------------


async def pause_command(turn: Turn, arg: str) -> None:
    days = DEFAULT_PAUSE
    if arg:
        arg = arg.strip()  # isdecimal, not isdigit: int() refuses "⁵"; and not 5,000 digits
        if not (arg.isdecimal() and len(arg) <= 3 and 1 <= int(arg) <= MAX_PAUSE):
            turn.say(
                "Type /jeda and the number of days, for example /jeda 7 (at most {max} days).",
                max=MAX_PAUSE,
            )
            return
        days = int(arg)
    until = turn.now + timedelta(days=days)
    turn.user.reminders_paused_until = until
    turn.say(
        "Reminders are paused until {until}. Type /lanjut to turn them on earlier.",
        until=turn.runtime.texts.moment(until, turn.locale),
    )


async def resume_command(turn: Turn, _arg: str) -> None:
    turn.user.reminders_paused_until = None
    turn.say("Reminders are on again.")


def install(runtime: Runtime) -> None:
    runtime.add_command(
        Command("jeda", N_("Pause reminders"), PAUSE_ROLES, pause_command, in_menu=False)
    )
    runtime.add_command(
        Command(
            "lanjut",
            N_("Resume reminders"),
            PAUSE_ROLES,
            resume_command,
            ("lanjutkan",),
            in_menu=False,
        )
    )
