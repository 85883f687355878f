"""/staf's invitations: a new bidan or kader (a kepala puskesmas, for his puskesmas), a new
kepala puskesmas (the Dinas Kesehatan), and a successor's code. The answer carries the code,
the Telegram and WhatsApp links to forward, and a QR code as a picture."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from conversations.model import N_
from db import queries
from db.models import Puskesmas, User
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import Turn
from handlers.people import invites, roles
from handlers.people.links import links_for, qr_png
from handlers.people.places import desa_label
from handlers.people.registration import place_name
from handlers.people.roles import Place
from handlers.people.staff_audit import record

ACTION = "sf"
QR_KIND = "qr"  # the file builder of a QR picture: made by the process that sends it
INVITE_VERBS = ("i", "iv", "ip")
STAFF_INVITE_DAYS = 7


def button(turn: Turn, msgid: str, *parts: object, **params: Any) -> Button:
    return Button(turn.t(msgid, **params), ":".join((ACTION, *map(str, parts))))


def district(user: User) -> bool:
    return roles.place(user.role) is Place.DISTRICT


def scope_of(user: User) -> int | None:
    """The puskesmas whose people `user` manages; None: the whole kabupaten."""
    return None if district(user) else user.puskesmas_id


def invite_buttons(turn: Turn) -> list[Button]:
    """A district role invites per puskesmas; a desa role of the kabupaten comes by a roster
    or a handover (122 desa make no list of buttons)."""
    found = []
    for role in roles.manages(turn.user.role):
        if district(turn.user) and roles.place(role) is Place.DESA:
            continue
        found.append(
            button(turn, N_("Invite a new {role}"), "i", role.value, role=turn.t(roles.label(role)))
        )
    return found


async def invite(turn: Turn, verb: str, args: list[str]) -> bool:
    """False: a role or place outside the presser's scope (the caller refuses it)."""
    role = args[0] if args else ""
    if role not in roles.manages(turn.user.role):
        return False
    where = roles.place(role)
    place_id = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
    if where is Place.DESA:
        return await _desa_invite(turn, verb, role, place_id)
    if not district(turn.user):
        await issue(turn, role, turn.user.puskesmas_id, None)
        return True
    if verb == "i":
        pkm = await queries.all_puskesmas(turn.session)
        buttons = [button(turn, N_("Puskesmas {name}"), "ip", role, p.id, name=p.nama) for p in pkm]
        _choices(turn, turn.t("For which puskesmas?"), buttons)
        return True
    if place_id is None or await turn.session.get(Puskesmas, place_id) is None:
        return False
    await issue(turn, role, place_id, None)
    return True


async def _desa_invite(turn: Turn, verb: str, role: str, desa_id: int | None) -> bool:
    pkm = turn.user.puskesmas_id
    served = await queries.desa_of_puskesmas(turn.session, pkm) if pkm else []
    if verb == "i":
        buttons = [
            Button(desa_label(d.jenis, d.nama), f"{ACTION}:iv:{role}:{d.id}") for d in served
        ]
        _choices(turn, turn.t("For which desa?"), buttons)
        return True
    if desa_id not in {d.id for d in served}:
        return False
    reporter = roles.can(role, roles.Can.REPORT)
    await issue(turn, role, pkm if reporter else None, desa_id)
    return True


def _choices(turn: Turn, text: str, buttons: list[Button]) -> None:
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, tuple(buttons)))


async def issue(
    turn: Turn, role: str, puskesmas_id: int | None, desa_id: int | None, **row: Any
) -> invites.Created:
    secret = invites.secret_of(turn.runtime.settings)
    created = invites.issue(
        turn.now,
        role,
        secret,
        days=STAFF_INVITE_DAYS,
        puskesmas_id=puskesmas_id,
        desa_id=desa_id,
        **row,
    )
    turn.session.add(created.invite)
    await turn.session.flush()
    place = await place_name(turn, puskesmas_id, desa_id)
    if "replaces_user_id" not in row:
        await record(
            turn,
            "invited",
            None,
            role=role,
            place=place,
            puskesmas_id=puskesmas_id,
            invite=created.invite.id,
        )
    await answer(turn, created, role, place)
    return created


async def answer(turn: Turn, created: invites.Created, role: str, place: str) -> None:
    links = links_for(turn.runtime.settings, created.code)
    turn.say(
        "Invitation for a new {role} for {place}. Forward this message to them: they press a "
        "link (or scan the picture) and answer one question.\nCode: {code} (valid until "
        "{until}, once)\nTelegram: {telegram}\nWhatsApp: {whatsapp}\nWithout the links: send "
        "DAFTAR {code} to this bot.",
        role=turn.t(roles.label(role)),
        place=place,
        code=created.code,
        until=turn.runtime.texts.today(created.invite.expires_at),
        telegram=links.telegram or "-",
        whatsapp=links.whatsapp or "-",
    )
    for link, label in ((links.telegram, "Telegram"), (links.whatsapp, "WhatsApp")):
        if link:
            caption = turn.t("QR code to register via {app}", app=label)
            build = {"kind": QR_KIND, "as": "photo", "data": link}
            turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, caption, build=build))


async def make_qr(runtime: Any, build: dict[str, Any]) -> Path:
    """The picture of a link, in EXPORT_DIR/qr on the disk of the process sending it."""
    folder = Path(runtime.settings.clock.export_dir) / "qr"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(build['data'].encode()).hexdigest()[:24]}.png"
    if not path.exists():
        path.write_bytes(qr_png(build["data"]))
    return path
