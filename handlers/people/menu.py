"""The role's menu, help, and the commands every registered user has."""

from __future__ import annotations

from typing import Any

from conversations.model import N_, Flow
from handlers.core.inbound import Command, Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.turn import Turn
from handlers.people import drafts, roles
from handlers.people.chats import chat_lines
from handlers.people.registration import (
    on_code,
    on_named,
    on_registration,
    place_name,
    start_command,
    unknown,
)

EVERYONE = ("*",)


def menu_commands(runtime: Runtime, role: str) -> list[Command]:
    seen: dict[str, Command] = {}
    for command in runtime.commands.values():
        if command.in_menu and (role in command.roles or "*" in command.roles):
            seen.setdefault(command.name, command)
    return list(seen.values())


async def show(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    """Starts the menu flow; `hint` when the user wrote something we did not understand."""
    if turn.user is None:
        await unknown(turn, _flow, answers)
        return
    commands = menu_commands(turn.runtime, turn.user.role)
    if answers.get("hint"):
        turn.say("I did not understand that. Please choose from the menu.")
    choices = [[c.name, turn.t(c.label)] for c in commands]
    await turn.start_flow("menu", {"choices": {"menu": choices}})


async def on_menu(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    command = turn.runtime.commands[answers["action"]]
    await turn.runtime.run_command(turn, command, "")


async def help_command(turn: Turn, _arg: str) -> None:
    if turn.user is None:
        await unknown(turn, turn.runtime.flows["menu"], {})
        return
    lines = [turn.t("You can type these words at any time:")]
    for command in menu_commands(turn.runtime, turn.user.role):
        lines.append(f"/{command.name} — {turn.t(command.label)}")
    lines.append(turn.t("Inside a form: /kembali (back), /batal (cancel), /bantuan (help)."))
    turn.say_raw("\n".join(lines))


async def menu_command(turn: Turn, _arg: str) -> None:
    turn.state = None
    await turn.runtime.menu(turn)


async def profile_command(turn: Turn, _arg: str) -> None:
    user = turn.user
    if user is None:  # Telegram's command menu shows /profil to everyone, newcomers too
        await unknown(turn, turn.runtime.flows["registration"], {})
        return
    place = await place_name(turn, user.puskesmas_id, user.desa_id, user.kecamatan_id)
    role = turn.t(roles.label(user.role))
    turn.say("You are {name}, {role} for {place}.", name=user.name, role=role, place=place)
    chats, buttons = await chat_lines(turn)
    if len(chats) > 1:  # several phones or apps: each of the others may be unlinked here
        text = "\n".join([turn.t("Your chats with this bot:"), *chats])
        turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, tuple(buttons)))


def install(runtime: Runtime) -> None:
    runtime.submit_handlers.update(
        {
            "_menu": show,
            "menu": on_menu,
            "_unknown": unknown,
            "invite_code": on_code,
            "registration": on_registration,
            "registration_named": on_named,
            "_draft": drafts.offer,
            "lanjutkan": drafts.on_choice,
        }
    )
    add = runtime.add_command
    add(Command("start", N_("Register"), EVERYONE, start_command, ("daftar",), in_menu=False))
    add(Command("menu", N_("Menu"), EVERYONE, menu_command, in_menu=False))
    add(Command("bantuan", N_("Help"), EVERYONE, help_command, ("help",)))
    add(Command("profil", N_("My profile"), EVERYONE, profile_command))
