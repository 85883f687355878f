"""What /staf changes: an invitation for a new person, a deactivation, a move to another desa,
a handover of a role. A change is asked once more (Ya / Batal) before it is made, audited
(who, what, when: entity "staff", by puskesmas) and listed in the history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from conversations.model import N_
from db import people_queries, queries
from db.models import User
from handlers.core import notify
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import Turn
from handlers.people import accounts, roles, staff_invites
from handlers.people.places import desa_label
from handlers.people.registration import place_name
from handlers.people.roles import Place
from handlers.people.staff_audit import record

ACTION = staff_invites.ACTION
OWN_VERBS = ("u", "h", "hy")  # one's own role may be handed over
HISTORY = {
    "invited": N_("{when}: {actor} invited a new {role} for {place}."),
    "deactivated": N_("{when}: {actor} deactivated {name} ({role})."),
    "moved": N_("{when}: {actor} moved {name} ({role}) to {place}."),
    "handover_started": N_("{when}: {actor} asked for a successor of {name} ({role})."),
    "handed_over": N_("{when}: {actor} took over as {role} from {name}."),
}


button = staff_invites.button


def _ask(turn: Turn, text: str, yes: Button) -> None:
    no = button(turn, N_("Cancel"), "x")
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, (yes, no)))


def person_buttons(turn: Turn, target: User) -> list[Button]:
    if target.id == turn.user.id:
        return [button(turn, N_("Hand over my role"), "h", target.id)]
    if not target.active:
        return []
    found = [button(turn, N_("Deactivate"), "d", target.id)]
    if roles.place(target.role) is Place.DESA and target.puskesmas_id is not None:
        found.append(button(turn, N_("Move to another desa"), "m", target.id))
    found.append(button(turn, N_("Hand over this role"), "h", target.id))
    return found


# --- deactivate ----------------------------------------------------------------------------


async def ask_deactivate(turn: Turn, target: User, _args: list[str]) -> bool:
    text = turn.t(
        "Deactivate {name}? They can no longer use the bot and receive nothing more. Their "
        "reports stay.",
        name=target.name,
    )
    _ask(turn, text, button(turn, N_("Yes, deactivate"), "dy", target.id))
    return True


async def deactivate(turn: Turn, target: User, _args: list[str]) -> bool:
    if not target.active:
        turn.say("{name} is already deactivated.", name=target.name)
        return True
    actor = turn.user
    await accounts.set_active(
        turn.session, target.id, False, turn.now, actor=actor, channel=turn.msg.channel
    )
    await record(turn, "deactivated", target)
    turn.say("Done: {name} is deactivated.", name=target.name)
    return True


# --- move ----------------------------------------------------------------------------------


async def choose_desa(turn: Turn, target: User, _args: list[str]) -> bool:
    if roles.place(target.role) is not Place.DESA:
        return False
    desa = await queries.desa_of_puskesmas(turn.session, target.puskesmas_id)
    buttons = [Button(desa_label(d.jenis, d.nama), f"{ACTION}:mv:{target.id}:{d.id}") for d in desa]
    buttons = [b for b, d in zip(buttons, desa, strict=True) if d.id != target.desa_id]
    text = turn.t("Move {name} to which desa?", name=target.name)
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, tuple(buttons)))
    return True


async def _served(turn: Turn, target: User, args: list[str]) -> int | None:
    """The desa of the button, when the target's puskesmas serves it."""
    if not args or not args[0].isdigit() or roles.place(target.role) is not Place.DESA:
        return None  # a puskesmas role is bound to no desa
    served = await queries.desa_of_puskesmas(turn.session, target.puskesmas_id)
    return int(args[0]) if int(args[0]) in {d.id for d in served} else None


async def ask_move(turn: Turn, target: User, args: list[str]) -> bool:
    desa_id = await _served(turn, target, args)
    if desa_id is None:
        return False
    place = await place_name(turn, None, desa_id)
    text = turn.t("Move {name} to {place}?", name=target.name, place=place)
    _ask(turn, text, button(turn, N_("Yes, move"), "my", target.id, desa_id))
    return True


async def move(turn: Turn, target: User, args: list[str]) -> bool:
    desa_id = await _served(turn, target, args)
    if desa_id is None:
        return False
    target.desa_id = desa_id
    place = await place_name(turn, None, desa_id)
    await record(turn, "moved", target, place=place)
    await _tell(turn, [target], N_("{actor} moved you to {place}."), place=place)
    turn.say("Done: {name} now reports for {place}.", name=target.name, place=place)
    return True


async def _tell(turn: Turn, users: list[User], msgid: str, **params: Any) -> None:
    texts, actor = turn.runtime.texts, turn.user.name if turn.user else "-"
    await notify.send_to(
        turn.session,
        turn.now,
        users,
        "staff",
        lambda u: notify.Letter(texts(msgid, u.locale, actor=actor, **params)),
    )


# --- hand over -----------------------------------------------------------------------------


async def ask_handover(turn: Turn, target: User, _args: list[str]) -> bool:
    text = turn.t(
        "Hand over the role of {name} ({role})? You get a code for the successor; when they "
        "register, {name} is deactivated and everything waiting for {name} goes to them.",
        name=target.name,
        role=turn.t(roles.label(target.role)),
    )
    _ask(turn, text, button(turn, N_("Yes, make the code"), "hy", target.id))
    return True


async def handover(turn: Turn, target: User, _args: list[str]) -> bool:
    if not target.active:
        turn.say("{name} is already deactivated.", name=target.name)
        return True
    created = await staff_invites.issue(
        turn, target.role, target.puskesmas_id, target.desa_id, replaces_user_id=target.id
    )
    await record(turn, "handover_started", target, invite=created.invite.id)
    return True


async def show_history(turn: Turn) -> None:
    events = await people_queries.history(turn.session, staff_invites.scope_of(turn.user))
    if not events:
        turn.say("No staff changes yet.")
        return
    lines = [turn.t("Staff changes, newest first:")]
    for event in events:
        data = event.data or {}
        role = data.get("role")
        lines.append(
            turn.t(
                HISTORY.get(event.action, N_("{when}: {actor}: {name}.")),
                when=turn.runtime.texts.moment(event.at, turn.locale),
                actor=data.get("actor") or "-",
                name=data.get("name") or "-",
                role=turn.t(roles.label(role)) if role else "-",
                place=data.get("place") or "-",
            )
        )
    turn.say_raw("\n".join(lines))


Verb = Callable[[Turn, User, list[str]], Awaitable[bool]]
VERBS: dict[str, Verb] = {
    "u": lambda *_: _true(),  # shown by staff.py
    "d": ask_deactivate,
    "dy": deactivate,
    "m": choose_desa,
    "mv": ask_move,
    "my": move,
    "h": ask_handover,
    "hy": handover,
}


async def _true() -> bool:
    return True
