"""The export's "SPM capaian per desa" sheet (PWS): written only when Dinkes has imported
sasaran per desa for the year (`ilpbot sasaran import`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM_BY_KEY
from conversations.model import N_, Flow, Text
from db import wilayah
from db.pws import desa_capaian
from handlers.core.text import Texts
from handlers.exports.sheets import Request, Sheet
from handlers.reports.indicators import spm_codes


async def pws_sheet(
    session: AsyncSession, texts: Texts, locale: str, flows: dict[str, Flow], req: Request
) -> Sheet | None:
    rows = await desa_capaian(session, req.last, spm_codes(flows), req.scope)
    if not rows:
        return None
    shared = await wilayah.shared_desa_ids(session)
    t = texts
    header = (
        t(N_("Puskesmas"), locale),
        t(N_("Desa"), locale),
        t(N_("SPM service"), locale),
        t(N_("Served since January"), locale),
        t(N_("Sasaran {year}"), locale, year=str(req.last.year)),
        t(N_("Capaian %"), locale),
        t(N_("Note"), locale),
    )
    unsure = t(N_("served by several puskesmas: to be confirmed"), locale)
    out = [
        (
            r.puskesmas,
            r.desa,
            t.render(Text(SPM_BY_KEY[r.spm].label), locale),
            r.served,
            r.target,
            round(100 * r.served / r.target, 1) if r.target else None,
            unsure if r.desa_id in shared else None,
        )
        for r in rows
    ]
    return Sheet(t(N_("SPM capaian per desa"), locale), header, out)
