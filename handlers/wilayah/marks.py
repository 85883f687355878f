"""Marks on uncertain master data where it is shown: a desa that several puskesmas list (their
wilayah kerja overlap until Dinkes gives the real map) and a puskesmas whose kecamatan was
inferred or is uncertain. The facts and their sources: db/data/SOURCES.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db import wilayah
from db.models import Desa, Puskesmas
from handlers.reports.words import desa_name

CONFIRMED = "confirmed"
UNSURE = N_("{name} (to be confirmed)")


async def desa_choices(
    session: AsyncSession, t: Callable[..., str], desa: list[Desa]
) -> list[list[str]]:
    """[id, name] per desa, a desa that several puskesmas list marked."""
    shared = await wilayah.shared_desa_ids(session)
    return [
        [str(d.id), t(UNSURE, name=desa_name(d)) if d.id in shared else desa_name(d)] for d in desa
    ]


async def puskesmas_place(
    session: AsyncSession, t: Callable[..., str], puskesmas: Puskesmas
) -> str:
    """ "Puskesmas Curup", or with its kecamatan marked when that is not confirmed."""
    name = f"Puskesmas {puskesmas.nama}"
    if puskesmas.kecamatan_status == CONFIRMED:
        return name
    kecamatan = await wilayah.kecamatan_name(session, puskesmas.kecamatan_id)
    return t(N_("{name} (Kec. {kecamatan}, to be confirmed)"), name=name, kecamatan=kecamatan)


async def place_marked(session: AsyncSession, t: Callable[..., Any], puskesmas_id: int) -> str:
    puskesmas = await session.get(Puskesmas, puskesmas_id)
    assert puskesmas is not None
    return await puskesmas_place(session, t, puskesmas)
