"""A report's place: reports of different people or places add up, only one's own report for
the same place and day is replaced, and "reported" means the same in /status, the reminder,
the digest and the export."""

from datetime import UTC, date, datetime, time

from clock_steps import WIB
from report_steps import (
    K2,
    K2_ANSWERS,
    K3_ANSWERS,
    K4,
    answer,
    choose,
    press_starting,
    quick,
    reports,
    skip_attachments,
)
from sqlalchemy import select

from db.models import Desa, Puskesmas
from db.posyandu import Posyandu
from db.totals import TotalDay
from handlers.digest.build import Frame, Missing, build
from handlers.digest.reminders import missing_forms, reminder_text
from handlers.exports.entry import sheets
from handlers.exports.sheets import Request
from handlers.reports import posyandu
from handlers.reports.indicators import short_name

TODAY = date(2026, 11, 23)  # the conftest clock: Senin 10.00 WIB
KADER_K2 = {"S": 100, "D": 40, "T": 4, "UKUR": 0, "GIZI": 0, "KEK": 0}
CSV = (
    "puskesmas,desa,posyandu,aktif\n"
    "Sumber Urip,17.02.11.2009,Melati,ya\n"
    "Sumber Urip,Sumber Urip,Mawar,ya\n"
    "Sumber Urip,Suban Ayam,Posyandu Anggrek,ya\n"
)


async def import_posyandu(db, tmp_path, text: str = CSV) -> posyandu.Imported:
    path = tmp_path / "posyandu.csv"
    path.write_text(text, encoding="utf-8")
    return await posyandu.import_file(db, path, datetime(2026, 11, 23, tzinfo=UTC))


async def day_total(db, code: str) -> int:
    async with db.transaction() as session:
        stmt = select(TotalDay.total).where(TotalDay.day == TODAY, TotalDay.indicator == code)
        return sum((await session.execute(stmt)).scalars())


async def kader_reports_posyandu(kader, name: str, d: int) -> list[str]:
    await kader.send(quick("K2", {**KADER_K2, "D": d}))
    await kader.press("Posyandu")
    await kader.press(name)
    return await kader.press("Kirim")  # quick entry: the optional photo and pin are skipped


async def test_a_kader_and_a_bidan_report_the_same_desa_on_one_day_and_both_count(
    registered, db, tmp_path
):
    await import_posyandu(db, tmp_path)
    ani = await registered("kader", "800", "Ani Kader")
    done = await kader_reports_posyandu(ani, "Melati", 40)
    assert "Posyandu Melati, Desa Sumber Urip" in done[0]
    rina = await registered("petugas", "801", "Rina Bidan")
    asked = await rina.send(quick("K2", {**K2_ANSWERS, "D": 25}, DESA="Sumber Urip"))
    assert not any("Ganti" in line for line in asked)  # no collision: it adds
    await rina.press("Kirim")
    posyandu_report, desa_report = await reports(db)
    assert posyandu_report.is_current and desa_report.is_current
    assert (posyandu_report.place, desa_report.place) == ("posyandu", "desa")
    assert posyandu_report.desa_id == desa_report.desa_id
    assert await day_total(db, "D") == 65
    budi = await registered("kepala_puskesmas", "802", "Budi Santoso")
    recap = await budi.send("/rekap")
    assert "D Balita ditimbang (D): 65 orang (bulan lalu 0)" in recap[0]


async def test_two_posyandu_in_one_desa_both_count(registered, db, tmp_path):
    await import_posyandu(db, tmp_path)
    ani = await registered("kader", "810", "Ani Kader")
    await kader_reports_posyandu(ani, "Melati", 30)
    await ani.send(quick("K2", {**KADER_K2, "D": 20}))
    await ani.press("Posyandu")
    assert ani.buttons == ["Mawar", "Melati"]  # the posyandu of her own desa only
    await ani.press("Mawar")
    await ani.press("Kirim")
    assert [r.is_current for r in await reports(db)] == [True, True]
    assert await day_total(db, "D") == 50


async def test_the_same_bidan_corrects_her_own_report_and_it_replaces_it(registered, db, tmp_path):
    rina = await registered("petugas", "820", "Rina Bidan")
    for d in (25, 27):
        asked = await rina.send(quick("K2", {**K2_ANSWERS, "D": d}, DESA="Sumber Urip"))
        if d == 27:
            assert asked[-1].startswith("Anda sudah mengirim laporan Klaster 2 – Ibu dan Anak")
            assert asked[-1].endswith("Ganti dengan koreksi?")
            await rina.press("Ya")
        done = await rina.press("Kirim")
    assert "menggantikan ILP-20261123-1" in done[0]
    first, second = await reports(db)
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert second.replaces_id == first.id
    assert await day_total(db, "D") == 27


async def test_another_persons_report_for_the_same_place_is_added_after_a_warning(registered, db):
    siti = await registered("petugas", "830", "Siti Aminah")
    await choose(siti, K2)
    await answer(siti, *K2_ANSWERS.values(), "Lewati")
    await skip_attachments(siti)
    await siti.press("Kirim")
    budi = await registered("kepala_puskesmas", "831", "Budi Santoso")
    asked = await choose(budi, K2)
    assert asked == [
        "Siti Aminah sudah melaporkan Klaster 2 – Ibu dan Anak, Senin, 23 November 2026, "
        "Puskesmas Sumber Urip (dalam gedung) (ILP-20261123-1). Laporan Anda akan "
        "DITAMBAHKAN, bukan menggantinya: laporkan hanya layanan yang belum dihitung di sana. "
        "Lanjutkan?"
    ]
    await budi.press("Ya")
    await answer(budi, *{**K2_ANSWERS, "D": 5}.values(), "Lewati")
    await skip_attachments(budi)
    await budi.press("Kirim")
    assert [r.is_current for r in await reports(db)] == [True, True]
    assert await day_total(db, "D") == 45


async def test_status_reminder_digest_and_export_agree_on_what_is_reported(
    registered, db, runtime, tmp_path
):
    """K2 only from a desa and a posyandu (not complete), K3 in the building, K4 nihil, no LK."""
    await import_posyandu(db, tmp_path)
    ani = await registered("kader", "840", "Ani Kader")
    await kader_reports_posyandu(ani, "Melati", 40)
    rina = await registered("petugas", "841", "Rina Bidan")
    await rina.send(quick("K2", {**K2_ANSWERS, "D": 25}, DESA="Sumber Urip"))
    await rina.press("Kirim")
    await rina.send(quick("K3", {**dict.fromkeys(K3_ANSWERS, 0), "HTSKR": 5}))
    await rina.press("Kirim")
    nihil = await rina.send("LAPOR K4 NIHIL")
    assert nihil[-1].startswith("Dicatat sebagai nihil (ILP-20261123-")

    status = (await rina.send("/status"))[0]
    assert "laporan dalam gedung (atau nihil) belum ada" in _line(status, "✗ Klaster 2")
    assert _line(status, "✓ Klaster 3")
    assert "(nihil)" in _line(status, "✓ Klaster 4")
    assert _line(status, "✗ Lintas Klaster: belum dilaporkan")

    async with db.transaction() as session:
        pid = (
            await session.execute(select(Puskesmas.id).where(Puskesmas.nama == "Sumber Urip"))
        ).scalar_one()
        gaps = (await missing_forms(session, TODAY, [pid]))[pid]
        digest = await build(
            session, runtime.flows, Frame(TODAY, datetime.now(UTC), WIB, time(16), [pid])
        )
        book = await sheets(session, runtime.texts, runtime.flows, Request(TODAY, TODAY, [pid]))
    reminder = reminder_text(runtime.texts, "id", TODAY, gaps)
    assert reminder.splitlines()[0].endswith(": KL2, LK")
    assert digest.missing == (Missing("Sumber Urip", ("KL2", "LK")),)
    assert {k.klaster: k.filed for k in digest.klaster} == {"2": 0, "3": 1, "4": 1, "lk": 0}
    exported = {s.title.split()[0]: s.rows[-1][-1] for s in book[:5]}  # Sumber Urip, today
    assert exported == {"KL1": "belum", "KL2": "belum", "KL3": "ya", "KL4": "ya", "Lintas": "belum"}
    assert [short_name(k) for k in gaps] == ["KL2", "LK"]


def _line(text: str, start: str) -> str:
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert found, f"no line starting {start!r} in\n{text}"
    return found[0]


async def test_nihil_from_the_menu_and_not_when_the_building_has_reported(registered, db):
    siti = await registered("petugas", "850", "Siti Aminah")
    await siti.send("/lapor")
    await siti.press(K4)
    await siti.press("Hari ini (Senin 23/11)")
    done = await siti.press("Nihil: tidak ada layanan dalam gedung")
    assert done[0].startswith("Dicatat sebagai nihil (ILP-20261123-1): tidak ada layanan")
    again = await siti.send("LAPOR K4 NIHIL")
    assert "nihil tidak diperlukan" in again[-1]
    [report] = await reports(db)
    assert (report.place, report.details) == ("gedung", {"nihil": True})


async def test_the_posyandu_import_is_idempotent_and_says_what_changed(db, tmp_path):
    first = await import_posyandu(db, tmp_path)
    assert (first.added, first.changed, first.unchanged, first.errors) == (3, 0, 0, [])
    again = await import_posyandu(db, tmp_path)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    closed = await import_posyandu(db, tmp_path, CSV.replace("Mawar,ya", "Mawar,tidak"))
    assert (closed.added, closed.changed, closed.unchanged) == (0, 1, 2)
    async with db.transaction() as session:
        names = {p.nama: p.active for p in (await session.execute(select(Posyandu))).scalars()}
    assert names == {"Melati": True, "Mawar": False, "Anggrek": True}


async def test_a_wrong_posyandu_file_is_refused_whole_with_indonesian_errors_by_line(
    db, tmp_path, texts
):
    bad = (
        "puskesmas,desa,posyandu\n"
        "Sumber Urp,Sumber Urip,Melati\n"
        "Sumber Urip,Curup,Dahlia\n"
        "Sumber Urip,Suban Ayam,Dahlia\n"
        "Sumber Urip,suban ayam,posyandu dahlia\n"
    )
    result = await import_posyandu(db, tmp_path, bad)
    assert [texts.render(e) for e in result.errors] == [
        "baris 2: puskesmas Sumber Urp tidak dikenal (maksud Anda Sumber Urip?)",
        "baris 3: desa Curup tidak termasuk wilayah kerja puskesmas ini",
        "baris 5: posyandu yang sama dengan baris 4",
    ]
    async with db.transaction() as session:
        assert (await session.execute(select(Posyandu))).first() is None


async def test_a_kepala_puskesmas_adds_a_posyandu_in_chat_and_the_kader_can_choose_it(
    registered, db
):
    budi = await registered("kepala_puskesmas", "860", "Budi Santoso")
    listed = await budi.send("/posyandu")
    assert listed[0].splitlines()[1:] == ["Belum ada.", "Untuk menambah, ketik /posyandu tambah."]
    asked = await budi.send("/posyandu tambah")
    assert asked[-1] == "Apa nama posyandunya? Contoh: Melati 2."
    await budi.send("Posyandu Kenanga")
    await budi.send("sumber urip")
    added = await budi.press("Kirim")
    assert added == [
        "Posyandu Kenanga di Desa Sumber Urip sudah ditambahkan. "
        "Kader dan bidan kini dapat memilihnya di /lapor."
    ]
    listed = await budi.send("/posyandu")
    assert "• Kenanga (Desa Sumber Urip)" in listed[0]
    async with db.transaction() as session:
        item = (await session.execute(select(Posyandu))).scalar_one()
        desa = await session.get(Desa, item.desa_id)
    assert (item.nama, desa.kode, item.active) == ("Kenanga", "17.02.11.2009", True)
    ani = await registered("kader", "861", "Ani Kader")
    await ani.send(quick("K2", KADER_K2))
    assert ani.buttons == ["Posyandu", "Desa Sumber Urip: kunjungan rumah, bukan posyandu"]
    siti = await registered("petugas", "862", "Siti Aminah")
    refused = await siti.send("/posyandu")
    assert "Posyandu Puskesmas" not in refused[0]


async def test_two_reports_of_one_outbreak_on_one_day_are_not_added_up(registered, db, runtime):
    """Now that reports add, two people may report the same outbreak: its "cases so far"
    (KLBKASUS) is shown at its highest in /rekap and the export, never as a sum."""
    k4 = {"TBDUGA": 0, "TB": 0, "TBKONTAK": 0, "HIV": 0, "DBD": 0, "MAL": 0, "DIARE": 5}
    k4 |= {"PNEU": 0, "CAMPAK": 0, "AFP": 0, "DIFTERI": 0, "GHPR": 0, "KLB": "ya", "KLBMATI": 0}
    k4 |= {"IKL": 0, "PJB": 0}
    for chat, name, cases, extra in (
        ("870", "Siti Aminah", 12, {}),
        ("871", "Rina Bidan", 15, {"DESA": "Air Duku"}),
    ):
        person = await registered("petugas", chat, name)
        await person.send(quick("K4", {**k4, "KLBKASUS": cases}, **extra))
        await person.send("diare")
        await press_starting(person, "Kelurahan Air Duku")
        await person.press("Kirim")
    assert [r.is_current for r in await reports(db)] == [True, True]
    kepala = await registered("kepala_puskesmas", "872", "Bu Kepala")
    recap = (await kepala.send("/rekap"))[0]
    assert "KLBKASUS Jumlah kasus dugaan KLB: tertinggi 15 kasus (bulan lalu 0)" in recap
    assert "DIARE Kasus diare: 10 kasus (bulan lalu 0)" in recap
    async with db.transaction() as session:
        book = await sheets(session, runtime.texts, runtime.flows, Request(TODAY, TODAY, None))
    sheet = next(s for s in book if s.title.startswith("KL4"))
    column = next(n for n, h in enumerate(sheet.header) if h.startswith("KLBKASUS"))
    [row] = [r for r in sheet.rows if r[0] == "Sumber Urip"]
    assert (row[2], row[column], sheet.total[column]) == (2, 15, None)
