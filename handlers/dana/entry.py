"""Dana desa support requests. `/dana` starts a request (puskesmas staff, kader), lists what waits
for a decision (kades) or everything with totals (Dinkes); `/dana status` lists my requests;
`/dana DD-2026-7` shows one request with its history and the buttons the reader may use.

The kades' decisions live in handlers.dana.decision, the requester's follow-ups (withdraw,
revise, realisasi) in handlers.dana.requester, the messages to others in handlers.dana.notify.
"""

from __future__ import annotations

from typing import Any

from conversations.model import N_, Flow
from conversations.parsing import normalize
from db import dana, queries
from db.dana import DanaRequest
from db.models import Desa, User
from handlers.core import media
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.dana import budget
from handlers.dana import decision as dana_decision
from handlers.dana import operators as dana_operators
from handlers.dana import realisasi as dana_realisasi
from handlers.dana import requester as dana_requester
from handlers.dana.common import (
    confirm_sent,
    facts,
    line,
    money,
    place,
    printable,
    record,
    request_context,
    status,
)
from handlers.dana.notify import ask_kades
from handlers.dana.reading import show_request
from handlers.people import roles
from handlers.people.coaching import followed_desa
from handlers.people.roles import Can, Place, can, roles_that

ROLES = roles_that(
    Can.DANA_REQUEST | Can.DANA_DECIDE | Can.DANA_ACCOUNT | Can.DANA_OVERSEE | Can.DANA_FOLLOW
)


async def dana_command(turn: Turn, arg: str) -> None:
    user = turn.user
    assert user is not None
    if dana.REFERENCE.fullmatch(arg.strip()):
        await show_request(turn, arg.strip())
    elif can(user.role, Can.DANA_REQUEST):
        await (my_requests(turn) if normalize(arg) == "status" else start_request(turn))
    elif can(user.role, Can.DANA_DECIDE) or can(user.role, Can.DANA_ACCOUNT):
        await desa_list(turn, user)
    elif can(user.role, Can.DANA_OVERSEE):
        await overview(turn)
    else:  # a camat or a pendamping desa: the desa they coach
        await overview(turn, await followed_desa(turn.session, user))


# --- making a request ------------------------------------------------------------------------


async def places(turn: Turn) -> list[Desa]:
    """Where this user may ask: a kader for their own desa, staff for the desa the puskesmas
    serves, desa first, then the kelurahan (listed, so choosing one can be explained)."""
    user = turn.user
    if roles.place(user.role) == Place.DESA:
        return [await turn.session.get(Desa, user.desa_id)] if user.desa_id else []
    if user.puskesmas_id is None:
        return []
    served = await queries.desa_of_puskesmas(turn.session, user.puskesmas_id)
    return sorted(served, key=lambda d: (d.jenis != "desa", d.nama))


async def start_request(turn: Turn) -> None:
    options = await places(turn)
    if not options:
        turn.say("No desa is linked to your account yet. Please contact the Dinas Kesehatan.")
    elif len(options) == 1:
        await _chosen(turn, options[0])
    else:
        choices = [[str(d.id), _choice_label(turn, d)] for d in options]
        await turn.start_flow("dana_pilih_desa", {"choices": {"dana_desa": choices}})


def _choice_label(turn: Turn, desa: Desa) -> str:
    if desa.jenis == "desa":
        return place(desa)
    return turn.t("{place} (no dana desa)", place=place(desa))


async def on_desa(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    desa = next((d for d in await places(turn) if str(d.id) == answers["desa"]), None)
    if desa is None:
        turn.say("You cannot make a request for this desa.")
        return
    await _chosen(turn, desa)


async def _chosen(turn: Turn, desa: Desa) -> None:
    if desa.jenis == "kelurahan":
        turn.say(
            "{place} is a kelurahan. Kelurahan do not receive dana desa: their health activities "
            "are funded from the kabupaten budget (APBD, dana kelurahan). The request was not "
            "created. Please discuss the funding with the lurah or the camat.",
            place=place(desa),
        )
        return
    await turn.start_flow("dana_desa", request_context(turn, desa))


async def on_request(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    if "revise_id" in context:
        await dana_requester.resubmit(turn, answers)
        return
    desa = next((d for d in await places(turn) if d.id == context["desa_id"]), None)
    if desa is None or desa.jenis != "desa":
        turn.say("You cannot make a request for this desa.")
        return
    request = await _create(turn, desa, answers)
    data = {"overrides": answers.get("_overrides", [])}
    who = (turn.session, turn.now, turn.user, turn.msg.channel)
    await record(*who, request, "created", None, dana.WAITING, amount=request.jumlah, data=data)
    f = await facts(turn.session, request)
    rab = media.attachment(turn.msg.channel, request.rab_foto) if request.rab_foto else None
    texts = turn.runtime.texts
    confirm_sent(turn, f, await ask_kades(turn.session, texts, turn.now, f, attach=rab))


async def _create(turn: Turn, desa: Desa, answers: dict[str, Any]) -> DanaRequest:
    # An activity in another year belongs to that year's APBDes, and is numbered in it.
    year = budget.fiscal_year(answers["bulan"])
    request = DanaRequest(
        year=year,
        number=await dana.next_number(turn.session, year),
        desa_id=desa.id,
        puskesmas_id=turn.user.puskesmas_id,
        requester_id=turn.user.id,
        kategori=answers["kategori"],
        uraian=printable(answers["uraian"]),
        sasaran=answers["sasaran"],
        jumlah=answers["jumlah"],
        bulan=answers["bulan"],
        volume=printable(answers["volume"]),
        pelaksana=answers["pelaksana"],
        rab_foto=answers["rab"]["file_id"] if answers.get("rab") else None,
        status=dana.WAITING,
        version=1,
        created_at=turn.now,
        submitted_at=turn.now,
        updated_at=turn.now,
    )
    turn.session.add(request)
    await turn.session.flush()
    return request


# --- reading requests ----------------------------------------------------------------------


async def _lines(turn: Turn, requests: list[DanaRequest]) -> list[str]:
    texts = turn.runtime.texts
    return [line(texts, turn.locale, await facts(turn.session, r)) for r in requests]


FOOTER = N_("Type /dana followed by the number for details, for example /dana {reference}.")


async def my_requests(turn: Turn) -> None:
    requests = await dana.of_requester(turn.session, turn.user.id)
    if not requests:
        turn.say("You have no dana desa requests yet. Type /dana to make one.")
        return
    lines = [turn.t("Your dana desa requests:"), *await _lines(turn, requests)]
    turn.say_raw("\n".join([*lines, turn.t(FOOTER, reference=requests[0].reference)]))


async def desa_list(turn: Turn, user: User) -> None:
    """The desa's side: what waits for the kades, what was proposed to the RKP Desa (by year),
    and what waits for the dana realised."""
    found = await dana.open_in_desa(turn.session, user.desa_id) if user.desa_id else []
    sections: list[tuple[str, list[DanaRequest], dict[str, str]]] = []
    if can(user.role, Can.DANA_DECIDE):
        waiting = [r for r in found if r.status == dana.WAITING]
        sections.append((N_("Requests waiting for your decision:"), waiting, {}))
        for year in sorted({r.tahun_anggaran or r.year for r in found if r.status == dana.RKP}):
            rkp = [r for r in found if r.status == dana.RKP and r.tahun_anggaran == year]
            sections.append((N_("Proposed to the RKP Desa {tahun}:"), rkp, {"tahun": str(year)}))
    unpaid = [r for r in found if r.status in dana.APPROVED and r.realisasi_jumlah is None]
    sections.append((N_("Approved, waiting for the dana realised:"), unpaid, {}))
    lines: list[str] = []
    for title, requests, params in sections:
        if requests:
            lines += [turn.t(title, **params), *await _lines(turn, requests)]
    if not lines:
        turn.say("No dana desa requests of your desa need anything now.")
        return
    turn.say_raw("\n".join([*lines, turn.t(FOOTER, reference=found[0].reference)]))


async def overview(turn: Turn, desa_ids: list[int] | None = None) -> None:
    """Totals and the latest requests: of every desa (None), or of the desa one coaches."""
    totals = await dana.totals(turn.session, desa_ids)
    if not totals:
        turn.say("There are no dana desa requests yet.")
        return
    lines = [turn.t("Dana desa requests, totals:")]
    for value, count, amount in totals:
        lines.append(
            turn.t(
                "{status}: {count} requests, {amount}",
                status=status(value),
                count=count,
                amount=money(amount),
            )
        )
    requests = await dana.recent(turn.session, desa_ids=desa_ids)
    lines += ["", turn.t("Latest requests:"), *await _lines(turn, requests)]
    turn.say_raw("\n".join([*lines, turn.t(FOOTER, reference=requests[0].reference)]))


async def waiting_for_new_kades(turn: Turn) -> None:
    """Requests made before the desa had a kades in the bot waited for one (the requester was
    told so): a kades who has just registered gets each of them, with the decision buttons."""
    user = turn.user
    if user is None or not can(user.role, Can.DANA_DECIDE) or user.desa_id is None:
        return
    for request in await dana.waiting_in_desa(turn.session, user.desa_id):
        await show_request(turn, request.reference)


def _after_registration(runtime: Runtime) -> None:
    registered = runtime.submit_handlers["registration"]  # menu.install comes first

    async def run(turn: Turn, flow: Flow, answers: dict[str, Any]) -> None:
        await registered(turn, flow, answers)
        await waiting_for_new_kades(turn)

    runtime.submit_handlers["registration"] = run


def install(runtime: Runtime) -> None:
    forms = ("dana_desa",)
    runtime.add_command(
        Command("dana", N_("Dana desa"), ROLES, dana_command, ("danadesa",), drafts=forms)
    )
    runtime.submit_handlers.update({"dana_pilih_desa": on_desa, "dana_desa": on_request})
    dana_decision.install(runtime)
    dana_requester.install(runtime)
    dana_realisasi.install(runtime)
    dana_operators.install(runtime)
    _after_registration(runtime)
