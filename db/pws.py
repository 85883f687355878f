"""PWS (pemantauan wilayah setempat) per desa: the SPM people served since January in the
reports made for a desa, against the desa's own sasaran. Only reports with a desa count here:
the in-building form has no desa to give its people to."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Desa, Puskesmas
from db.reports import Report, ReportValue, Sasaran


@dataclass(frozen=True)
class DesaCapaian:
    puskesmas_id: int
    puskesmas: str
    desa_id: int
    desa: str
    spm: str
    served: int
    target: int


async def desa_capaian(
    session: AsyncSession, through: date, service_of: dict[str, str], scope: Collection[int] | None
) -> list[DesaCapaian]:
    """One row per desa sasaran of `through`'s year (indicator code → service in `service_of`)."""
    within = true() if scope is None else Sasaran.puskesmas_id.in_(list(scope))
    targets = (
        select(
            Sasaran.puskesmas_id,
            Puskesmas.nama,
            Sasaran.desa_id,
            Desa.nama,
            Sasaran.spm,
            Sasaran.target,
        )
        .join(Puskesmas, Puskesmas.id == Sasaran.puskesmas_id)
        .join(Desa, Desa.id == Sasaran.desa_id)
        .where(Sasaran.tahun == through.year, Sasaran.desa_id.is_not(None), within)
        .order_by(Puskesmas.nama, Desa.nama, Sasaran.spm)
    )
    rows = (await session.execute(targets)).all()
    if not rows:
        return []
    served_stmt = (
        select(
            Report.puskesmas_id, Report.desa_id, ReportValue.indicator, func.sum(ReportValue.value)
        )
        .join(ReportValue, ReportValue.report_id == Report.id)
        .where(
            Report.is_current.is_(True),
            Report.desa_id.in_({r[2] for r in rows}),
            Report.period_start.between(date(through.year, 1, 1), through),
            ReportValue.indicator.in_(list(service_of)),
        )
        .group_by(Report.puskesmas_id, Report.desa_id, ReportValue.indicator)
    )
    served: dict[tuple[int, int, str], int] = {}
    for pid, did, code, total in (await session.execute(served_stmt)).all():
        key = (pid, did, service_of[code])
        served[key] = served.get(key, 0) + int(total)
    return [
        DesaCapaian(pid, pname, did, dname, spm, served.get((pid, did, spm), 0), int(target))
        for pid, pname, did, dname, spm, target in rows
    ]
