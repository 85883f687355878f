"""The pure conversation engine: state + input in, new state + events out. No I/O.

start(flow, context, now) and resume(flow, state, inbound, now) are the whole interface; the
caller persists the state and acts on the events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from conversations import questions
from conversations.answers import check_value, is_skip, parse_answer
from conversations.model import (
    N_,
    Ended,
    Event,
    Flow,
    Inbound,
    Outcome,
    Reply,
    ReplyEvent,
    ResultSaved,
    Rule,
    State,
    Step,
    Submitted,
    Text,
    clone,
)
from conversations.parsing import Ambiguous, ParseError, normalize, parse_yes_no

IDLE = timedelta(hours=24)
REVIEW, EDIT = "_review", "_edit"
GLOBAL_WORDS = {
    "batal": "cancel",
    "cancel": "cancel",
    "kembali": "back",
    "back": "back",
    "bantuan": "help",
    "help": "help",
    "tolong": "help",
    "menu": "menu",
}

Labels = Callable[[str], list[str]]


def global_word(text: str) -> str | None:
    word = normalize(text).lstrip("/")
    return GLOBAL_WORDS.get(word) if " " not in word else None


def _option_number(text: str) -> int | None:
    """An option typed by its number: a few decimal digits (int() refuses "⁵" and 5,000 digits)."""
    return int(text) if text.isdecimal() and len(text) <= 4 else None


def start(flow: Flow, context: dict[str, Any], now: datetime) -> Outcome:
    """`context["prefill"]` = {step_key: typed text}: each is fed as if the user typed it when
    its step comes up, so pre-filled answers (quick entry) pass the same validation."""
    state = State(flow=flow.name, version=flow.version, step=None, context=clone(context))
    lead = (Text(flow.intro),) if flow.intro else ()
    return _advance(flow, state, now, [], lead)


def resume(
    flow: Flow,
    state: State,
    inbound: Inbound,
    now: datetime,
    labels: dict[str, list[str]] | None = None,
) -> Outcome:
    """`labels` maps choice values to the translated labels a user may type."""
    state = state.copy()
    if state.version != flow.version:
        state.status = "cancelled"
        msg = Text(N_("This form has been updated. Please start again from the menu."))
        return _done(state, now, [ReplyEvent(Reply((msg,)))], "outdated")
    run = _Run(flow, state, now, labels or {})
    return run.handle(inbound)


class _Run:
    def __init__(self, flow: Flow, state: State, now: datetime, labels: dict[str, list[str]]):
        self.flow, self.state, self.now, self.labels = flow, state, now, labels
        self.events: list[Event] = []

    # --- dispatch ---------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> Outcome:
        word = global_word(inbound.text) if inbound.button is None else None
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

    def _global(self, word: str) -> Outcome:
        if word == "cancel":
            if self.state.answers:
                self.state.pending = {"cancel": True}
                return self._reply(questions.confirm_cancel())
            return self._end("cancelled", Text(N_("Cancelled. Type /menu to see what you can do.")))
        if word == "menu":
            self.state.status = "cancelled"
            return _done(self.state, self.now, self.events, "menu")
        if word == "help":
            return self._reask(self._help())
        return self._back()

    def _help(self) -> Text:
        step = self._current_step()
        if step and step.help:
            return Text(step.help)
        return Text(N_("Answer the question, or type /kembali (back), /batal (cancel) or /menu."))

    def _back(self) -> Outcome:
        self.state.pending = {}
        if not self.state.history:
            return self._reask(Text(N_("This is the first question.")))
        self.state.step = self.state.history.pop()
        return self._ask()

    # --- pending confirmations ---------------------------------------------------------

    def _yes_no(self, inbound: Inbound) -> bool | None:
        if inbound.button in ("ya", "tidak"):
            return inbound.button == "ya"
        try:
            return parse_yes_no(inbound.text)
        except ParseError:
            return None

    def _resume_choice(self, inbound: Inbound) -> Outcome:
        choice = inbound.button or normalize(inbound.text).replace(" ", "_")
        if choice in ("1", "lanjutkan", "lanjut", "ya"):
            self.state.pending = {}
            return self._ask()
        if choice in ("2", "mulai_baru", "baru", "ulang"):
            self.state.pending, self.state.answers, self.state.history = {}, {}, []
            self.state.step = None
            return _advance(self.flow, self.state, self.now, self.events)
        return self._reply(questions.resume_offer(self.flow, self.state))

    def _cancel_choice(self, inbound: Inbound) -> Outcome:
        answer = self._yes_no(inbound)
        if answer is None:
            return self._reply(questions.confirm_cancel())
        self.state.pending = {}
        if answer:
            return self._end("cancelled", Text(N_("Cancelled. Type /menu to see what you can do.")))
        return self._ask()

    def _ambiguous_choice(self, inbound: Inbound) -> Outcome:
        pending = self.state.pending.pop("ambiguous")
        options = pending["options"]
        step = self.flow.step(pending["step"])
        picked = inbound.button if inbound.button is not None else normalize(inbound.text)
        number = _option_number(picked)
        if number is not None and 0 <= number - (inbound.button is None) < len(options):
            return self._accept(step, options[number - (inbound.button is None)])
        return self._answer(step, inbound)

    def _soft_choice(self, inbound: Inbound) -> Outcome:
        pending = self.state.pending.pop("soft")
        step = self.flow.step(self.state.step)
        answer = self._yes_no(inbound)
        if answer:
            overrides = self.state.answers.setdefault("_overrides", [])
            overrides.append(step.key)
            return self._accept(step, pending["value"], checked=True)
        if answer is None:
            return self._answer(step, inbound)
        return self._ask()

    # --- answering ---------------------------------------------------------------------

    def _answer(self, step: Step, inbound: Inbound) -> Outcome:
        if not step.required and is_skip(inbound):
            return self._accept(step, None)
        if inbound.unsupported:
            return self._reask(Text(N_("Sorry, I cannot read that kind of message. Please type.")))
        try:
            value = parse_answer(step, inbound, self.state.context, self.now.date(), self.labels)
        except Ambiguous as exc:
            options = [_jsonable(o) for o in exc.options]
            self.state.pending["ambiguous"] = {"step": step.key, "options": options}
            lead = Text.of(exc.msgid, **exc.params)
            return self._reply(questions.ambiguity(options, step, self.state.context, lead))
        except ParseError as exc:
            return self._reask(Text.of(exc.msgid, **exc.params))
        return self._accept(step, value)

    def _accept(self, step: Step, value: Any, checked: bool = False) -> Outcome:
        try:
            value = check_value(step, value, self.now.date())
        except ParseError as exc:
            return self._reask(Text.of(exc.msgid, **exc.params))
        error = self._rule_error(step, value)  # a refused value is not worth a "yakin?"
        if error:
            return self._reask(error)
        limit = self._soft_limit(step)
        if not checked and limit is not None and isinstance(value, int) and value > limit:
            self.state.pending["soft"] = {"value": value}
            return self._reply(questions.soft_warning(step, value))
        self.state.answers[step.key] = value
        self.events.append(ResultSaved(step.key, value))
        if self.state.pending.pop("editing", False):
            # an edit may make a skipped question due (D changed from 0): ask it before the summary
            due = _first_due(self.flow, self.state)
            if due is not None:
                self.state.step, self.state.pending["editing"] = due, True
                return self._ask()
            self.state.step = REVIEW
            return self._ask()
        self.state.history.append(step.key)
        return _advance(self.flow, self.state, self.now, self.events)

    def _soft_limit(self, step: Step) -> int | None:
        limits = self.state.context.get("soft_max", {})
        return limits.get(step.key, step.soft_max)

    def _rule_error(self, step: Step, value: Any) -> Text | None:
        answers = {**self.state.answers, step.key: value}
        for rule in self.flow.rules:
            if step.key not in (rule.key, rule.other):
                continue
            left, right = answers.get(rule.key), answers.get(rule.other)
            if left is None or right is None or self._rule_skipped(rule, answers):
                continue
            if not _compare(rule.op, Decimal(str(left)), Decimal(str(right))):
                other = rule.other if step.key == rule.key else rule.key
                return Text.of(
                    rule.message,
                    label=Text(_label(self.flow.step(rule.key))),
                    other=Text(_label(self.flow.step(rule.other))),
                    value=answers[other],
                )
        return None

    def _rule_skipped(self, rule: Rule, answers: dict[str, Any]) -> bool:
        """A rule about a question the new answer makes skipped (T when D becomes 0) is moot."""
        steps = (self.flow.step(rule.key), self.flow.step(rule.other))
        return any(_skipped(s, self.state, answers) for s in steps)

    def _review_choice(self, inbound: Inbound) -> Outcome:
        choice = self._pick(inbound, ("kirim", "ubah", "batal"))
        if choice == "kirim":
            self.state.status = "done"
            answers = {k: v for k, v in self.state.answers.items()}
            self.events.append(Submitted(self.flow.name, answers))
            return _done(self.state, self.now, self.events, "submitted")
        if choice == "ubah":
            self.state.step = EDIT
            return self._ask()
        if choice == "batal":
            return self._global("cancel")
        return self._reask(Text(N_("Please choose one of the options.")))

    def _edit_choice(self, inbound: Inbound) -> Outcome:
        keys = tuple(s.key for s in self.flow.steps if s.key in self.state.answers)
        choice = self._pick(inbound, keys)
        if choice is None:
            return self._reask(Text(N_("Please choose one of the options.")))
        self.state.step = choice
        self.state.pending["editing"] = True
        return self._ask()

    def _pick(self, inbound: Inbound, values: tuple[str, ...]) -> str | None:
        if inbound.button in values:
            return inbound.button
        text = normalize(inbound.text)
        number = _option_number(text)
        if number is not None and 1 <= number <= len(values):
            return values[number - 1]
        for value in values:
            names = [value.replace("_", " "), *self.labels.get(value, [])]
            if text in (normalize(n) for n in names):
                return value
        return None

    # --- output ------------------------------------------------------------------------

    def _current_step(self) -> Step | None:
        return _maybe_step(self.flow, self.state.step)

    def _ask(self, lead: tuple[Text, ...] = ()) -> Outcome:
        self.state.nonce += 1
        return self._reply(_question(self.flow, self.state, lead))

    def _reask(self, lead: Text) -> Outcome:
        """The same question again after an error: buttons shown earlier stay valid."""
        return self._reply(_question(self.flow, self.state, (lead,)))

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
        return _done(self.state, self.now, self.events, reason)


def _question(flow: Flow, state: State, lead: tuple[Text, ...]) -> Reply:
    if state.step == REVIEW:
        return questions.review(flow, state, lead)
    if state.step == EDIT:
        menu = questions.edit_menu(flow, state)
        return Reply((*lead, *menu.parts), menu.choices)
    return questions.ask(flow, flow.step(state.step), state, lead)


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
    return _question(flow, state, ())


def _advance(
    flow: Flow, state: State, now: datetime, events: list[Event], lead: tuple[Text, ...] = ()
) -> Outcome:
    keys = flow.keys
    index = keys.index(state.step) + 1 if state.step in keys else 0
    for step in flow.steps[index:]:
        if _skipped(step, state):
            state.answers.pop(step.key, None)
            continue
        state.step = step.key
        prefill = state.context.get("prefill") or {}
        if step.key in prefill:
            state.nonce += 1  # this question was never shown: older buttons must not answer it
            run = _Run(flow, state, now, {})
            run.events = events
            return run._answer(step, Inbound(text=str(prefill.pop(step.key))))
        return _ask_out(flow, state, now, events, lead)
    if flow.review:
        state.step = REVIEW
        return _ask_out(flow, state, now, events, lead)
    state.status = "done"
    events.append(Submitted(flow.name, dict(state.answers)))
    return _done(state, now, events, "submitted")


def _ask_out(
    flow: Flow, state: State, now: datetime, events: list[Event], lead: tuple[Text, ...]
) -> Outcome:
    state.nonce += 1
    state.updated_at = now.isoformat()
    events.append(ReplyEvent(_question(flow, state, lead)))
    return Outcome(state, tuple(events))


def _done(state: State, now: datetime, events: list[Event], reason: str) -> Outcome:
    state.updated_at = now.isoformat()
    state.pending = {}
    return Outcome(state, (*events, Ended(reason)))


def _first_due(flow: Flow, state: State) -> str | None:
    """The first question neither answered nor skipped; drops answers whose step is now skipped."""
    for step in flow.steps:
        if _skipped(step, state):
            state.answers.pop(step.key, None)
        elif step.key not in state.answers:
            return step.key
    return None


def _skipped(step: Step, state: State, answers: dict[str, Any] | None = None) -> bool:
    """`answers` instead of the state's, to judge an answer before it is accepted."""
    cond = step.skip_if
    if cond is None:
        return False
    source = (
        state.context
        if cond.scope == "context"
        else (state.answers if answers is None else answers)
    )
    value = source.get(cond.key)
    if cond.op == "eq":
        return value == cond.value
    if cond.op == "ne":
        return value != cond.value
    if cond.op == "in":
        return value in cond.value
    if cond.op == "missing":
        return cond.key not in source or value is None
    raise ValueError(f"unknown condition {cond.op}")


def _compare(op: str, left: Decimal, right: Decimal) -> bool:
    return {
        "le": left <= right,
        "lt": left < right,
        "ge": left >= right,
        "gt": left > right,
    }[op]


def _label(step: Step) -> str:
    return step.label or step.prompt


def _maybe_step(flow: Flow, key: str | None) -> Step | None:
    try:
        return flow.step(key) if key else None
    except KeyError:
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value
