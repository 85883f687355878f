"""One person, several chats: /tautkan gives a link code for a new phone or app (the chats
already in use confirm the link: handlers/people/linking.py), and /profil lists the chats with
a button to unlink each of the others (a number given up, a phone lost)."""

from __future__ import annotations

from conversations.model import N_
from db import queries
from db.models import ChannelIdentity
from handlers.core import refusal
from handlers.core.inbound import Command, Runtime
from handlers.core.outgoing import Button, Outgoing
from handlers.core.turn import Turn
from handlers.people import invites
from handlers.people.linking import masked_chat
from handlers.people.links import links_for
from handlers.people.registration import unknown

ACTION = "ul"
LINK_DAYS = 1  # a link code is typed on the other phone at once


async def tautkan_command(turn: Turn, _arg: str) -> None:
    user = turn.user
    if user is None:  # Telegram's command menu shows /tautkan to newcomers too
        await unknown(turn, turn.runtime.flows["registration"], {})
        return
    secret = invites.secret_of(turn.runtime.settings)
    created = await invites.create_invite(
        turn.session, turn.now, user.role, link_user=user.id, days=LINK_DAYS, secret=secret
    )
    links = links_for(turn.runtime.settings, created.code)
    turn.say(
        "Your link code: {code} (valid for 24 hours, once). On the new phone or app, send "
        "DAFTAR {code} to this bot (Telegram: {telegram}, WhatsApp: {whatsapp}). Then press "
        "Link here to confirm. Your reports stay with your one account.",
        code=created.code,
        telegram=links.telegram or "-",
        whatsapp=links.whatsapp or "-",
    )


async def chat_lines(turn: Turn) -> tuple[list[str], list[Button]]:
    """The user's chats for /profil, and a button to unlink each one but this."""
    lines, buttons = [], []
    for ident in sorted(await queries.identities_of(turn.session, [turn.user.id]), key=_order):
        where = masked_chat(ident.channel, ident.external_id)
        here = (ident.channel, ident.external_id) == (turn.msg.channel, turn.msg.chat_id)
        lines.append(turn.t("- {chat} (this chat)", chat=where) if here else f"- {where}")
        if not here:
            label = turn.t("Unlink {chat}", chat=where)
            buttons.append(Button(label, f"{ACTION}:{ident.id}"))
    return lines, buttons


def _order(ident: ChannelIdentity) -> int:
    return ident.id


async def on_button(turn: Turn, parts: list[str]) -> None:
    """`ul:<id>` asks, `ul:<id>:y` unlinks: only a chat of the presser's own account, never
    the chat pressing it."""
    ident_id = int(parts[0]) if parts and parts[0].isdigit() else 0
    ident = await turn.session.get(ChannelIdentity, ident_id)
    if (
        turn.user is None
        or ident is None
        or ident.user_id != turn.user.id
        or (ident.channel, ident.external_id) == (turn.msg.channel, turn.msg.chat_id)
    ):
        await _refuse(turn)
        return
    where = masked_chat(ident.channel, ident.external_id)
    if parts[1:] != ["y"]:
        yes = Button(turn.t("Yes, unlink"), f"{ACTION}:{ident.id}:y")
        no = Button(turn.t("Cancel"), "sf:x")
        text = turn.t("Unlink {chat} from your account? It will no longer reach you.", chat=where)
        turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, (yes, no)))
        return
    await turn.session.delete(ident)
    await queries.audit(
        turn.session,
        turn.now,
        "user",
        "unlinked",
        entity_id=str(turn.user.id),
        actor_user_id=turn.user.id,
        actor_role=turn.user.role,
        channel=turn.msg.channel,
        data={"chat": where},
    )
    turn.say("Done: {chat} is no longer linked to your account.", chat=where)


async def _refuse(turn: Turn) -> None:
    await refusal.record(turn, "forged", turn.msg.callback or "", "unlink button")
    turn.say("This button is no longer valid. Please use the latest message.")


def install(runtime: Runtime) -> None:
    runtime.actions[ACTION] = on_button
    everyone = ("*",)
    runtime.add_command(
        Command("tautkan", N_("Link another phone"), everyone, tautkan_command, ("link",))
    )
