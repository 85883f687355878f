"""Reading what a field worker types on a cheap phone.

Pure functions, standard library only; the words of the language (units, yes and no, month and
day names) come in as `words`. A refusal is a `ParseError` carrying an English msgid (it is
translated when the reply is rendered) and its parameters; `Ambiguous` also lists what it could mean.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from conversations.checks import (  # the refusals are read from here too (parsing.TOO_SMALL)
    MONTH_WINDOW as MONTH_WINDOW,
)
from conversations.checks import (
    NEGATIVE,
    WHOLE_RUPIAH,
    Ambiguous,
    ParseError,
    check_amount,
    check_month,
    check_number,
    one_of,
)
from conversations.checks import (
    NOT_ZERO as NOT_ZERO,
)
from conversations.checks import (
    TOO_LARGE as TOO_LARGE,
)
from conversations.checks import (
    TOO_SMALL as TOO_SMALL,
)
from conversations.checks import (
    WHICH_NUMBER as WHICH_NUMBER,
)
from conversations.checks import (
    WHICH_ONE as WHICH_ONE,
)
from conversations.model import N_
from conversations.words import Words, squeeze

EMPTY = N_("Please type an answer.")
WHOLE_NUMBER = N_("Please type a whole number, for example 12.")
NUMBER = N_("Please type a number, for example 12 or 1,5.")
SEPARATORS = N_("Please use dots for thousands and a comma for decimals, for example 1.500,75.")
TOO_LONG = N_("That number is too long.")
MONEY = N_("Please type the amount in rupiah, for example 2.500.000 or 2,5 juta.")
YES_NO = N_("Please answer yes or no.")
DATE = N_("Please type a date, for example 22/11 or kemarin.")
NO_SUCH_DATE = N_("That date does not exist. Please check the day and month.")
FUTURE = N_("The date cannot be in the future.")
TOO_OLD = N_("The date cannot be more than {days} days ago.")
MONTH = N_("Please type a month, for example Desember or 12/2026.")
WHICH_CHOICE = N_("Which one do you mean?")
NO_CHOICE = N_("I did not recognise that choice. Type the number or the name.")

MAX_DIGITS = 15


def normalize(text: str) -> str:
    """Casefolded, control characters dropped, whitespace collapsed and stripped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(_clean_char(c) for c in text)
    return " ".join(text.casefold().split())


def _clean_char(c: str) -> str:
    category = unicodedata.category(c)
    return " " if category == "Cc" else "" if category[0] == "C" else c


# --- numbers -------------------------------------------------------------------------------

_PLAIN = re.compile(r"\d*,\d+|\d+", re.A)
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?: \d{3})+(?:,\d+)?", re.A)
_ONE_DOT = re.compile(r"(\d*)\.(\d+)", re.A)
_MINUS = ("-", "\u2212", "\u2013")


def _number_text(text: str) -> str:
    s = normalize(text).rstrip(" .!?")
    if not s:
        raise ParseError(EMPTY)
    return s


def _unsign(s: str) -> tuple[bool, str]:
    if s[:1] in _MINUS:
        return True, s[1:].lstrip()
    return False, s


def _readings(s: str, msgid: str) -> tuple[Decimal, ...]:
    """One value, or (dot as thousands, dot as decimal point) when a lone dot is ambiguous."""
    if not re.fullmatch(r"[\d., ]*\d[\d., ]*", s, re.A):
        raise ParseError(msgid)
    if sum(c.isdigit() for c in s) > MAX_DIGITS:
        raise ParseError(TOO_LONG)
    if _PLAIN.fullmatch(s) or _GROUPED.fullmatch(s):
        return (Decimal(s.replace(".", "").replace(" ", "").replace(",", ".")),)
    if m := _ONE_DOT.fullmatch(s):
        return Decimal(m[1] + m[2]), Decimal(s)
    raise ParseError(SEPARATORS)


def parse_integer(text: str, minimum: int | None = None, maximum: int | None = None) -> int:
    negative, s = _unsign(_number_text(text))
    values = _readings(s, WHOLE_NUMBER)
    if "," in s or len(values) > 1:
        raise ParseError(WHOLE_NUMBER)
    if negative:
        raise ParseError(NEGATIVE)
    return int(check_number(values[0], minimum, maximum))


def parse_decimal(
    text: str, minimum: Decimal | int | None = None, maximum: Decimal | int | None = None
) -> Decimal:
    negative, s = _unsign(_number_text(text))
    values = tuple(-v if negative else v for v in _readings(s, NUMBER))
    return one_of(values, lambda v: check_number(v, minimum, maximum))


def parse_money(
    text: str,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    *,
    words: Words,
) -> Decimal:
    """Whole rupiah: "Rp 2.500.000,-", "2,5 juta", "250rb", "1,2 M"."""
    negative, s = _unsign(_number_text(text))
    negative2, s = _unsign(words.currency.sub("", s))
    s = re.sub(r"[.,]-$", "", s).rstrip(" .")
    m = re.fullmatch(r"(.*?\d)\s*([a-z]*)", s, re.A)
    if not m or (m[2] and m[2] not in words.money_units):
        raise ParseError(MONEY)
    readings = _readings(m[1], MONEY)
    if negative or negative2:
        raise ParseError(NEGATIVE)
    check = functools.partial(check_amount, minimum=minimum, maximum=maximum)
    if m[2]:  # with a unit a lone dot is a decimal point: "2.5 juta" is 2,5 juta
        return check(readings[-1] * words.money_units[m[2]])
    if len(readings) > 1:  # a bare "1.5" is 1,5 juta with an English dot, or the plain 15: ask
        return one_of((readings[1] * 10**6, readings[0]), check)
    if "," in m[1] and not re.search(r",0{0,2}$", m[1]):
        raise ParseError(WHOLE_RUPIAH)  # "250,000" is 250 in Indonesian: refuse, never guess
    return check(readings[0])


# --- yes / no ------------------------------------------------------------------------------


def parse_yes_no(text: str, *, words: Words) -> bool:
    typed = {squeeze(w) for w in re.sub(r"[\W_]", " ", normalize(text)).split()}
    if typed and typed <= words.yes:
        return True
    if typed and typed <= words.no:
        return False
    raise ParseError(YES_NO)


# --- dates and months ----------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.A)
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?", re.A)
_NAMED = re.compile(r"(\d{1,2})[ /-]?([a-z]+)\.?(?:[ /-](\d{4}|\d{2}))?", re.A)


def _year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _relative_day(s: str, today: date, words: Words) -> date | None:
    if s in words.days_ago:
        return today - timedelta(days=words.days_ago[s])
    if m := words.n_days_ago.fullmatch(s):
        return today - timedelta(days=int(m[1]))
    weekday = words.weekday_prefix.sub("", s, count=1)
    if weekday in words.weekdays:
        return today - timedelta(days=(today.weekday() - words.weekdays[weekday]) % 7)
    return None


def _day_month_year(s: str, words: Words) -> tuple[int, int, str | None] | None:
    if m := _ISO.fullmatch(s):
        return int(m[3]), int(m[2]), m[1]
    if m := _NUMERIC.fullmatch(s):
        return int(m[1]), int(m[2]), m[3]
    if (m := _NAMED.fullmatch(s)) and m[2] in words.months:
        return int(m[1]), words.months[m[2]], m[3]
    return None


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_day(s: str, today: date, allow_future: bool, words: Words) -> date | None:
    """Without a year: the most recent such date, or with `allow_future` the nearest one."""
    parts = _day_month_year(s, words)
    if parts is None:
        return None
    day, month, year = parts
    years = [_year(year)] if year else range(today.year - 8, today.year + 2)
    found = [d for y in years if (d := _date_or_none(y, month, day))]
    if not found:
        raise ParseError(NO_SUCH_DATE)
    if year:
        return found[0]
    if allow_future:
        return min(found, key=lambda d: abs(d - today))
    return max(d for d in found if d <= today)


def parse_date(
    text: str,
    today: date,
    max_days_back: int | None = None,
    allow_future: bool = False,
    *,
    words: Words,
) -> date:
    s = words.date_prefix.sub("", normalize(text).rstrip(" .!?,"), count=1)
    s = s.replace("'", "").replace("\u2019", "")
    if not s:
        raise ParseError(EMPTY)
    day = _relative_day(s, today, words) or _calendar_day(s, today, allow_future, words)
    if day is None:
        raise ParseError(DATE)
    if day > today and not allow_future:
        raise ParseError(FUTURE)
    if max_days_back is not None and (today - day).days > max_days_back:
        raise ParseError(TOO_OLD, days=max_days_back)
    return day


def _month_year(s: str, words: Words) -> tuple[int, str | None] | None:
    if m := re.fullmatch(r"(\d{4})[/. -](\d{1,2})", s, re.A):
        return int(m[2]), m[1]
    if m := re.fullmatch(r"(\d{1,2})(?:[/. -](\d{4}|\d{2}))?", s, re.A):
        return int(m[1]), m[2]
    if (m := re.fullmatch(r"([a-z]+)\.?(?:[ /-]?(\d{4}|\d{2}))?", s, re.A)) and m[
        1
    ] in words.months:
        return words.months[m[1]], m[2]
    return None


def parse_month(text: str, today: date, *, words: Words) -> tuple[int, int]:
    """(year, month); without a year, the next such month on or after this one."""
    s = normalize(text).rstrip(" .!?,")
    if s in words.months_ahead:
        index = today.year * 12 + today.month - 1 + words.months_ahead[s]
        return index // 12, index % 12 + 1
    parts = _month_year(words.month_prefix.sub("", s, count=1), words)
    if parts is None or not 1 <= parts[0] <= 12:
        raise ParseError(MONTH)
    month, year = parts
    if year:
        return check_month(_year(year), month, today)
    return check_month(today.year if month >= today.month else today.year + 1, month, today)


# --- choices -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # choice labels are few and matched on every answer
def _key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]", " ", normalize(text)).split())


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(c in letters for c in short)


def _skeleton(typed: str, label: str) -> bool:
    """Each typed word, in order, is an abbreviation of a label word: "smbr urip"."""
    words = iter(label.split())
    return all(any(w[0] == t[0] and _is_subsequence(t, w) for w in words) for t in typed.split())


def _close(typed: str, label: str) -> float:
    """A typo: the difflib ratio when it is at least 0.8, else 0."""
    matcher = difflib.SequenceMatcher(None, typed, label)
    if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
        return 0.0  # upper bounds of ratio(), far cheaper: most labels stop here
    ratio = matcher.ratio()
    return ratio if ratio >= 0.8 else 0.0


_Score = Callable[[str, str], float]
_LABEL_TIERS: tuple[_Score, ...] = (
    lambda k, label: k == label,
    lambda k, label: label.startswith(k),
    lambda k, label: f" {k} " in f" {label} ",
    _skeleton,
    _close,
)


def _best(key: str, options: Sequence[tuple[str, Sequence[str]]], score: _Score) -> list[str]:
    """`options`: (value, keyed labels)."""
    scores = [
        max((float(score(key, label)) for label in labels), default=0.0) for _, labels in options
    ]
    best = max(scores, default=0.0)
    return [v for (v, _), s in zip(options, scores, strict=True) if s > 0 and s == best]


def match_choice(text: str, options: Sequence[tuple[str, Sequence[str]]], *, words: Words) -> str:
    """A value from `options` (value, labels): by number, value, label, then forgivingly."""
    raw, key = normalize(text), _key(text)
    if not key:
        raise ParseError(NO_CHOICE)
    number = words.number_prefix.fullmatch(raw)
    if number and 1 <= int(number[1]) <= len(options):
        return options[int(number[1]) - 1][0]
    for value, _ in options:
        if raw == normalize(value):
            return value
    keyed = [(value, [_key(label) for label in labels]) for value, labels in options]
    for score in _LABEL_TIERS:
        found = list(dict.fromkeys(_best(key, keyed, score)))
        if len(found) == 1:
            return found[0]
        if found:
            raise Ambiguous(WHICH_CHOICE, tuple(found))
    raise ParseError(NO_CHOICE)
