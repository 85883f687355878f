"""/lapor and quick entry: choose klaster, period and desa, then fill the klaster form.

`LAPOR KL2 K1=3 K6=2` starts the same flows with the typed values pre-filled
(`context["prefill"]`): the engine feeds them one by one as if typed, so they pass the same
validation, and only what is missing or refused is asked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from conversations import parsing, quick_entry
from conversations.forms.report_common import (
    KLASTER_BY_KEY,
    KLASTERS,
    Klaster,
    indicators,
)
from conversations.model import N_, Day, Flow
from db import queries
from db.models import Puskesmas
from db.report_queries import recent_means, reports_at
from db.reports import DESA as DESA_PLACE
from db.reports import GEDUNG, NIHIL, POSYANDU, Slot, unlocked_days
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.reports import places, words
from handlers.reports.codes import KLASTER_WORDS, help_with_codes, known_figures, old_word_hint
from handlers.reports.submit import on_report
from handlers.wilayah import marks

HISTORY_DAYS = 28
MIN_HISTORY = 5  # reports in the window before history may judge a value
PERIOD, DESA, POSYANDU_WORD = "TGL", "DESA", "POSYANDU"
NIHIL_WORD = "NIHIL"  # `LAPOR K4 NIHIL`: a code like K4, the same in every language


def report_flows(turn: Turn) -> list[Flow]:
    return [turn.runtime.flows[k.flow] for k in KLASTERS]


def code_owner(turn: Turn) -> dict[str, str]:
    """Indicator code -> klaster key, over every report form."""
    owner = {}
    for spec in KLASTERS:
        for step in indicators(turn.runtime.flows[spec.flow]):
            owner[step.code] = spec.key
    return owner


async def lapor_command(turn: Turn, arg: str) -> None:
    user = turn.user
    if user is None or user.puskesmas_id is None:
        turn.say("Your account is not linked to a puskesmas. Please contact the Dinas Kesehatan.")
        return
    if not arg:
        await start_choice(turn, {}, None)
        return
    owner = code_owner(turn)
    entry = quick_entry.parse(
        arg, {*owner, PERIOD, DESA, POSYANDU_WORD}, KLASTER_WORDS, multiword={DESA, POSYANDU_WORD}
    )
    klaster = KLASTER_WORDS.get(entry.klaster or "") or _inferred(entry, owner)
    if klaster is not None and KLASTER_BY_KEY[klaster] not in words.allowed_klaster(user):
        turn.say("Sorry, your role cannot report this cluster.")
        return
    if klaster is None and any(code in owner for code in entry.values):
        turn.say("Please start with the cluster, for example: LAPOR KL2 K1=3 K4=2.")
        return
    _notes(turn, entry, owner, klaster)
    values = {c: v for c, v in entry.values.items() if owner.get(c) == klaster}
    nihil = klaster is not None and [w.upper() for w in entry.stray] == [NIHIL_WORD]
    if not (values or nihil):
        await start_choice(turn, {"klaster": _typed(turn, klaster)} if klaster else {}, None)
        return
    prefill: dict[str, Any] = {"klaster": _typed(turn, klaster)}
    if nihil:
        prefill["tempat"] = NIHIL
    elif POSYANDU_WORD in entry.values:
        prefill |= {"tempat": POSYANDU, "posyandu": entry.values[POSYANDU_WORD]}
    elif DESA in entry.values:
        if words.at_desa(user):
            turn.say("A kader can only report for the kader's own desa.")
            return
        prefill |= {"tempat": DESA_PLACE, "desa": entry.values[DESA]}
    elif not words.at_desa(user):
        prefill["tempat"] = GEDUNG
    period = entry.values.get(PERIOD) or _default_period(turn, KLASTER_BY_KEY[klaster])
    prefill["minggu" if KLASTER_BY_KEY[klaster].weekly else "tanggal"] = period
    await start_choice(turn, prefill, values or None)


def _typed(turn: Turn, klaster: str) -> str:
    """The klaster as typed into the chooser: its name, since a bare "2" would be read as the
    second button (a kader's second klaster is Klaster 3)."""
    return turn.t(KLASTER_BY_KEY[klaster].name)


async def klb_command(turn: Turn, _arg: str) -> None:
    """/klb: straight to the deaths and suspected outbreak form (a kader too)."""
    await lapor_command(turn, KLASTER_BY_KEY["km"].code)


def _inferred(entry: quick_entry.QuickEntry, owner: dict[str, str]) -> str | None:
    found = {owner[c] for c in entry.values if c in owner}
    return found.pop() if len(found) == 1 else None


def _default_period(turn: Turn, klaster: Klaster) -> str:
    day = words.sent_day(turn)
    return (words.monday(day) if klaster.weekly else day).isoformat()


def _notes(
    turn: Turn, entry: quick_entry.QuickEntry, owner: dict[str, str], klaster: str | None
) -> None:
    for code, suggestion in entry.unknown:
        if suggestion and suggestion not in (PERIOD, DESA, POSYANDU_WORD):
            turn.say(
                "I do not know the code {code}. Did you mean {suggestion}?",
                code=code,
                suggestion=suggestion,
            )
        else:
            turn.say("I do not know the code {code}. The codes are listed in /bantuan.", code=code)
    left_out = [code for code in entry.values if code in owner and owner[code] != klaster]
    for code in left_out:
        turn.say("{code} is not in the form of this cluster; I left it out.", code=code)
    old_word_hint(turn, entry.klaster, left_out, owner)
    if entry.stray:
        turn.say(
            "I could not read: {text}. Write CODE=number, for example K1=3.",
            text=" ".join(entry.stray),
        )
    for code in dict.fromkeys(entry.repeated):
        turn.say("{code} was written twice; I used the last value.", code=code)


async def start_choice(turn: Turn, prefill: dict[str, Any], quick: dict[str, str] | None) -> None:
    """The chooser: klaster → period → desa (a kader's desa is fixed)."""
    user = turn.user
    assert user is not None and user.puskesmas_id is not None
    unlocked = await unlocked_days(turn.session, user.puskesmas_id, turn.now)
    place_choices, known = await places.choices(turn)
    choices: dict[str, Any] = {
        "klaster": [[k.key, turn.t(k.name)] for k in words.allowed_klaster(user)],
        "tanggal": words.day_choices(turn, unlocked),
        "minggu": words.week_choices(turn, unlocked),
        **place_choices,
    }
    _refuse_too_old(turn, prefill, choices["tanggal"])
    context = {
        "choices": choices,
        "kader": words.at_desa(user),
        "prefill": {**prefill, **known},
        "quick": quick,
        "written_at": turn.msg.sent_at.isoformat(),  # the day "hari ini" was judged by
    }
    await turn.start_flow("lapor", context)


def _refuse_too_old(turn: Turn, prefill: dict[str, Any], days: list[list[str]]) -> None:
    """A typed TGL= before the days that may be reported: say so and from when reports can be
    made, then ask the day with its buttons."""
    try:
        day = parsing.parse_date(
            prefill.get("tanggal") or "", words.sent_day(turn), words=turn.words
        )
    except parsing.ParseError:
        return  # not a date: the day question says what to type
    first = words.sent_day(turn) - timedelta(days=words.lock_days(turn))
    if day >= first or day.isoformat() in {value for value, _ in days}:
        return
    turn.say(
        "{day} can no longer be reported: reports can be made from {first} on. "
        "Choose a day below, or ask the Dinas Kesehatan to open that day.",
        day=Day(day),
        first=Day(first),
    )
    del prefill["tanggal"]


async def on_chosen(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    klaster = KLASTER_BY_KEY[answers["klaster"]]
    start = date.fromisoformat(answers.get("tanggal") or answers["minggu"])
    end = start + timedelta(days=6) if klaster.weekly else start
    slot = await places.slot_of(turn, klaster, start, end, answers)
    if await words.locked(turn, slot):
        return
    if answers.get("tempat") == NIHIL:
        await places.file_nihil(turn, slot, datetime.fromisoformat(context["written_at"]))
        return
    carry = {k: context.get(k) for k in ("quick", "written_at")} | {"slot": words.slot_json(slot)}
    here = await reports_at(turn.session, slot)
    mine = [e for e in here if e.user_id == turn.user.id]
    others = [e for e in here if e.user_id != turn.user.id and not e.nihil]
    if not (mine or others):
        await start_form(turn, carry)
        return
    existing = mine[0] if mine else others[-1]
    what = f"{turn.t(klaster.name)}, {words.period_text(turn, slot)}, {await words.place_text(turn, slot)}"
    params = {
        "what": what,
        "name": existing.user_name,
        "time": words.time_text(turn, existing.received_at),
        "reference": existing.reference,
    }
    flow = "lapor_ganti" if mine else "lapor_tambah"
    await turn.start_flow(flow, {"params": params, "carry": carry})


async def on_replace(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    if not answers["ganti"]:
        turn.say("All right, the existing report stays valid. Type /status to see your reports.")
        return
    await start_form(turn, turn.state.context["carry"])


async def on_add(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    if not answers["tambah"]:
        turn.say("All right, nothing was sent. Type /status to see the reports.")
        return
    await start_form(turn, turn.state.context["carry"])


async def start_form(turn: Turn, carry: dict[str, Any]) -> None:
    """`carry`: the slot, the quick-entry values (or None) and when the report was written."""
    slot, quick = words.slot_from(carry["slot"]), carry.get("quick")
    klaster = KLASTER_BY_KEY[slot.klaster]
    flow = turn.runtime.flows[klaster.flow]
    puskesmas = await turn.session.get(Puskesmas, slot.puskesmas_id)
    kader = words.at_desa(turn.user)
    context: dict[str, Any] = {
        "slot": carry["slot"],
        "written_at": carry["written_at"],
        "kader": kader,
        "rawat_inap": bool(puskesmas.rawat_inap),
        "soft_max": await soft_limits(turn, flow, slot),
        **await known_figures(turn, flow, slot),
    }
    if any(step.provider == "desa" for step in flow.steps):
        desa = await queries.desa_of_puskesmas(turn.session, slot.puskesmas_id)
        context["choices"] = {"desa": await marks.desa_choices(turn.session, turn.t, desa)}
    if quick is not None:
        context["prefill"] = prefill_form(flow, quick)
    turn.say(
        "{title} · {period} · {place}. Type 0 when there was none; /batal cancels.",
        title=turn.t(flow.title),
        period=words.period_text(turn, slot),
        place=await words.place_text(turn, slot),
    )
    await turn.start_flow(flow.name, context)


def prefill_form(flow: Flow, quick: dict[str, str]) -> dict[str, str]:
    """Typed values by step key; optional questions not typed are skipped, required ones asked."""
    prefill = {}
    for step in flow.steps:
        if step.code and step.code in quick:
            prefill[step.key] = quick[step.code]
        elif not step.required:
            prefill[step.key] = "-"
    return prefill


async def soft_limits(turn: Turn, flow: Flow, slot: Slot) -> dict[str, int]:
    """Per indicator: above 3× this puskesmas's 28-day mean (and from 10 up), or above the
    plausible maximum of the form, a value asks "yakin?" once. One aggregate query."""
    since = slot.period_start - timedelta(days=HISTORY_DAYS)
    means = await recent_means(
        turn.session,
        slot.puskesmas_id,
        slot.klaster,
        since,
        slot.period_start,
        slot.place,
    )
    limits = {}
    for step in indicators(flow):
        if step.type != "integer":
            continue
        limit = step.soft_max
        mean, n = means.get(step.code, (0.0, 0))
        if n >= MIN_HISTORY:
            history = max(int(3 * mean), 9)
            limit = history if limit is None else min(limit, history)
        if limit is not None:
            limits[step.key] = limit
    return limits


# --- installation --------------------------------------------------------------------------


def install(runtime: Runtime) -> None:
    runtime.submit_handlers.update(
        {"lapor": on_chosen, "lapor_ganti": on_replace, "lapor_tambah": on_add}
    )
    for spec in KLASTERS:
        runtime.submit_handlers[spec.flow] = on_report
    runtime.add_command(
        Command(
            "lapor",
            N_("Report cluster services"),
            words.REPORTER_ROLES,
            lapor_command,
            ("laporan",),
            drafts=tuple(k.flow for k in KLASTERS),
        )
    )
    runtime.add_command(
        Command(
            "klb",
            N_("Report a death or a suspected outbreak"),
            words.REPORTER_ROLES,
            klb_command,
            ("kematian",),
        )
    )
    help_with_codes(runtime)
