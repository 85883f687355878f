"""Quick entry: one message such as `LAPOR K2 K1=3 K6=2 SALIN=1` read into codes and raw values.

Pure and forgiving about layout (`k1 = 3, k6:2`); it does not judge the values — the caller feeds
them to the form one by one, so they pass exactly the validation of typed answers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_PAIR = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*[=:]\s*")
_SEPARATORS = " \t\r\n,;"


@dataclass
class QuickEntry:
    klaster: str | None = None  # the klaster word as written, upper case (K2, LK)
    values: dict[str, str] = field(default_factory=dict)  # CODE -> raw text
    unknown: list[tuple[str, str | None]] = field(default_factory=list)  # (code, suggestion)
    repeated: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # words that are not CODE=value


def suggest(code: str, codes: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(code, list(codes), n=1, cutoff=0.5)
    return found[0] if found else None


def parse(
    text: str,
    codes: Iterable[str],
    klaster_words: Iterable[str] = (),
    multiword: Iterable[str] = (),
) -> QuickEntry:
    """`codes` the known indicator codes; `multiword` codes whose value may contain spaces
    (a desa name): their value runs to the next CODE=."""
    known = {c.upper() for c in codes}
    spaced = {c.upper() for c in multiword}
    words = {w.upper() for w in klaster_words}
    entry = QuickEntry()
    matches = list(_PAIR.finditer(text))
    head = text[: matches[0].start()] if matches else text
    _head(head.split(), words, entry)
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        code, rest = match[1].upper(), text[match.end() : end].strip(_SEPARATORS)
        value, stray = (rest, "") if code in spaced else _first_word(rest)
        if stray:
            entry.stray.append(stray)
        if code not in known:
            entry.unknown.append((code, suggest(code, known)))
            continue
        if code in entry.values:
            entry.repeated.append(code)
        entry.values[code] = value
    return entry


def _head(tokens: list[str], klaster_words: set[str], entry: QuickEntry) -> None:
    if tokens and tokens[0].upper() in klaster_words:
        entry.klaster = tokens.pop(0).upper()
    entry.stray.extend(tokens)


def _first_word(rest: str) -> tuple[str, str]:
    parts = rest.split(None, 1)
    if not parts:
        return "", ""
    return parts[0].strip(_SEPARATORS), (parts[1].strip(_SEPARATORS) if len(parts) > 1 else "")
