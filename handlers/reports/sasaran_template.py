"""`ilpbot sasaran template`: the wide XLSX Dinkes fills in, one row per puskesmas (its own
total) and per desa of its wilayah, one column per SPM service, uncertain places noted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conversations.forms.spm import SPM
from conversations.model import N_
from db import queries, wilayah
from db.database import Database
from handlers.reports.sasaran_files import TemplateRow, write_template


async def template_rows(db: Database, t: Callable[[str], str]) -> list[TemplateRow]:
    async with db.transaction() as session:
        puskesmas = await wilayah.puskesmas_with_kecamatan(session)
        shared = await wilayah.shared_desa_ids(session)
        served = {p.id: await queries.desa_of_puskesmas(session, p.id) for p, _ in puskesmas}
    rows = []
    for p, kecamatan in sorted(puskesmas, key=lambda pair: (pair[1], pair[0].nama)):
        note = "" if p.kecamatan_status == "confirmed" else t(N_("kecamatan to be confirmed"))
        rows.append(TemplateRow(kecamatan, p.nama, note=note))
        for d in served[p.id]:
            note = t(N_("served by several puskesmas: to be confirmed")) if d.id in shared else ""
            rows.append(TemplateRow(kecamatan, p.nama, d.kode, d.nama, note))
    return rows


async def write(db: Database, path: Path, year: int, t: Callable[[str], str]) -> Path:
    rows = await template_rows(db, t)
    return write_template(path, year, [t(s.label) for s in SPM], rows, t)
