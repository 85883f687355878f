"""ILP cluster reports: versioned reports, their counted values, unlocks of old days, SPM sasaran.

A report has a place: in the puskesmas building ("gedung"), a desa (pustu, home visits) or one
posyandu (its desa is kept too). Reports from different people or places ADD UP. The slot a
report replaces is (puskesmas, klaster, period_start, place, desa, posyandu, reporter): only the
same person's report for the same place and period is a correction, stored as a new version
that moves the `is_current` flag in the same transaction (a partial unique index keeps one
current version per slot). Every total reads current versions only. Counted answers are
ReportValue rows so totals are plain SQL aggregates. A "nihil" report is an in-building report
without values: the puskesmas had nothing to report for that klaster and day
(handlers/reports/completeness.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db import totals
from db.models import Base

RETRIES = 5
GEDUNG, DESA, POSYANDU = "gedung", "desa", "posyandu"
PLACES = (GEDUNG, DESA, POSYANDU)
NIHIL = "nihil"  # details key of a nihil report: nothing to report for that klaster and day
REFERENCE_LOCK = 0x494C50 << 20  # "ILP": advisory lock keys of the reference numbers, + the day


class Report(Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("ref_day", "ref_seq"),
        CheckConstraint("klaster IN ('1', '2', '3', '4', 'lk', 'km')", name="klaster"),
        CheckConstraint(f"place IN {PLACES!r}", name="place"),
        Index(
            "uq_report_current_slot",
            "puskesmas_id",
            "klaster",
            "period_start",
            "place",
            text("coalesce(desa_id, 0)"),
            text("coalesce(posyandu_id, 0)"),
            "user_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_report_puskesmas_period", "puskesmas_id", "period_start"),
        Index("ix_report_user", "user_id", "id"),
        Index("ix_report_klb", "klb", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref_day: Mapped[date] = mapped_column(Date)  # the reference ILP-<ref_day>-<ref_seq>
    ref_seq: Mapped[int] = mapped_column(Integer)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"))
    desa_id: Mapped[int | None] = mapped_column(ForeignKey("desa.id"))
    # where the services were given; old rows: gedung without a desa, desa with one (0011)
    place: Mapped[str] = mapped_column(String(10), server_default=GEDUNG)
    posyandu_id: Mapped[int | None] = mapped_column(ForeignKey("posyandu.id"))
    klaster: Mapped[str] = mapped_column(String(2))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    channel: Mapped[str] = mapped_column(String(20))
    # the provider time of the message that started the report (its day is "hari ini"), and
    # the arrival time of the submitting message
    sent_at: Mapped[datetime]
    received_at: Mapped[datetime]
    form_version: Mapped[int] = mapped_column(Integer)
    klb: Mapped[bool] = mapped_column(Boolean, default=False)  # "ada dugaan KLB?" answered yes
    # the answers that are not counted: texts, KLB details, photo (file id, caption), location
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    @property
    def reference(self) -> str:
        return reference(self.ref_day, self.ref_seq)


class ReportValue(Base):
    __tablename__ = "report_value"
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)  # "yakin?" answered yes


class ReportUnlock(Base):
    """A Dinkes decision: this puskesmas may report or correct this old day until `until`."""

    __tablename__ = "report_unlock"
    __table_args__ = (Index("ix_report_unlock_puskesmas", "puskesmas_id", "until"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"))
    day: Mapped[date] = mapped_column(Date)
    until: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]


class Sasaran(Base):
    """The annual target (denominator) of one SPM service for one puskesmas, or for one desa of
    its wilayah (desa_id set: PWS per desa). One row per level, by two partial unique indexes."""

    __tablename__ = "sasaran"
    __table_args__ = (
        Index(
            "uq_sasaran_puskesmas",
            "tahun",
            "puskesmas_id",
            "spm",
            unique=True,
            sqlite_where=text("desa_id IS NULL"),
            postgresql_where=text("desa_id IS NULL"),
        ),
        Index(
            "uq_sasaran_desa",
            "tahun",
            "puskesmas_id",
            "desa_id",
            "spm",
            unique=True,
            sqlite_where=text("desa_id IS NOT NULL"),
            postgresql_where=text("desa_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    tahun: Mapped[int] = mapped_column(Integer)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"), index=True)
    desa_id: Mapped[int | None] = mapped_column(ForeignKey("desa.id"))
    spm: Mapped[str] = mapped_column(String(30))
    target: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


def reference(day: date, seq: int) -> str:
    return f"ILP-{day:%Y%m%d}-{seq}"


@dataclass(frozen=True)
class Slot:
    """What a report is about: klaster, period and place. With the reporter it is the key a
    correction replaces; reports of other people or places add to it."""

    puskesmas_id: int
    klaster: str
    period_start: date
    period_end: date
    desa_id: int | None = None
    place: str = GEDUNG
    posyandu_id: int | None = None

    def __post_init__(self) -> None:
        if self.place == GEDUNG and self.desa_id is not None:  # a desa given alone: a desa report
            object.__setattr__(self, "place", DESA)


@dataclass(frozen=True)
class Stored:
    id: int
    reference: str
    version: int
    replaced: str | None  # the reference of the version it supersedes


@dataclass(frozen=True)
class NewReport:
    slot: Slot
    values: dict[str, int]  # indicator code -> value
    overridden: frozenset[str]
    details: dict[str, Any]
    user_id: int
    channel: str
    sent_at: datetime
    received_at: datetime
    ref_day: date
    form_version: int
    klb: bool = False


def place_filter(slot: Slot) -> list[Any]:
    """The same klaster, period and place (any reporter)."""

    def same(column: Any, value: int | None) -> Any:
        return column.is_(None) if value is None else column == value

    return [
        Report.puskesmas_id == slot.puskesmas_id,
        Report.klaster == slot.klaster,
        Report.period_start == slot.period_start,
        Report.place == slot.place,
        same(Report.desa_id, slot.desa_id),
        same(Report.posyandu_id, slot.posyandu_id),
        Report.is_current.is_(True),
    ]


def _slot_filter(slot: Slot, user_id: int) -> list[Any]:
    """The slot a report of `user_id` replaces: the same place and period, the same reporter."""
    return [*place_filter(slot), Report.user_id == user_id]


async def store_report(session: AsyncSession, new: NewReport) -> Stored:
    """Adds the report as the slot's current version; retried in a savepoint when a concurrent
    submission took the same reference number or version (PostgreSQL; SQLite writers queue)."""
    for attempt in range(RETRIES):
        try:
            async with session.begin_nested():
                return await _store_once(session, new)
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


async def _store_once(session: AsyncSession, new: NewReport) -> Stored:
    previous = (
        await session.execute(
            select(Report.id, Report.version, Report.ref_day, Report.ref_seq)
            .where(*_slot_filter(new.slot, new.user_id))
            .with_for_update()
        )
    ).first()
    seq = await _next_seq(session, new.ref_day)
    if previous is not None:
        await session.execute(
            update(Report).where(Report.id == previous.id).values(is_current=False)
        )
    slot = new.slot
    report_id = (
        await session.execute(
            insert(Report)
            .values(
                ref_day=new.ref_day,
                ref_seq=seq,
                puskesmas_id=slot.puskesmas_id,
                desa_id=slot.desa_id,
                place=slot.place,
                posyandu_id=slot.posyandu_id,
                klaster=slot.klaster,
                period_start=slot.period_start,
                period_end=slot.period_end,
                version=previous.version + 1 if previous else 1,
                is_current=True,
                replaces_id=previous.id if previous else None,
                user_id=new.user_id,
                channel=new.channel,
                sent_at=new.sent_at,
                received_at=new.received_at,
                form_version=new.form_version,
                klb=new.klb,
                details=new.details or None,
            )
            .returning(Report.id)
        )
    ).scalar_one()
    if new.values:
        rows = [
            {
                "report_id": report_id,
                "indicator": code,
                "value": value,
                "overridden": code in new.overridden,
            }
            for code, value in new.values.items()
        ]
        await session.execute(insert(ReportValue), rows)
    await totals.add_report(
        session, slot.puskesmas_id, slot.period_start, new.values, previous.id if previous else None
    )  # the digest's running totals, in the same transaction
    replaced = reference(previous.ref_day, previous.ref_seq) if previous else None
    version = previous.version + 1 if previous else 1
    return Stored(report_id, reference(new.ref_day, seq), version, replaced)


async def _next_seq(session: AsyncSession, day: date) -> int:
    if session.bind.dialect.name == "postgresql":
        # Submissions of one day queue here until the one before commits its number, rather
        # than all taking the same number and retrying (a burst outran RETRIES: 500s).
        await session.execute(select(func.pg_advisory_xact_lock(REFERENCE_LOCK + day.toordinal())))
    stmt = select(func.coalesce(func.max(Report.ref_seq), 0)).where(Report.ref_day == day)
    return (await session.execute(stmt)).scalar_one() + 1


# --- locks ---------------------------------------------------------------------------------


def is_old(period_end: date, today: date, lock_days: int) -> bool:
    return (today - period_end).days > lock_days


async def unlocked_days(session: AsyncSession, puskesmas_id: int, now: datetime) -> list[date]:
    stmt = select(ReportUnlock.day).where(
        ReportUnlock.puskesmas_id == puskesmas_id, ReportUnlock.until > now
    )
    return sorted(set((await session.execute(stmt)).scalars()))


async def is_unlocked(session: AsyncSession, slot: Slot, now: datetime) -> bool:
    days = await unlocked_days(session, slot.puskesmas_id, now)
    return any(slot.period_start <= day <= slot.period_end for day in days)


async def add_unlock(
    session: AsyncSession,
    puskesmas_id: int,
    day: date,
    until: datetime,
    user_id: int | None,
    now: datetime,
) -> None:
    session.add(
        ReportUnlock(
            puskesmas_id=puskesmas_id, day=day, until=until, user_id=user_id, created_at=now
        )
    )
