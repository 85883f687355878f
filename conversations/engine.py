"""The pure conversation engine: state + input in, new state + events out. No I/O.

start(flow, context, now, words=…) and resume(flow, state, inbound, now, words=…) are the whole
interface; the caller persists the state and acts on the events. `words` (conversations.words)
are the typed words of the user's language: the engine itself speaks none. The parts: run.py
(the call in progress and its replies), steps.py, commands.py, confirmations.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations import questions
from conversations.commands import global_word
from conversations.confirmations import Confirmations
from conversations.model import N_, Flow, Inbound, Outcome, Reply, ReplyEvent, State, Text, clone
from conversations.run import EDIT, REVIEW, done, question
from conversations.steps import advance
from conversations.words import Words

__all__ = ["EDIT", "REVIEW", "current_reply", "global_word", "resume", "start"]


def start(flow: Flow, context: dict[str, Any], now: datetime, *, words: Words) -> Outcome:
    """`context["prefill"]` = {step_key: typed text}: each is fed as if the user typed it when
    its step comes up, so pre-filled answers (quick entry) pass the same validation."""
    state = State(flow=flow.name, version=flow.version, step=None, context=clone(context))
    lead = (Text(flow.intro),) if flow.intro else ()
    return advance(flow, state, now, words, [], lead)


def resume(
    flow: Flow,
    state: State,
    inbound: Inbound,
    now: datetime,
    labels: dict[str, list[str]] | None = None,
    *,
    words: Words,
) -> Outcome:
    """`labels` maps choice values to the translated labels a user may type."""
    state = state.copy()
    if state.version != flow.version:
        state.status = "cancelled"
        msg = Text(N_("This form has been updated. Please start again from the menu."))
        return done(state, now, [ReplyEvent(Reply((msg,)))], "outdated")
    run = _Run(flow, state, now, words, labels or {})
    return run.handle(inbound)


class _Run(Confirmations):
    def handle(self, inbound: Inbound) -> Outcome:
        word = global_word(inbound.text, self.words) if inbound.button is None else None
        pending = self.state.pending
        if word and not pending.get("resume"):
            return self._global(word)
        if self._idle() and not pending.get("resume"):
            self.state.pending = {"resume": True}
            return self._reply(questions.resume_offer(self.flow, self.state))
        if pending.get("resume"):
            return self._resume_choice(inbound)
        if pending.get("cancel"):
            return self._cancel_choice(inbound)
        if "ambiguous" in pending:
            return self._ambiguous_choice(inbound)
        if "soft" in pending:
            return self._soft_choice(inbound)
        if self.state.step == REVIEW:
            return self._review_choice(inbound)
        if self.state.step == EDIT:
            return self._edit_choice(inbound)
        return self._answer(self.flow.step(self.state.step), inbound)


def current_reply(flow: Flow, state: State) -> Reply:
    """The question the user is looking at now (to map a pressed button to its value)."""
    if state.pending.get("resume"):
        return questions.resume_offer(flow, state)
    if state.pending.get("cancel"):
        return questions.confirm_cancel()
    if "soft" in state.pending:
        return questions.soft_warning(flow.step(state.step), state.pending["soft"]["value"])
    if "ambiguous" in state.pending:
        amb = state.pending["ambiguous"]
        step = flow.step(amb["step"])
        return questions.ambiguity(amb["options"], step, state.context, Text(""))
    return question(flow, state, ())
