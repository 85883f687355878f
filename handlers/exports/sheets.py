"""What an export is made of: the sheets, and the range and scope asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Sheet:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Request:
    first: date
    last: date
    scope: list[int] | None  # None: every puskesmas
    public_url: str | None = None  # the dashboard's address, for links to the evidence photos


# OWASP's CSV injection rule: a spreadsheet reads text starting with one of these as a formula
# (=HYPERLINK leaks data, =cmd|… runs a program). A dana activity is typed by anyone invited.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as every export writes it: text that would start a formula gets a leading
    apostrophe, so it is shown as typed; numbers, dates and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
