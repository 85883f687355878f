"""A bidan reports the services of one klaster for one day, as she would tell it."""

from datetime import UTC, datetime

import pytest
from report_steps import (
    K1,
    K2,
    K2_ANSWERS,
    K3,
    K3_ANSWERS,
    K4,
    K4_OUTBREAK,
    LK,
    answer,
    choose,
    day,
    overridden_of,
    reports,
    skip_attachments,
    user_id,
    values_of,
)

from conversations.model import Location, Photo
from db.report_queries import klb_reports_since

K4_ANSWERS = K4_OUTBREAK
K4_VALUES = {
    "TBDUGA": 4,
    "TB": 1,
    "TBBAKT": 1,
    "TBKONTAK": 6,
    "HIV": 5,
    "HIVSPM": 3,
    "IKL": 2,
    "PJB": 20,
    "PJBBEBAS": 18,
    "DBD": 2,
    "MAL": 0,
    "DIARE": 7,
    "PNEU": 1,
    "CAMPAK": 0,
    "AFP": 0,
    "DIFTERI": 0,
    "GHPR": 1,
    "KLB": 1,
    "KLBKASUS": 12,
    "KLBMATI": 0,
}

FULL_REPORTS = [
    pytest.param(
        K1,
        "Minggu ini",
        [2, "amoksisilin, tablet Fe", 1, "Ya"],
        {"OBAT": 2, "ALKES": 1, "DANA": 1},
        ("2026-11-23", "2026-11-29"),
        "Kebutuhan mendesak: mohon laporkan ke Dinas Kesehatan hari ini. Obat dan alat kesehatan "
        "puskesmas tidak dibiayai dana desa.",
        id="klaster1-weekly",
    ),
    pytest.param(
        K2,
        "Hari ini",
        [*K2_ANSWERS.values(), "Lewati"],
        K2_ANSWERS,
        ("2026-11-23", "2026-11-23"),
        "D · Balita ditimbang (D): 40",
        id="klaster2",
    ),
    pytest.param(
        K3,
        "Kemarin",
        list(K3_ANSWERS.values()),
        K3_ANSWERS,
        ("2026-11-22", "2026-11-22"),
        "HT · Hipertensi terdeteksi: 9",
        id="klaster3-yesterday",
    ),
    pytest.param(
        K4,
        "Hari ini",
        K4_ANSWERS,
        K4_VALUES,
        ("2026-11-23", "2026-11-23"),
        "Dugaan KLB diteruskan ke Dinas Kesehatan hari ini.",
        id="klaster4-klb",
    ),
    pytest.param(
        LK,
        "Hari ini",
        [5, 2, 20],
        {"UGD": 5, "RUJUK": 2, "LAB": 20},
        ("2026-11-23", "2026-11-23"),
        "LAB · Pemeriksaan laboratorium: 20",
        id="lintas-klaster",
    ),
]


@pytest.mark.parametrize(("klaster", "period", "typed", "stored", "dates", "ack"), FULL_REPORTS)
async def test_a_full_report_of_every_klaster_is_stored_with_a_reference(
    registered, db, klaster, period, typed, stored, dates, ack
):
    siti = await registered("petugas", "300", "Siti Aminah")
    await choose(siti, klaster, period)
    await answer(siti, *typed)
    summary = await skip_attachments(siti)
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    assert siti.buttons == ["Kirim", "Ubah", "Batal"]
    done = await siti.press("Kirim")
    assert done[0].startswith("Terima kasih! Laporan Anda tersimpan dengan nomor ILP-20261123-1.")
    assert ack in done[0]
    [report] = await reports(db)
    assert await values_of(db, report.id) == stored
    assert (report.period_start, report.period_end) == (day(dates[0]), day(dates[1]))
    assert (report.version, report.is_current, report.desa_id) == (1, True, None)
    assert report.user_id == await user_id(db, "Siti Aminah")
    assert report.channel == "test"
    moment = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert report.sent_at == moment and report.received_at == moment


async def test_the_photo_caption_and_location_pin_are_kept(registered, db):
    siti = await registered("petugas", "301")
    await choose(siti, K2)
    await answer(siti, *K2_ANSWERS.values(), "Lewati")
    await siti.send(photo=Photo("tg-file-77", "Posyandu Mawar"))
    summary = await siti.send(location=Location(-3.47, 102.52))
    assert "Foto: foto diterima" in summary[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.details["foto"] == {"file_id": "tg-file-77", "caption": "Posyandu Mawar"}
    assert report.details["lokasi"] == {"lat": -3.47, "lon": 102.52}


async def test_a_suspected_outbreak_can_be_queried_for_the_same_day_alert(registered, db):
    siti = await registered("petugas", "302", "Siti Aminah")
    await choose(siti, K4)
    await answer(siti, *K4_ANSWERS)
    await skip_attachments(siti)
    await siti.press("Kirim")
    async with db.transaction() as session:
        [alert] = await klb_reports_since(session, datetime(2026, 11, 23, tzinfo=UTC))
        later = await klb_reports_since(session, datetime(2026, 11, 24, tzinfo=UTC))
    assert (alert.reference, alert.puskesmas, alert.desa, alert.disease, alert.cases) == (
        "ILP-20261123-1",
        "Sumber Urip",
        "Air Duku",
        "diare",
        12,
    )
    assert alert.reporter == "Siti Aminah" and later == []


async def test_only_a_rawat_inap_puskesmas_is_asked_about_inpatients(registered, db):
    budi = await registered("petugas", "303", "Budi", puskesmas="Sambirejo")
    await choose(budi, LK)
    asked = await answer(budi, 5)
    assert asked == ["Berapa pasien masuk rawat inap?"]
    await answer(budi, 3, 2, 20)
    await skip_attachments(budi)
    await budi.press("Kirim")
    [report] = await reports(db)
    assert (await values_of(db, report.id))["RANAP"] == 3


HARD_RULES = [
    (
        K2,
        [3, 2, 2, 1, 1, 1, 4, 2, 60, 40],
        "41",
        "T (tidak naik BB) tidak boleh lebih dari D (ditimbang). Mohon periksa kedua angka.",
    ),
    (
        K2,
        [3, 2, 2, 1, 1, 1, 4, 2, 60],
        "61",
        "D (ditimbang) tidak boleh lebih dari S (balita yang ada). Mohon periksa kedua angka.",
    ),
    (
        K2,
        [3, 2, 2, 1, 1, 1, 4, 2, 60, 40, 5],
        "61",
        "Balita diukur tidak boleh lebih dari S (balita yang ada). Mohon periksa kedua angka.",
    ),
    (
        K2,
        [3, 2, 2, 1, 1, 1, 4, 2, 60, 40, 5, 30],
        "31",
        "Balita stunting tidak boleh lebih dari balita yang diukur. Mohon periksa kedua angka.",
    ),
    (
        K3,
        [50, 9, 12, 2, 30, 3, 6, 1, 45, 40, 14, 9],
        "15",
        "Lansia diskrining SKILAS tidak boleh lebih dari lansia yang diskrining. Mohon periksa "
        "kedua angka.",
    ),
    (
        K4,
        [4, 2],
        "3",
        "TBC terkonfirmasi tidak boleh lebih dari TBC baru terdiagnosis. Mohon periksa kedua angka.",
    ),
    (
        K4,
        [4, 1, 1, 6, 5, 3, 2, 20],
        "21",
        "Rumah bebas jentik tidak boleh lebih dari rumah yang diperiksa. Mohon periksa kedua angka.",
    ),
    (
        K3,
        [50],
        "51",
        "Hipertensi terdeteksi tidak boleh lebih dari yang diskrining. Mohon periksa kedua angka.",
    ),
    (
        K3,
        [50, 9, 12, 2, 30],
        "31",
        "DM terdeteksi tidak boleh lebih dari yang diskrining. Mohon periksa kedua angka.",
    ),
    (
        K3,
        [50, 9, 12],
        "13",
        "Penderita hipertensi, pertama kali tahun ini (SPM) tidak boleh lebih dari Kunjungan "
        "penderita hipertensi dilayani sesuai standar. Mohon periksa kedua angka.",
    ),
    (
        K4,
        [4, 1, 1, 6, 5, 3, 2, 20, 18, 2, 0, 7, 1, 0, 0, 0, 1, "Ya", "diare"],
        "0",
        "Silakan ketik 1 atau lebih.",
    ),
    (K2, [], "-3", "Angka tidak boleh negatif."),
    (K2, [], "tiga", "Silakan ketik bilangan bulat, misalnya 12."),
    (K2, [], "501", "Silakan ketik 500 atau kurang."),
    (K2, [], "-", "Silakan ketik bilangan bulat, misalnya 12."),
]


@pytest.mark.parametrize(("klaster", "before", "typed", "message"), HARD_RULES)
async def test_every_hard_rule_refuses_the_number_in_indonesian_and_asks_again(
    registered, klaster, before, typed, message
):
    siti = await registered("petugas", "310")
    asked = await choose(siti, klaster)
    if before:
        asked = await answer(siti, *before)
    refused = await siti.send(typed)
    assert refused == [f"{message}\n{asked[-1]}"]  # the message, then the same question again


async def test_a_number_far_above_the_usual_asks_once_and_the_override_is_recorded(registered, db):
    siti = await registered("petugas", "320")
    await choose(siti, K2)
    warned = await answer(siti, 3, 2, 2, 1, 1, 1, 4, 2, "Lewati", 500)
    assert warned == ["500 jauh lebih tinggi dari biasanya untuk “Balita ditimbang (D)”. Yakin?"]
    assert siti.buttons == ["Ya", "Tidak"]
    kept = await siti.press("Ya")
    assert kept == ["Dari jumlah itu, berapa yang berat badannya tidak naik (T)?"]
    await answer(siti, 5, 30, 2, 1, 1, 2, "Lewati")
    await skip_attachments(siti)
    await siti.press("Kirim")
    [report] = await reports(db)
    assert (await values_of(db, report.id))["D"] == 500
    assert await overridden_of(db, report.id) == {"D"}


async def test_a_refused_warning_asks_the_number_again(registered):
    siti = await registered("petugas", "321")
    await choose(siti, K2)
    await answer(siti, 3, 2, 2, 1, 1, 1, 4, 2, "Lewati", 500)
    again = await siti.press("Tidak")
    assert again == ["Berapa balita yang ditimbang (D)?"]
    assert await siti.send("50") == ["Dari jumlah itu, berapa yang berat badannya tidak naik (T)?"]


async def test_an_answer_is_changed_from_the_summary_and_a_question_that_became_due_is_asked(
    registered, db
):
    siti = await registered("petugas", "330")
    await choose(siti, K2)
    after_d = await answer(siti, 3, 2, 2, 1, 1, 1, 4, 2, "Lewati", 0)
    assert after_d == ["Berapa balita yang diukur panjang atau tinggi badannya?"]  # no T: D is 0
    await answer(siti, 0, 1, 1, 2, "Lewati")  # no STUNT either: nobody measured
    summary = await skip_attachments(siti)
    assert "\nT · " not in summary[-1]
    await siti.press("Ubah")
    await siti.press("Balita ditimbang (D)")
    asked = await siti.send("40")
    assert asked == ["Dari jumlah itu, berapa yang berat badannya tidak naik (T)?"]
    back = await siti.send("6")
    assert "D · Balita ditimbang (D): 40\nT · Balita tidak naik BB (T): 6" in back[-1]
    await siti.press("Ubah")
    await siti.press("Ibu hamil K1 baru")
    back = await siti.send("4")
    assert "K1 · Ibu hamil K1 baru: 4" in back[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    stored = await values_of(db, report.id)
    assert (stored["K1"], stored["D"], stored["T"]) == (4, 40, 6)


async def _report_k2(person, d: int) -> list[str]:
    await answer(person, *{**K2_ANSWERS, "D": d}.values(), "Lewati")
    await skip_attachments(person)
    return await person.press("Kirim")


async def test_a_correction_becomes_a_new_version_and_totals_use_only_the_latest(
    registered, db, clock
):
    """Only the same person's report for the same place and day is replaced (a correction);
    another person's report adds (tests/test_report_places.py)."""
    siti = await registered("petugas", "340", "Siti Aminah")
    await choose(siti, K2)
    await _report_k2(siti, 40)
    clock.advance(minutes=42)
    asked = await choose(siti, K2)
    assert asked == [
        "Anda sudah mengirim laporan Klaster 2 – Ibu dan Anak, Senin, 23 November 2026, "
        "Puskesmas Sumber Urip (dalam gedung), 10.00 (ILP-20261123-1). Ganti dengan koreksi?"
    ]
    await siti.press("Ya")
    done = await _report_k2(siti, 45)
    assert "Laporan ini menggantikan ILP-20261123-1, yang disimpan sebagai riwayat." in done[0]
    assert "ILP-20261123-2" in done[0]
    first, second = await reports(db)
    assert (first.version, first.is_current, second.version, second.is_current) == (
        1,
        False,
        2,
        True,
    )
    assert second.replaces_id == first.id
    budi = await registered("kepala_puskesmas", "341", "Budi Santoso")
    recap = await budi.send("/rekap")
    assert "D Balita ditimbang (D): 45 orang (bulan lalu 0)" in recap[0]
    status = await siti.send("/status")
    assert "ILP-20261123-1 · KL2 · Senin 23/11 (sudah diganti)" in status[0]


async def test_declining_to_replace_keeps_the_existing_report(registered, db):
    siti = await registered("petugas", "350")
    await choose(siti, K2)
    await _report_k2(siti, 40)
    await choose(siti, K2)
    kept = await siti.press("Tidak")
    assert kept == [
        "Baik, laporan yang ada tetap berlaku. Ketik /status untuk melihat laporan Anda."
    ]
    assert len(await reports(db)) == 1


async def test_reports_for_different_desa_are_separate(registered, db):
    siti = await registered("petugas", "360")
    await choose(siti, K2, desa="Desa Air Meles Atas")
    await _report_k2(siti, 20)
    asked = await choose(siti, K2, desa="Kelurahan Air Duku")
    assert asked[0].startswith(
        "Laporan Klaster 2 Ibu dan Anak · Senin, 23 November 2026 · Kelurahan Air Duku."
    )
    await _report_k2(siti, 30)
    first, second = await reports(db)
    assert first.is_current and second.is_current and first.desa_id != second.desa_id
