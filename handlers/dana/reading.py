"""`/dana DD-2026-7`: one request in full, with its route, the two parts of its realisasi, its
history, and the buttons this reader may use now (the requester's, the kades' decision, or the
desa's realisasi). Who may read it: the requester, the puskesmas's staff, the desa side, and
those who oversee dana desa."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Text
from db import dana
from db.dana import DanaRequest
from db.models import MediaItem, User
from handlers.core import media
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import Turn
from handlers.dana import budget
from handlers.dana import decision as dana_decision
from handlers.dana import realisasi as dana_realisasi
from handlers.dana.budget import route
from handlers.dana.common import (
    decision_buttons,
    desa_buttons,
    describe,
    facts,
    money,
    requester_buttons,
    say_with_buttons,
    status,
)
from handlers.dana.realisasi import realisasi_lines
from handlers.people.coaching import followed_desa
from handlers.people.roles import Can, can


async def may_read(session: AsyncSession, user: User, request: DanaRequest) -> bool:
    if can(user.role, Can.DANA_FOLLOW):  # a camat or pendamping desa: the desa they coach
        return request.desa_id in (await followed_desa(session, user) or ())
    return (
        user.id == request.requester_id
        or can(user.role, Can.DANA_OVERSEE)
        or (can(user.role, Can.DANA_DECIDE) and user.desa_id == request.desa_id)
        or (can(user.role, Can.DANA_ACCOUNT) and user.desa_id == request.desa_id)
        or (
            can(user.role, Can.DANA_REQUEST)
            and request.puskesmas_id is not None
            and user.puskesmas_id == request.puskesmas_id
        )
    )


async def show_request(turn: Turn, reference: str) -> None:
    request = await dana.by_reference(turn.session, reference)
    if request is None or not await may_read(turn.session, turn.user, request):
        turn.say("No request {reference} was found for you.", reference=reference.upper())
        return
    texts, locale = turn.runtime.texts, turn.locale
    f = await facts(turn.session, request)
    lines = [describe(texts, locale, f), turn.t("Status: {status}", status=status(request.status))]
    if request.jumlah_disetujui is not None:
        lines.append(turn.t("Approved: {amount}", amount=money(request.jumlah_disetujui)))
    way = route(texts, locale, request)
    if way:
        lines.append(turn.t("Budget route: {route}", route=way))
    if request.kegiatan_apbdes:
        name = budget.kegiatan_name(request.kegiatan_apbdes) or ""
        lines.append(
            turn.t("APBDes kegiatan: {kode} {nama}", kode=request.kegiatan_apbdes, nama=name)
        )
    if request.catatan:
        lines.append(turn.t("Note from the kepala desa: {note}", note=request.catatan))
    lines += realisasi_lines(turn, request)
    photos = [
        (label, item)
        for label, file_id in ((RAB, request.rab_foto), (RECEIPT, request.realisasi_foto))
        if (item := await media.by_file_id(turn.session, file_id)) is not None
    ]
    lines += [_photo_line(turn, label, item) for label, item in photos]
    lines += ["", turn.t("History:"), *await _history(turn, request)]
    say_with_buttons(turn, "\n".join(lines), _buttons(turn, request))
    for label, item in photos:  # the evidence itself, from the media store
        if item.status == "stored":
            caption = turn.t("{photo} of {reference}", photo=Text(label), reference=f.reference)
            attach = media.attachment(item.channel, item.file_id)
            turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, caption, build=attach))


RAB, RECEIPT = N_("RAB photo"), N_("Receipt photo")


def _photo_line(turn: Turn, label: str, item: MediaItem) -> str:
    if item.status == "stored":
        return turn.t(
            "{photo}: kept (sha256 {hash}…)", photo=Text(label), hash=(item.sha256 or "")[:12]
        )
    if item.status == "pending":
        return turn.t("{photo}: still being fetched", photo=Text(label))
    return turn.t("{photo}: not kept ({why})", photo=Text(label), why=item.status)


def _buttons(turn: Turn, request: DanaRequest) -> tuple[Button, ...]:
    """What this reader may do now: the requester's, the kades' decision, the desa's realisasi."""
    texts, locale, user = turn.runtime.texts, turn.locale, turn.user
    if user.id == request.requester_id:
        return requester_buttons(texts, locale, request)
    if dana_decision.may_decide(user, request) and request.status in dana.DECIDABLE:
        return decision_buttons(texts, locale, request)
    if dana_realisasi.may_account(user, request):
        return desa_buttons(texts, locale, request)
    return ()


async def _history(turn: Turn, request: DanaRequest) -> list[str]:
    lines = []
    for event in await dana.history(turn.session, request.id):
        what = dana_realisasi.history_entry(event)
        if what is None and event.to_status is not None:
            what = status(event.to_status)
        if what is None:  # refusals and delivery problems stay in the audit only
            continue
        actor = await turn.session.get(User, event.actor_user_id) if event.actor_user_id else None
        lines.append(
            turn.t(
                "{when}: {status} ({who})",
                when=turn.runtime.texts.moment(event.at, turn.locale),
                status=what,
                who=actor.name if actor else "-",
            )
        )
    return lines
