"""`ilpbot wilayah check`: every fact of the master data that awaits Dinkes' confirmation, and
every desa that more than one puskesmas lists, in Indonesian, for Dinkes to settle."""

from __future__ import annotations

from collections.abc import Callable

from conversations.model import N_
from db import wilayah
from db.database import Database
from handlers.core.calendar import LOCAL_DAYS_OFF, district

STATUS = {
    "inferred": N_("inferred: no source states it"),
    "uncertain": N_("sources differ"),
}


async def check_lines(db: Database, t: Callable[..., str]) -> list[str]:
    async with db.transaction() as session:
        puskesmas = await wilayah.puskesmas_with_kecamatan(session)
        shared = await wilayah.shared_desa(session)
    lines = [t(N_("Master data to be confirmed by the Dinkes:"))]
    unsure = [(p, k) for p, k in puskesmas if p.kecamatan_status != "confirmed"]
    lines.append(t(N_("Kecamatan of a puskesmas ({count}):"), count=len(unsure)))
    for p, kecamatan in unsure:
        why = t(STATUS.get(p.kecamatan_status, STATUS["uncertain"]))
        lines.append(f"- {p.nama}: Kec. {kecamatan} ({why})")
    inpatient = sorted(p.nama for p, _ in puskesmas if p.rawat_inap)
    lines.append(
        t(
            N_(
                "Rawat inap puskesmas ({count}, from one news source; they are expected every day): {names}"
            ),
            count=len(inpatient),
            names=", ".join(inpatient) or "-",
        )
    )
    lines.append(
        t(
            N_(
                "Days off: Sunday, national holidays and cuti bersama ({days} district days off in {file})"
            ),
            days=len(district().local),
            file=LOCAL_DAYS_OFF.name,
        )
    )
    lines.append(t(N_("Desa listed by more than one puskesmas ({count}):"), count=len(shared)))
    for desa, kecamatan, names in shared:
        lines.append(f"- Kec. {kecamatan}, {desa.nama} ({desa.kode}): {', '.join(names)}")
    if shared:
        lines.append(
            t(
                N_(
                    "Correct the map with: ilpbot wilayah import-map FILE.csv (columns desa_kode, "
                    "puskesmas), or in chat: /wilayah DESA -> PUSKESMAS"
                )
            )
        )
    return lines
