"""A form left for another (/menu, a command, a button) waits as a draft, one per chat, in the
conversation's JSON; starting its use case again offers to continue it or start over."""

from __future__ import annotations

from typing import Any

from conversations import engine
from conversations.model import Flow, State
from handlers.core.turn import DRAFT, Turn


async def offer(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    """`answers`: the command that was asked for and the form left (State JSON)."""
    left, name = answers["left"], answers["command"]
    flow = turn.runtime.flows.get(left["flow"])
    if flow is None or flow.version != left["version"]:  # the form changed since: start anew
        turn.draft = None
        await turn.runtime.commands[name].run(turn, "")
        return
    count = sum(1 for key in left["answers"] if not key.startswith("_"))
    params = {"title": turn.t(flow.title), "count": count}
    await turn.start_flow(DRAFT, {"command": name, "params": params})


async def on_choice(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    command = turn.runtime.commands[turn.state.context["command"]]
    draft, turn.draft = turn.draft, None
    if draft is None or answers["pilihan"] != "continue":
        await command.run(turn, "")
        return
    state = State(**draft)
    state.nonce, state.updated_at = turn.nonce + 1, turn.now.isoformat()
    turn.state, turn.nonce = state, state.nonce
    turn.show(engine.current_reply(turn.runtime.flows[state.flow], state))
