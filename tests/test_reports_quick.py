"""Experienced staff report in one message; kader report their own posyandu; late messages."""

from datetime import UTC, datetime

from report_steps import (
    K2,
    K2_ANSWERS,
    K3,
    K3_ANSWERS,
    answer,
    choose,
    day,
    quick,
    reports,
    skip_attachments,
    values_of,
)

from db.models import Desa
from db.reports import Report


async def test_a_complete_quick_entry_goes_straight_to_the_summary(registered, db):
    siti = await registered("petugas", "400")
    replies = await siti.send(quick("K3", K3_ANSWERS))
    assert replies[0] == (
        "Laporan Klaster 3 Usia Dewasa dan Lansia · Senin, 23 November 2026 · "
        "Puskesmas Sumber Urip (dalam gedung). Ketik 0 bila tidak ada; /batal untuk membatalkan."
    )
    assert replies[1].startswith("Mohon periksa jawaban Bapak/Ibu (Laporan Klaster 3")
    assert "HTSKR · Skrining hipertensi (≥15 th): 50" in replies[1]
    done = await siti.press("Kirim")
    assert "ILP-20261123-1" in done[0]
    [report] = await reports(db)
    assert await values_of(db, report.id) == K3_ANSWERS


async def test_a_mistyped_code_is_reported_with_a_suggestion_and_its_item_asked(registered, db):
    siti = await registered("petugas", "401")
    typed = quick("K2", K2_ANSWERS).replace("SALIN=", "SALN=")
    replies = await siti.send(typed)
    assert replies[0] == "Kode SALN tidak dikenal. Maksud Anda SALIN? Nilainya belum dipakai."
    assert replies[-1] == "Berapa persalinan di fasilitas kesehatan?"
    summary = await siti.send("1")
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    await siti.press("Kirim")
    [report] = await reports(db)
    assert await values_of(db, report.id) == K2_ANSWERS


async def test_missing_required_items_are_asked_one_by_one(registered, db):
    siti = await registered("petugas", "402")
    asked = [(await siti.send("LAPOR K2 D=40 T=5 STUNT=2"))[-1]]
    for value in (3, 2, 2, 1, 1, 1, 4, 0, 30, 1, 1):
        asked.append((await siti.send(str(value)))[-1].split("\n")[0])
    assert asked == [
        "Berapa ibu hamil yang kunjungan ANC pertamanya (K1)?",
        "Berapa ibu hamil yang mencapai kunjungan ANC keempat (K4)?",
        "Berapa ibu hamil yang mencapai kunjungan ANC keenam (K6)?",
        "Berapa persalinan di fasilitas kesehatan?",
        "Berapa ibu nifas yang kunjungan nifasnya lengkap (KF lengkap)?",
        "Berapa neonatus yang kunjungan neonatalnya lengkap (KN lengkap)?",
        "Berapa bayi yang imunisasi dasarnya lengkap (IDL)?",
        "Berapa balita yang pelayanan standarnya tahun ini sudah lengkap?",
        "Berapa balita yang diukur panjang atau tinggi badannya?",  # STUNT=2 waits for it
        "Berapa balita gizi kurang atau gizi buruk baru?",
        "Berapa ibu hamil KEK baru?",
        "Berapa ibu hamil anemia baru?",
    ]
    summary = await siti.send("2")
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    assert "ANAKSKR · Anak usia sekolah diskrining: (dilewati)" in summary[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    stored = await values_of(db, report.id)
    assert (stored["D"], stored["T"], stored["STUNT"], stored["ANEMIA"]) == (40, 5, 2, 2)
    assert "S" not in stored  # optional, not typed: skipped


async def test_a_refused_quick_value_is_asked_again_and_the_rest_still_used(registered, db):
    siti = await registered("petugas", "403")
    replies = await siti.send(quick("K2", {**K2_ANSWERS, "T": 50}))
    assert replies[-1] == (
        "T (tidak naik BB) tidak boleh lebih dari D (ditimbang). Mohon periksa kedua angka.\n"
        "Dari jumlah itu, berapa yang berat badannya tidak naik (T)?"
    )
    summary = await siti.send("5")
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    await siti.press("Kirim")
    [report] = await reports(db)
    assert await values_of(db, report.id) == K2_ANSWERS


async def test_the_cluster_is_found_from_the_codes_and_another_day_can_be_named(registered, db):
    siti = await registered("petugas", "404")
    replies = await siti.send(quick("", K3_ANSWERS, TGL="kemarin").replace("LAPOR  ", "LAPOR "))
    assert "Minggu, 22 November 2026" in replies[0]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.period_start == day("2026-11-22")


async def test_a_report_written_offline_counts_for_the_day_it_was_written(registered, db, clock):
    siti = await registered("petugas", "405")
    clock.now = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)  # Selasa 07.05 WIB: signal is back
    written = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Senin 21.00 WIB, in the field
    replies = await siti.send_written_at(written, quick("K3", K3_ANSWERS))
    assert "Senin, 23 November 2026" in replies[0]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.period_start == day("2026-11-23")
    assert (report.sent_at, report.received_at) == (written, clock.now)
    assert report.reference == "ILP-20261124-1"


async def test_hari_ini_in_the_menu_is_the_day_the_message_was_written(registered, db, clock):
    siti = await registered("petugas", "406")
    clock.now = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)
    await siti.send_written_at(datetime(2026, 11, 23, 14, 0, tzinfo=UTC), "/lapor")
    await siti.press(K3)
    assert siti.buttons[:2] == ["Hari ini (Senin 23/11)", "Kemarin (Minggu 22/11)"]


async def test_a_kader_reports_the_posyandu_items_of_her_own_desa_only(registered, db):
    ani = await registered("kader", "410", "Ani Kader")
    await ani.send("/lapor")
    assert ani.buttons == [K2, K3, "Kematian dan Dugaan KLB (segera)"]
    asked = await choose(ani, K2, desa=None)
    assert asked[0].startswith(
        "Laporan Klaster 2 Ibu dan Anak · Senin, 23 November 2026 · Desa Sumber Urip."
    )
    assert asked[-1] == "Berapa balita yang ada di wilayah posyandu ini (S)?"
    await answer(ani, 50, 35, 4, 20, 0, 1, 1)
    summary = await skip_attachments(ani)
    assert "K1 · " not in summary[-1] and "D · Balita ditimbang (D): 35" in summary[-1]
    await ani.press("Kirim")
    [report] = await reports(db)
    async with db.transaction() as session:
        desa = await session.get(Desa, report.desa_id)
    assert desa.kode == "17.02.11.2009"
    assert await values_of(db, report.id) == {
        "S": 50,
        "D": 35,
        "T": 4,
        "UKUR": 20,
        "STUNT": 0,
        "GIZI": 1,
        "KEK": 1,
    }


async def test_a_kader_cannot_report_for_another_desa_or_another_cluster(registered, db):
    ani = await registered("kader", "411", "Ani Kader")
    refused = await ani.send("LAPOR K2 DESA=Sumber Bening D=10 T=1")
    assert refused == ["Maaf, kader hanya dapat melapor untuk desanya sendiri."]
    refused = await ani.send("LAPOR K4 DBD=1")
    assert refused == ["Maaf, peran Anda tidak dapat melaporkan klaster ini."]
    assert await reports(db) == []


async def test_dinkes_staff_cannot_report(registered):
    dinas = await registered("dinkes", "412", "Dewi Dinkes")
    assert await dinas.send("/lapor") == ["Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."]


async def test_help_lists_the_codes_and_explains_a_cluster(registered):
    siti = await registered("petugas", "420")
    await siti.send("/batal")  # leave the menu shown after registration
    replies = await siti.send("/bantuan")
    codes = "KL2: K1 K4 K6 SALIN KF KN IDL BALITASPM S D T UKUR STUNT GIZI KEK ANEMIA ANAKSKR"
    assert codes in replies[-1]
    assert "LK: UGD RANAP RUJUK LAB" in replies[-1]
    explained = await siti.send("/bantuan K3")
    assert explained[-1].startswith("Kode Klaster 3 – Usia Dewasa dan Lansia:\nHTSKR = ")
    assert "ODGJ = Kunjungan ODGJ berat dilayani" in explained[-1]


async def test_codes_of_another_cluster_and_unreadable_words_are_pointed_out(registered):
    siti = await registered("petugas", "421")
    replies = await siti.send("LAPOR K3 HTSKR=50 D=4 lima")
    assert "D bukan kode klaster ini, jadi tidak dipakai." in replies
    assert "Bagian ini tidak terbaca: lima. Tulis KODE=angka, misalnya K1=3." in replies


async def test_the_menu_offers_reporting(registered):
    siti = await registered("petugas", "422")
    await siti.send("/menu")
    assert "Lapor pelayanan klaster" in siti.buttons
    replies = await siti.press("Lapor pelayanan klaster")
    assert replies == ["Klaster mana yang ingin Anda laporkan?"]


async def test_old_days_are_locked_until_the_dinkes_opens_them(registered, db, clock):
    siti = await registered("petugas", "430")
    await siti.send("/lapor")
    await siti.press(K2)
    assert siti.buttons[-1] == "Senin 16/11"  # seven days back, no further
    dewi = await registered("dinkes", "431", "Dewi Dinkes")
    await dewi.send("/bukakunci")
    await dewi.send("sumber urip")
    summary = await dewi.send("10/11")
    assert "Hari: Selasa, 10 November 2026" in summary[-1]
    opened = await dewi.press("Kirim")
    assert opened == [
        "Puskesmas Sumber Urip dapat melapor atau mengoreksi Selasa, 10 November 2026 "
        "sampai Kamis, 26 November 2026 10.00 WIB lewat /lapor."
    ]
    await choose(siti, K2, "Selasa 10/11 (dibuka Dinkes)")
    await answer(siti, *K2_ANSWERS.values(), "Lewati")
    await skip_attachments(siti)
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.period_start == day("2026-11-10")
    clock.advance(days=4)
    await siti.send("/lapor")
    await siti.press(K2)
    assert "Selasa 10/11 (dibuka Dinkes)" not in siti.buttons
    assert isinstance(report, Report)
