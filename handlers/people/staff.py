"""/staf: a manager's people (role, place, last report, channel, active) and what he may do to
them, as buttons: invite, deactivate, move to another desa, hand a role over, the history.

Every button names its person (`sf:<verb>:<user id>[:<argument>]`) and is checked again when
pressed: a person outside the presser's scope (another puskesmas, a role he does not manage)
is refused, logged, audited and counted like any forged button. Who manages whom is data:
`roles.MANAGES`. The changes themselves are in staff_changes.py."""

from __future__ import annotations

from conversations.model import N_
from db import people_queries, queries
from db.models import User
from handlers.core import refusal
from handlers.core.inbound import Command, Runtime
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import DRAFT, MENU, Turn
from handlers.people import roles, staff_changes, staff_invites
from handlers.people.registration import place_name
from handlers.people.staff_invites import district, scope_of

ACTION = "sf"
LISTED = 30  # people shown with a button; more are reached with /staf <number>
MANAGERS = tuple(r.value for r in roles.MANAGES)


def in_scope(actor: User, target: User, verb: str) -> bool:
    if target.id == actor.id:
        return verb in staff_changes.OWN_VERBS  # one's own role may be handed over, no more
    if target.role not in roles.manages(actor.role):
        return False
    return district(actor) or target.puskesmas_id == actor.puskesmas_id


async def staff_list(turn: Turn) -> list[User]:
    actor = turn.user
    found = await people_queries.people(turn.session, roles.manages(actor.role), scope_of(actor))
    return [actor, *(u for u in found if u.id != actor.id)]


async def staf_command(turn: Turn, arg: str) -> None:
    folks = await staff_list(turn)
    if arg.strip().isdigit() and 1 <= int(arg) <= len(folks):
        await show_person(turn, folks[int(arg) - 1])
        return
    lines = [turn.t("Your staff ({count} people):", count=len(folks) - 1)]
    lines += await describe(turn, folks)
    lines.append(turn.t("Press a name, or type /staf <number>, to manage that person."))
    buttons = [Button(f"{n}. {u.name}", f"{ACTION}:u:{u.id}") for n, u in enumerate(folks, 1)]
    buttons = buttons[:LISTED] + staff_invites.invite_buttons(turn)
    buttons.append(Button(turn.t("History"), f"{ACTION}:r"))
    reply(turn, "\n".join(lines), buttons)


async def describe(turn: Turn, folks: list[User]) -> list[str]:
    ids = [u.id for u in folks]
    last = await people_queries.last_reports(turn.session, ids)
    forms = await people_queries.open_forms(turn.session, ids, (MENU, DRAFT))
    chats: dict[int, list[str]] = {}
    for ident in await queries.identities_of(turn.session, ids):
        chats.setdefault(ident.user_id, []).append(ident.channel)
    lines = []
    for n, user in enumerate(folks, 1):
        seen = (
            turn.runtime.texts.param(turn.runtime.texts.today(last[user.id]))
            if user.id in last
            else "-"
        )
        line = turn.t(
            "{n}. {name}, {role}, {place}. Last report: {last}. Chat: {chats}. {status}",
            n=n,
            name=user.name,
            role=turn.t(roles.label(user.role)),
            place=await place_name(turn, user.puskesmas_id, user.desa_id),
            last=seen,
            chats=", ".join(sorted(set(chats.get(user.id, [])))) or "-",
            status=turn.t(N_("active") if user.active else N_("deactivated")),
        )
        if forms.get(user.id):
            line += " " + turn.t("({count} unfinished form kept)", count=forms[user.id])
        lines.append(line)
    return lines


async def show_person(turn: Turn, target: User) -> None:
    lines = await describe(turn, [target])
    buttons = staff_changes.person_buttons(turn, target)
    reply(turn, lines[0].split(". ", 1)[1], buttons)


def reply(turn: Turn, text: str, buttons: list[Button]) -> None:
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, tuple(buttons)))


async def refuse(turn: Turn, why: str) -> None:
    """A button for someone outside the presser's scope, or not a button of ours at all."""
    await refusal.record(turn, why, turn.msg.callback or "", "staff button")
    turn.say("Sorry, you cannot manage this person.")


async def on_button(turn: Turn, parts: list[str]) -> None:
    actor = turn.user
    if parts[:1] == ["x"]:  # Batal, under any question of ours
        turn.say("Cancelled. Nothing was changed.")
        return
    if actor is None or actor.role not in MANAGERS:
        await refuse(turn, "out_of_scope")
        return
    verb, args = parts[0], parts[1:]
    if verb == "r":
        await staff_changes.show_history(turn)
        return
    if verb in staff_invites.INVITE_VERBS:
        if not await staff_invites.invite(turn, verb, args):
            await refuse(turn, "out_of_scope")
        return
    target = await turn.session.get(User, int(args[0])) if args and args[0].isdigit() else None
    if target is None or verb not in staff_changes.VERBS or not in_scope(actor, target, verb):
        await refuse(turn, "out_of_scope" if target is not None else "forged")
        return
    if verb == "u":
        await show_person(turn, target)
        return
    if not await staff_changes.VERBS[verb](turn, target, args[1:]):
        await refuse(turn, "out_of_scope")


def install(runtime: Runtime) -> None:
    runtime.actions[ACTION] = on_button
    runtime.file_builders[staff_invites.QR_KIND] = staff_invites.make_qr
    runtime.add_command(Command("staf", N_("My staff"), MANAGERS, staf_command, ("staff",)))
