"""The engine speaks no language: every word a user may type comes from the word list next to
the catalogue (locales/<locale>/words.json), so a second language is a catalogue plus a list."""

import ast
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from conversations import engine
from conversations.model import Choice, Condition, Ended, Flow, Inbound, Step, Submitted, Text
from conversations.words import Words
from handlers.core.text import LOCALES_DIR, load_words

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # a Monday

ENGLISH = {
    "commands": {"cancel": ["cancel"], "back": ["back"], "help": ["help"], "menu": ["menu"]},
    "yes": ["yes", "y", "ok", "sure"],
    "no": ["no", "n", "nope"],
    "skip": ["skip", "-", "none"],
    "options": {"continue": ["go on"], "restart": ["start over"], "send": ["submit"]},
    "and": ["and"],
    "number_prefixes": ["no", "number"],
    "money_units": {"k": 1000, "thousand": 1000, "m": 1000000, "million": 1000000},
    "currency_before": ["idr"],
    "currency_after": ["rupiah", "idr"],
    "months": [
        [name, name[:3]]
        for name in [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    ],
    "weekdays": [
        [d, d[:3]] for d in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    ]
    + [["sunday", "sun"]],
    "weekday_prefixes": ["last"],
    "days_ago": {"today": 0, "yesterday": 1, "tomorrow": -1},
    "n_days_ago": {"day": ["days", "day"], "filler": [], "ago": ["ago"]},
    "date_prefixes": ["date", "on"],
    "month_prefixes": ["month"],
    "months_ahead": {"this month": 0, "next month": 1, "last month": -1},
}
EN = Words.from_dict(ENGLISH)

FLOW = Flow(
    name="visit",
    title="Visit",
    steps=(
        Step("biaya", "Amount?", "money", min=1),
        Step("klb", "Outbreak?", "yes_no"),
        Step("kasus", "How many cases?", "integer", skip_if=Condition("klb", "eq", False)),
        Step("tanggal", "Which day?", "date", max_days_back=30),
        Step("bulan", "Which month?", "month"),
        Step(
            "penyakit",
            "Which diseases?",
            "multi_choice",
            choices=(Choice("dbd", Text("Dengue")), Choice("diare", Text("Diarrhoea"))),
        ),
        Step("foto", "Photo?", "photo", required=False),
    ),
)


def _tokens(words: Words | dict) -> set[str]:
    """Every word of a word list's data, split at spaces."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            found.update(value.casefold().split())
        elif isinstance(value, dict):
            for key, item in value.items():
                found.update(key.casefold().split()) if isinstance(item, int) else walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(words)
    return found


def _string_constants(tree: ast.Module) -> list[ast.Constant]:
    """String literals, without docstrings and msgids (N_(…): catalogue keys, not typed words)."""
    ignored: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            ignored.add(id(body[0].value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
            ignored.update(id(arg) for arg in node.args)
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in ignored
    ]


def test_no_indonesian_word_of_the_word_list_is_a_literal_of_the_engine():
    """The engine's modules (forms/ are data: their keys are domain nouns) hold no word of
    locales/id/words.json, also not inside a pattern; the English codes (yes, no, skip,
    cancel, menu…) that Indonesians type too are the language-neutral values."""
    indonesian = json.loads((LOCALES_DIR / "id" / "words.json").read_text(encoding="utf-8"))
    words = {w for w in _tokens(indonesian) - _tokens(ENGLISH) if len(w) > 1}
    assert {"batal", "lewati", "juta", "kemarin", "desember", "tidak", "nomor"} <= words
    found = [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for path in sorted((ROOT / "conversations").glob("*.py"))
        for node in _string_constants(ast.parse(path.read_text(encoding="utf-8")))
        if set(re.findall(r"[^\W\d_]+", node.value.casefold())) & words
    ]
    assert found == []


def test_an_english_word_list_drives_the_engine():
    outcome = engine.start(FLOW, {}, NOW, words=EN)
    for typed, step in [
        ("2,5 juta", "biaya"),  # an Indonesian unit means nothing in English
        ("2.5 million", "klb"),
        ("ya", "klb"),
        ("nope", "tanggal"),  # no outbreak: the count of cases is skipped
        ("kemarin", "tanggal"),
        ("3 days ago", "bulan"),
        ("December", "penyakit"),
        ("dbd and diare", "foto"),
        ("lewati", "foto"),
        ("none", "_review"),
    ]:
        outcome = engine.resume(FLOW, outcome.state, Inbound(text=typed), NOW, words=EN)
        assert outcome.state.step == step, typed
    assert outcome.state.answers == {
        "biaya": 2_500_000,
        "klb": False,
        "tanggal": "2026-11-20",
        "bulan": "2026-12",
        "penyakit": ["dbd", "diare"],
        "foto": None,
    }
    done = engine.resume(FLOW, outcome.state, Inbound(text="submit"), NOW, words=EN)
    assert [e for e in done.events if isinstance(e, Submitted)]


def test_global_words_are_the_word_lists_own():
    outcome = engine.start(FLOW, {}, NOW, words=EN)
    kept = engine.resume(FLOW, outcome.state, Inbound(text="/batal"), NOW, words=EN)
    assert kept.state.status == "active"  # not a command in English: a wrong amount
    ended = engine.resume(FLOW, outcome.state, Inbound(text="cancel"), NOW, words=EN)
    assert Ended("cancelled") in ended.events
    assert engine.global_word("/batal", load_words()) == "cancel"
    assert engine.global_word("/batal", EN) is None
