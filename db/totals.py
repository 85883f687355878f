"""Running totals of the current report values, kept in the transaction that stores a report.

The digest compares yesterday with 7 and 28 days before and counts SPM services since January;
summing report values for that on every digest reads millions of rows at national size. These
tables hold the sums instead, at three grains:
- TotalDay: per puskesmas, day (the period start) and indicator: any group of puskesmas;
- TotalAllDay: per day and indicator over every puskesmas: the whole deployment at once;
- TotalYear: per puskesmas, year and indicator: SPM services since January.

`add_report` applies a new version (minus the version it replaces); `rebuild` recomputes
everything from the reports (after a bulk load, or to repair).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    cast,
    delete,
    extract,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base


class TotalDay(Base):
    __tablename__ = "total_day"
    __table_args__ = (Index("ix_total_day_day", "day", "indicator"),)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)


class TotalAllDay(Base):
    __tablename__ = "total_all_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)


class TotalYear(Base):
    __tablename__ = "total_year"
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"), primary_key=True)
    tahun: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)


def _upsert(session: AsyncSession, table, keys: tuple[str, ...], rows: list[dict]):
    """INSERT … ON CONFLICT DO UPDATE total = total + new: one statement, rows in key order
    (concurrent reports touching the shared TotalAllDay rows lock them in the same order)."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table).values(sorted(rows, key=lambda r: tuple(r[k] for k in keys)))
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={"total": table.c.total + stmt.excluded.total}
    )
    return session.execute(stmt)


async def add_report(
    session: AsyncSession,
    puskesmas_id: int,
    day: date,
    values: dict[str, int],
    replaced_id: int | None = None,
) -> None:
    """Adds a stored version's values, less those of the version it replaces."""
    deltas = dict(values)
    if replaced_id is not None:
        old = Base.metadata.tables["report_value"]  # db.reports is loaded: it is the caller
        rows = await session.execute(
            select(old.c.indicator, old.c.value).where(old.c.report_id == replaced_id)
        )
        for code, value in rows.all():
            deltas[code] = deltas.get(code, 0) - value
    deltas = {code: delta for code, delta in deltas.items() if delta}
    if not deltas:
        return
    day_rows = [
        {"puskesmas_id": puskesmas_id, "day": day, "indicator": c, "total": d}
        for c, d in deltas.items()
    ]
    await _upsert(session, TotalDay.__table__, ("puskesmas_id", "day", "indicator"), day_rows)
    all_rows = [{"day": day, "indicator": c, "total": d} for c, d in deltas.items()]
    await _upsert(session, TotalAllDay.__table__, ("day", "indicator"), all_rows)
    year_rows = [
        {"puskesmas_id": puskesmas_id, "tahun": day.year, "indicator": c, "total": d}
        for c, d in deltas.items()
    ]
    await _upsert(session, TotalYear.__table__, ("puskesmas_id", "tahun", "indicator"), year_rows)


async def rebuild(session: AsyncSession) -> None:
    """Every total recomputed from the current report values."""
    report, value = Base.metadata.tables["report"], Base.metadata.tables["report_value"]
    for model in (TotalDay, TotalAllDay, TotalYear):
        await session.execute(delete(model))
    per_day = (
        select(
            report.c.puskesmas_id, report.c.period_start, value.c.indicator, func.sum(value.c.value)
        )
        .join(value, value.c.report_id == report.c.id)
        .where(report.c.is_current.is_(True))
        .group_by(report.c.puskesmas_id, report.c.period_start, value.c.indicator)
    )
    columns = ["puskesmas_id", "day", "indicator", "total"]
    await session.execute(insert(TotalDay).from_select(columns, per_day))
    day = TotalDay.__table__.c
    await session.execute(
        insert(TotalAllDay).from_select(
            ["day", "indicator", "total"],
            select(day.day, day.indicator, func.sum(day.total)).group_by(day.day, day.indicator),
        )
    )
    year = cast(extract("year", day.day), Integer)
    await session.execute(
        insert(TotalYear).from_select(
            ["puskesmas_id", "tahun", "indicator", "total"],
            select(day.puskesmas_id, year, day.indicator, func.sum(day.total)).group_by(
                day.puskesmas_id, year, day.indicator
            ),
        )
    )
