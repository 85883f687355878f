"""The engine features the report forms need, and the indicator catalogue as data."""

from datetime import UTC, datetime

import pytest

from conversations import engine
from conversations.flows import FlowError, load_all, validate
from conversations.forms.report_common import (
    JUKNIS,
    KLASTERS,
    USULAN,
    check_codes_unique,
    check_indicators,
    count,
    indicators,
)
from conversations.model import N_, Condition, Flow, Inbound, Rule, Step
from handlers.core.text import load_words

WORDS = load_words()
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

WEIGHING = Flow(
    "timbang",
    "Weighing",
    steps=(
        Step("d", "D?", "integer", min=0, code="D", label="D"),
        Step("t", "T?", "integer", min=0, skip_if=Condition("d", "eq", 0), code="T", label="T"),
        Step(
            "ranap", "Inpatients?", "integer", skip_if=Condition("ri", "ne", True, scope="context")
        ),
        Step("catatan", "Note?", "text", required=False),
    ),
    rules=(Rule("t", "le", "d", "T > D"),),
)


def prompts(outcome):
    return [p.msgid for r in outcome.replies for p in r.parts]


def test_a_context_condition_asks_a_question_only_where_it_applies():
    without = engine.start(WEIGHING, {}, NOW, words=WORDS)
    without = engine.resume(WEIGHING, without.state, Inbound(text="4"), NOW, words=WORDS)
    without = engine.resume(WEIGHING, without.state, Inbound(text="1"), NOW, words=WORDS)
    assert without.state.step == "catatan"
    with_ward = engine.start(WEIGHING, {"ri": True}, NOW, words=WORDS)
    with_ward = engine.resume(WEIGHING, with_ward.state, Inbound(text="4"), NOW, words=WORDS)
    with_ward = engine.resume(WEIGHING, with_ward.state, Inbound(text="1"), NOW, words=WORDS)
    assert with_ward.state.step == "ranap"


def test_prefilled_answers_pass_the_same_validation_and_only_the_rest_is_asked():
    outcome = engine.start(
        WEIGHING, {"prefill": {"d": "4", "t": "9", "catatan": "-"}}, NOW, words=WORDS
    )
    assert prompts(outcome) == ["T > D", "T?"]  # refused like a typed 9
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="2"), NOW, words=WORDS)
    assert outcome.state.step == "_review"  # the prefilled skip of the note was still used
    assert outcome.state.answers == {"d": 4, "t": 2, "catatan": None}


def test_prefill_leaves_the_callers_context_alone():
    context = {"prefill": {"d": "4"}}
    engine.start(WEIGHING, context, NOW, words=WORDS)
    assert context == {"prefill": {"d": "4"}}


def test_a_refused_value_is_not_questioned_as_unusual_first():
    outcome = engine.start(WEIGHING, {"soft_max": {"t": 1}}, NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="4"), NOW, words=WORDS)
    refused = engine.resume(WEIGHING, outcome.state, Inbound(text="9"), NOW, words=WORDS)
    assert prompts(refused) == ["T > D", "T?"]


def test_an_edit_that_makes_a_skipped_question_due_asks_it_before_the_summary():
    outcome = engine.start(WEIGHING, {}, NOW, words=WORDS)
    for text in ("0", "-"):
        outcome = engine.resume(WEIGHING, outcome.state, Inbound(text=text), NOW, words=WORDS)
    assert outcome.state.step == "_review" and "t" not in outcome.state.answers
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="change"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="d"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="5"), NOW, words=WORDS)
    assert prompts(outcome) == ["T?"]
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="2"), NOW, words=WORDS)
    assert outcome.state.step == "_review" and outcome.state.answers["t"] == 2
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="change"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="t"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="1"), NOW, words=WORDS)
    assert outcome.state.step == "_review"
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="change"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(button="d"), NOW, words=WORDS)
    outcome = engine.resume(WEIGHING, outcome.state, Inbound(text="0"), NOW, words=WORDS)
    assert outcome.state.step == "_review" and "t" not in outcome.state.answers


def test_the_summary_shows_the_quick_entry_code():
    outcome = engine.start(WEIGHING, {"prefill": {"d": "0", "catatan": "-"}}, NOW, words=WORDS)
    lines = outcome.replies[-1].parts
    assert lines[1].msgid == "{code} · {label}: {value}"
    assert dict(lines[1].params)["code"] == "D"


def test_an_unknown_condition_scope_is_refused_when_loaded():
    step = Step("a", "A", "text", skip_if=Condition("x", "eq", 1, scope="weather"))
    with pytest.raises(FlowError, match="scope"):
        validate(Flow("x", "X", steps=(step,)))


# --- the catalogue -------------------------------------------------------------------------

REPORT_FLOWS = [load_all()[k.flow] for k in KLASTERS]


def test_every_klaster_has_a_form_and_codes_are_unique_over_all_forms():
    check_codes_unique(REPORT_FLOWS)
    assert [f.name for f in REPORT_FLOWS] == [
        "lapor_k1",
        "lapor_k2",
        "lapor_k3",
        "lapor_k4",
        "lapor_lk",
        "lapor_km",
    ]


@pytest.mark.parametrize("flow", REPORT_FLOWS, ids=lambda f: f.name)
def test_every_indicator_carries_its_metadata_and_is_translated(flow, texts):
    for step in indicators(flow):
        assert step.source in (JUKNIS, USULAN)
        for msgid in (step.prompt, step.label, step.help, step.unit):
            assert texts.has(msgid), msgid


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (count("K1", "p", "l", "h", unit="u", source="guess", soft_max=1), "source"),
        (Step("k1", "p", "integer", code="K1", label="l", unit="u", source=JUKNIS), "help"),
        (
            Step("xx", "p", "integer", code="K1", help="h", label="l", unit="u", source=JUKNIS),
            "lower",
        ),
    ],
)
def test_a_broken_indicator_is_refused_at_start(step, problem):
    with pytest.raises(ValueError, match=problem):
        check_indicators(Flow("x", N_("X"), steps=(step,)))
