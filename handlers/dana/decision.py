"""The kepala desa decides on a dana desa request, naming its budget route.

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
from handlers.dana import budget
from handlers.dana.budget import ROUTE_LABELS
from handlers.dana.common import (
    MINTA_LABELS,
    Facts,
    acts_for_desa,
    decision_buttons,
    desa_buttons,
    facts,
    money,
    parse_button,
    printable,
    record,
    refuse,
    refused_for,
    say_with_buttons,
    stale_message,
    status,
)
from handlers.dana.notify import decided
from handlers.people.roles import Can, can

FLOWS = {
    "a": "dana_apbdes",
    "u": "dana_setuju",
    "b": "dana_setuju",
    "k": "dana_rkp",
    "p": "dana_sebagian",
    "t": "dana_tolak",
    "r": "dana_revisi",
    "s": "",  # the bare "Setujui" of messages sent before routes: answered with today's buttons
}
TARGETS = {"a": "disetujui", "u": "disetujui", "b": "disetujui", "k": dana.RKP}
TARGETS |= {"t": "ditolak", "r": "perlu_revisi"}
ROUTES = {"a": "apbdes", "u": "perubahan", "b": "btt", "k": "rkp"}
NOT_KADES = N_("Sorry, only the kepala desa of {desa} can decide on this request.")
DECIDED = N_("Request {reference} has already been decided: {status}.")


def may_decide(user: User | None, request: DanaRequest) -> bool:
    return acts_for_desa(user, request, Can.DANA_DECIDE)


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
    if message is None and request.status not in dana.DECIDABLE:
        message = DECIDED
    return ("stale", message) if message else None


async def _refused(turn: Turn, request: DanaRequest, version: int) -> bool:
    return await refused_for(turn, request, _why_not(turn.user, request, version))


async def on_button(turn: Turn, parts: list[str]) -> None:
    parsed = parse_button(parts)
    request = await turn.session.get(DanaRequest, parsed[0]) if parsed else None
    if parsed is None or request is None or parsed[1] not in FLOWS:
        await refuse(turn, request, "forged", N_("This button is not valid."))
        return
    _, action, version = parsed
    if await _refused(turn, request, version):
        return
    if action == "s":
        text = turn.t("Each approval now names its budget route. Please choose:")
        say_with_buttons(turn, text, decision_buttons(turn.runtime.texts, turn.locale, request))
        return
    f = await facts(turn.session, request)
    context = _context(f, turn.locale)
    if action in TARGETS:
        context.update(to=TARGETS[action], amount=request.jumlah)
        context["params"]["amount"] = format_money(request.jumlah, turn.locale)
    if action in ROUTES:
        _set_route(turn, context, ROUTES[action])
    await turn.start_flow(FLOWS[action], context)


def budget_year(request: DanaRequest) -> int:
    """The tahun anggaran an approval names: the activity's year, or the RKP Desa's year once
    proposed there."""
    return request.tahun_anggaran if request.status == dana.RKP else request.year


def _context(f: Facts, locale: str) -> dict[str, Any]:
    request = f.request
    uraian = request.uraian if len(request.uraian) <= 80 else request.uraian[:77] + "…"
    year = budget_year(request)
    params = {
        "reference": f.reference,
        "desa": f.desa,
        "requested": format_money(request.jumlah, locale),
        "kegiatan": uraian,
        "tahun": str(year),
    }
    kegiatan = [[kode, f"{kode} {nama}"] for kode, nama in budget.kegiatan()]
    return {
        "request_id": request.id,
        "version": request.version,
        "year": year,
        "params": params,
        "choices": {"dana_kegiatan": kegiatan},
    }


def _set_route(turn: Turn, context: dict[str, Any], rute: str, kegiatan: str | None = None) -> None:
    """The route, its tahun anggaran (the RKP Desa's is the next year) and how the question
    names it."""
    year = context["year"] + (1 if rute == "rkp" else 0)
    context.update(rute=rute, tahun=year, kegiatan=kegiatan)
    shown = turn.t(ROUTE_LABELS[rute], tahun=str(year))
    if kegiatan:
        shown = f"{shown} ({kegiatan} {budget.kegiatan_name(kegiatan)})"
    context["params"].update(route=shown, tahun=str(year))


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
    await turn.start_flow("dana_rute", {**context, "to": to, "amount": amount, "params": params})


async def on_route(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    """A partial approval's route: the APBDes asks for its kegiatan, the others confirm."""
    context = dict(turn.state.context)
    request = await turn.session.get(DanaRequest, context["request_id"])
    if await _refused(turn, request, context["version"]):
        return
    _set_route(turn, context, answers["rute"])
    await turn.start_flow("dana_apbdes" if answers["rute"] == "apbdes" else "dana_setuju", context)


async def on_kegiatan(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    """The APBDes kegiatan chosen: the last question is the confirmation."""
    context = dict(turn.state.context)
    request = await turn.session.get(DanaRequest, context["request_id"])
    if await _refused(turn, request, context["version"]):
        return
    _set_route(turn, context, "apbdes", answers["kegiatan"])
    await turn.start_flow("dana_setuju", context)


async def on_confirm(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    if not answers["ok"]:  # the request's buttons come back: deciding later is one tap away
        request = await turn.session.get(DanaRequest, context["request_id"])
        text = turn.t(
            "Nothing was decided; {reference} still waits for your decision.",
            reference=context["params"]["reference"],
        )
        fresh = request is not None and request.status in dana.DECIDABLE
        buttons = decision_buttons(turn.runtime.texts, turn.locale, request) if fresh else ()
        say_with_buttons(turn, text, buttons)
        return
    reason = answers.get("alasan") or answers.get("catatan")
    reason = printable(reason) if reason else None
    if answers.get("minta"):
        context = {**context, "minta": answers["minta"]}
    await decide(turn, context, context["to"], reason)


async def decide(turn: Turn, context: dict[str, Any], to: str, reason: str | None) -> None:
    """The one place a decision happens: locked, checked again, recorded, announced."""
    request = await dana.lock(turn.session, context["request_id"])
    if request is None or await _refused(turn, request, context["version"]):
        return
    amount = context.get("amount") if to in dana.APPROVED else None
    before = dana.transition(request, to, turn.now)
    request.jumlah_disetujui = amount
    request.catatan = reason
    request.rute, request.tahun_anggaran = context.get("rute"), context.get("tahun")
    request.kegiatan_apbdes = context.get("kegiatan")
    request.decided_by, request.decided_at = turn.user.id, turn.now
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    data = {k: context[k] for k in ("rute", "tahun", "kegiatan", "minta") if context.get(k)}
    await record(*who, request, "decided", before, to, amount=amount, reason=reason, data=data)
    f = await facts(turn.session, request)
    minta = MINTA_LABELS.get(context.get("minta", ""))
    settings, texts = turn.runtime.settings, turn.runtime.texts
    await decided(
        turn.session, texts, turn.now, f, turn.user, settings.dana_dinkes_threshold, minta
    )
    text = turn.t(
        "Recorded: {reference} is now {status}. The requester is being told.",
        reference=f.reference,
        status=status(to),
    )
    if to in dana.APPROVED:  # the desa spends it: the kades confirms the realisasi later
        text += "\n" + turn.t(
            "After the activity, confirm the dana realised with its SPJ reference here, or "
            "invite your operator desa with /operator to do it."
        )
    say_with_buttons(turn, text, desa_buttons(texts, turn.locale, request))


def install(runtime: Runtime) -> None:
    runtime.actions["dd"] = on_button
    runtime.submit_handlers.update(
        {
            "dana_sebagian": on_partial_amount,
            "dana_rute": on_route,
            "dana_apbdes": on_kegiatan,
            "dana_setuju": on_confirm,
            "dana_rkp": on_confirm,
            "dana_tolak": on_confirm,
            "dana_revisi": on_confirm,
        }
    )
