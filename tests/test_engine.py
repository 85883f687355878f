"""The pure engine, told as transcripts: a flow, what the user sends, what comes back."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from conversations import engine
from conversations.flows import FlowError, load_all, validate
from conversations.model import (
    Choice,
    Condition,
    Contact,
    Ended,
    Flow,
    Inbound,
    Location,
    Photo,
    ResultSaved,
    Rule,
    Step,
    Submitted,
    Text,
)
from handlers.core.text import load_words

WORDS = load_words()
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

EVERY_TYPE = Flow(
    name="every_type",
    title="Every type",
    steps=(
        Step(
            "nama",
            "Name?",
            "text",
            min_length=2,
            max_length=10,
            pattern="name",
            help="Type a name.",
        ),
        Step("jumlah", "How many?", "integer", min=0, max=500),
        Step("suhu", "Temperature?", "decimal", min=30, max=45),
        Step("biaya", "Amount?", "money", min=1, max=100_000_000),
        Step(
            "klaster",
            "Which klaster?",
            "choice",
            choices=(Choice("k2", Text("Mother and child")), Choice("k3", Text("Adults"))),
        ),
        Step("desa", "Which desa?", "choice", provider="desa"),
        Step("penyakit", "Which diseases?", "multi_choice", provider="penyakit"),
        Step("klb", "Outbreak?", "yes_no"),
        Step("kasus", "How many cases?", "integer", min=1, skip_if=Condition("klb", "eq", False)),
        Step("tanggal", "Which day?", "date", max_days_back=7),
        Step("bulan", "Which month?", "month"),
        Step("foto", "Photo?", "photo", required=False),
        Step("lokasi", "Location?", "location"),
        Step("kontak", "Phone?", "contact"),
    ),
)

CONTEXT = {
    "choices": {
        "desa": [["17.02.11.2009", "Sumber Urip"], ["17.02.11.2001", "Sumber Bening"]],
        "penyakit": [["dbd", "DBD"], ["diare", "Diare"], ["campak", "Campak"]],
    }
}

GOOD_ANSWERS = [
    ("nama", Inbound(text="Siti"), "Siti"),
    ("jumlah", Inbound(text="1.200"), None),  # over the maximum: asked again
    ("jumlah", Inbound(text="12"), 12),
    ("suhu", Inbound(text="37,5"), "37.5"),
    ("biaya", Inbound(text="2,5 juta"), 2_500_000),
    ("klaster", Inbound(text="2"), "k3"),
    ("desa", Inbound(text="smbr urip"), "17.02.11.2009"),
    ("penyakit", Inbound(text="dbd, campak"), ["dbd", "campak"]),
    ("klb", Inbound(text="ya"), True),
    ("kasus", Inbound(text="4"), 4),
    ("tanggal", Inbound(text="kemarin"), "2026-11-22"),
    ("bulan", Inbound(text="Desember"), "2026-12"),
    (
        "foto",
        Inbound(photo=Photo("file-1", "posyandu")),
        {"file_id": "file-1", "caption": "posyandu"},
    ),
    ("lokasi", Inbound(location=Location(-3.47, 102.52)), {"lat": -3.47, "lon": 102.52}),
    ("kontak", Inbound(contact=Contact("+628123")), {"phone": "+628123", "name": None}),
]


def run(flow, state, inbound, labels=None):
    return engine.resume(flow, state, inbound, NOW, labels, words=WORDS)


def prompts(outcome):
    return [p.msgid for r in outcome.replies for p in r.parts]


def test_every_input_type_is_read_into_its_typed_answer_and_ends_in_a_review():
    outcome = engine.start(EVERY_TYPE, CONTEXT, NOW, words=WORDS)
    assert prompts(outcome) == ["Name?"]
    for key, inbound, expected in GOOD_ANSWERS:
        assert outcome.state.step == key
        outcome = run(EVERY_TYPE, outcome.state, inbound)
        if expected is None:
            assert outcome.state.step == key
            continue
        assert outcome.state.answers[key] == expected
        assert ResultSaved(key, expected) in outcome.events
    assert outcome.state.step == "_review"
    assert [c.value for c in outcome.replies[0].choices] == ["send", "change", "cancel"]
    done = run(EVERY_TYPE, outcome.state, Inbound(button="send"))
    submitted = [e for e in done.events if isinstance(e, Submitted)]
    assert submitted[0].answers["biaya"] == 2_500_000
    assert Ended("submitted") in done.events
    assert done.state.status == "done"


def _at(key, answers=()):
    """A state standing at `key`, with the earlier good answers given."""
    outcome = engine.start(EVERY_TYPE, CONTEXT, NOW, words=WORDS)
    for _key, inbound, expected in GOOD_ANSWERS:
        if outcome.state.step == key:
            return outcome.state
        if expected is not None:
            outcome = run(EVERY_TYPE, outcome.state, inbound)
    raise AssertionError(key)


BAD_INPUT = [
    ("nama", "S", "Too short: type at least {minimum} characters."),
    ("nama", "Siti Aminah Binti", "Too long: type at most {maximum} characters."),
    ("nama", "S1t1", "Please type a name with letters only."),
    ("jumlah", "dua", "Please type a whole number, for example 12."),
    ("jumlah", "-3", "The number cannot be negative."),
    ("jumlah", "501", "Please type {maximum} or less."),
    ("suhu", "abc", "Please type a number, for example 12 or 1,5."),
    ("biaya", "0", "The amount must be more than zero."),
    ("biaya", "gratis", "Please type the amount in rupiah, for example 2.500.000 or 2,5 juta."),
    ("klaster", "xyz", "I did not recognise that choice. Type the number or the name."),
    ("klb", "mungkin", "Please answer yes or no."),
    ("tanggal", "besok", "The date cannot be in the future."),
    ("tanggal", "1/11", "The date cannot be more than {days} days ago."),
    ("bulan", "kapan-kapan", "Please type a month, for example Desember or 12/2026."),
    ("lokasi", "di posyandu", "Please share your location with the button below."),
    ("kontak", "0812", "Please share your phone number with the button below."),
]


@pytest.mark.parametrize(("key", "text", "error"), BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_the_same_question_with_answers_kept(key, text, error):
    state = _at(key)
    before = dict(state.answers)
    outcome = run(EVERY_TYPE, state, Inbound(text=text))
    assert prompts(outcome)[0] == error
    assert prompts(outcome)[-1] == EVERY_TYPE.step(key).prompt
    assert outcome.state.step == key
    assert outcome.state.answers == before
    assert outcome.state.nonce == state.nonce  # the buttons shown stay valid


def test_ambiguous_number_is_asked_back_never_guessed():
    state = _at("biaya")
    outcome = run(EVERY_TYPE, state, Inbound(text="1.5"))
    assert prompts(outcome) == ["Do you mean {a} or {b}?"]
    assert outcome.state.step == "biaya"
    picked = run(EVERY_TYPE, outcome.state, Inbound(text="1"))
    assert picked.state.answers["biaya"] == 1_500_000


def test_an_ambiguous_choice_asks_which_one():
    state = _at("desa")
    outcome = run(EVERY_TYPE, state, Inbound(text="sumber"))
    assert prompts(outcome) == ["Which one do you mean?"]
    assert len(outcome.replies[0].choices) == 2
    picked = run(EVERY_TYPE, outcome.state, Inbound(button="1"))
    assert picked.state.answers["desa"] == "17.02.11.2001"


def test_a_skip_condition_skips_the_case_count_when_there_is_no_outbreak():
    state = _at("klb")
    outcome = run(EVERY_TYPE, state, Inbound(text="tidak"))
    assert outcome.state.step == "tanggal"
    assert "kasus" not in outcome.state.answers


def test_an_optional_photo_can_be_skipped():
    state = _at("foto")
    assert "skip" in [c.value for c in engine.current_reply(EVERY_TYPE, state).choices]
    outcome = run(EVERY_TYPE, state, Inbound(text="lewati"))
    assert outcome.state.answers["foto"] is None
    assert outcome.state.step == "lokasi"


@pytest.mark.parametrize("key", [s.key for s in EVERY_TYPE.steps if s.key != "kasus"])
def test_cancel_at_any_step_asks_first_when_there_are_answers(key):
    state = _at(key)
    asked = run(EVERY_TYPE, state, Inbound(text="/batal"))
    if not state.answers:
        assert Ended("cancelled") in asked.events
        return
    assert prompts(asked) == ["Cancel this form? The answers you gave will be lost."]
    kept = run(EVERY_TYPE, asked.state, Inbound(text="tidak"))
    assert kept.state.step == key and kept.state.answers == state.answers
    gone = run(EVERY_TYPE, asked.state, Inbound(text="Ya"))
    assert Ended("cancelled") in gone.events
    assert gone.state.status == "cancelled"


@pytest.mark.parametrize("key", [s.key for s in EVERY_TYPE.steps if s.key != "kasus"])
def test_back_at_any_step_returns_to_the_previous_question(key):
    state = _at(key)
    outcome = run(EVERY_TYPE, state, Inbound(text="KEMBALI"))
    if not state.history:
        assert prompts(outcome) == ["This is the first question.", "Name?"]
        return
    previous = state.history[-1]
    assert outcome.state.step == previous
    assert prompts(outcome)[-1] == EVERY_TYPE.step(previous).prompt
    assert outcome.state.answers == state.answers


@pytest.mark.parametrize("key", [s.key for s in EVERY_TYPE.steps if s.key != "kasus"])
def test_help_at_any_step_explains_and_asks_again(key):
    state = _at(key)
    outcome = run(EVERY_TYPE, state, Inbound(text="bantuan"))
    step = EVERY_TYPE.step(key)
    expected = (
        step.help or "Answer the question, or type /kembali (back), /batal (cancel) or /menu."
    )
    assert prompts(outcome) == [expected, step.prompt]
    assert outcome.state.step == key


def test_menu_leaves_the_form():
    outcome = run(EVERY_TYPE, _at("suhu"), Inbound(text="/menu"))
    assert Ended("menu") in outcome.events


def test_changing_one_answer_from_the_summary_returns_to_the_summary():
    state = _at("nama")
    outcome = engine.start(EVERY_TYPE, CONTEXT, NOW, words=WORDS)
    for _key, inbound, expected in GOOD_ANSWERS:
        if expected is not None:
            outcome = run(EVERY_TYPE, outcome.state, inbound)
    assert outcome.state.step == "_review"
    menu = run(EVERY_TYPE, outcome.state, Inbound(text="ubah"))
    assert menu.state.step == "_edit"
    asked = run(EVERY_TYPE, menu.state, Inbound(button="jumlah"))
    assert prompts(asked)[-1] == "How many?"
    changed = run(EVERY_TYPE, asked.state, Inbound(text="15"))
    assert changed.state.step == "_review"
    assert changed.state.answers["jumlah"] == 15
    assert changed.state.answers["nama"] == "Siti"
    assert state.answers == {}


def test_a_hard_rule_refuses_the_answer_and_names_both_fields():
    flow = Flow(
        "timbang",
        "Weighing",
        steps=(Step("d", "D?", "integer", min=0), Step("t", "T?", "integer", min=0)),
        rules=(Rule("t", "le", "d", "{label} cannot be more than {other} ({value})."),),
    )
    outcome = engine.start(flow, {}, NOW, words=WORDS)
    outcome = run(flow, outcome.state, Inbound(text="10"))
    refused = run(flow, outcome.state, Inbound(text="12"))
    assert prompts(refused) == ["{label} cannot be more than {other} ({value}).", "T?"]
    assert refused.state.step == "t" and "t" not in refused.state.answers


def test_a_soft_warning_asks_once_and_records_the_override():
    flow = Flow("diare", "Diarrhoea", steps=(Step("diare", "Diare?", "integer", min=0),))
    outcome = engine.start(flow, {"soft_max": {"diare": 30}}, NOW, words=WORDS)
    warned = run(flow, outcome.state, Inbound(text="45"))
    assert prompts(warned) == ["{value} is much higher than usual for “{label}”. Are you sure?"]
    kept = run(flow, warned.state, Inbound(button="yes"))
    assert kept.state.answers["diare"] == 45
    assert kept.state.answers["_overrides"] == ["diare"]


def test_an_idle_form_offers_to_continue_or_start_over():
    state = _at("suhu")
    later = NOW + timedelta(hours=25)
    offer = engine.resume(EVERY_TYPE, state, Inbound(text="37"), later, words=WORDS)
    assert prompts(offer)[0].startswith("You have an unfinished form")
    again = engine.resume(EVERY_TYPE, offer.state, Inbound(text="lanjutkan"), later, words=WORDS)
    assert again.state.step == "suhu" and again.state.answers == state.answers
    fresh = engine.resume(EVERY_TYPE, offer.state, Inbound(text="mulai baru"), later, words=WORDS)
    assert fresh.state.step == "nama" and fresh.state.answers == {}


def test_a_changed_step_is_a_new_version_and_a_conversation_begun_on_the_old_one_starts_anew():
    state = _at("suhu")
    assert state.version == EVERY_TYPE.version
    steps = tuple(replace(s, max=600) if s.key == "jumlah" else s for s in EVERY_TYPE.steps)
    newer = replace(EVERY_TYPE, steps=steps)
    assert newer.version != EVERY_TYPE.version
    outcome = run(newer, state, Inbound(text="37"))
    assert prompts(outcome) == ["This form has been updated. Please start again from the menu."]
    assert Ended("outdated") in outcome.events
    assert outcome.state.status == "cancelled"


def test_a_form_keeps_its_version_when_only_its_texts_are_reworded():
    steps = tuple(replace(s, prompt=f"{s.prompt}!", help=None) for s in EVERY_TYPE.steps)
    reworded = replace(EVERY_TYPE, title="All the types", steps=steps)
    assert reworded.version == EVERY_TYPE.version
    renamed = tuple(replace(s, key="name") if s.key == "nama" else s for s in EVERY_TYPE.steps)
    assert replace(EVERY_TYPE, steps=renamed).version != EVERY_TYPE.version


def test_every_loaded_form_has_a_version_of_its_own_content():
    flows = load_all()
    versions = {name: flow.version for name, flow in flows.items()}
    assert len(set(versions.values())) == len(versions)  # one hash per form
    assert all(0 < v < 2**31 for v in versions.values())  # the databases' integer columns
    lapor = flows["lapor_k2"]  # a klaster form, built by form()
    first = lapor.steps[0]
    changed = replace(lapor, steps=(replace(first, required=not first.required), *lapor.steps[1:]))
    assert changed.version != lapor.version


def test_unsupported_messages_are_answered_in_words():
    outcome = run(EVERY_TYPE, _at("jumlah"), Inbound(unsupported=True))
    assert prompts(outcome)[0] == "Sorry, I cannot read that kind of message. Please type."


@pytest.mark.parametrize(
    ("flow", "message"),
    [
        (Flow("x", "X", steps=(Step("a", "A", "text"), Step("a", "B", "text"))), "not unique"),
        (Flow("x", "X", steps=(Step("a", "A", "colour"),)), "unknown type"),
        (Flow("x", "X", steps=(Step("a", "A", "choice"),)), "needs choices"),
        (
            Flow("x", "X", steps=(Step("a", "A", "text", skip_if=Condition("zz", "eq", 1)),)),
            "unknown step",
        ),
        (Flow("x", "X", steps=(Step("a", "A", "text"),)), "untranslated"),
    ],
)
def test_a_broken_flow_is_refused_when_loaded(flow, message):
    with pytest.raises(FlowError, match=message):
        validate(flow, known={"X"} if message == "untranslated" else None)
