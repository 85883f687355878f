"""What every part of the dana desa use case shares: how a request reads in a message, its
buttons, and the audit trail (who, role, channel, when, from → to, amount, reason)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.dana_desa import KATEGORI, PELAKSANA
from conversations.forms.dana_keputusan import MINTA
from conversations.model import N_, Money, Text
from db import dana, queries
from db.dana import DanaRequest
from db.models import Desa, Puskesmas, User
from handlers.core.outgoing import Button, Outgoing
from handlers.core.privacy import masked
from handlers.core.text import Texts, format_month
from handlers.core.turn import Turn
from handlers.dana.budget import route, year_notes
from handlers.people import roles
from handlers.people.roles import Can, can

log = logging.getLogger(__name__)
STATUS_LABELS = {
    "diajukan": N_("waiting for decision"),
    "disetujui": N_("approved"),
    "disetujui_sebagian": N_("partly approved"),
    "ditolak": N_("rejected"),
    "perlu_revisi": N_("revision requested"),
    "diusulkan_rkp": N_("proposed to the RKP Desa"),
    "dibatalkan": N_("withdrawn"),
    "selesai": N_("completed"),
}
KATEGORI_LABELS = {c.value: c.label for c in KATEGORI}
PELAKSANA_LABELS = {c.value: c.label for c in PELAKSANA}
MINTA_LABELS = {c.value: c.label for c in MINTA}
# The kades' buttons: each approval names its route; "{tahun}" is the request's tahun anggaran.
DECISION_BUTTONS = (
    ("a", N_("Approve — already in the APBDes {tahun}")),
    ("u", N_("Approve — through a perubahan APBDes")),
    ("b", N_("Approve — belanja tidak terduga (KLB/emergency)")),
    ("k", N_("Propose to the musdes / RKP Desa {next}")),
    ("p", N_("Approve in part")),
    ("t", N_("Reject")),
    ("r", N_("Ask for revision")),
)


@dataclass(frozen=True)
class Facts:
    """A request with the names a message about it shows."""

    request: DanaRequest
    desa: str
    requester: str
    requester_role: str
    puskesmas: str | None

    @property
    def reference(self) -> str:
        return self.request.reference


def acts_for_desa(user: User | None, request: DanaRequest, capability: Can) -> bool:
    """An active user of the request's own desa with `capability` (deciding, accounting)."""
    return (
        user is not None
        and user.active
        and can(user.role, capability)
        and user.desa_id == request.desa_id
    )


def place(desa: Desa) -> str:
    return f"{'Kelurahan' if desa.jenis == 'kelurahan' else 'Desa'} {desa.nama}"


async def facts(session: AsyncSession, request: DanaRequest) -> Facts:
    desa = await session.get(Desa, request.desa_id)
    user = await session.get(User, request.requester_id)
    puskesmas = await session.get(Puskesmas, request.puskesmas_id) if request.puskesmas_id else None
    return Facts(
        request,
        place(desa),
        user.name,
        roles.label(user.role),
        f"Puskesmas {puskesmas.nama}" if puskesmas else None,
    )


def money(amount: int) -> Money:
    return Money(Decimal(amount))


def status(value: str) -> Text:
    return Text(STATUS_LABELS[value])


def describe(texts: Texts, locale: str, f: Facts) -> str:
    """The request in full, as the kades reads it before deciding."""
    r = f.request
    origin = f.puskesmas or f.desa
    return texts(
        N_(
            "Dana desa request {reference} for {desa}\n"
            "From: {requester} ({role}, {origin})\n"
            "Category: {kategori}\n"
            "Activity: {uraian}\n"
            "Volume: {volume}\n"
            "People reached: {sasaran}\n"
            "Amount: {jumlah}\n"
            "Month: {bulan} (APBDes {tahun})\n"
            "Carried out by: {pelaksana}\n"
            "RAB photo: {rab}"
        ),
        locale,
        reference=f.reference,
        desa=f.desa,
        requester=f.requester,
        role=Text(f.requester_role),
        origin=origin,
        kategori=KATEGORI_LABELS.get(r.kategori, Text.raw(r.kategori)),
        uraian=r.uraian,
        volume=r.volume or "-",
        sasaran=r.sasaran,
        jumlah=money(r.jumlah),
        bulan=format_month(r.bulan, locale),
        tahun=Text.raw(str(r.year)),
        pelaksana=PELAKSANA_LABELS.get(r.pelaksana or "", Text.raw("-")),
        rab=Text(N_("attached") if r.rab_foto else N_("none")),
    )


def line(texts: Texts, locale: str, f: Facts) -> str:
    """One short line for a list: reference, desa, amount, status, and the route once decided."""
    r = f.request
    text = texts(
        N_("{reference} · {desa} · {amount} · {status}"),
        locale,
        reference=f.reference,
        desa=f.desa,
        amount=money(r.jumlah_disetujui or r.jumlah),
        status=status(r.status),
    )
    way = route(texts, locale, r)
    return f"{text} · {way}" if way else text


def decision_buttons(texts: Texts, locale: str, request: DanaRequest) -> tuple[Button, ...]:
    """`dd:<id>:<action>:<version>`: a button from before the latest change is stale. Proposed
    to the RKP Desa, the request is decided again once the next APBDes is set."""
    year = request.year + (1 if request.status == dana.RKP else 0)
    years = {"tahun": Text.raw(str(year)), "next": Text.raw(str(year + 1))}
    return tuple(
        Button(texts(label, locale, **years), f"dd:{request.id}:{code}:{request.version}")
        for code, label in DECISION_BUTTONS
        if not (code == "k" and request.status == dana.RKP)
    )


def desa_buttons(texts: Texts, locale: str, request: DanaRequest) -> tuple[Button, ...]:
    """`dk:<id>:real:<version>`: the desa side confirms the dana realised, once."""
    if request.status not in dana.APPROVED or request.realisasi_jumlah is not None:
        return ()
    label = texts(N_("Confirm dana realised"), locale)
    return (Button(label, f"dk:{request.id}:real:{request.version}"),)


def requester_buttons(texts: Texts, locale: str, request: DanaRequest) -> tuple[Button, ...]:
    actions: list[tuple[str, str]] = []
    if request.status == "perlu_revisi":
        actions.append(("rev", N_("Revise")))
    if request.status in (dana.WAITING, "perlu_revisi"):
        actions.append(("tarik", N_("Withdraw")))
    if request.status in dana.APPROVED and request.hasil_terlayani is None:
        actions.append(("real", N_("Report the activity output")))
    return tuple(
        Button(texts(label, locale), f"dr:{request.id}:{code}:{request.version}")
        for code, label in actions
    )


def printable(text: str) -> str:
    """Control characters (a NUL in forged data or pasted text) cannot be stored in PostgreSQL."""
    return "".join(c if c.isprintable() or c == "\n" else " " for c in text)


def parse_button(parts: list[str]) -> tuple[int, str, int] | None:
    """(request id, action, version) from `<id>:<action>:<version>`, or None when forged."""
    if len(parts) != 3 or not all(_small_number(parts[i]) for i in (0, 2)):
        return None
    return int(parts[0]), parts[1], int(parts[2])


def _small_number(text: str) -> bool:
    """Forged data may hold "⁵" (a digit int() refuses) or 5,000 digits (beyond int() and any
    database id): only up to 9 ASCII digits are read."""
    return text.isascii() and text.isdigit() and len(text) <= 9


async def record(
    session: AsyncSession,
    now: datetime,
    actor: User | None,
    channel: str | None,
    request: DanaRequest | None,
    action: str,
    before: str | None = None,
    after: str | None = None,
    **fields: Any,
) -> None:
    """One append-only history entry of a request."""
    await queries.audit(
        session,
        now,
        dana.ENTITY,
        action,
        entity_id=str(request.id) if request else None,
        actor_user_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        channel=channel,
        from_status=before,
        to_status=after,
        **fields,
    )


async def refuse(
    turn: Turn, request: DanaRequest | None, why: str, msgid: str, **params: Any
) -> None:
    """A button pressed by the wrong person, too late or forged: a short answer, an audit entry,
    a log line and the runtime's refusal hooks (the metrics)."""
    log.warning(
        "refused %s dana button %r from %s:%s (user %s)",
        why,
        turn.msg.callback,
        turn.msg.channel,
        masked(turn.msg.chat_id),
        turn.user.id if turn.user else None,
    )
    turn.after_commit += [partial(hook, turn.msg, why) for hook in turn.runtime.on_refused]
    await record(
        turn.session,
        turn.now,
        turn.user,
        turn.msg.channel,
        request,
        f"refused_{why}",
        request.status if request else None,
        reason=printable(turn.msg.callback or turn.msg.inbound.text)[:200],
    )
    turn.say(msgid, **params)


async def refused_for(turn: Turn, request: DanaRequest, problem: tuple[str, str] | None) -> bool:
    """Refuses a press of the desa side (kades, operator desa) when there is a `problem`
    ((audit reason, msgid) naming the request, its desa and status); False when there is none."""
    if problem is None:
        return False
    f = await facts(turn.session, request)
    params = {"reference": f.reference, "desa": f.desa, "status": status(request.status)}
    await refuse(turn, request, problem[0], problem[1], **params)
    return True


def stale_message(request: DanaRequest, version: int) -> str | None:
    """Why a button made for `version` no longer applies, or None when it still does."""
    if request.version == version:
        return None
    if request.status == "dibatalkan":
        return N_("Request {reference} was withdrawn. Nothing more is needed.")
    if request.status in (*dana.DECISIONS, "selesai"):
        return N_("Request {reference} has already been decided: {status}.")
    return N_("Request {reference} has changed since that message: it is now {status}.")


def say_with_buttons(turn: Turn, text: str, buttons: tuple[Button, ...]) -> None:
    """A reply to the writer whose buttons are actions (`dd:` / `dr:`), not a question's."""
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, buttons))


def confirm_sent(turn: Turn, f: Facts, reached: int) -> None:
    """What the requester reads after sending (or resending) a request."""
    if reached:
        msgid = N_(
            "Request {reference} was sent to the kepala desa of {desa}. You will be told the "
            "decision here. Type /dana status to see your requests."
        )
    else:
        msgid = N_(
            "Request {reference} is saved, but no kepala desa of {desa} is registered in the bot "
            "yet. It waits until one registers; please also tell the kepala desa directly."
        )
    text = turn.t(msgid, reference=f.reference, desa=f.desa)
    today = turn.runtime.texts.today(turn.now)
    text = "\n".join([text, *year_notes(turn.runtime.texts, turn.locale, f.request, today)])
    say_with_buttons(turn, text, requester_buttons(turn.runtime.texts, turn.locale, f.request))


def request_context(turn: Turn, desa: Desa, **extra: Any) -> dict[str, Any]:
    """The request form's context: the desa, and the amount that asks "are you sure?"."""
    ceiling = turn.runtime.settings.dana_amount_ceiling
    return {
        "desa_id": desa.id,
        "params": {"desa": place(desa)},
        "soft_max": {"jumlah": ceiling},
        **extra,
    }
