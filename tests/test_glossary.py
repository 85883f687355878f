"""One glossary (docs/glossary.md) for the Indonesian words of the catalogue: a term it says not
to use never appears, and every term it lists is still in use."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"
GLOSSARY = ROOT / "docs" / "glossary.md"
TEMPLATES = ROOT / "bot" / "templates" / "whatsapp_templates.json"


def table(section: str) -> list[str]:
    """The first column of the glossary's table under `## section`."""
    text = GLOSSARY.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [row.split("|")[1].strip() for row in rows[1:]]  # without the header row


def indonesian() -> list[str]:
    """Every Indonesian text the bot can send: the catalogue and the WhatsApp templates."""
    with PO.open("rb") as f:
        texts = [m.string for m in read_po(f) if m.id and isinstance(m.string, str)]
    templates = json.loads(TEMPLATES.read_text())["templates"]
    return texts + [t["body"] for t in templates] + [e for t in templates for e in t["example"]]


def found(term: str, texts: list[str]) -> list[str]:
    pattern = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
    return [text for text in texts if pattern.search(text)]


BANNED = table("Not used")


def test_the_glossary_has_its_terms_and_what_not_to_write():
    assert "permohonan dukungan dana desa" in table("Terms")
    assert "permintaan dana" in BANNED


@pytest.mark.parametrize("term", BANNED)
def test_no_indonesian_text_uses_a_term_the_glossary_rules_out(term):
    assert found(term, indonesian()) == []


@pytest.mark.parametrize("term", table("Terms"))
def test_every_glossary_term_is_used_in_the_catalogue(term):
    assert found(term, indonesian()) != []


@pytest.mark.parametrize(
    "text, term",
    [
        ("Permintaan dana desa DD-2026-1 untuk Desa Sumber Urip", "permintaan dana"),
        ("Alasan ini akan dibaca oleh Pengaju.", "pengaju"),
    ],
)
def test_the_scan_sees_a_banned_term_in_any_case(text, term):
    assert found(term, [text]) == [text]
