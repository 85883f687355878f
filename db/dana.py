"""Dana desa support requests: the request, its per-year reference counter, the link from an
outbox message to its request, and the queries. The history is the shared AuditEvent table
(entity "dana_desa"); nothing here commits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.database import insert_ignore
from db.models import AuditEvent, Base, Outbox, User

ENTITY = "dana_desa"
WAITING = "diajukan"
RKP = "diusulkan_rkp"  # proposed to the musdes / RKP Desa of the next year: decided again then
APPROVED = ("disetujui", "disetujui_sebagian")
DECISIONS = (*APPROVED, "ditolak", "perlu_revisi", RKP)
DECIDABLE = (WAITING, RKP)  # the kades' buttons apply
STATUSES = (WAITING, *DECISIONS, "dibatalkan", "selesai")
# The budget routes of a decision; rows decided before routes existed read "tidak_tercatat".
ROUTES = ("apbdes", "perubahan", "btt", "rkp", "tidak_tercatat")
# Who may move a request where: the kades decides, the requester withdraws and revises, the
# desa's realisasi and the puskesmas's output together complete it.
ALLOWED = {
    WAITING: {*DECISIONS, "dibatalkan"},
    RKP: {*APPROVED, "ditolak", "perlu_revisi", "dibatalkan"},
    "perlu_revisi": {WAITING, "dibatalkan"},
    "disetujui": {"selesai"},
    "disetujui_sebagian": {"selesai"},
}
REFERENCE = re.compile(r"DD-(\d{4})-(\d{1,9})", re.I)
_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES))
_ROUTE_CHECK = "rute IS NULL OR rute IN ({})".format(", ".join(f"'{s}'" for s in ROUTES))


class DanaRequest(Base):
    __tablename__ = "dana_request"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint(_ROUTE_CHECK, name="rute"),
        CheckConstraint("jumlah > 0", name="jumlah"),
        CheckConstraint(
            "jumlah_disetujui IS NULL OR (jumlah_disetujui > 0 AND jumlah_disetujui <= jumlah)",
            name="jumlah_disetujui",
        ),
        Index("ix_dana_request_status_submitted", "status", "submitted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    desa_id: Mapped[int] = mapped_column(ForeignKey("desa.id"), index=True)
    puskesmas_id: Mapped[int | None] = mapped_column(ForeignKey("puskesmas.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    kategori: Mapped[str] = mapped_column(String(40))
    uraian: Mapped[str] = mapped_column(Text)
    sasaran: Mapped[int] = mapped_column(Integer)
    jumlah: Mapped[int] = mapped_column(BigInteger)
    bulan: Mapped[str] = mapped_column(String(7))  # "YYYY-MM"
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped on every status change
    jumlah_disetujui: Mapped[int | None] = mapped_column(BigInteger)
    catatan: Mapped[str | None] = mapped_column(Text)  # the kades' latest reason or note
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    realisasi_jumlah: Mapped[int | None] = mapped_column(BigInteger)
    realisasi_tanggal: Mapped[date | None] = mapped_column(Date)
    realisasi_foto: Mapped[str | None] = mapped_column(String(300))
    # The decision's budget route and the tahun anggaran it names (RKP: the next year).
    rute: Mapped[str | None] = mapped_column(String(20))
    tahun_anggaran: Mapped[int | None] = mapped_column(Integer)
    kegiatan_apbdes: Mapped[str | None] = mapped_column(String(20))  # "2.2.02"
    # What the kades needs to decide: the volume line, who carries it out, the RAB photo.
    volume: Mapped[str | None] = mapped_column(String(200))
    pelaksana: Mapped[str | None] = mapped_column(String(30))
    rab_foto: Mapped[str | None] = mapped_column(String(300))
    # The desa side of the realisasi (kades or operator desa) and the puskesmas's output.
    realisasi_spj: Mapped[str | None] = mapped_column(String(200))
    realisasi_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    hasil_terlayani: Mapped[int | None] = mapped_column(Integer)
    hasil_tanggal: Mapped[date | None] = mapped_column(Date)
    hasil_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    submitted_at: Mapped[
        datetime
    ]  # the latest time it went to "diajukan": reminders count from here
    updated_at: Mapped[datetime]

    @property
    def reference(self) -> str:
        return f"DD-{self.year}-{self.number}"


class DanaCounter(Base):
    """The last reference number given out per year; locked to hand out the next one."""

    __tablename__ = "dana_counter"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DanaNotice(Base):
    """Which request an outbox message is about, so a failed delivery can be traced back."""

    __tablename__ = "dana_notice"
    outbox_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("outbox.id"), primary_key=True
    )
    request_id: Mapped[int] = mapped_column(ForeignKey("dana_request.id"), index=True)


def transition(request: DanaRequest, to: str, now: datetime) -> str:
    """Moves the request on; returns the status it came from. The version makes old buttons stale."""
    before = request.status
    if to not in ALLOWED.get(before, set()):
        raise ValueError(f"{request.reference}: {before} → {to} is not allowed")
    request.status, request.version, request.updated_at = to, request.version + 1, now
    return before


async def next_number(session: AsyncSession, year: int) -> int:
    """The year's next reference number; the row lock serialises concurrent submissions."""
    await insert_ignore(session, DanaCounter.__table__, {"year": year, "last": 0})
    stmt = select(DanaCounter).where(DanaCounter.year == year).with_for_update()
    counter = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one()
    counter.last += 1
    return counter.last


async def lock(session: AsyncSession, request_id: int) -> DanaRequest | None:
    """The request, locked and freshly read: every change goes through here."""
    stmt = select(DanaRequest).where(DanaRequest.id == request_id).with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_reference(session: AsyncSession, text: str) -> DanaRequest | None:
    m = REFERENCE.fullmatch(text.strip())
    if m is None:
        return None
    stmt = select(DanaRequest).where(DanaRequest.year == int(m[1]), DanaRequest.number == int(m[2]))
    return (await session.execute(stmt)).scalar_one_or_none()


async def of_requester(session: AsyncSession, user_id: int, limit: int = 20) -> list[DanaRequest]:
    stmt = (
        select(DanaRequest)
        .where(DanaRequest.requester_id == user_id)
        .order_by(DanaRequest.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def waiting_in_desa(session: AsyncSession, desa_id: int) -> list[DanaRequest]:
    stmt = (
        select(DanaRequest)
        .where(DanaRequest.desa_id == desa_id, DanaRequest.status == WAITING)
        .order_by(DanaRequest.submitted_at)
    )
    return list((await session.execute(stmt)).scalars())


def _of_desa(desa_ids: Sequence[int] | None) -> Any:
    return true() if desa_ids is None else DanaRequest.desa_id.in_(list(desa_ids))


async def open_in_desa(session: AsyncSession, desa_id: int) -> list[DanaRequest]:
    """The desa's requests that still need the desa: a decision, or the dana realised."""
    stmt = (
        select(DanaRequest)
        .where(DanaRequest.desa_id == desa_id, DanaRequest.status.in_((*DECIDABLE, *APPROVED)))
        .order_by(DanaRequest.submitted_at)
    )
    return list((await session.execute(stmt)).scalars())


async def recent(
    session: AsyncSession, limit: int = 30, desa_ids: Sequence[int] | None = None
) -> list[DanaRequest]:
    """The latest requests, of every desa (None) or of these."""
    stmt = select(DanaRequest).where(_of_desa(desa_ids)).order_by(DanaRequest.id.desc())
    return list((await session.execute(stmt.limit(limit))).scalars())


async def totals(
    session: AsyncSession, desa_ids: Sequence[int] | None = None
) -> list[tuple[str, int, int]]:
    """(status, count, rupiah) per status; rupiah is the approved amount once there is one."""
    amount = func.coalesce(DanaRequest.jumlah_disetujui, DanaRequest.jumlah)
    stmt = (
        select(DanaRequest.status, func.count(), func.sum(amount))
        .where(_of_desa(desa_ids))
        .group_by(DanaRequest.status)
        .order_by(DanaRequest.status)
    )
    return [(s, int(n), int(total or 0)) for s, n, total in (await session.execute(stmt)).all()]


async def waiting_for_decision(
    session: AsyncSession, older_than: timedelta, now: datetime
) -> list[DanaRequest]:
    """Requests waiting longer than `older_than` for a kades (the reminders use 24 h and 72 h)."""
    stmt = (
        select(DanaRequest)
        .where(DanaRequest.status == WAITING, DanaRequest.submitted_at <= now - older_than)
        .order_by(DanaRequest.submitted_at)
    )
    return list((await session.execute(stmt)).scalars())


async def active_in_desa(session: AsyncSession, roles: Sequence[str], desa_id: int) -> list[User]:
    stmt = (
        select(User)
        .where(User.role.in_(roles), User.desa_id == desa_id, User.active.is_(True))
        .order_by(User.id)
    )
    return list((await session.execute(stmt)).scalars())


async def active_users(
    session: AsyncSession, roles: Sequence[str], puskesmas_id: int | None = None
) -> list[User]:
    stmt = select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.id)
    if puskesmas_id is not None:
        stmt = stmt.where(User.puskesmas_id == puskesmas_id)
    return list((await session.execute(stmt)).scalars())


async def history(session: AsyncSession, request_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == str(request_id))
        .order_by(AuditEvent.id)
    )
    return list((await session.execute(stmt)).scalars())


def link_notice(session: AsyncSession, outbox: Outbox, request_id: int) -> None:
    session.add(DanaNotice(outbox_id=outbox.id, request_id=request_id))


async def notice_request(session: AsyncSession, outbox_id: int) -> DanaRequest | None:
    stmt = (
        select(DanaRequest)
        .join(DanaNotice, DanaNotice.request_id == DanaRequest.id)
        .where(DanaNotice.outbox_id == outbox_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
