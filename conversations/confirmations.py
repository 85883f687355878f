"""The small questions between the steps: yes or no (cancel? sure?), resume or start over, which
of several readings, and the summary's send / change / cancel with its edit menu."""

from __future__ import annotations

from conversations import questions
from conversations.commands import Commands
from conversations.model import N_, Inbound, Outcome, Submitted, Text
from conversations.parsing import ParseError, normalize, parse_yes_no
from conversations.run import EDIT, done
from conversations.steps import advance


def option_number(text: str) -> int | None:
    """An option typed by its number: a few decimal digits (int() refuses "⁵" and 5,000 digits)."""
    return int(text) if text.isdecimal() and len(text) <= 4 else None


class Confirmations(Commands):
    def _yes_no(self, inbound: Inbound) -> bool | None:
        if inbound.button in ("yes", "no"):
            return inbound.button == "yes"
        try:
            return parse_yes_no(inbound.text, words=self.words)
        except ParseError:
            return None

    def _resume_choice(self, inbound: Inbound) -> Outcome:
        choice = self._pick(inbound, ("continue", "restart"))
        if choice == "continue":
            self.state.pending = {}
            return self._ask()
        if choice == "restart":
            self.state.pending, self.state.answers, self.state.history = {}, {}, []
            self.state.step = None
            return advance(self.flow, self.state, self.now, self.words, self.events)
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
        number = option_number(picked)
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

    def _review_choice(self, inbound: Inbound) -> Outcome:
        choice = self._pick(inbound, ("send", "change", "cancel"))
        if choice == "send":
            self.state.status = "done"
            answers = {k: v for k, v in self.state.answers.items()}
            self.events.append(Submitted(self.flow.name, answers))
            return done(self.state, self.now, self.events, "submitted")
        if choice == "change":
            self.state.step = EDIT
            return self._ask()
        if choice == "cancel":
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
        """A value by its button, number, name, translated label or a word typed for it."""
        if inbound.button in values:
            return inbound.button
        text = normalize(inbound.text)
        number = option_number(text)
        if number is not None and 1 <= number <= len(values):
            return values[number - 1]
        for value in values:
            names = [value.replace("_", " "), *self.labels.get(value, [])]
            if text in (normalize(n) for n in names) or text in self.words.options.get(value, ()):
                return value
        return None
