"""The klaster words of quick entry and what a form needs to know before it starts.

The klaster words are KL1–KL4 and LK, so that K1–K6 stay the ANC visits. The old words K1–K4
(and K5 for lintas klaster) are still read right after LAPOR, where no indicator code stands:
`LAPOR K4 DBD=1` is klaster 4, `LAPOR K2 K4=3` is klaster 2 with the ANC K4."""

from __future__ import annotations

from conversations.forms.consistency import CONTEXT_SASARAN
from conversations.forms.report_common import KLASTER_BY_KEY, KLASTERS
from conversations.model import Flow
from db.report_queries import sasaran_of
from db.reports import Slot
from handlers.core.turn import Turn

OLD_WORDS = {"K1": "1", "K2": "2", "K3": "3", "K4": "4", "K5": "lk", "KL5": "lk"}
KLASTER_WORDS = {k.code: k.key for k in KLASTERS} | OLD_WORDS


def old_word_hint(turn: Turn, word: str | None, left_out: list[str], owner: dict[str, str]) -> None:
    """`LAPOR K4 K4=3`: the old klaster word won, and the ANC code was left out; show the new way."""
    if word not in OLD_WORDS or not left_out:
        return
    code = left_out[0]
    turn.say(
        "After LAPOR, {word} means {klaster}. For the code {code} write: LAPOR {new} {code}=…",
        word=word,
        klaster=turn.t(KLASTER_BY_KEY[OLD_WORDS[word]].name),
        code=code,
        new=KLASTER_BY_KEY[owner[code]].code,
    )


async def known_figures(turn: Turn, flow: Flow, slot: Slot) -> dict[str, int]:
    """The figures the form's context rules compare with (the sasaran balita), when imported."""
    wanted = {rule.other for rule in flow.rules if rule.scope == "context"}
    if not wanted:
        return {}
    targets = await sasaran_of(turn.session, slot.puskesmas_id, slot.period_start.year)
    return {
        name: targets[CONTEXT_SASARAN[name]]
        for name in wanted
        if targets.get(CONTEXT_SASARAN[name])
    }
