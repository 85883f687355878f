"""Steps the report stories share: choose what to report, answer, read back what was stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from db.models import User
from db.reports import Report, ReportValue

K1 = "Klaster 1 – Manajemen (mingguan)"
K2 = "Klaster 2 – Ibu dan Anak"
K3 = "Klaster 3 – Usia Dewasa dan Lansia"
K4 = "Klaster 4 – Penanggulangan Penyakit Menular dan Kesling"
LK = "Lintas Klaster"

# The answers of a whole report (quick-entry codes), in the order the form asks them.
K2_ANSWERS = {
    "K1": 3,
    "K4": 2,
    "K6": 2,
    "SALIN": 1,
    "KF": 1,
    "KN": 1,
    "IDL": 4,
    "BALITASPM": 2,
    "S": 60,
    "D": 40,
    "T": 5,
    "UKUR": 30,
    "STUNT": 2,
    "GIZI": 1,
    "KEK": 1,
    "ANEMIA": 2,
}
# A whole klaster 4 report typed question by question, with a suspected outbreak of diare:
# TBDUGA … PJBBEBAS, DBD … CAMPAK, AFP, DIFTERI, GHPR, KLB, disease, cases, deaths, desa.
K4_OUTBREAK = [4, 1, 1, 6, 5, 3, 2, 20, 18]
K4_OUTBREAK += [2, 0, 7, 1, 0, 0, 0, 1, "Ya", "diare", 12, 0, "Kelurahan Air Duku"]
K3_ANSWERS = {
    "HTSKR": 50,
    "HT": 9,
    "HTLAYAN": 12,
    "HTSPM": 2,
    "DMSKR": 30,
    "DM": 3,
    "DMLAYAN": 6,
    "DMSPM": 1,
    "PRODUKTIF": 45,
    "PRODSPM": 40,
    "LANSIA": 14,
    "LANSIASPM": 9,
    "SKILAS": 10,
    "ODGJ": 1,
    "ODGJSPM": 0,
    "CATIN": 1,
    "KBBARU": 2,
    "KBAKTIF": 5,
}


async def press_starting(person, prefix: str) -> list[str]:
    label = next((b for b in person.buttons if b.startswith(prefix)), None)
    assert label, f"no button starting {prefix!r} in {person.buttons}"
    return await person.press(label)


GEDUNG = "Dalam gedung puskesmas"
DESA = "Desa (pustu, kunjungan rumah)"


async def choose(
    person,
    klaster: str,
    period: str = "Hari ini",
    desa: str | None = "Lewati",
    posyandu: str | None = None,
):
    """/lapor → klaster → day or week → place: in the building ("Lewati", as the desa question
    was skipped before places), a desa by name, or a posyandu by label (None: no place
    question, as for a kader of a desa without posyandu)."""
    await person.send("/lapor")
    await person.press(klaster)
    replies = await press_starting(person, period)
    if posyandu is not None:
        await person.press("Posyandu")
        replies = await person.press(posyandu)
    elif desa == "Lewati":
        replies = await person.press(GEDUNG)
    elif desa is not None:  # a desa several puskesmas list is marked "(perlu konfirmasi)"
        await person.press(DESA)
        replies = await press_starting(person, desa)
    return replies


async def answer(person, *answers) -> list[str]:
    """Types each answer; an answer that is a button label on screen is pressed instead."""
    replies: list[str] = []
    for text in answers:
        text = str(text)
        if text in person.buttons:
            replies = await person.press(text)
        else:
            replies = await person.send(text)
    return replies


async def skip_attachments(person) -> list[str]:
    await person.press("Lewati")
    return await person.press("Lewati")


def quick(klaster: str, values: dict[str, object], **extra: object) -> str:
    pairs = {**values, **extra}
    return f"LAPOR {klaster} " + " ".join(f"{k}={v}" for k, v in pairs.items())


async def reports(db) -> list[Report]:
    async with db.transaction() as session:
        return list((await session.execute(select(Report).order_by(Report.id))).scalars())


async def values_of(db, report_id: int) -> dict[str, int]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(ReportValue.indicator, ReportValue.value).where(
                ReportValue.report_id == report_id
            )
        )
        return dict(rows.all())


async def overridden_of(db, report_id: int) -> set[str]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(ReportValue.indicator).where(
                ReportValue.report_id == report_id, ReportValue.overridden.is_(True)
            )
        )
        return set(rows.scalars())


async def user_id(db, name: str) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(User.id).where(User.name == name))).scalar_one()


def day(text: str) -> date:
    return date.fromisoformat(text)
