"""Where a report's services were given: the place choices of /lapor, the slot an answer makes,
and the nihil confirmation (no services in the building for a klaster and day).

Reports of different people or places add up; the same person's report for the same place and
period is a correction (db/reports.py). A kader reports for her own desa: one of its posyandu,
or the desa (home visits) when it has none or the activity was not at a posyandu."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from conversations.forms.report_common import KLASTER_BY_KEY, Klaster
from db import posyandu as posyandu_db
from db import queries
from db.models import Desa
from db.report_queries import reports_at
from db.reports import DESA, GEDUNG, NIHIL, POSYANDU, NewReport, Slot, store_report
from handlers.core.turn import Turn
from handlers.digest import reminders
from handlers.reports import words
from handlers.wilayah import marks

PLACE_STEPS = ("tempat", "desa", "posyandu")


async def choices(turn: Turn) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """(the choices of the place questions, the answers already known: a kader's desa)."""
    user = turn.user
    session = turn.session
    if words.at_desa(user):
        desa = await turn.session.get(Desa, user.desa_id)
        mine = await posyandu_db.of_puskesmas(session, user.puskesmas_id, user.desa_id)
        tempat = [[POSYANDU, turn.t("Posyandu")]] if mine else []
        tempat.append(
            [DESA, turn.t("{desa}: home visits, not a posyandu", desa=words.desa_name(desa))]
        )
        known = {"desa": str(desa.id)} | ({} if mine else {"tempat": DESA})
        found = {
            "tempat": tempat,
            "desa": [[str(desa.id), words.desa_name(desa)]],
            "posyandu": [[str(p.id), p.nama] for p in mine],
        }
        return found, known
    every = await posyandu_db.of_puskesmas(session, user.puskesmas_id)
    desa = await queries.desa_of_puskesmas(session, user.puskesmas_id)
    tempat = [
        [GEDUNG, turn.t("In the puskesmas building")],
        [DESA, turn.t("A desa (pustu, home visits)")],
    ]
    if every:
        tempat.append([POSYANDU, turn.t("A posyandu")])
    tempat.append([NIHIL, turn.t("Nihil: no services in the building")])
    found = {
        "tempat": tempat,
        "desa": await marks.desa_choices(session, turn.t, desa),
        "posyandu": [[str(p.id), posyandu_label(p)] for p in every],
    }
    return found, {}


def posyandu_label(p: posyandu_db.PosyanduRow) -> str:
    prefix = "Kelurahan" if p.desa_jenis == "kelurahan" else "Desa"
    return f"{p.nama} ({prefix} {p.desa})"


async def slot_of(
    turn: Turn, klaster: Klaster, start: date, end: date, answers: dict[str, Any]
) -> Slot:
    """The slot the chosen place makes; nihil is an in-building slot."""
    user, tempat = turn.user, answers.get("tempat") or GEDUNG
    if tempat == DESA:
        desa = user.desa_id if words.at_desa(user) else int(answers["desa"])
        return Slot(user.puskesmas_id, klaster.key, start, end, desa, DESA)
    if tempat == POSYANDU:
        item = await turn.session.get(posyandu_db.Posyandu, int(answers["posyandu"]))
        return Slot(user.puskesmas_id, klaster.key, start, end, item.desa_id, POSYANDU, item.id)
    return Slot(user.puskesmas_id, klaster.key, start, end)


async def file_nihil(turn: Turn, slot: Slot, written_at: datetime) -> None:
    """Records that the puskesmas had no in-building services of this klaster on this day, so
    it counts as reported (handlers/reports/completeness.py), unless a report is already there."""
    klaster = KLASTER_BY_KEY[slot.klaster]
    found = await reports_at(turn.session, slot)
    params = {"klaster": turn.t(klaster.name), "period": words.period_text(turn, slot)}
    if found:
        first = found[0]
        turn.say(
            "{klaster}, {period} is already reported for the building ({reference}, {name}): "
            "no nihil is needed.",
            reference=first.reference,
            name=first.user_name,
            **params,
        )
        return
    stored = await store_report(
        turn.session,
        NewReport(
            slot=slot,
            values={},
            overridden=frozenset(),
            details={NIHIL: True},
            user_id=turn.user.id,
            channel=turn.msg.channel,
            sent_at=written_at,
            received_at=turn.now,
            ref_day=words.today(turn),
            form_version=turn.runtime.flows[klaster.flow].version,
        ),
    )
    await queries.audit(
        turn.session,
        turn.now,
        "report",
        "nihil",
        actor_user_id=turn.user.id,
        actor_role=turn.user.role,
        channel=turn.msg.channel,
        entity_id=stored.reference,
        data={"klaster": slot.klaster, "period": slot.period_start.isoformat()},
    )
    await reminders.report_filed(turn.session, turn.runtime.texts, turn.now, slot.puskesmas_id)
    turn.say(
        "Recorded as nihil ({reference}): no services in the building for {klaster}, {period}. "
        "Desa and posyandu reports of that day still count. To report services after all, "
        "use /lapor.",
        reference=stored.reference,
        **params,
    )
