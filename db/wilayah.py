"""Queries about the master data's places: which puskesmas work every day (rawat inap), which
desa more than one puskesmas lists (an overlapping wilayah kerja, perlu konfirmasi), and the
correction of the desa → puskesmas map."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Desa, Kecamatan, Puskesmas, PuskesmasDesa

Scope = Collection[int] | None


async def rawat_inap_ids(session: AsyncSession, scope: Scope = None) -> set[int]:
    where = true() if scope is None else Puskesmas.id.in_(list(scope))
    stmt = select(Puskesmas.id).where(Puskesmas.rawat_inap.is_(True), where)
    return set((await session.execute(stmt)).scalars())


async def shared_desa_ids(session: AsyncSession) -> set[int]:
    """Desa listed by more than one puskesmas."""
    stmt = (
        select(PuskesmasDesa.desa_id)
        .group_by(PuskesmasDesa.desa_id)
        .having(func.count(PuskesmasDesa.puskesmas_id) > 1)
    )
    return set((await session.execute(stmt)).scalars())


async def shared_desa(session: AsyncSession) -> list[tuple[Desa, str, list[str]]]:
    """(desa, its kecamatan, the puskesmas listing it) for each desa listed more than once."""
    shared = await shared_desa_ids(session)
    if not shared:
        return []
    stmt = (
        select(Desa, Kecamatan.nama, Puskesmas.nama)
        .join(Kecamatan, Kecamatan.id == Desa.kecamatan_id)
        .join(PuskesmasDesa, PuskesmasDesa.desa_id == Desa.id)
        .join(Puskesmas, Puskesmas.id == PuskesmasDesa.puskesmas_id)
        .where(Desa.id.in_(shared))
        .order_by(Kecamatan.nama, Desa.nama, Puskesmas.nama)
    )
    found: dict[int, tuple[Desa, str, list[str]]] = {}
    for desa, kecamatan, puskesmas in (await session.execute(stmt)).all():
        found.setdefault(desa.id, (desa, kecamatan, []))[2].append(puskesmas)
    return list(found.values())


async def puskesmas_with_kecamatan(session: AsyncSession) -> list[tuple[Puskesmas, str]]:
    stmt = (
        select(Puskesmas, Kecamatan.nama)
        .join(Kecamatan, Kecamatan.id == Puskesmas.kecamatan_id)
        .order_by(Puskesmas.nama)
    )
    return [(p, k) for p, k in (await session.execute(stmt)).all()]


async def kecamatan_name(session: AsyncSession, kecamatan_id: int) -> str | None:
    return await session.scalar(select(Kecamatan.nama).where(Kecamatan.id == kecamatan_id))


async def all_desa(session: AsyncSession) -> list[Desa]:
    return list((await session.execute(select(Desa).order_by(Desa.nama))).scalars())


async def links(session: AsyncSession) -> set[tuple[int, int]]:
    """Every (puskesmas, desa) of the map."""
    stmt = select(PuskesmasDesa.puskesmas_id, PuskesmasDesa.desa_id)
    return {(p, d) for p, d in (await session.execute(stmt)).all()}


async def serving_ids(session: AsyncSession, desa_id: int) -> set[int]:
    stmt = select(PuskesmasDesa.puskesmas_id).where(PuskesmasDesa.desa_id == desa_id)
    return set((await session.execute(stmt)).scalars())


async def set_serving(session: AsyncSession, desa_id: int, puskesmas_ids: Collection[int]) -> bool:
    """The desa is served by exactly these puskesmas; False when it already was."""
    if await serving_ids(session, desa_id) == set(puskesmas_ids):
        return False
    await session.execute(delete(PuskesmasDesa).where(PuskesmasDesa.desa_id == desa_id))
    for pid in sorted(set(puskesmas_ids)):
        session.add(PuskesmasDesa(puskesmas_id=pid, desa_id=desa_id))
    await session.flush()
    return True
