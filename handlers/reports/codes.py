"""The klaster words of quick entry, their help, and what a form needs to know before it starts.

The klaster words are KL1–KL4 and LK, so that K1–K6 stay the ANC visits. The old words K1–K4
(and K5 for lintas klaster) are still read right after LAPOR, where no indicator code stands:
`LAPOR K4 DBD=1` is klaster 4, `LAPOR K2 K4=3` is klaster 2 with the ANC K4."""

from __future__ import annotations

from dataclasses import replace

from conversations.forms.consistency import CONTEXT_SASARAN
from conversations.forms.report_common import KLASTER_BY_KEY, KLASTERS, indicators
from conversations.model import Flow
from db.report_queries import sasaran_of
from db.reports import Slot
from handlers.core.inbound import Runtime
from handlers.core.turn import Turn
from handlers.digest import ews
from handlers.reports import words
from handlers.reports.spm import spm_text

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


def codes_text(turn: Turn, arg: str) -> str | None:
    """Quick-entry help: the codes per klaster, or with `KL2` the meaning of each code."""
    allowed = words.allowed_klaster(turn.user) if turn.user else ()
    if not allowed:
        return None
    wanted = KLASTER_WORDS.get(arg.strip().upper())
    for spec in allowed:
        if spec.key == wanted:
            lines = [turn.t("Codes of {klaster}:", klaster=turn.t(spec.name))]
            for step in indicators(turn.runtime.flows[spec.flow]):
                lines.append(f"{step.code} = {turn.t(step.label)}")
            return "\n".join(lines)
    lines = [
        turn.t("Quick report in one message, for example: LAPOR KL2 K1=3 K4=2 S=60 D=40 T=2"),
        turn.t("KL1–KL4 and LK name the cluster; K1 to K6 are the antenatal visits."),
    ]
    for spec in allowed:
        codes = " ".join(s.code for s in indicators(turn.runtime.flows[spec.flow]))
        lines.append(f"{spec.code}: {codes}")
    lines.append(
        turn.t(
            "Add TGL=kemarin for another day, DESA=name for a desa, POSYANDU=name for a "
            "posyandu; LAPOR KL4 NIHIL when the building had no services. /bantuan KL2 explains "
            "the codes."
        )
    )
    lines.append(turn.t("/bantuan SPM explains how the SPM capaian counts people."))
    lines.append(turn.t("/bantuan SKDR lists the early-warning rules and the death alerts."))
    return "\n".join(lines)


def help_with_codes(runtime: Runtime) -> None:
    """/bantuan with the quick-entry codes, /bantuan KL2 with their meaning, /bantuan SPM and
    /bantuan SKDR."""
    original = runtime.commands.get("bantuan")
    if original is None:
        return

    async def run(turn: Turn, arg: str) -> None:
        if turn.user is not None and arg.strip().upper() == "SPM":
            turn.say_raw(spm_text(turn))
            return
        if turn.user is not None and arg.strip().upper() == "SKDR":
            turn.say_raw(ews.rules_text(turn.runtime.texts, turn.locale))
            return
        if not (arg and KLASTER_WORDS.get(arg.strip().upper())):
            await original.run(turn, arg)
        text = codes_text(turn, arg)
        if text:
            turn.say_raw(text)

    runtime.add_command(replace(original, run=run))
