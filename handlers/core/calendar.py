"""The working-day calendar of a puskesmas: on which days its daily forms are expected.

A day is off for a puskesmas without rawat inap when it is a Sunday, a national holiday or a
cuti bersama (from the `holidays` library, country ID, categories public and government), or a
district day off (db/data/libur_daerah.csv). A rawat-inap puskesmas works every day. Reminders,
"tanpa laporan" and the digest's list of who is missing ask this module; the rules below rest
on our reading of practice, not on a regulation we could read, so they are data and are
"perlu konfirmasi Dinkes" (docs/operations.md lists them)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

import holidays

from conversations.model import N_, Text
from db.seed import DATA_DIR

LOCAL_DAYS_OFF = DATA_DIR / "libur_daerah.csv"
SATURDAY, SUNDAY = 5, 6
LOOKBACK = 60  # days searched back for working days (the longest cuti bersama is about 10)


@dataclass(frozen=True)
class Rules:
    """Which days are off for a puskesmas without rawat inap (perlu konfirmasi Dinkes)."""

    weekdays_off: frozenset[int] = frozenset({SUNDAY})  # Saturday is a (half) working day
    cuti_bersama_off: bool = True  # cuti bersama: ASN leave; whether puskesmas close is unsure
    rawat_inap_every_day: bool = True  # rawat inap (and its UGD) works every day


RULES = Rules()


class HasRawatInap(Protocol):
    rawat_inap: bool


@cache
def _national(year: int, cuti_bersama: bool) -> dict[date, str]:
    categories = (holidays.PUBLIC, holidays.GOVERNMENT) if cuti_bersama else (holidays.PUBLIC,)
    found = holidays.country_holidays("ID", years=year, categories=categories, language="id")
    return dict(found.items())


def read_local_days_off(path: Path) -> dict[date, str]:
    """The district's days off: tanggal (YYYY-MM-DD), nama; a missing file is no day off."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp))
    return {
        date.fromisoformat(row["tanggal"].strip()): (row.get("nama") or "").strip()
        for row in rows
        if (row.get("tanggal") or "").strip()
    }


@dataclass(frozen=True)
class Calendar:
    local: dict[date, str] = field(default_factory=dict)
    rules: Rules = RULES

    def day_off(self, day: date) -> Text | None:
        """Why `day` is off for a puskesmas without rawat inap; None on a working day."""
        if day in self.local:
            return Text.raw(self.local[day])
        national = _national(day.year, self.rules.cuti_bersama_off)
        if day in national:
            return Text.raw(national[day])
        if day.weekday() in self.rules.weekdays_off:
            return Text(N_("Sunday") if day.weekday() == SUNDAY else N_("Saturday"))
        return None

    def works(self, day: date, rawat_inap: bool) -> bool:
        if rawat_inap and self.rules.rawat_inap_every_day:
            return True
        return self.day_off(day) is None

    def is_working_day(self, puskesmas: HasRawatInap, day: date) -> bool:
        return self.works(day, bool(puskesmas.rawat_inap))

    def expected_days(self, puskesmas: HasRawatInap, first: date, last: date) -> list[date]:
        """The days in [first, last] on which the puskesmas' daily forms are expected."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [d for d in days if self.is_working_day(puskesmas, d)]

    def last_working_days(self, last: date, count: int, rawat_inap: bool) -> list[date]:
        """The `count` most recent working days up to `last`, oldest first (fewer when the
        calendar has none that far back)."""
        found: list[date] = []
        day = last
        while len(found) < count and (last - day).days < LOOKBACK:
            if self.works(day, rawat_inap):
                found.append(day)
            day -= timedelta(days=1)
        return found[::-1]

    def last_working_day_of_week(self, day: date, rawat_inap: bool) -> bool:
        """True when `day` is the last working day of its Monday–Friday: the weekly form's
        reminder goes then (a Friday holiday moves it to Thursday)."""
        if day.weekday() > 4 or not self.works(day, rawat_inap):
            return False
        later = (day + timedelta(days=n) for n in range(1, 5 - day.weekday()))
        return not any(self.works(d, rawat_inap) for d in later)


@cache
def district() -> Calendar:
    """The calendar of the district: the national one plus db/data/libur_daerah.csv."""
    return Calendar(read_local_days_off(LOCAL_DAYS_OFF))


def is_working_day(puskesmas: HasRawatInap, day: date) -> bool:
    return district().is_working_day(puskesmas, day)


def expected_days(puskesmas: HasRawatInap, first: date, last: date) -> list[date]:
    return district().expected_days(puskesmas, first, last)
