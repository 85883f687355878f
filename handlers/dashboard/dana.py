"""The dana desa pages: every permohonan a viewer may see, filtered, with totals and each one's
history; and a kepala desa's own desa."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db import dana as dana_db
from db import dashboard_queries as dq
from db.dana import DanaRequest
from db.models import AuditEvent, Desa, Kecamatan, MediaItem
from handlers.core import media
from handlers.core.text import Texts
from handlers.dashboard.scope import Viewer
from handlers.digest import profile as profiles


@dataclass(frozen=True)
class Total:
    year: int
    status: str
    count: int
    asked: int
    approved: int


@dataclass(frozen=True)
class RouteTotal:
    year: int  # the budget year (tahun anggaran), else the request's year
    route: str  # db.dana.ROUTES
    count: int
    approved: int


@dataclass(frozen=True)
class DanaPage:
    rows: tuple[dq.DanaRow, ...]
    totals: tuple[Total, ...]
    routes: tuple[RouteTotal, ...]
    kecamatan: tuple[tuple[int, str], ...]
    desa: tuple[tuple[int, str], ...]
    years: tuple[int, ...]


def _totals(rows: list[dq.DanaRow]) -> tuple[Total, ...]:
    sums: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        r = row.request
        acc = sums.setdefault((r.year, r.status), [0, 0, 0])
        acc[0] += 1
        acc[1] += r.jumlah
        acc[2] += r.jumlah_disetujui or 0
    return tuple(Total(y, s, *v) for (y, s), v in sorted(sums.items()))


def _route_totals(rows: list[dq.DanaRow]) -> tuple[RouteTotal, ...]:
    sums: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        r = row.request
        if r.rute is None:  # not decided yet
            continue
        acc = sums.setdefault((r.tahun_anggaran or r.year, r.rute), [0, 0])
        acc[0] += 1
        acc[1] += r.jumlah_disetujui or 0
    return tuple(RouteTotal(y, route, *v) for (y, route), v in sorted(sums.items()))


async def dana_page(session: AsyncSession, viewer: Viewer, f: dq.DanaFilter) -> DanaPage:
    mine = (viewer.puskesmas, viewer.desa)
    rows = await dq.dana_rows(session, *mine, f, desa_set=viewer.desa_set)
    everything = await dq.dana_rows(session, *mine, dq.DanaFilter(), desa_set=viewer.desa_set)
    desa = sorted({(r.request.desa_id, r.desa) for r in everything}, key=lambda d: d[1])
    kecamatan = sorted(
        {(d.kecamatan_id, k) for d, k in await _kecamatan_of(session, [i for i, _ in desa])},
        key=lambda k: k[1],
    )
    years = sorted({r.request.year for r in everything}, reverse=True)
    return DanaPage(
        tuple(rows), _totals(rows), _route_totals(rows), tuple(kecamatan), tuple(desa), tuple(years)
    )


async def _kecamatan_of(session: AsyncSession, desa_ids: list[int]) -> list:
    if not desa_ids:
        return []
    stmt = select(Desa, Kecamatan.nama).join(Kecamatan, Kecamatan.id == Desa.kecamatan_id)
    return list((await session.execute(stmt.where(Desa.id.in_(desa_ids)))).all())


@dataclass(frozen=True)
class Evidence:
    label: str  # msgid: the RAB photo, the receipt
    item_id: int
    status: str  # pending | stored | refused | failed
    sha256: str | None


EVIDENCE = (("rab_foto", N_("RAB photo")), ("realisasi_foto", N_("Receipt photo")))


@dataclass(frozen=True)
class DanaDetail:
    row: dq.DanaRow
    history: tuple[AuditEvent, ...]
    photos: tuple[Evidence, ...] = ()


async def dana_detail(session: AsyncSession, viewer: Viewer, reference: str) -> DanaDetail | None:
    """One request by its reference, if the viewer may see it (else None, as if unknown)."""
    request = await dana_db.by_reference(session, reference)
    if request is None or not _sees(viewer, request):
        return None
    rows = await dq.dana_rows(session, None, request.desa_id, dq.DanaFilter())
    row = next(r for r in rows if r.request.id == request.id)
    photos = []
    for field, label in EVIDENCE:
        item = await media.by_file_id(session, getattr(request, field))
        if item is not None:
            photos.append(Evidence(label, item.id, item.status, item.sha256))
    return DanaDetail(row, tuple(await dana_db.history(session, request.id)), tuple(photos))


async def evidence(session: AsyncSession, viewer: Viewer, item_id: int) -> MediaItem | None:
    """A stored photo of a request the viewer may see (its RAB or receipt), else None."""
    item = await session.get(MediaItem, item_id)
    if item is None or item.status != "stored" or item.key is None:
        return None
    stmt = select(DanaRequest).where(
        or_(DanaRequest.rab_foto == item.file_id, DanaRequest.realisasi_foto == item.file_id)
    )
    requests = (await session.execute(stmt)).scalars().all()
    return item if any(_sees(viewer, r) for r in requests) else None


def _sees(viewer: Viewer, request: DanaRequest) -> bool:
    if viewer.desa is not None:
        return request.desa_id == viewer.desa
    if viewer.desa_set is not None:
        return request.desa_id in viewer.desa_set
    return viewer.puskesmas is None or request.puskesmas_id in viewer.puskesmas


@dataclass(frozen=True)
class DesaPage:
    name: str
    kelurahan: bool
    months: tuple[tuple[date, int], ...]  # reports received from the desa per month
    requests: tuple[dq.DanaRow, ...]
    profile: str  # the profil kesehatan desa, as /desa words it (handlers/digest/profile.py)


async def desa_page(
    session: AsyncSession, viewer: Viewer, day: date, flows: dict, texts: Texts
) -> DesaPage | None:
    if viewer.desa is None:
        return None
    desa = await session.get(Desa, viewer.desa)
    if desa is None:
        return None
    counts = await dq.desa_report_months(session, viewer.desa, date(day.year, 1, 1), day)
    requests = await dq.dana_rows(session, None, viewer.desa, dq.DanaFilter())
    profile = profiles.render(texts, "id", await profiles.read(session, flows, desa, day))
    return DesaPage(desa.nama, desa.jenis == "kelurahan", tuple(counts), tuple(requests), profile)
