"""The words a user types that the engine and the parsers understand, in one language.

The engine speaks no language: its commands, yes and no, skip, number units, month and day
names all come from a word list next to the catalogue (locales/<locale>/words.json). The caller
reads the file (handlers.core.text.load_words) and hands the data to `Words.from_dict`, so this
package stays free of I/O and knows nothing of where locales live.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COMMANDS = ("cancel", "back", "help", "menu")
OPTIONS = ("continue", "restart", "send", "change", "cancel")


def squeeze(word: str) -> str:
    """Repeated letters count once, as people stretch a word ("yaaa", "nggak")."""
    return re.sub(r"(.)\1+", r"\1", word)


def _norm(word: str) -> str:
    return " ".join(word.casefold().split())


def _words(items: Iterable[str]) -> frozenset[str]:
    return frozenset(_norm(w) for w in items)


def _alternatives(items: Iterable[str]) -> str:
    """A regex group matching any of the words, longest first; a group that matches nothing
    when the list is empty."""
    ordered = sorted({_norm(w) for w in items}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in ordered) + ")" if ordered else "(?!)"


def _numbered(groups: Iterable[Iterable[str]], start: int) -> dict[str, int]:
    return {_norm(name): i for i, names in enumerate(groups, start) for name in names}


@dataclass(frozen=True)
class Words:
    """One language's typed words, ready to match (sets, tables and compiled patterns)."""

    commands: Mapping[str, str]  # typed word -> command code (cancel, back, help, menu)
    options: Mapping[str, frozenset[str]]  # button code -> the words typed for it
    yes: frozenset[str]  # squeezed
    no: frozenset[str]  # squeezed
    skip: frozenset[str]
    money_units: Mapping[str, int]
    months: Mapping[str, int]  # name -> 1..12
    weekdays: Mapping[str, int]  # name -> 0 (Monday)..6
    days_ago: Mapping[str, int]
    months_ahead: Mapping[str, int]
    and_split: re.Pattern[str]  # "dbd dan diare": the separators of a multiple choice
    number_prefix: re.Pattern[str]  # "no. 3", "#3": a choice typed by its number
    currency: re.Pattern[str]  # "Rp", "rupiah" around an amount
    n_days_ago: re.Pattern[str]  # "3 hari yang lalu"
    date_prefix: re.Pattern[str]  # "tgl 5/11"
    month_prefix: re.Pattern[str]  # "bulan Desember"
    weekday_prefix: re.Pattern[str]  # "hari Senin"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Words:
        """`data` as in locales/id/words.json; a missing key raises KeyError."""
        commands = data["commands"]
        ago = data["n_days_ago"]
        filler = f"(?:{_alternatives(ago['filler'])} )?" if ago["filler"] else ""
        return cls(
            commands={_norm(w): code for code in COMMANDS for w in commands[code]},
            options={code: _words(data["options"].get(code, ())) for code in OPTIONS},
            yes=frozenset(squeeze(_norm(w)) for w in data["yes"]),
            no=frozenset(squeeze(_norm(w)) for w in data["no"]),
            skip=_words(data["skip"]),
            money_units={_norm(k): int(v) for k, v in data["money_units"].items()},
            months=_numbered(data["months"], 1),
            weekdays=_numbered(data["weekdays"], 0),
            days_ago={_norm(k): int(v) for k, v in data["days_ago"].items()},
            months_ahead={_norm(k): int(v) for k, v in data["months_ahead"].items()},
            and_split=re.compile(rf"[,;]+|\s+{_alternatives(data['and'])}\s+"),
            number_prefix=re.compile(
                rf"(?:{_alternatives(data['number_prefixes'])}\.? ?|#)?(\d{{1,4}})[.)]?", re.A
            ),
            currency=re.compile(
                rf"^{_alternatives(data['currency_before'])}\.?\s*"
                rf"|\s*{_alternatives(data['currency_after'])}$"
            ),
            n_days_ago=re.compile(
                rf"(\d{{1,4}}) {_alternatives(ago['day'])} {filler}{_alternatives(ago['ago'])}",
                re.A,
            ),
            date_prefix=re.compile(rf"^{_alternatives(data['date_prefixes'])}\.? ?"),
            month_prefix=re.compile(rf"^{_alternatives(data['month_prefixes'])}\.? "),
            weekday_prefix=re.compile(rf"^{_alternatives(data['weekday_prefixes'])} "),
        )

    def command(self, text: str) -> str | None:
        """The command code of one typed word ("batal", "/batal"), already normalized."""
        word = text.lstrip("/")
        return self.commands.get(word) if " " not in word else None
