"""Answering the question on screen: parse, check the flow's rules and soft limits, store, and
move on to the next question that is due (or the summary)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from conversations import questions
from conversations.answers import check_value, is_skip, parse_answer
from conversations.model import (
    FILE_REFUSALS,
    N_,
    Event,
    Flow,
    Inbound,
    Outcome,
    ResultSaved,
    Rule,
    State,
    Step,
    Submitted,
    Text,
)
from conversations.parsing import Ambiguous, ParseError
from conversations.run import REVIEW, Run, ask_out, done
from conversations.words import Words


class Steps(Run):
    def _answer(self, step: Step, inbound: Inbound) -> Outcome:
        if not step.required and is_skip(inbound, self.words):
            return self._accept(step, None)
        if inbound.unsupported:
            return self._reask(Text(N_("Sorry, I cannot read that kind of message. Please type.")))
        if inbound.refused_file:
            return self._reask(Text(FILE_REFUSALS[inbound.refused_file]))
        try:
            value = parse_answer(
                step, inbound, self.state.context, self.now.date(), self.labels, words=self.words
            )
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
            due = first_due(self.flow, self.state)
            if due is not None:
                self.state.step, self.state.pending["editing"] = due, True
                return self._ask()
            self.state.step = REVIEW
            return self._ask()
        self.state.history.append(step.key)
        return advance(self.flow, self.state, self.now, self.words, self.events)

    def _soft_limit(self, step: Step) -> int | None:
        limits = self.state.context.get("soft_max", {})
        return limits.get(step.key, step.soft_max)

    def _rule_error(self, step: Step, value: Any) -> Text | None:
        answers = {**self.state.answers, step.key: value}
        for rule in self.flow.rules:
            if rule.scope == "context":
                if step.key == rule.key:
                    error = self._context_rule_error(rule, value)
                    if error:
                        return error
                continue
            if step.key not in (rule.key, rule.other):
                continue
            left, right = answers.get(rule.key), answers.get(rule.other)
            if left is None or right is None or self._ruleskipped(rule, answers):
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

    def _context_rule_error(self, rule: Rule, value: Any) -> Text | None:
        """A rule against a figure of the context (S ≤ the sasaran balita, when it is known)."""
        right = self.state.context.get(rule.other)
        if value is None or right is None:
            return None
        if _compare(rule.op, Decimal(str(value)), Decimal(str(right))):
            return None
        return Text.of(rule.message, label=Text(_label(self.flow.step(rule.key))), value=right)

    def _ruleskipped(self, rule: Rule, answers: dict[str, Any]) -> bool:
        """A rule about a question the new answer makes skipped (T when D becomes 0) is moot."""
        steps = (self.flow.step(rule.key), self.flow.step(rule.other))
        return any(skipped(s, self.state, answers) for s in steps)


def advance(
    flow: Flow,
    state: State,
    now: datetime,
    words: Words,
    events: list[Event],
    lead: tuple[Text, ...] = (),
) -> Outcome:
    keys = flow.keys
    index = keys.index(state.step) + 1 if state.step in keys else 0
    for step in flow.steps[index:]:
        if skipped(step, state):
            state.answers.pop(step.key, None)
            continue
        state.step = step.key
        prefill = state.context.get("prefill") or {}
        if step.key in prefill:
            state.nonce += 1  # this question was never shown: older buttons must not answer it
            run = Steps(flow, state, now, words, {})
            run.events = events
            return run._answer(step, Inbound(text=str(prefill.pop(step.key))))
        return ask_out(flow, state, now, events, lead)
    if flow.review:
        state.step = REVIEW
        return ask_out(flow, state, now, events, lead)
    state.status = "done"
    events.append(Submitted(flow.name, dict(state.answers)))
    return done(state, now, events, "submitted")


def first_due(flow: Flow, state: State) -> str | None:
    """The first question neither answered nor skipped; drops answers whose step is now skipped."""
    for step in flow.steps:
        if skipped(step, state):
            state.answers.pop(step.key, None)
        elif step.key not in state.answers:
            return step.key
    return None


def skipped(step: Step, state: State, answers: dict[str, Any] | None = None) -> bool:
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


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value
