"""What a puskesmas has filed (/status), its month so far (/rekap), and the SPM targets."""

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from report_steps import K1, K2_ANSWERS, K3_ANSWERS, answer, choose, quick, skip_attachments
from sqlalchemy import select

from db.models import Puskesmas, User
from db.reports import NewReport, Report, ReportValue, Sasaran, Slot, store_report

ILPBOT = str(Path(sys.executable).parent / "ilpbot")


async def test_status_shows_today_the_week_what_is_missing_and_my_last_reports(registered, clock):
    siti = await registered("petugas", "500", "Siti Aminah")
    clock.now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Rabu 10.00 WIB
    await siti.send(quick("K2", K2_ANSWERS))
    await siti.press("Kirim")
    await siti.send(quick("K2", K2_ANSWERS, TGL="senin"))
    await siti.press("Kirim")
    await siti.send(quick("K3", K3_ANSWERS, TGL="kemarin"))
    await siti.press("Kirim")
    await choose(siti, K1, "Minggu ini")
    await answer(siti, 0, 0, "Tidak")
    await skip_attachments(siti)
    await siti.press("Kirim")
    status = await siti.send("/status")
    assert status == [
        "\n".join(
            [
                "Laporan Puskesmas Sumber Urip",
                "Hari ini, Rabu, 25 November 2026:",
                "✓ Klaster 2 – Ibu dan Anak: ILP-20261125-1",
                "✗ Klaster 3 – Usia Dewasa dan Lansia: belum dilaporkan",
                "✗ Klaster 4 – Penanggulangan Penyakit Menular dan Kesling: belum dilaporkan",
                "✗ Lintas Klaster: belum dilaporkan",
                "Minggu ini (23/11–29/11/2026):",
                "✓ Klaster 1 – Manajemen (mingguan): sudah dilaporkan",
                "✗ Klaster 2 – Ibu dan Anak: belum ada Selasa 24/11",
                "✗ Klaster 3 – Usia Dewasa dan Lansia: belum ada Senin 23/11, Rabu 25/11",
                "✗ Klaster 4 – Penanggulangan Penyakit Menular dan Kesling: belum ada Senin 23/11, Selasa 24/11, Rabu 25/11",
                "✗ Lintas Klaster: belum ada Senin 23/11, Selasa 24/11, Rabu 25/11",
                "Laporan terakhir Anda:",
                "ILP-20261125-4 · KL1 · Senin 23/11",
                "ILP-20261125-3 · KL3 · Selasa 24/11",
                "ILP-20261125-2 · KL2 · Senin 23/11",
                "ILP-20261125-1 · KL2 · Rabu 25/11",
            ]
        )
    ]


async def test_a_kader_sees_the_status_of_her_own_posyandu(registered):
    ani = await registered("kader", "501", "Ani Kader")
    status = await ani.send("/status")
    assert status[0].startswith("Laporan Desa Sumber Urip\nHari ini, Senin, 23 November 2026:")
    assert "Klaster 4" not in status[0]
    assert status[0].endswith("Anda belum pernah mengirim laporan. Ketik /lapor untuk mulai.")


# (klaster, day, values); two reports on 2026-11-05 for klaster 2: the second corrects the first
HISTORY = [
    ("2", "2026-10-02", {"K1": 2, "K6": 1, "D": 30, "T": 3}),
    ("2", "2026-10-23", {"K1": 1, "K6": 3, "D": 25, "T": 2}),
    ("2", "2026-10-28", {"K1": 9, "K6": 9, "D": 99, "T": 9}),  # after the 23rd: not compared
    ("2", "2026-11-05", {"K1": 5, "K6": 5, "D": 50, "T": 5}),
    ("2", "2026-11-05", {"K1": 4, "K6": 2, "D": 41, "T": 4}),
    ("2", "2026-11-20", {"K1": 3, "K6": 2, "D": 38, "T": 1}),
    ("3", "2026-11-20", {"HTSKR": 60, "HT": 7, "HTLAYAN": 11, "HTSPM": 4}),
    ("4", "2026-10-10", {"DBD": 4, "KLB": 0}),
    ("2", "2026-12-01", {"K1": 7}),  # next month: not counted
]


async def _file_history(db, puskesmas_id: int, user_id: int) -> None:
    moment = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    for klaster, day, values in HISTORY:
        start = date.fromisoformat(day)
        async with db.transaction() as session:
            await store_report(
                session,
                NewReport(
                    Slot(puskesmas_id, klaster, start, start),
                    values,
                    frozenset(),
                    {},
                    user_id,
                    "test",
                    moment,
                    moment,
                    start,
                    1,
                ),
            )


async def _stored_totals(db, puskesmas_id: int, first: date, last: date) -> dict[str, int]:
    """Straight from the tables: current versions only."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(ReportValue.indicator, ReportValue.value)
            .join(Report, Report.id == ReportValue.report_id)
            .where(
                Report.puskesmas_id == puskesmas_id,
                Report.is_current.is_(True),
                Report.period_start >= first,
                Report.period_start <= last,
            )
        )
        totals: dict[str, int] = {}
        for code, value in rows.all():
            totals[code] = totals.get(code, 0) + value
        return totals


async def _ids(db, name: str) -> tuple[int, int]:
    async with db.transaction() as session:
        user = (await session.execute(select(User).where(User.name == name))).scalar_one()
        return user.puskesmas_id, user.id


def _recap_numbers(text: str) -> dict[str, tuple[int, int]]:
    found = {}
    for line in text.split("\n"):
        match = re.match(r"(?:★ )?([A-Z0-9]+) .*: ([\d.]+) \w+ \(bulan lalu ([\d.]+)\)", line)
        if match:
            found[match[1]] = (int(match[2].replace(".", "")), int(match[3].replace(".", "")))
    return found


async def test_rekap_shows_month_to_date_against_the_same_days_of_last_month(registered, db):
    kepala = await registered("kepala_puskesmas", "510", "Bu Kepala")
    puskesmas_id, user_id = await _ids(db, "Bu Kepala")
    await _file_history(db, puskesmas_id, user_id)
    recap = (await kepala.send("/rekap"))[0]
    assert recap.startswith(
        "Rekap Puskesmas Sumber Urip, 1–23 November 2026 (dibanding 1–23 Oktober 2026):\n"
        "★ = dihitung untuk SPM"
    )
    assert "★ K6 Ibu hamil mencapai K6: 4 orang (bulan lalu 4)" in recap
    assert "K1 Ibu hamil K1 baru: 7 orang (bulan lalu 3)" in recap
    assert "HTLAYAN Kunjungan penderita hipertensi dilayani sesuai standar: 11 kunjungan" in recap
    assert "★ HTSPM Penderita hipertensi, pertama kali tahun ini (SPM): 4 orang" in recap
    this = await _stored_totals(db, puskesmas_id, date(2026, 11, 1), date(2026, 11, 23))
    last = await _stored_totals(db, puskesmas_id, date(2026, 10, 1), date(2026, 10, 23))
    shown = _recap_numbers(recap)
    assert shown == {code: (this.get(code, 0), last.get(code, 0)) for code in {*this, *last}}


async def test_dinkes_chooses_the_puskesmas_of_the_recap(registered, db):
    dewi = await registered("dinkes", "511", "Dewi Dinkes")
    direct = await dewi.send("/rekap sumber urip")
    assert direct[0].startswith("Rekap Puskesmas Sumber Urip, 1–23 November 2026")
    assert "Belum ada laporan pada periode ini." in direct[0]
    await dewi.send("/rekap")
    picked = await dewi.press("Sambirejo")
    assert picked[0].startswith("Rekap Puskesmas Sambirejo")


async def test_a_petugas_cannot_see_the_recap(registered):
    siti = await registered("petugas", "512")
    assert await siti.send("/rekap") == ["Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."]


def _ilpbot(tmp_path: Path, db_url: str, *args: str) -> subprocess.CompletedProcess:
    # the checkout under test, not wherever the venv's editable install points
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", "PYTHONPATH": root}
    return subprocess.run(
        [ILPBOT, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


@pytest.mark.slow  # runs the ilpbot command in subprocesses
def test_the_dinkes_imports_the_spm_targets_and_errors_name_their_line(tmp_path, db_url):
    good = tmp_path / "sasaran.csv"
    good.write_text(
        "tahun,puskesmas,layanan,sasaran\n"
        "2026,Sumber Urip,1,320\n"
        "2026,sumber urip,hipertensi,1.450\n"
        "2026,Sambirejo,ibu_bersalin,300\n"
    )
    done = _ilpbot(tmp_path, db_url, "sasaran", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sasaran: 3 sasaran diimpor"
    bad = tmp_path / "salah.csv"
    bad.write_text(
        "tahun,puskesmas,layanan,sasaran\n"
        "2026,Sumber Urp,1,320\n"
        "26,Sambirejo,13,banyak\n"
        "2026,Sambirejo,ibu_bersalin,310\n"
        "2026,Sambirejo,2,310\n"
    )
    refused = _ilpbot(tmp_path, db_url, "sasaran", "import", str(bad))
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "baris 2: puskesmas Sumber Urp tidak dikenal (maksud Anda Sumber Urip?)",
        "baris 3: 26 bukan tahun seperti 2026",
        "baris 3: layanan SPM 13 tidak dikenal: gunakan 1–12 atau salah satu dari ibu_hamil, "
        "ibu_bersalin, bayi_baru_lahir, balita, usia_pendidikan_dasar, usia_produktif, "
        "usia_lanjut, hipertensi, diabetes, odgj_berat, terduga_tbc, risiko_hiv",
        "baris 3: sasaran banyak bukan bilangan bulat",
        "baris 5: tahun, tempat, dan layanan sama dengan baris 4",
        "Tidak ada yang diimpor: perbaiki baris di atas lalu impor lagi.",
    ]


async def test_the_recap_shows_capaian_against_the_imported_target(registered, db, tmp_path):
    from handlers.reports.sasaran import import_sasaran

    path = tmp_path / "sasaran.csv"
    path.write_text("year,puskesmas,spm,target\n2026,Sumber Urip,ibu_hamil,40\n")
    async with db.transaction() as session:
        result = await import_sasaran(session, path, datetime(2026, 11, 23, tzinfo=UTC))
        assert result.rows == 1 and result.errors == []
        assert (await session.execute(select(Sasaran.target))).scalar_one() == 40
    kepala = await registered("kepala_puskesmas", "520", "Bu Kepala")
    puskesmas_id, user_id = await _ids(db, "Bu Kepala")
    await _file_history(db, puskesmas_id, user_id)
    recap = (await kepala.send("/rekap"))[0]
    # K6 this year: 1 + 3 + 9 (Oktober) + 2 + 2 (November) = 17 of 40
    assert (
        "★ K6 Ibu hamil mencapai K6: 4 orang (bulan lalu 4) · capaian tahun ini 42% dari sasaran 40"
        in recap
    )
    async with db.transaction() as session:
        assert await session.get(Puskesmas, puskesmas_id) is not None
