"""What the requester does after sending: withdraw while it waits, revise and send again when
the kades asks, and report the activity's health output once approved (the desa confirms the
money: handlers.dana.realisasi). The buttons (`dr:<id>:<action>:<version>`)
come in messages through the outbox; every change re-checks under a row lock."""

from __future__ import annotations

from typing import Any

from conversations import engine
from conversations.model import N_, Flow, Outcome, Reply, ReplyEvent, State, Text
from db import dana
from db.dana import DanaRequest
from db.models import Desa, User
from handlers.core import media
from handlers.core.inbound import Runtime
from handlers.core.turn import Turn
from handlers.dana import budget
from handlers.dana.common import (
    Facts,
    confirm_sent,
    facts,
    parse_button,
    printable,
    record,
    refuse,
    request_context,
    stale_message,
    status,
)
from handlers.dana.notify import ask_kades, to_kades
from handlers.dana.realisasi import record_output

ALLOWED = {
    "tarik": (dana.WAITING, "perlu_revisi"),
    "rev": ("perlu_revisi",),
    "real": dana.APPROVED,
}
FIELDS = ("kategori", "uraian", "volume", "sasaran", "jumlah", "bulan", "pelaksana")
NOT_YOURS = N_("Sorry, only the person who made request {reference} can do this.")
NOT_NOW = N_("This cannot be done now: {reference} is {status}.")


def _why_not(
    user: User | None, request: DanaRequest, version: int, action: str
) -> tuple[str, str] | None:
    """(audit reason, message) when this user may not do `action` on this version now."""
    if user is None or user.id != request.requester_id:
        return "not_requester", NOT_YOURS
    message = stale_message(request, version)
    if message is None and request.status not in ALLOWED[action]:
        message = NOT_NOW
    if message is None and action == "real" and request.hasil_terlayani is not None:
        message = N_("The output of {reference} was already reported.")
    return ("stale", message) if message else None


async def _refused(turn: Turn, request: DanaRequest, version: int, action: str) -> bool:
    problem = _why_not(turn.user, request, version, action)
    if problem is None:
        return False
    params = {"reference": request.reference, "status": status(request.status)}
    await refuse(turn, request, problem[0], problem[1], **params)
    return True


async def on_button(turn: Turn, parts: list[str]) -> None:
    parsed = parse_button(parts)
    request = await turn.session.get(DanaRequest, parsed[0]) if parsed else None
    if parsed is None or request is None or parsed[1] not in ALLOWED:
        await refuse(turn, request, "forged", N_("This button is not valid."))
        return
    _, action, version = parsed
    if await _refused(turn, request, version, action):
        return
    f = await facts(turn.session, request)
    context = {
        "request_id": request.id,
        "version": request.version,
        "params": {"reference": f.reference, "desa": f.desa},
    }
    if action == "tarik":
        await turn.start_flow("dana_tarik", context)
    elif action == "real":
        context["params"]["sasaran"] = str(request.sasaran)
        await turn.start_flow("dana_hasil", {**context, "soft_max": {"terlayani": request.sasaran}})
    else:
        await _open_for_revision(turn, f)


# --- withdraw -------------------------------------------------------------------------------


async def on_withdraw(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    if not answers["ok"]:
        turn.say("Not withdrawn; {reference} stays as it is.", **context["params"])
        return
    request = await dana.lock(turn.session, context["request_id"])
    if await _refused(turn, request, context["version"], "tarik"):
        return
    before = dana.transition(request, "dibatalkan", turn.now)
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    await record(*who, request, "withdrawn", before, request.status)
    f = await facts(turn.session, request)
    if before == dana.WAITING:
        notice = N_("{reference} ({desa}) was withdrawn by {requester}. No decision is needed.")
        await to_kades(turn.session, turn.runtime.texts, turn.now, f, notice)
    turn.say("Request {reference} was withdrawn.", reference=f.reference)


# --- revise and send again ------------------------------------------------------------------


async def _open_for_revision(turn: Turn, f: Facts) -> None:
    """Opens the request form at its summary with the earlier answers: change, then Send."""
    request = f.request
    flow = turn.runtime.flows["dana_desa"]
    desa = await turn.session.get(Desa, request.desa_id)
    context = request_context(turn, desa, revise_id=request.id, version=request.version)
    state = State(
        flow=flow.name,
        version=flow.version,
        step=engine.REVIEW,
        answers=_answers(request),
        history=list(flow.keys),
        context=context,
        nonce=turn.nonce + 1,
        updated_at=turn.now.isoformat(),
    )
    kades = await turn.session.get(User, request.decided_by) if request.decided_by else None
    lead = Text.of(
        N_("{kades} asks: “{note}”. Change what is needed, then press Send."),
        kades=kades.name if kades else "-",
        note=request.catatan or "",
    )
    summary = engine.current_reply(flow, state)
    reply = Reply((lead, *summary.parts), summary.choices)
    await turn.apply(flow, Outcome(state, (ReplyEvent(reply),)))


def _answers(request: DanaRequest) -> dict[str, Any]:
    """The request's answers as the form holds them (the RAB photo as a photo answer)."""
    answers = {key: getattr(request, key) for key in FIELDS}
    answers["rab"] = {"file_id": request.rab_foto} if request.rab_foto else None
    return answers


async def resubmit(turn: Turn, answers: dict[str, Any]) -> None:
    context = turn.state.context
    request = await dana.lock(turn.session, context["revise_id"])
    if await _refused(turn, request, context["version"], "rev"):
        return
    changes = {
        k: [getattr(request, k), answers[k]] for k in FIELDS if getattr(request, k) != answers[k]
    }
    for key in FIELDS:
        value = answers[key]
        setattr(request, key, printable(value) if key in ("uraian", "volume") else value)
    rab = answers["rab"]["file_id"] if answers.get("rab") else None
    if rab != request.rab_foto:
        changes["rab"] = [request.rab_foto, rab]
    request.rab_foto = rab
    year = budget.fiscal_year(request.bulan)
    if year != request.year:  # moved to another tahun anggaran: numbered in that year
        old = request.reference
        request.year, request.number = year, await dana.next_number(turn.session, year)
        changes["reference"] = [old, request.reference]
    before = dana.transition(request, dana.WAITING, turn.now)
    request.submitted_at = turn.now
    request.catatan = request.decided_by = request.decided_at = None
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    data = {"changes": changes, "overrides": answers.get("_overrides", [])}
    await record(
        *who, request, "resubmitted", before, dana.WAITING, amount=request.jumlah, data=data
    )
    f = await facts(turn.session, request)
    rab = media.attachment(turn.msg.channel, request.rab_foto) if request.rab_foto else None
    texts = turn.runtime.texts
    confirm_sent(turn, f, await ask_kades(turn.session, texts, turn.now, f, True, attach=rab))


# --- the health output ---------------------------------------------------------------------


async def on_output(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    request = await dana.lock(turn.session, context["request_id"])
    if await _refused(turn, request, context["version"], "real"):
        return
    if not await record_output(turn, request, answers):
        await turn.start_flow("dana_hasil", context)


def install(runtime: Runtime) -> None:
    runtime.actions["dr"] = on_button
    runtime.submit_handlers.update({"dana_tarik": on_withdraw, "dana_hasil": on_output})
