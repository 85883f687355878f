"""Completeness means one thing everywhere: a puskesmas has reported klaster X for day D when
its report in the building for that klaster and period exists, or its "nihil" confirmation
(nothing in the building that day: /lapor → Nihil, or `LAPOR K4 NIHIL`). Desa and posyandu
reports add to the figures, never to completeness. The SQL is db/completeness.py.

/status, the reminders, the digest and the exports ask here. The days to check are always an
argument, so a working-day calendar decides which days are expected, not this module."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.report_common import Klaster
from db import completeness as sql

Scope = sql.Scope


def period_of(klaster: Klaster, day: date) -> date:
    """The period start a day falls in: the day, or the Monday of a weekly form."""
    return day - timedelta(days=day.weekday()) if klaster.weekly else day


@dataclass(frozen=True)
class Filed:
    """What was reported: (puskesmas, period start, klaster) → the first arrival."""

    slots: dict[tuple[int, date, str], datetime]

    def has(self, puskesmas_id: int, klaster: Klaster, day: date) -> bool:
        return (puskesmas_id, period_of(klaster, day), klaster.key) in self.slots

    def missing(self, puskesmas_id: int, day: date, klasters: Iterable[Klaster]) -> list[Klaster]:
        return [k for k in klasters if not self.has(puskesmas_id, k, day)]

    def first(self, puskesmas_id: int, klaster: Klaster, day: date) -> datetime | None:
        return self.slots.get((puskesmas_id, period_of(klaster, day), klaster.key))


async def reported(
    session: AsyncSession,
    days: Collection[date],
    klasters: Sequence[Klaster],
    scope: Scope = None,
) -> Filed:
    """Which of `klasters` each puskesmas in `scope` has reported for the periods of `days`."""
    periods = {period_of(k, d) for k in klasters for d in days}
    if not periods:
        return Filed({})
    found = await sql.filed_slots(
        session, min(periods), max(periods), [k.key for k in klasters], scope
    )
    return Filed({(s.puskesmas_id, s.day, s.klaster): s.first_received for s in found})
