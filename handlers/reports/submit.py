"""A submitted klaster form: stored as the slot's current version, acknowledged with its summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations import questions
from conversations.forms.kematian import DEATH_CODES
from conversations.forms.report_common import KLASTER_BY_FLOW
from conversations.forms.surveillance import DEATH_ROUTE
from conversations.model import N_, Flow, Reply, Text
from db import queries
from db.reports import NewReport, store_report
from handlers.core.turn import Turn
from handlers.digest import alerts, reminders
from handlers.reports import words


def split_answers(
    flow: Flow, answers: dict[str, Any], context: dict[str, Any]
) -> tuple[dict[str, int], set[str], dict[str, Any]]:
    """(counted values by code, codes whose "yakin?" was overridden, the other answers)."""
    limits = context.get("soft_max", {})
    overrides = set(answers.get("_overrides", []))
    values: dict[str, int] = {}
    overridden: set[str] = set()
    details: dict[str, Any] = {}
    for step in flow.steps:
        value = answers.get(step.key)
        if value is None:
            continue
        if not step.code:
            details[step.key] = value
            continue
        values[step.code] = int(value)  # yes/no counts as 1 or 0
        limit = limits.get(step.key, step.soft_max)
        if step.key in overrides and limit is not None and int(value) > limit:
            overridden.add(step.code)  # still above the limit after any later change
    return values, overridden, details


def urgent_need(answers: dict[str, Any]) -> str:
    """What to do about a Klaster 1 urgent budget need. Dana desa cannot buy puskesmas
    medicines or equipment (those are Dinkes/IFK, JKN kapitasi, APBD/DAK): a shortage of either
    goes to the Dinas Kesehatan only; otherwise dana desa is named for village-scale activities."""
    if answers.get("obat") or answers.get("alkes"):
        return N_(
            "Urgent need: please report it to the Dinas Kesehatan today. Puskesmas medicines and "
            "equipment are not funded from dana desa."
        )
    return N_(
        "Urgent need: please report puskesmas operations to the Dinas Kesehatan. Only "
        "village-scale activities (posyandu, PMT, case tracing, PSN) can be proposed to the "
        "desa for dana desa support: type /dana."
    )


async def on_report(turn: Turn, flow: Flow, answers: dict[str, Any]) -> None:
    user = turn.user
    context = turn.state.context
    slot = words.slot_from(context["slot"])
    if await words.locked(turn, slot):
        return
    values, overridden, details = split_answers(flow, answers, context)
    stored = await store_report(
        turn.session,
        NewReport(
            slot=slot,
            values=values,
            overridden=frozenset(overridden),
            details=details,
            user_id=user.id,
            channel=turn.msg.channel,
            sent_at=datetime.fromisoformat(context["written_at"]),
            received_at=turn.now,
            ref_day=words.today(turn),
            form_version=flow.version,
            klb=alerts.outbreak(answers),
        ),
    )
    await queries.audit(
        turn.session,
        turn.now,
        "report",
        "corrected" if stored.replaced else "submitted",
        actor_user_id=user.id,
        actor_role=user.role,
        channel=turn.msg.channel,
        entity_id=stored.reference,
        data={
            "klaster": slot.klaster,
            "period": slot.period_start.isoformat(),
            "overridden": sorted(overridden),
        },
    )
    # the clock's part (handlers/digest/alerts.py, handlers/digest/reminders.py), in the same transaction
    await alerts.report_stored(turn.session, turn.runtime.texts, stored.id)
    await reminders.report_filed(turn.session, turn.runtime.texts, turn.now, slot.puskesmas_id)
    await _acknowledge(turn, flow, answers, stored.reference, stored.replaced)


async def _acknowledge(
    turn: Turn, flow: Flow, answers: dict[str, Any], reference: str, replaced: str | None
) -> None:
    slot = words.slot_from(turn.state.context["slot"])
    parts = [
        Text.of(N_("Thank you! Your report is saved with number {reference}."), reference=reference)
    ]
    if replaced:
        parts.append(
            Text.of(N_("It replaces report {old}, which is kept as history."), old=replaced)
        )
    parts.append(
        Text.of(
            N_("{title} · {period} · {place}"),
            title=Text(KLASTER_BY_FLOW[flow.name].name),
            period=words.period_text(turn, slot),
            place=await words.place_text(turn, slot),
        )
    )
    parts.extend(questions.summary_lines(flow, turn.state))
    if answers.get("dana"):
        parts.append(Text(urgent_need(answers)))
    if any(answers.get(code.lower()) for code in DEATH_CODES):
        parts.append(
            Text.of(
                N_(
                    "The deaths are passed on to the Dinas Kesehatan now. Please send the "
                    "identifying details within 1×24 hours through {route} (route awaiting the "
                    "Dinkes' confirmation)."
                ),
                route=DEATH_ROUTE,
            )
        )
    if alerts.outbreak(answers):
        parts.append(
            Text(
                N_(
                    "The suspected outbreak is passed on to the Dinas Kesehatan today. Please follow the outbreak SOP."
                )
            )
        )
    parts.append(Text(N_("Type /status to see what is still missing.")))
    turn.show(Reply(tuple(parts)))
