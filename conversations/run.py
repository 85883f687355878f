"""One engine call in progress: the flow, the state it changes and the events it builds.

The engine's parts extend `Run` in a line, each in its own module: steps (answering a question),
commands (cancel, back, help, menu), confirmations (yes or no, resume, review, edit);
conversations.engine ends the line with the dispatch and holds the public interface.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from conversations import questions
from conversations.model import Ended, Event, Flow, Outcome, Reply, ReplyEvent, State, Step, Text
from conversations.words import Words

IDLE = timedelta(hours=24)
REVIEW, EDIT = "_review", "_edit"


class Run:
    def __init__(
        self, flow: Flow, state: State, now: datetime, words: Words, labels: dict[str, list[str]]
    ):
        self.flow, self.state, self.now, self.labels = flow, state, now, labels
        self.words = words
        self.events: list[Event] = []

    def _current_step(self) -> Step | None:
        return maybe_step(self.flow, self.state.step)

    def _ask(self, lead: tuple[Text, ...] = ()) -> Outcome:
        self.state.nonce += 1
        return self._reply(question(self.flow, self.state, lead))

    def _reask(self, lead: Text) -> Outcome:
        """The same question again after an error: buttons shown earlier stay valid."""
        return self._reply(question(self.flow, self.state, (lead,)))

    def _reply(self, reply: Reply) -> Outcome:
        self.events.append(ReplyEvent(reply))
        self.state.updated_at = self.now.isoformat()
        return Outcome(self.state, tuple(self.events))

    def _idle(self) -> bool:
        if not self.state.updated_at:
            return False
        last = datetime.fromisoformat(self.state.updated_at)
        return self.now - last >= IDLE

    def _end(self, reason: str, message: Text) -> Outcome:
        self.state.status = "cancelled"
        self.events.append(ReplyEvent(Reply((message,))))
        return done(self.state, self.now, self.events, reason)


def question(flow: Flow, state: State, lead: tuple[Text, ...]) -> Reply:
    if state.step == REVIEW:
        return questions.review(flow, state, lead)
    if state.step == EDIT:
        menu = questions.edit_menu(flow, state)
        return Reply((*lead, *menu.parts), menu.choices)
    return questions.ask(flow, flow.step(state.step), state, lead)


def ask_out(
    flow: Flow, state: State, now: datetime, events: list[Event], lead: tuple[Text, ...]
) -> Outcome:
    state.nonce += 1
    state.updated_at = now.isoformat()
    events.append(ReplyEvent(question(flow, state, lead)))
    return Outcome(state, tuple(events))


def done(state: State, now: datetime, events: list[Event], reason: str) -> Outcome:
    state.updated_at = now.isoformat()
    state.pending = {}
    return Outcome(state, (*events, Ended(reason)))


def maybe_step(flow: Flow, key: str | None) -> Step | None:
    try:
        return flow.step(key) if key else None
    except KeyError:
        return None
