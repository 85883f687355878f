"""The global commands a user may type at any question: cancel, back, help and menu (the words
for them come from the word list)."""

from __future__ import annotations

from conversations import questions
from conversations.model import N_, Outcome, Text
from conversations.parsing import normalize
from conversations.run import done
from conversations.steps import Steps
from conversations.words import Words


def global_word(text: str, words: Words) -> str | None:
    """The command code (cancel, back, help, menu) of a typed global word, or None."""
    return words.command(normalize(text))


class Commands(Steps):
    def _global(self, word: str) -> Outcome:
        if word == "cancel":
            if self.state.answers:
                self.state.pending = {"cancel": True}
                return self._reply(questions.confirm_cancel())
            return self._end("cancelled", Text(N_("Cancelled. Type /menu to see what you can do.")))
        if word == "menu":
            self.state.status = "cancelled"
            return done(self.state, self.now, self.events, "menu")
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
