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
