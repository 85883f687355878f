"""Where a turn goes once its message is loaded: a gate, a pressed button (its token checked), a
command word, the open form, or the menu. Runtime (handlers/core/inbound.py) is a Dispatcher; the
registries it reads (commands, actions, gates, submit handlers, flows) are Runtime's fields."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from conversations import engine
from conversations.model import FILE_REFUSALS, N_, Flow, Inbound, Reply, Text
from conversations.parsing import normalize
from handlers.core import refusal
from handlers.core.outgoing import parse_conversation_token
from handlers.core.turn import DRAFT, MENU, SubmitHandler, Turn

ActionHandler = Callable[[Turn, list[str]], Awaitable[None]]
InboundHook = Callable[[Turn], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    """A word a user may type (`/lapor`, `LAPOR`) or pick from the menu."""

    name: str
    label: str  # msgid shown in the menu
    roles: tuple[str, ...]
    run: Callable[[Turn, str], Awaitable[None]]
    aliases: tuple[str, ...] = ()
    in_menu: bool = True
    drafts: tuple[str, ...] = ()  # the flows whose draft this command offers to continue


def in_form(turn: Turn) -> bool:
    """A form is open (the main menu's one question is not a form)."""
    return turn.state is not None and turn.state.flow != MENU


class Dispatcher:
    flows: dict[str, Flow]
    commands: dict[str, Command]
    submit_handlers: dict[str, SubmitHandler]
    actions: dict[str, ActionHandler]
    gates: list[InboundHook]

    async def _dispatch(self, turn: Turn) -> None:
        for gate in self.gates:
            if await gate(turn):
                return
        inbound = turn.msg.inbound
        if turn.msg.callback is not None:
            button = await self._button(turn)
            if button is None:
                return
            inbound = Inbound(button=button)
        elif await self._command(turn):
            return
        if turn.state is not None:
            await turn.resume(inbound)
        elif inbound.unsupported:
            turn.say("Sorry, this kind of message is not supported yet. Please type your message.")
        elif inbound.refused_file:
            turn.say(FILE_REFUSALS[inbound.refused_file])
        elif turn.user is None:
            await self.submit_handlers["_unknown"](turn, self.flows["registration"], {})
        else:
            await self.menu(turn, hint=True)

    async def _button(self, turn: Turn) -> str | None:
        data = turn.msg.callback or ""
        head, _, rest = data.partition(":")
        if head in self.actions:
            await self.actions[head](turn, rest.split(":"))
            return None
        token = parse_conversation_token(data)
        state = turn.state
        if token is None:
            return await self._refuse(turn, "forged", data)
        nonce, index = token
        if state is None or nonce != state.nonce:
            return await self._refuse(turn, "stale", data)
        choices = engine.current_reply(self.flows[state.flow], state).choices
        if not 0 <= index < len(choices):
            return await self._refuse(turn, "forged", data)
        return choices[index].value

    async def _refuse(self, turn: Turn, why: str, data: str) -> None:
        await refusal.record(turn, why, data)
        stale = Text(N_("This button is no longer valid. Please use the latest message."))
        flow = self.flows.get(turn.state.flow) if turn.state else None
        if turn.state is None or flow is None:
            turn.show(Reply((stale,)))
            return None
        question = engine.current_reply(flow, turn.state)  # asked again, its buttons fresh
        turn.show(replace(question, parts=(stale, *question.parts)))
        return None

    async def _command(self, turn: Turn) -> bool:
        """A command word starts its use case, even in the middle of another form."""
        text = turn.msg.inbound.text.strip()
        if not text:
            return False
        word, arg = (*re.split(r"\s+", text, maxsplit=1), "")[:2]
        name = normalize(word).lstrip("/").split("@")[0]
        command = self.commands.get(name)
        if command is None:
            return False
        # Phones write "Daftar" and "Lapor": any case is a command outside a form. Inside one a
        # plain word is an answer, so only "/lapor" or "LAPOR" leave it.
        explicit = word.startswith("/") or (word.isupper() and len(word) > 1)
        if not explicit and in_form(turn):
            return False
        if engine.global_word(word, turn.words) and in_form(turn):
            return False  # /batal, /kembali, /bantuan belong to the open form
        if turn.user is None and "*" not in command.roles:
            return False
        if (
            turn.user is not None
            and "*" not in command.roles
            and turn.user.role not in command.roles
        ):
            turn.say("Sorry, this menu is not available for your role.")
            return True
        await self.run_command(turn, command, arg.strip())
        return True

    async def run_command(self, turn: Turn, command: Command, arg: str) -> None:
        """Runs a command, typed or picked from the menu; one that would start a form left
        unfinished (the open one, or the draft) first offers to continue it."""
        left = turn.state.to_json() if in_form(turn) and turn.state.answers else turn.draft
        if not arg and left and left["flow"] in command.drafts:
            choice = {"command": command.name, "left": left}
            await self.submit_handlers["_draft"](turn, self.flows[DRAFT], choice)
            return
        await command.run(turn, arg)

    async def submit(self, turn: Turn, flow: Flow, answers: dict[str, Any]) -> None:
        await self.submit_handlers[flow.name](turn, flow, answers)

    async def menu(self, turn: Turn, hint: bool = False) -> None:
        await self.submit_handlers["_menu"](turn, self.flows[MENU], {"hint": hint})
