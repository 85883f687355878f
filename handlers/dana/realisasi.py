"""The realisasi of an approved request, in two parts. The desa spends and accounts for the
money: the kades or an operator desa confirms the dana realised with its SPJ reference (buttons
`dk:<id>:real:<version>`). The puskesmas, the technical partner, reports the health output (the
requester's button, handlers.dana.requester). Both go into the history; the request is
`selesai` once both are in.

Dana desa cannot be overspent: a realisasi above the approved sum is refused (other sources are
recorded separately), and so is one dated before the approval; one dated long before the planned
month is accepted with a warning (the window is data: handlers.dana.budget)."""

from __future__ import annotations

from datetime import date
from typing import Any

from conversations.model import N_, Day, Flow, Text
from db import dana
from db.dana import DanaRequest
from db.models import AuditEvent, User
from handlers.core.inbound import Runtime
from handlers.core.text import format_money
from handlers.core.turn import Turn
from handlers.dana import budget
from handlers.dana.common import (
    acts_for_desa,
    facts,
    money,
    parse_button,
    printable,
    record,
    refuse,
    refused_for,
)
from handlers.dana.common import stale_message as stale
from handlers.dana.notify import to_kades, to_requester
from handlers.people.roles import Can

NOT_DESA = N_("Sorry, only the kepala desa or the operator desa of {desa} can confirm this.")
NOT_NOW = N_("This cannot be done now: {reference} is {status}.")
DONE = N_("The dana realised for {reference} was already confirmed.")


def may_account(user: User | None, request: DanaRequest) -> bool:
    return acts_for_desa(user, request, Can.DANA_ACCOUNT)


def _why_not(user: User | None, request: DanaRequest, version: int) -> tuple[str, str] | None:
    if not may_account(user, request):
        return "not_desa", NOT_DESA
    message = stale(request, version)
    if message is None and request.status not in dana.APPROVED:
        message = NOT_NOW
    if message is None and request.realisasi_jumlah is not None:
        message = DONE
    return ("stale", message) if message else None


async def _refused(turn: Turn, request: DanaRequest, version: int) -> bool:
    return await refused_for(turn, request, _why_not(turn.user, request, version))


async def on_button(turn: Turn, parts: list[str]) -> None:
    parsed = parse_button(parts)
    request = await turn.session.get(DanaRequest, parsed[0]) if parsed else None
    if parsed is None or request is None or parsed[1] != "real":
        await refuse(turn, request, "forged", N_("This button is not valid."))
        return
    if await _refused(turn, request, parsed[2]):
        return
    approved = request.jumlah_disetujui or request.jumlah
    params = {"reference": request.reference, "approved": format_money(approved, turn.locale)}
    context = {"request_id": request.id, "version": request.version, "params": params}
    await turn.start_flow("dana_realisasi", context)


def check_day(turn: Turn, request: DanaRequest, day: date) -> str | None:
    """Why a realisasi on `day` is refused (before the approval), or None."""
    decided = turn.runtime.texts.today(request.decided_at) if request.decided_at else None
    if decided is not None and day < decided:
        return turn.t(
            "The date cannot be before the approval on {approved}. Please check the date.",
            approved=Day(decided),
        )
    return None


def window_warning(turn: Turn, request: DanaRequest, day: date) -> str | None:
    if not budget.before_window(day, request.bulan):
        return None
    return turn.t(
        "Note: {day} is long before the planned month; it was recorded, please check it.",
        day=Day(day),
    )


async def on_realisation(turn: Turn, flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    request = await dana.lock(turn.session, context["request_id"])
    if await _refused(turn, request, context["version"]):
        return
    approved = request.jumlah_disetujui or request.jumlah
    day = date.fromisoformat(answers["tanggal"])
    problem = check_day(turn, request, day)
    if answers["jumlah"] > approved:
        problem = turn.t(
            "Dana desa cannot be spent above the {approved} approved. Record only the dana desa "
            "part; other sources are recorded separately.",
            approved=money(approved),
        )
    if problem:
        await refused_entry(turn, request, "realisasi_refused", problem, answers)
        await turn.start_flow(flow.name, context)
        return
    request.realisasi_jumlah, request.realisasi_tanggal = answers["jumlah"], day
    request.realisasi_spj = printable(answers["spj"])
    request.realisasi_foto = answers["foto"]["file_id"] if answers.get("foto") else None
    request.realisasi_by = turn.user.id
    warning = window_warning(turn, request, day)
    data = {"tanggal": answers["tanggal"], "spj": request.realisasi_spj}
    data |= {"foto": request.realisasi_foto, "warning": bool(warning)}
    f = await facts(turn.session, request)
    notice = N_("The desa confirmed the dana realised for {reference} ({desa}): {amount} on {day}.")
    amount = money(answers["jumlah"])
    await to_requester(
        turn.session, turn.runtime.texts, turn.now, f, notice, amount=amount, day=Day(day)
    )
    await _recorded(turn, request, "realised_desa", answers["jumlah"], data)
    reply = turn.t("Dana realised for {reference} recorded.", reference=f.reference)
    turn.say_raw("\n".join(x for x in (reply, warning, _still(turn, request)) if x))


async def refused_entry(
    turn: Turn, request: DanaRequest, action: str, message: str, answers: dict[str, Any]
) -> None:
    """A refused realisasi: said in the user's words, kept in the audit."""
    data = {"tanggal": answers.get("tanggal")}
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    await record(
        *who,
        request,
        action,
        request.status,
        reason=message,
        amount=answers.get("jumlah"),
        data=data,
    )
    turn.say_raw(message)


async def _recorded(
    turn: Turn, request: DanaRequest, action: str, amount: int | None, data: dict[str, Any]
) -> None:
    """One part of the realisasi in the history; both parts in complete the request."""
    before, after = request.status, request.status
    if request.realisasi_jumlah is not None and request.hasil_terlayani is not None:
        dana.transition(request, "selesai", turn.now)
        after = "selesai"
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    to = after if after != before else None
    await record(*who, request, action, before, to, amount=amount, data=data)
    if to:
        f = await facts(turn.session, request)
        notice = N_("{reference} ({desa}) is complete: the dana realised and the output are in.")
        await to_kades(turn.session, turn.runtime.texts, turn.now, f, notice)
        await to_requester(turn.session, turn.runtime.texts, turn.now, f, notice)


def _still(turn: Turn, request: DanaRequest) -> str:
    if request.status == "selesai":
        return turn.t("Both parts are in: the request is complete.")
    if request.hasil_terlayani is None:
        return turn.t("The request is complete once the puskesmas reports the activity output.")
    return turn.t("The request is complete once the desa confirms the dana realised.")


async def record_output(turn: Turn, request: DanaRequest, answers: dict[str, Any]) -> bool:
    """The puskesmas's health output (the caller checked who and when); False when refused."""
    day = date.fromisoformat(answers["tanggal"])
    problem = check_day(turn, request, day)
    if problem:
        await refused_entry(turn, request, "output_refused", problem, answers)
        return False
    request.hasil_terlayani, request.hasil_tanggal = answers["terlayani"], day
    request.hasil_by = turn.user.id
    data = {"tanggal": answers["tanggal"], "terlayani": answers["terlayani"]}
    data["sasaran"] = request.sasaran
    f = await facts(turn.session, request)
    notice = N_(
        "The puskesmas reports for {reference} ({desa}): activity carried out, {served} of "
        "{sasaran} people served."
    )
    params = {"served": answers["terlayani"], "sasaran": request.sasaran}
    await to_kades(turn.session, turn.runtime.texts, turn.now, f, notice, **params)
    await _recorded(turn, request, "output", None, data)
    reply = turn.t("Activity output for {reference} recorded.", reference=f.reference)
    turn.say_raw("\n".join((reply, _still(turn, request))))
    return True


def history_entry(event: AuditEvent) -> Text | None:
    """How a realisasi part reads in the request's history."""
    data = event.data or {}
    if event.action == "realised_desa":
        return Text.of(
            N_("dana realised {amount} ({spj})"),
            amount=money(event.amount or 0),
            spj=Text.raw(data.get("spj", "-")),
        )
    if event.action == "output":
        return Text.of(
            N_("activity carried out, {served} of {sasaran} people served"),
            served=data.get("terlayani", 0),
            sasaran=data.get("sasaran", 0),
        )
    return None


def realisasi_lines(turn: Turn, request: DanaRequest) -> list[str]:
    lines = []
    if request.realisasi_jumlah is not None:
        spj = request.realisasi_spj or "-"
        lines.append(
            turn.t(
                "Dana realised: {amount} on {day} ({spj})",
                amount=money(request.realisasi_jumlah),
                day=Day(request.realisasi_tanggal),
                spj=spj,
            )
        )
    if request.hasil_terlayani is not None:
        lines.append(
            turn.t(
                "Output: {served} of {sasaran} people served on {day}",
                served=request.hasil_terlayani,
                sasaran=request.sasaran,
                day=Day(request.hasil_tanggal),
            )
        )
    return lines


def install(runtime: Runtime) -> None:
    runtime.actions["dk"] = on_button
    runtime.submit_handlers["dana_realisasi"] = on_realisation
