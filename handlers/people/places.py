"""A user's or an invitation's place by its proper name."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db import queries, scope
from handlers.core.turn import Turn
from handlers.wilayah import marks


async def place_name(
    turn: Turn, puskesmas_id: int | None, desa_id: int | None, kecamatan_id: int | None = None
) -> str:
    if desa_id is None and puskesmas_id is not None:  # its kecamatan marked when unsure
        return await marks.place_marked(turn.session, turn.t, puskesmas_id)
    place = await place_of(turn.session, puskesmas_id, desa_id, kecamatan_id)
    return place or turn.t("Kabupaten Rejang Lebong")


async def place_of(
    session: AsyncSession,
    puskesmas_id: int | None,
    desa_id: int | None,
    kecamatan_id: int | None = None,
) -> str | None:
    """A user's or an invite's place by its proper name; None for the kabupaten."""
    if desa_id is not None and (desa := await queries.desa_name(session, desa_id)):
        return desa_label(*desa)
    if puskesmas_id is not None and (nama := await queries.puskesmas_name(session, puskesmas_id)):
        return f"Puskesmas {nama}"
    if kecamatan_id is not None and (nama := await scope.kecamatan_name(session, kecamatan_id)):
        return f"Kecamatan {nama}"
    return None


def desa_label(jenis: str, nama: str) -> str:
    """ "Desa Sumber Urip", "Kelurahan Air Duku": the names' own prefixes, in every language."""
    return f"{'Kelurahan' if jenis == 'kelurahan' else 'Desa'} {nama}"
