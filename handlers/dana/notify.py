"""Messages about a dana desa request for people other than the one who wrote. Each is rendered
in the recipient's language and written to the outbox in the caller's transaction, so a change
and its messages commit together; the outbox worker delivers them later.

A user with several chats (Telegram and WhatsApp) gets one copy, in the chat they used most
recently and that is not known to be unreachable: a kades must not see two sets of live buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Text
from db import dana, queries
from db.dana import DanaRequest
from db.models import ChannelIdentity, Outbox, User
from handlers.core.inbound import Runtime
from handlers.core.outgoing import Button, Outgoing
from handlers.core.text import Texts
from handlers.dana.budget import route, year_notes
from handlers.dana.common import (
    KATEGORI_LABELS,
    Facts,
    decision_buttons,
    desa_buttons,
    describe,
    facts,
    money,
    record,
    requester_buttons,
    status,
)
from handlers.people.roles import Can, can, roles_that

KADES = "dana_kades"  # a decision to make; if it cannot be delivered the requester is told
REQUESTER = "dana_requester"
DINKES = "dana_dinkes"
INFO = "dana_info"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Render = Callable[[str], tuple[str, tuple[Button, ...]]]


async def best_identity(session: AsyncSession, user_id: int) -> ChannelIdentity | None:
    identities = await queries.identities_of(session, [user_id])
    return max(
        identities,
        key=lambda i: (not i.unreachable, i.last_inbound_at or EPOCH, i.id),
        default=None,
    )


async def send(
    session: AsyncSession,
    now: datetime,
    user: User,
    kind: str,
    request: DanaRequest,
    render: Render,
    attach: dict | None = None,
) -> Outbox | None:
    """One outbox row for `user`, linked to the request; None when the user has no chat.
    `attach`: a stored photo to show with it (handlers.core.media.attachment)."""
    ident = await best_identity(session, user.id)
    if ident is None:
        return None
    text, buttons = render(user.locale)
    out = Outgoing(ident.channel, ident.external_id, text, buttons, build=attach)
    row = await queries.add_outbox(
        session,
        channel=out.channel,
        chat_id=out.chat_id,
        payload=out.to_json(),
        kind=kind,
        now=now,
        user_id=user.id,
    )
    await session.flush()
    dana.link_notice(session, row, request.id)
    return row


async def ask_kades(
    session: AsyncSession,
    texts: Texts,
    now: datetime,
    f: Facts,
    revised: bool = False,
    attach: dict | None = None,
) -> int:
    """The request in full with the decision buttons, to every active kades of the desa, with
    its RAB photo from the media store when there is one (`attach`). Returns how many could be
    reached."""
    request = f.request

    def render(locale: str) -> tuple[str, tuple[Button, ...]]:
        lead = (
            texts(N_("The requester has revised this request."), locale) + "\n" if revised else ""
        )
        tail = texts(
            N_("Please decide with the buttons below. Nothing counts until you confirm."), locale
        )
        notes = "".join(f"\n{n}" for n in year_notes(texts, locale, request, texts.today(now)))
        body = f"{lead}{describe(texts, locale, f)}{notes}\n\n{tail}"
        return body, decision_buttons(texts, locale, request)

    reached = 0
    for kades in await deciders(session, request.desa_id):
        reached += await send(session, now, kades, KADES, request, render, attach) is not None
    return reached


DECIDED = {
    "disetujui": N_(
        "Good news: {reference} ({desa}) was approved by {kades}: {amount}, funded {route}. "
        "The desa spends it and confirms the dana realised; after the activity, report its "
        "output with the button below."
    ),
    "disetujui_sebagian": N_(
        "{reference} ({desa}) was partly approved by {kades}: {amount} of the {requested} "
        "requested, funded {route}. The desa spends it and confirms the dana realised; after "
        "the activity, report its output with the button below."
    ),
    "ditolak": N_("{reference} ({desa}) was rejected by {kades}. Reason: {reason}"),
    "perlu_revisi": N_(
        "{kades} asks for a revision of {reference} ({desa}): {minta}. {reason}\n"
        "Press Revise to change and send it again, or Withdraw."
    ),
    dana.RKP: N_(
        "{kades} proposes {reference} ({desa}) to the musdes for the RKP Desa {tahun}: nothing "
        "is approved for now. Please bring it to the musdes or the lokmin as well; the kepala "
        "desa decides again once the APBDes {tahun} is set."
    ),
}


async def decided(
    session: AsyncSession,
    texts: Texts,
    now: datetime,
    f: Facts,
    kades: User,
    threshold: int,
    minta: Text | None = None,
) -> None:
    """The decision to the requester, to Dinkes above the threshold, to the other kades and,
    for an approval, to the desa's operators who will confirm the realisasi."""
    request = f.request
    params = {
        "reference": f.reference,
        "desa": f.desa,
        "kades": kades.name,
        "amount": money(request.jumlah_disetujui or request.jumlah),
        "requested": money(request.jumlah),
        "reason": request.catatan or "",
        "status": status(request.status),
        "tahun": Text.raw(str(request.tahun_anggaran or request.year)),
        "minta": minta or Text(N_("Something else")),
    }
    way = {"route": lambda locale: route(texts, locale, request) or ""}
    msgid = DECIDED[request.status]
    requester = await session.get(User, request.requester_id)
    render = _plain(texts, msgid, params, request, way)
    await send(session, now, requester, REQUESTER, request, render)
    if request.status in dana.APPROVED and (request.jumlah_disetujui or 0) >= threshold:
        await _tell_overseers(session, texts, now, f, params)
    info = N_("{reference} ({desa}) was decided by {kades}: {status}. No action is needed.")
    for other in await deciders(session, request.desa_id):
        if other.id != kades.id:
            await send(session, now, other, INFO, request, _plain(texts, info, params))
    if request.status in dana.APPROVED:
        await _tell_operators(session, texts, now, f, params, way)


async def _tell_operators(
    session: AsyncSession, texts: Texts, now: datetime, f: Facts, params: dict, way: dict
) -> None:
    msgid = N_(
        "{reference} ({desa}) was approved by {kades}: {amount}, funded {route}. After paying, "
        "confirm the dana realised with its SPJ reference."
    )
    request = f.request
    render = _plain(texts, msgid, params, None, way, lambda loc: desa_buttons(texts, loc, request))
    accountants = roles_that(Can.DANA_ACCOUNT)
    for user in await dana.active_in_desa(session, accountants, request.desa_id):
        if not can(user.role, Can.DANA_DECIDE):  # the kades reads it in the decision's reply
            await send(session, now, user, INFO, request, render)


async def _tell_overseers(
    session: AsyncSession, texts: Texts, now: datetime, f: Facts, params: dict
) -> None:
    msgid = N_(
        "For your information: {reference} for {desa} ({kategori}) was approved by {kades}: "
        "{amount}. Requested by {requester}, {origin}."
    )
    params = {
        **params,
        "kategori": KATEGORI_LABELS.get(f.request.kategori, Text.raw(f.request.kategori)),
        "requester": f.requester,
        "origin": f.puskesmas or f.desa,
    }
    for role in roles_that(Can.HEAR_DANA_APPROVALS):
        for user in await dana.active_users(session, (role,)):
            await send(session, now, user, DINKES, f.request, _plain(texts, msgid, params))


async def deciders(session: AsyncSession, desa_id: int) -> list[User]:
    """The desa's active kepala desa (more than one while a successor registers)."""
    return await dana.active_in_desa(session, roles_that(Can.DANA_DECIDE), desa_id)


async def to_kades(
    session: AsyncSession,
    texts: Texts,
    now: datetime,
    f: Facts,
    msgid: str,
    attach: dict | None = None,
    **params: object,
) -> None:
    """A plain notice (withdrawn, realised) to every active kades of the desa, with the
    evidence photo when there is one (`attach`)."""
    params = {"reference": f.reference, "desa": f.desa, "requester": f.requester, **params}
    for kades in await deciders(session, f.request.desa_id):
        render = _plain(texts, msgid, params)
        await send(session, now, kades, INFO, f.request, render, attach)


async def to_requester(
    session: AsyncSession, texts: Texts, now: datetime, f: Facts, msgid: str, **params: object
) -> None:
    """A notice to the requester, with the buttons the request now offers them."""
    params = {"reference": f.reference, "desa": f.desa, **params}
    requester = await session.get(User, f.request.requester_id)
    await send(
        session, now, requester, REQUESTER, f.request, _plain(texts, msgid, params, f.request)
    )


def _plain(
    texts: Texts,
    msgid: str,
    params: dict,
    request: DanaRequest | None = None,
    per_locale: dict[str, Callable[[str], str]] | None = None,
    buttons: Callable[[str], tuple[Button, ...]] | None = None,
) -> Render:
    """A notice in the recipient's language, with the requester's buttons when `request` is
    given (or other `buttons`), and parameters that are themselves rendered per language."""

    def render(locale: str) -> tuple[str, tuple[Button, ...]]:
        extra = {k: f(locale) for k, f in (per_locale or {}).items()}
        shown: tuple[Button, ...] = ()
        if buttons is not None:
            shown = buttons(locale)
        elif request is not None:
            shown = requester_buttons(texts, locale, request)
        return texts(msgid, locale, **params, **extra), shown

    return render


def install_failure_hooks(runtime: Runtime) -> None:
    """A decision message that cannot reach a kades (blocked bot, no WhatsApp) tells the
    requester, whether the sender finds it out or WhatsApp reports it later."""
    texts = runtime.texts

    async def kades_unreachable(session: AsyncSession, row: Outbox, now: datetime) -> None:
        request = await dana.notice_request(session, row.id)
        kades = await session.get(User, row.user_id) if row.user_id else None
        if request is None or kades is None or request.status != dana.WAITING:
            return
        f = await facts(session, request)
        data = {"kades_user_id": kades.id, "outbox_id": row.id}
        await record(
            session,
            now,
            None,
            row.channel,
            request,
            "kades_unreachable",
            reason=row.last_error,
            data=data,
        )
        msgid = N_(
            "The kepala desa {kades} could not be reached through the bot for {reference} "
            "({desa}). The request still waits; please contact the kepala desa directly."
        )
        params = {"kades": kades.name, "reference": f.reference, "desa": f.desa}
        requester = await session.get(User, request.requester_id)
        await send(session, now, requester, REQUESTER, request, _plain(texts, msgid, params))

    runtime.delivery_failed[KADES] = kades_unreachable
