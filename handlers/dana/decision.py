"""The kepala desa decides on a dana desa request.

The decision buttons (`dd:<id>:<action>:<version>`) arrive through the outbox, so they are not
questions of a conversation: a press is checked (a kades of that desa, the request still waiting,
the button of its current version) and starts a short flow in the kades' chat — the approved
amount, the reason or the note, then Yes/No. Only that last Yes changes anything: under a row
lock it checks everything again, moves the request, writes the audit entry and the outbox rows
in the one transaction. A second kades confirming at the same moment finds it already decided.
"""

from __future__ import annotations

from typing import Any

from conversations.model import N_, Flow
from db import dana
from db.dana import DanaRequest
from db.models import User
from handlers.core.inbound import Runtime
from handlers.core.text import format_money
from handlers.core.turn import Turn
from handlers.dana.common import (
    Facts,
    decision_buttons,
    facts,
    money,
    parse_button,
    printable,
    record,
    refuse,
    say_with_buttons,
    stale_message,
    status,
)
from handlers.dana.notify import decided
from handlers.people.roles import Can, can

FLOWS = {"s": "dana_setuju", "p": "dana_sebagian", "t": "dana_tolak", "r": "dana_revisi"}
TARGETS = {"s": "disetujui", "t": "ditolak", "r": "perlu_revisi"}
NOT_KADES = N_("Sorry, only the kepala desa of {desa} can decide on this request.")
DECIDED = N_("Request {reference} has already been decided: {status}.")


def may_decide(user: User | None, request: DanaRequest) -> bool:
    return (
        user is not None
        and user.active
        and can(user.role, Can.DANA_DECIDE)
        and user.desa_id == request.desa_id
    )


def _why_not(user: User | None, request: DanaRequest, version: int) -> tuple[str, str] | None:
    """(audit reason, message) when this user may not decide this version now."""
    if not may_decide(user, request):
        other_desa = (
            user is not None and can(user.role, Can.DANA_DECIDE) and user.desa_id != request.desa_id
        )
        if user is not None and can(user.role, Can.DANA_FOLLOW):
            return "read_only", NOT_KADES  # a camat or a pendamping desa coaches, never decides
        return ("other_desa" if other_desa else "not_kades"), NOT_KADES
    message = stale_message(request, version)
    if message is None and request.status != dana.WAITING:
        message = DECIDED
    return ("stale", message) if message else None


async def _refused(turn: Turn, request: DanaRequest, version: int) -> bool:
    problem = _why_not(turn.user, request, version)
    if problem is None:
        return False
    f = await facts(turn.session, request)
    params = {"reference": f.reference, "desa": f.desa, "status": status(request.status)}
    await refuse(turn, request, problem[0], problem[1], **params)
    return True


async def on_button(turn: Turn, parts: list[str]) -> None:
    parsed = parse_button(parts)
    request = await turn.session.get(DanaRequest, parsed[0]) if parsed else None
    if parsed is None or request is None or parsed[1] not in FLOWS:
        await refuse(turn, request, "forged", N_("This button is not valid."))
        return
    _, action, version = parsed
    if await _refused(turn, request, version):
        return
    f = await facts(turn.session, request)
    context = _context(f, turn.locale)
    if action in TARGETS:
        context["to"] = TARGETS[action]
    if action == "s":
        context.update(amount=request.jumlah)
        context["params"]["amount"] = format_money(request.jumlah, turn.locale)
    await turn.start_flow(FLOWS[action], context)


def _context(f: Facts, locale: str) -> dict[str, Any]:
    request = f.request
    uraian = request.uraian if len(request.uraian) <= 80 else request.uraian[:77] + "…"
    params = {
        "reference": f.reference,
        "desa": f.desa,
        "requested": format_money(request.jumlah, locale),
        "kegiatan": uraian,
    }
    return {"request_id": request.id, "version": request.version, "params": params}


async def on_partial_amount(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    request = await turn.session.get(DanaRequest, context["request_id"])
    if await _refused(turn, request, context["version"]):
        return
    amount = answers["jumlah"]
    if amount > request.jumlah:
        turn.say(
            "The approved amount cannot be more than the {requested} requested.",
            requested=money(request.jumlah),
        )
        await turn.start_flow("dana_sebagian", context)
        return
    whole = amount == request.jumlah
    shown = turn.t(
        "{approved} of the {requested} requested",
        approved=money(amount),
        requested=money(request.jumlah),
    )
    params = {**context["params"], "amount": format_money(amount, turn.locale) if whole else shown}
    to = "disetujui" if whole else "disetujui_sebagian"
    await turn.start_flow("dana_setuju", {**context, "to": to, "amount": amount, "params": params})


async def on_confirm(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    if not answers["ok"]:  # the request's buttons come back: deciding later is one tap away
        request = await turn.session.get(DanaRequest, context["request_id"])
        text = turn.t(
            "Nothing was decided; {reference} still waits for your decision.",
            reference=context["params"]["reference"],
        )
        fresh = request is not None and request.status == dana.WAITING
        buttons = decision_buttons(turn.runtime.texts, turn.locale, request) if fresh else ()
        say_with_buttons(turn, text, buttons)
        return
    reason = answers.get("alasan") or answers.get("catatan")
    reason = printable(reason) if reason else None
    await decide(turn, context, context["to"], context.get("amount"), reason)


async def decide(
    turn: Turn, context: dict[str, Any], to: str, amount: int | None, reason: str | None
) -> None:
    """The one place a decision happens: locked, checked again, recorded, announced."""
    request = await dana.lock(turn.session, context["request_id"])
    if request is None or await _refused(turn, request, context["version"]):
        return
    before = dana.transition(request, to, turn.now)
    request.jumlah_disetujui = amount if to in dana.APPROVED else None
    request.catatan = reason
    request.decided_by, request.decided_at = turn.user.id, turn.now
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    await record(*who, request, "decided", before, to, amount=amount, reason=reason)
    f = await facts(turn.session, request)
    threshold = turn.runtime.settings.dana_dinkes_threshold
    await decided(turn.session, turn.runtime.texts, turn.now, f, turn.user, threshold)
    turn.say(
        "Recorded: {reference} is now {status}. The requester is being told.",
        reference=f.reference,
        status=status(to),
    )


def install(runtime: Runtime) -> None:
    runtime.actions["dd"] = on_button
    runtime.submit_handlers.update(
        {
            "dana_sebagian": on_partial_amount,
            "dana_setuju": on_confirm,
            "dana_tolak": on_confirm,
            "dana_revisi": on_confirm,
        }
    )
