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
from db.models import Desa, MediaItem, User
from handlers.core import media
from handlers.core.inbound import Command, Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.turn import Turn
from handlers.dana import decision as dana_decision
from handlers.dana import requester as dana_requester
from handlers.dana.common import (
    confirm_sent,
    decision_buttons,
    describe,
    facts,
    line,
    money,
    place,
    printable,
    record,
    request_context,
    requester_buttons,
    say_with_buttons,
    status,
)
from handlers.dana.notify import ask_kades
from handlers.people import roles
from handlers.people.roles import Can, Place, can, roles_that

ROLES = roles_that(Can.DANA_REQUEST | Can.DANA_DECIDE | Can.DANA_OVERSEE)


async def dana_command(turn: Turn, arg: str) -> None:
    user = turn.user
    assert user is not None
    if dana.REFERENCE.fullmatch(arg.strip()):
        await show_request(turn, arg.strip())
    elif can(user.role, Can.DANA_REQUEST):
        await (my_requests(turn) if normalize(arg) == "status" else start_request(turn))
    elif can(user.role, Can.DANA_DECIDE):
        await waiting_list(turn, user)
    else:
        await overview(turn)


# --- making a request ------------------------------------------------------------------------


async def places(turn: Turn) -> list[Desa]:
    """Where this user may ask: a kader for their own desa, staff for the desa the puskesmas
    serves (kelurahan included, so choosing one can be explained)."""
    user = turn.user
    if roles.place(user.role) == Place.DESA:
        return [await turn.session.get(Desa, user.desa_id)] if user.desa_id else []
    if user.puskesmas_id is None:
        return []
    return await queries.desa_of_puskesmas(turn.session, user.puskesmas_id)


async def start_request(turn: Turn) -> None:
    options = await places(turn)
    if not options:
        turn.say("No desa is linked to your account yet. Please contact the Dinas Kesehatan.")
    elif len(options) == 1:
        await _chosen(turn, options[0])
    else:
        choices = [[str(d.id), place(d)] for d in options]
        await turn.start_flow("dana_pilih_desa", {"choices": {"dana_desa": choices}})


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
    confirm_sent(turn, f, await ask_kades(turn.session, turn.runtime.texts, turn.now, f))


async def _create(turn: Turn, desa: Desa, answers: dict[str, Any]) -> DanaRequest:
    year = turn.runtime.texts.today(turn.now).year
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


async def waiting_list(turn: Turn, user: User) -> None:
    requests = await dana.waiting_in_desa(turn.session, user.desa_id) if user.desa_id else []
    if not requests:
        turn.say("No dana desa requests are waiting for your decision.")
        return
    lines = [turn.t("Requests waiting for your decision:"), *await _lines(turn, requests)]
    turn.say_raw("\n".join([*lines, turn.t(FOOTER, reference=requests[0].reference)]))


async def overview(turn: Turn) -> None:
    totals = await dana.totals(turn.session)
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
    requests = await dana.recent(turn.session)
    lines += ["", turn.t("Latest requests:"), *await _lines(turn, requests)]
    turn.say_raw("\n".join([*lines, turn.t(FOOTER, reference=requests[0].reference)]))


def may_read(user: User, request: DanaRequest) -> bool:
    return (
        user.id == request.requester_id
        or can(user.role, Can.DANA_OVERSEE)
        or (can(user.role, Can.DANA_DECIDE) and user.desa_id == request.desa_id)
        or (
            can(user.role, Can.DANA_REQUEST)
            and request.puskesmas_id is not None
            and user.puskesmas_id == request.puskesmas_id
        )
    )


async def show_request(turn: Turn, reference: str) -> None:
    request = await dana.by_reference(turn.session, reference)
    if request is None or not may_read(turn.user, request):
        turn.say("No request {reference} was found for you.", reference=reference.upper())
        return
    texts, locale, user = turn.runtime.texts, turn.locale, turn.user
    f = await facts(turn.session, request)
    lines = [describe(texts, locale, f), turn.t("Status: {status}", status=status(request.status))]
    if request.jumlah_disetujui is not None:
        lines.append(turn.t("Approved: {amount}", amount=money(request.jumlah_disetujui)))
    if request.catatan:
        lines.append(turn.t("Note from the kepala desa: {note}", note=request.catatan))
    if request.realisasi_jumlah is not None:
        lines.append(
            turn.t(
                "Used: {amount} on {day}",
                amount=money(request.realisasi_jumlah),
                day=request.realisasi_tanggal,
            )
        )
    photo = await media.by_file_id(turn.session, request.realisasi_foto)
    if photo is not None:
        lines.append(_photo_line(turn, photo))
    lines += ["", turn.t("History:"), *await _history(turn, request)]
    buttons = ()
    if user.id == request.requester_id:
        buttons = requester_buttons(texts, locale, request)
    elif dana_decision.may_decide(user, request) and request.status == dana.WAITING:
        buttons = decision_buttons(texts, locale, request)
    say_with_buttons(turn, "\n".join(lines), buttons)
    if photo is not None and photo.status == "stored":  # the receipt itself, from the store
        caption = turn.t("Receipt photo of {reference}", reference=f.reference)
        attach = media.attachment(photo.channel, photo.file_id)
        turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, caption, build=attach))


def _photo_line(turn: Turn, photo: MediaItem) -> str:
    if photo.status == "stored":
        return turn.t("Receipt photo: kept (sha256 {hash}…)", hash=(photo.sha256 or "")[:12])
    if photo.status == "pending":
        return turn.t("Receipt photo: still being fetched")
    return turn.t("Receipt photo: not kept ({why})", why=photo.status)


async def _history(turn: Turn, request: DanaRequest) -> list[str]:
    lines = []
    for event in await dana.history(turn.session, request.id):
        if event.to_status is None:  # refusals and delivery problems stay in the audit only
            continue
        actor = await turn.session.get(User, event.actor_user_id) if event.actor_user_id else None
        lines.append(
            turn.t(
                "{when}: {status} ({who})",
                when=turn.runtime.texts.moment(event.at, turn.locale),
                status=status(event.to_status),
                who=actor.name if actor else "-",
            )
        )
    return lines


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
    _after_registration(runtime)
