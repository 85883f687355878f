"""Posyandu: master data under a desa and the puskesmas that guides it (name, desa, active).

A report's place may be one posyandu (db/reports.py); the puskesmas keeps its list as a CSV
(`ilpbot posyandu import`), and its kepala may add one in chat (/posyandu)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, Desa


class Posyandu(Base):
    __tablename__ = "posyandu"
    __table_args__ = (UniqueConstraint("puskesmas_id", "desa_id", "nama"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"), index=True)
    desa_id: Mapped[int] = mapped_column(ForeignKey("desa.id"))
    nama: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime]


@dataclass(frozen=True)
class PosyanduRow:
    id: int
    nama: str
    desa_id: int
    desa: str
    desa_jenis: str
    active: bool


async def of_puskesmas(
    session: AsyncSession,
    puskesmas_id: int,
    desa_id: int | None = None,
    active_only: bool = True,
) -> list[PosyanduRow]:
    """The posyandu of a puskesmas (or of one of its desa), by desa and name."""
    stmt = (
        select(Posyandu.id, Posyandu.nama, Posyandu.desa_id, Desa.nama, Desa.jenis, Posyandu.active)
        .join(Desa, Desa.id == Posyandu.desa_id)
        .where(Posyandu.puskesmas_id == puskesmas_id)
        .order_by(Desa.nama, Posyandu.nama)
    )
    if desa_id is not None:
        stmt = stmt.where(Posyandu.desa_id == desa_id)
    if active_only:
        stmt = stmt.where(Posyandu.active.is_(True))
    return [PosyanduRow(*row) for row in (await session.execute(stmt)).all()]


async def find(
    session: AsyncSession, puskesmas_id: int, desa_id: int, nama: str
) -> Posyandu | None:
    """The posyandu of this name in this desa (names compared without case), locked."""
    stmt = (
        select(Posyandu)
        .where(
            Posyandu.puskesmas_id == puskesmas_id,
            Posyandu.desa_id == desa_id,
            func.lower(Posyandu.nama) == nama.lower(),
        )
        .with_for_update()
    )
    return (await session.execute(stmt)).scalars().first()


async def add(
    session: AsyncSession, puskesmas_id: int, desa_id: int, nama: str, now: datetime
) -> Posyandu:
    item = Posyandu(
        puskesmas_id=puskesmas_id, desa_id=desa_id, nama=nama, active=True, updated_at=now
    )
    session.add(item)
    await session.flush()
    return item
