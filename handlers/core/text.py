"""Gettext and Babel formatting for a user's locale: the only place msgids become words."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

from conversations.model import Choice, Day, Money, Month, Reply, Text
from conversations.words import Words

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DEFAULT_LOCALE = "id"


def load_translations(locale: str = DEFAULT_LOCALE, base: Path = LOCALES_DIR) -> Translations:
    """Reads the .po directly, so no compile step is needed in development or tests."""
    with open(base / locale / "LC_MESSAGES" / "messages.po", "rb") as fp:
        catalog = read_po(fp, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


@functools.cache  # read once per process: the file ships with the code
def load_words(locale: str = DEFAULT_LOCALE, base: Path = LOCALES_DIR) -> Words:
    """The typed words the engine understands in `locale` (locales/<locale>/words.json)."""
    with open(base / locale / "words.json", encoding="utf-8") as fp:
        return Words.from_dict(json.load(fp))


def format_money(amount: Decimal | int, locale: str = DEFAULT_LOCALE) -> str:
    text = format_currency(amount, "IDR", format="¤#,##0", currency_digits=False, locale=locale)
    return (
        text.replace("Rp", "Rp ", 1)
        if text.startswith("Rp") and not text.startswith("Rp ")
        else text
    )


def format_day(day: date, locale: str = DEFAULT_LOCALE) -> str:
    """ "Senin, 23 November 2026"."""
    return format_date(day, "EEEE, d MMMM y", locale=locale)


def format_month(month: str, locale: str = DEFAULT_LOCALE) -> str:
    """ "2026-12" as "Desember 2026"."""
    year, number = (int(x) for x in month.split("-"))
    return format_date(date(year, number, 1), "MMMM y", locale=locale)


def format_number(value: int | Decimal, locale: str = DEFAULT_LOCALE) -> str:
    return format_decimal(value, locale=locale)


@dataclass
class Texts:
    """Translations and typed words per locale plus the time zone; built once at start."""

    timezone: ZoneInfo
    catalogs: dict[str, Translations]
    words: dict[str, Words] = field(default_factory=dict)

    @classmethod
    def load(cls, timezone: str = "Asia/Jakarta", locales: tuple[str, ...] = ("id",)) -> Texts:
        catalogs = {loc: load_translations(loc) for loc in locales}
        return cls(ZoneInfo(timezone), catalogs, {loc: load_words(loc) for loc in locales})

    def words_for(self, locale: str = DEFAULT_LOCALE) -> Words:
        return self.words.get(locale) or self.words.get(DEFAULT_LOCALE) or load_words()

    def gettext(self, msgid: str, locale: str = DEFAULT_LOCALE) -> str:
        catalog = self.catalogs.get(locale) or self.catalogs[DEFAULT_LOCALE]
        return catalog.gettext(msgid)

    def has(self, msgid: str, locale: str = DEFAULT_LOCALE) -> bool:
        """True when the catalogue holds a non-empty translation of `msgid`."""
        return bool(self.catalogs[locale]._catalog.get(msgid))

    def render(self, text: Text, locale: str = DEFAULT_LOCALE) -> str:
        if text.literal:
            return text.msgid
        template = self.gettext(text.msgid, locale)
        if not text.params:
            return template
        params = {k: self.param(v, locale) for k, v in text.params}
        return template.format(**params)

    def __call__(self, msgid: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
        return self.render(Text.of(msgid, **params), locale)

    def param(self, value: Any, locale: str = DEFAULT_LOCALE) -> str:
        if isinstance(value, Text):
            return self.render(value, locale)
        if isinstance(value, Money):
            return format_money(value.amount, locale)
        if isinstance(value, Day):
            return format_day(value.value, locale)
        if isinstance(value, Month):
            return format_month(value.value, locale)
        if isinstance(value, datetime):
            return self.moment(value, locale)
        if isinstance(value, date):
            return format_day(value, locale)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int | Decimal):
            return format_number(value, locale)
        return str(value)

    def moment(self, value: datetime, locale: str = DEFAULT_LOCALE) -> str:
        """ "Senin, 23 November 2026 10.42 WIB" in the bot's time zone."""
        local = value.astimezone(self.timezone)
        day = format_day(local.date(), locale)
        clock = format_time(local, "HH.mm", locale=locale)
        zone = format_datetime(local, "zzz", tzinfo=self.timezone, locale=locale)
        return f"{day} {clock} {zone}"

    def today(self, now: datetime) -> date:
        return now.astimezone(self.timezone).date()

    def labels(
        self, choices: tuple[Choice, ...], locale: str = DEFAULT_LOCALE
    ) -> dict[str, list[str]]:
        """Translated labels per choice value: what a user may type instead of pressing."""
        return {c.value: [self.render(c.label, locale)] for c in choices}

    def reply_text(self, reply: Reply, locale: str = DEFAULT_LOCALE) -> str:
        return "\n".join(self.render(part, locale) for part in reply.parts if part.msgid)
