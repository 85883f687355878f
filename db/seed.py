"""Master data (kecamatan, desa, puskesmas and the desa each serves) from CSV, idempotently."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Desa, Kecamatan, Puskesmas, PuskesmasDesa
from db.posyandu import Posyandu

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_POSYANDU = DATA_DIR / "posyandu_demo.csv"


@dataclass
class SeedFiles:
    kecamatan: Path
    desa: Path
    puskesmas: Path
    puskesmas_desa: Path | None

    @classmethod
    def find(cls, directory: Path) -> SeedFiles:
        def one(pattern: str, exclude: str = "") -> Path:
            found = [
                p for p in sorted(directory.glob(pattern)) if not exclude or exclude not in p.name
            ]
            if len(found) != 1:
                raise FileNotFoundError(
                    f"expected one {pattern} in {directory}, found {len(found)}"
                )
            return found[0]

        served = directory / "puskesmas_desa.csv"
        return cls(
            kecamatan=one("*kecamatan.csv"),
            desa=one("*_desa.csv", exclude="puskesmas"),
            puskesmas=one("puskesmas_*.csv", exclude="puskesmas_desa"),
            puskesmas_desa=served if served.exists() else None,
        )


@dataclass
class SeedReport:
    kecamatan: int = 0
    desa: int = 0
    puskesmas: int = 0
    links: int = 0


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fp:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fp)]


async def seed(session: AsyncSession, directory: Path = DATA_DIR) -> SeedReport:
    files = SeedFiles.find(directory)
    report = SeedReport()
    kecamatan = await _kecamatan(session, _rows(files.kecamatan), report)
    desa = await _desa(session, _rows(files.desa), kecamatan, report)
    puskesmas = await _puskesmas(session, _rows(files.puskesmas), kecamatan, report)
    await session.flush()
    if files.puskesmas_desa:
        await _links_from_csv(session, _rows(files.puskesmas_desa), puskesmas, desa, report)
    else:
        await _default_links(session, puskesmas, desa, report)
    return report


async def _kecamatan(
    session: AsyncSession, rows: list[dict], report: SeedReport
) -> dict[str, Kecamatan]:
    existing = {k.kode: k for k in (await session.execute(select(Kecamatan))).scalars()}
    for row in rows:
        item = existing.get(row["kode"])
        if item is None:
            item = existing[row["kode"]] = Kecamatan(kode=row["kode"], nama=row["nama"])
            session.add(item)
        item.nama = row["nama"]
        report.kecamatan += 1
    await session.flush()
    return existing


async def _desa(
    session: AsyncSession, rows: list[dict], kecamatan: dict[str, Kecamatan], report: SeedReport
) -> dict[str, Desa]:
    existing = {d.kode: d for d in (await session.execute(select(Desa))).scalars()}
    for row in rows:
        kec = kecamatan[row["kecamatan_kode"]]
        item = existing.get(row["kode"])
        if item is None:
            item = existing[row["kode"]] = Desa(kode=row["kode"])
            session.add(item)
        item.nama, item.kecamatan_id, item.jenis = row["nama"], kec.id, row["jenis"]
        report.desa += 1
    return existing


async def _puskesmas(
    session: AsyncSession, rows: list[dict], kecamatan: dict[str, Kecamatan], report: SeedReport
) -> dict[str, Puskesmas]:
    by_name = {k.nama: k for k in kecamatan.values()}
    existing = {p.nama: p for p in (await session.execute(select(Puskesmas))).scalars()}
    for row in rows:
        item = existing.get(row["nama"])
        if item is None:
            item = existing[row["nama"]] = Puskesmas(nama=row["nama"])
            session.add(item)
        item.kecamatan_id = by_name[row["kecamatan"]].id
        status = row.get("kecamatan_status") or "confirmed"
        item.kecamatan_status, item.kecamatan_uncertain = status, status == "uncertain"
        item.rawat_inap = row.get("rawat_inap", "").lower() in ("ya", "yes", "1", "true")
        item.source_note = row.get("source_note") or None
        report.puskesmas += 1
    return existing


async def _links_from_csv(
    session: AsyncSession,
    rows: list[dict],
    puskesmas: dict[str, Puskesmas],
    desa: dict[str, Desa],
    report: SeedReport,
) -> None:
    wanted = {(puskesmas[r["puskesmas"]].id, desa[r["desa_kode"]].id) for r in rows}
    for pid in {p for p, _ in wanted}:
        await session.execute(delete(PuskesmasDesa).where(PuskesmasDesa.puskesmas_id == pid))
    for pid, did in sorted(wanted):
        session.add(PuskesmasDesa(puskesmas_id=pid, desa_id=did))
    report.links = len(wanted)


async def _default_links(
    session: AsyncSession,
    puskesmas: dict[str, Puskesmas],
    desa: dict[str, Desa],
    report: SeedReport,
) -> None:
    """Without a CSV, a puskesmas serves every desa of its kecamatan."""
    linked = {p for p in (await session.execute(select(PuskesmasDesa.puskesmas_id))).scalars()}
    for p in puskesmas.values():
        if p.id in linked:
            continue
        for d in desa.values():
            if d.kecamatan_id == p.kecamatan_id:
                session.add(PuskesmasDesa(puskesmas_id=p.id, desa_id=d.id))
                report.links += 1


async def seed_demo_posyandu(
    session: AsyncSession, now: datetime, path: Path = DEMO_POSYANDU
) -> int:
    """The invented demo posyandu (db/data/SOURCES.md), into a database that has none yet; a
    real list comes from `ilpbot posyandu import`. Returns how many were added."""
    if (await session.execute(select(Posyandu.id).limit(1))).first() is not None:
        return 0
    puskesmas = {p.nama: p.id for p in (await session.execute(select(Puskesmas))).scalars()}
    desa = {d.kode: d.id for d in (await session.execute(select(Desa))).scalars()}
    rows = [r for r in _rows(path) if r["puskesmas"] in puskesmas and r["desa"] in desa]
    for row in rows:
        session.add(
            Posyandu(
                puskesmas_id=puskesmas[row["puskesmas"]],
                desa_id=desa[row["desa"]],
                nama=row["posyandu"],
                active=row.get("aktif", "ya") != "tidak",
                updated_at=now,
            )
        )
    return len(rows)
