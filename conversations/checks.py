"""The checks every answer's value passes, whichever path produced it (typed, a reading picked
from "Maksud Anda A atau B?", a quick-entry value); refusals carry an English msgid.

Pure functions, standard library only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from conversations.model import N_, Month

NEGATIVE = N_("The number cannot be negative.")
TOO_SMALL = N_("Please type {minimum} or more.")
TOO_LARGE = N_("Please type {maximum} or less.")
WHICH_NUMBER = N_("Do you mean {a} or {b}?")
WHICH_ONE = N_("Do you mean {a}?")
WHOLE_RUPIAH = N_("Please type whole rupiah, for example 2.500.000.")
NOT_ZERO = N_("The amount must be more than zero.")
MONTH_WINDOW = N_("Please type a month from {first} to {last}.")


class ParseError(Exception):
    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params


class Ambiguous(ParseError):
    """The input could mean several things; `options` lists them (values of the right type)."""

    def __init__(self, msgid: str, options: tuple, **params: object) -> None:
        super().__init__(msgid, **params)
        self.options = tuple(options)


def check_number(value: Decimal, minimum: object, maximum: object) -> Decimal:
    if minimum is not None and value < minimum:
        raise ParseError(TOO_SMALL, minimum=minimum)
    if maximum is not None and value > maximum:
        raise ParseError(TOO_LARGE, maximum=maximum)
    return value


def check_amount(value: Decimal, minimum: object, maximum: object) -> Decimal:
    """Whole rupiah, more than zero unless the minimum is 0, within the step's range."""
    if value != value.to_integral_value():
        raise ParseError(WHOLE_RUPIAH)
    if value < 0:
        raise ParseError(NEGATIVE)
    if value == 0 and (minimum is None or minimum > 0):
        raise ParseError(NOT_ZERO)
    return check_number(value, minimum, maximum).quantize(Decimal(1))


def one_of(readings: Sequence[Decimal], check: Callable[[Decimal], Decimal]) -> Decimal:
    """The readings the step accepts: a lone one is asked about once, two are offered, none is
    refused with the first reading's reason. "0.0" reads twice as 0: one reading, refused."""
    valid, error = [], None
    for reading in dict.fromkeys(readings):
        try:
            valid.append(check(reading))
        except ParseError as exc:
            error = error or exc
    if not valid:
        assert error is not None
        raise error
    if len(valid) == 1 and len(set(readings)) == 1:
        return valid[0]
    if len(valid) == 1:
        raise Ambiguous(WHICH_ONE, tuple(valid), a=valid[0])
    raise Ambiguous(WHICH_NUMBER, tuple(valid), a=valid[0], b=valid[1])


MONTHS_AROUND = 24  # a month answer is at most two years back or ahead: 0000-12 is a typo


def check_month(year: int, month: int, today: date) -> tuple[int, int]:
    now = today.year * 12 + today.month - 1
    first, last = now - MONTHS_AROUND, now + MONTHS_AROUND
    if not 1 <= month <= 12 or not first <= year * 12 + month - 1 <= last:
        earliest, latest = (Month(f"{i // 12:04d}-{i % 12 + 1:02d}") for i in (first, last))
        raise ParseError(MONTH_WINDOW, first=earliest, last=latest)
    return year, month
