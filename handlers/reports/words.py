"""Words and choice lists of the report flows: periods, places, klaster allowed per role."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from conversations.forms.report_common import KLASTERS, Klaster
from db.models import Desa, Puskesmas, User
from db.posyandu import Posyandu
from db.reports import GEDUNG, Slot, is_old, is_unlocked
from handlers.core.text import format_day
from handlers.core.turn import Turn
from handlers.people import roles
from handlers.people.roles import Can, Place, roles_that

REPORTER_ROLES = roles_that(Can.REPORT)


def lock_days(turn: Turn) -> int:
    return turn.runtime.settings.report_lock_days


def at_desa(user: User) -> bool:
    """A reporter bound to a desa (a kader): reports for that desa's posyandu only."""
    return roles.place(user.role) is Place.DESA


def allowed_klaster(user: User) -> tuple[Klaster, ...]:
    if not roles.can(user.role, Can.REPORT):
        return ()
    return tuple(k for k in KLASTERS if k.kader) if at_desa(user) else KLASTERS


def today(turn: Turn) -> date:
    return turn.runtime.texts.today(turn.now)


def sent_day(turn: Turn) -> date:
    """The day the message was written (provider time, local zone), never after its arrival."""
    return min(turn.runtime.texts.today(turn.msg.sent_at), today(turn))


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def short_day(turn: Turn, day: date) -> str:
    """ "Senin 23/11"."""
    return format_date(day, "EEEE d/M", locale=turn.locale)


def long_date(turn: Turn, day: date) -> str:
    """ "23 November 2026"."""
    return format_date(day, "d MMMM y", locale=turn.locale)


def day_choices(turn: Turn, unlocked: list[date]) -> list[list[str]]:
    """Today and the days back to the lock limit, counted from the message's own day."""
    written, now_day, limit = sent_day(turn), today(turn), lock_days(turn)
    days = [written - timedelta(days=i) for i in range(limit + 1)]
    days = [d for d in days if not is_old(d, now_day, limit)]
    choices = []
    for day in days:
        label = short_day(turn, day)
        if day == written:
            label = turn.t("Today ({day})", day=label)
        elif day == written - timedelta(days=1):
            label = turn.t("Yesterday ({day})", day=label)
        choices.append([day.isoformat(), label])
    for day in unlocked:
        if day not in days and day <= written:
            label = turn.t("{day} (opened by Dinkes)", day=short_day(turn, day))
            choices.append([day.isoformat(), label])
    return choices


def week_choices(turn: Turn, unlocked: list[date]) -> list[list[str]]:
    this = monday(sent_day(turn))
    weeks = [this, this - timedelta(days=7)]
    weeks = [w for w in weeks if not is_old(w + timedelta(days=6), today(turn), lock_days(turn))]
    weeks += sorted({monday(d) for d in unlocked} - set(weeks), reverse=True)
    choices = []
    for start in weeks:
        span = week_span(turn, start)
        if start == this:
            label = turn.t("This week ({span})", span=span)
        elif start == this - timedelta(days=7):
            label = turn.t("Last week ({span})", span=span)
        else:
            label = span
        choices.append([start.isoformat(), label])
    return choices


def week_span(turn: Turn, start: date) -> str:
    end = start + timedelta(days=6)
    return f"{start.day}/{start.month}–{end.day}/{end.month}/{end.year}"


def period_text(turn: Turn, slot: Slot) -> str:
    if slot.period_start == slot.period_end:
        return format_day(slot.period_start, turn.locale)
    return turn.t("week {span}", span=week_span(turn, slot.period_start))


async def place_text(turn: Turn, slot: Slot) -> str:
    if slot.posyandu_id is not None:
        item = await turn.session.get(Posyandu, slot.posyandu_id)
        desa = desa_name(await turn.session.get(Desa, item.desa_id))
        return turn.t("Posyandu {name}, {desa}", name=item.nama, desa=desa)
    if slot.desa_id is not None:
        return desa_name(await turn.session.get(Desa, slot.desa_id))
    puskesmas = await turn.session.get(Puskesmas, slot.puskesmas_id)
    return turn.t("Puskesmas {name} (in the building)", name=puskesmas.nama)


def desa_name(desa: Desa) -> str:
    prefix = "Kelurahan" if desa.jenis == "kelurahan" else "Desa"
    return f"{prefix} {desa.nama}"


def time_text(turn: Turn, moment: datetime) -> str:
    """ "10.42" today, "Minggu 22/11 10.42" on another day."""
    local = moment.astimezone(turn.runtime.texts.timezone)
    clock = f"{local:%H.%M}"
    if local.date() == today(turn):
        return clock
    return f"{short_day(turn, local.date())} {clock}"


async def locked(turn: Turn, slot: Slot) -> bool:
    """Says so and returns True when the period is past the correction window and not unlocked."""
    if not is_old(slot.period_end, today(turn), lock_days(turn)):
        return False
    if await is_unlocked(turn.session, slot, turn.now):
        return False
    turn.say(
        "Reports older than {days} days are locked. Ask the Dinas Kesehatan to open the day if a correction is needed.",
        days=lock_days(turn),
    )
    return True


def slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "puskesmas_id": slot.puskesmas_id,
        "klaster": slot.klaster,
        "period_start": slot.period_start.isoformat(),
        "period_end": slot.period_end.isoformat(),
        "desa_id": slot.desa_id,
        "place": slot.place,
        "posyandu_id": slot.posyandu_id,
    }


def slot_from(data: dict[str, Any]) -> Slot:
    return Slot(
        data["puskesmas_id"],
        data["klaster"],
        date.fromisoformat(data["period_start"]),
        date.fromisoformat(data["period_end"]),
        data["desa_id"],
        data.get("place", GEDUNG),  # a draft begun before places had none
        data.get("posyandu_id"),
    )
