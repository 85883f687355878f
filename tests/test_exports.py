"""Exports: Dinkes asks for a period in chat and gets an XLSX whose totals are the database's;
a kepala puskesmas gets their own puskesmas; the command line writes XLSX, CSV and DHIS2."""

import asyncio
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from clock_steps import Seeder, dana_request, export_to, exports_in, wib
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from db.database import Database
from db.models import MediaItem, Outbox
from db.reports import Report, ReportValue
from handlers.app import build_runtime
from handlers.core.text import format_day
from handlers.reports.indicators import catalog

NOV = date(2026, 11, 1)


async def seed(db) -> Seeder:
    s = await Seeder(db).load()
    await s.report("Sumber Urip", "2", date(2026, 11, 2), {"K1": 3, "K6": 2, "D": 40})
    await s.report("Sumber Urip", "2", date(2026, 11, 2), {"K1": 1, "D": 12}, desa="Sumber Urip")
    await s.report("Sumber Urip", "2", date(2026, 11, 20), {"K1": 2, "K6": 1, "D": 30})
    await s.report("Sumber Urip", "2", date(2026, 11, 20), {"K1": 4, "K6": 1, "D": 31})  # corrected
    await s.report("Curup", "4", date(2026, 11, 21), {"DIARE": 6, "DBD": 1})
    await s.report("Curup", "1", date(2026, 11, 16), {"OBAT": 2, "ALKES": 1, "DANA": 0})
    await s.report("Curup", "3", date(2026, 10, 31), {"HTSKR": 99})  # outside the period
    await s.sasaran({("Sumber Urip", "ibu_hamil"): 100})
    who = s.staff[s.ids["Sumber Urip"]]
    await dana_request(
        db, who, "Sumber Urip", s.ids["Sumber Urip"], number=1, created_at=wib(NOV, 9)
    )
    await dana_request(
        db, who, "Sumber Urip", s.ids["Sumber Urip"], number=2, created_at=wib(NOV, 10),
        status="selesai", jumlah_disetujui=2_000_000, decided_at=wib(date(2026, 11, 17), 9),
        rute="perubahan", tahun_anggaran=2026, realisasi_jumlah=1_950_000,
        realisasi_spj="SPJ 014", realisasi_tanggal=date(2026, 11, 20), hasil_terlayani=118,
    )  # fmt: skip
    return s


async def database_total(
    db, code: str, first: date, last: date, puskesmas: int | None = None
) -> int:
    async with db.transaction() as session:
        stmt = (
            select(func.coalesce(func.sum(ReportValue.value), 0))
            .join(Report, Report.id == ReportValue.report_id)
            .where(
                Report.is_current.is_(True),
                Report.period_start.between(first, last),
                ReportValue.indicator == code,
            )
        )
        if puskesmas is not None:
            stmt = stmt.where(Report.puskesmas_id == puskesmas)
        return (await session.execute(stmt)).scalar_one()


def sheet_totals(ws) -> dict[str, int]:
    header = [c.value for c in ws[1]]
    total = [c.value for c in ws[ws.max_row]]
    assert total[0] == "Jumlah"
    return {h.split(" – ")[0]: v for h, v in zip(header[3:], total[3:], strict=True)}


async def test_dinkes_exports_this_month_and_the_totals_are_the_databases(
    runtime, registered, db, clock, tmp_path
):
    export_to(runtime, tmp_path)
    await seed(db)
    asep = await registered("dinkes", "701", "drg. Asep")
    await asep.send("/ekspor")
    assert asep.buttons[:3] == [
        "Bulan ini sampai hari ini",
        "Bulan lalu",
        "Minggu lalu (Senin sampai Minggu)",
    ]
    await asep.press("Bulan ini sampai hari ini")
    assert asep.buttons[0] == "Semua puskesmas"
    await asep.press("Semua puskesmas")
    [reply] = asep.last
    assert (
        reply.text
        == "Ekspor 01/11/2026 – 23/11/2026: satu lembar per klaster, dana desa, dan capaian SPM."
    )
    book = load_workbook(reply.document)
    assert book.sheetnames == [  # whole names: a spreadsheet cuts a name at 31 characters
        "KL1 Manajemen (mingguan)",
        "KL2 Ibu dan Anak",
        "KL3 Usia Dewasa dan Lansia",
        "KL4 Penyakit Menular, Kesling",
        "Lintas Klaster",
        "Kematian dan Dugaan KLB",
        "Dana desa",
        "Capaian SPM",
    ]
    today = date(2026, 11, 23)
    flows = runtime.flows
    for name, klaster in zip(book.sheetnames[:5], ("1", "2", "3", "4", "lk"), strict=True):
        totals = sheet_totals(book[name])
        for code, ind in catalog(flows).items():
            if ind.klaster.key == klaster and not ind.summable:
                assert totals[code] is None, code  # cases so far: never added up
            elif ind.klaster.key == klaster:
                first = date(2026, 10, 26) if klaster == "1" else NOV
                assert totals[code] == await database_total(db, code, first, today), code
    k2 = book["KL2 Ibu dan Anak"]
    assert k2.max_row == 1 + 21 * 23 + 1  # a row per puskesmas × day, and the total
    assert [c.value for c in k2[1]][:4] == [
        "Puskesmas",
        "Tanggal",
        "Laporan",
        "K1 – Ibu hamil K1 baru",
    ]
    row = next(
        r
        for r in k2.iter_rows(values_only=True)
        if r[0] == "Sumber Urip" and r[1] and r[1].date() == date(2026, 11, 2)
    )
    assert row[2:4] == (2, 4)  # two reports (the building and a desa), K1 = 3 + 1
    dana = book["Dana desa"]
    assert [c.value for c in dana[2]][:3] == ["DD-2026-1", "Sumber Urip", "Sumber Urip"]
    assert [c.value for c in dana[1]][10:] == [
        "Jalur anggaran", "Tahun anggaran", "Kegiatan APBDes", "Dana terealisasi", "Nomor SPJ",
        "Tanggal realisasi", "Sasaran terlayani", "Foto RAB", "Foto kuitansi",
    ]  # fmt: skip
    routed = [c.value for c in dana[3]]
    assert routed[0] == "DD-2026-2" and routed[10:14] == ["perubahan APBDes", 2026, None, 1_950_000]
    assert routed[14:] == ["SPJ 014", datetime(2026, 11, 20), 118, None, None]  # no photos
    spm = [
        r
        for r in book["Capaian SPM"].iter_rows(values_only=True)
        if r[0] == "Sumber Urip" and r[1] == "Ibu hamil"
    ]
    assert spm == [
        ("Sumber Urip", "Ibu hamil", 3, 3, 100, 3.0, "K6 (KL2)", "Standar diambil K6 (6 kunjungan, "
         "2 kali dengan dokter dan USG), sesuai juknis ILP.")
    ]  # fmt: skip
    services = [r[1] for r in book["Capaian SPM"].iter_rows(values_only=True) if r[0] == "Curup"]
    assert len(services) == 12 and "Balita" in services


async def test_a_kepala_puskesmas_exports_only_their_own_puskesmas(
    runtime, registered, db, tmp_path
):
    export_to(runtime, tmp_path)
    s = await seed(db)
    rina = await registered("kepala_puskesmas", "711", "dr. Rina", puskesmas="Curup")
    await rina.send("/ekspor")
    await rina.press("Pilih tanggal")
    await rina.send("16/11/2026")
    await rina.send("22/11/2026")
    book = load_workbook(rina.last[0].document)
    k4 = book["KL4 Penyakit Menular, Kesling"]
    assert {r[0] for r in k4.iter_rows(min_row=2, values_only=True)} == {"Curup", "Jumlah"}
    assert sheet_totals(k4)["DIARE"] == await database_total(
        db, "DIARE", date(2026, 11, 16), date(2026, 11, 22), s.ids["Curup"]
    )
    assert sheet_totals(book["KL1 Manajemen (mingguan)"])["OBAT"] == 2
    assert book["Dana desa"].max_row == 2  # the header and the total: no request of Curup


async def test_a_petugas_has_no_export(registered):
    siti = await registered("petugas", "721")
    assert await siti.send("/ekspor") == ["Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."]


async def test_the_webhooks_export_is_made_by_the_sender_on_its_own_disk(
    runtime, registered, outbox_for, db, texts, clock, tmp_path
):
    """`ilpbot web` takes the turn; `ilpbot clock` sends, on another dyno with another disk.
    The turn's transaction only says what to make; the sender makes it, outside any turn."""
    web_disk, clock_disk = tmp_path / "web", tmp_path / "clock"
    export_to(runtime, web_disk)
    await seed(db)
    asep = await registered("dinkes", "701", "drg. Asep")
    runtime.replies_via_outbox = True
    clock_process = build_runtime(db, texts, clock=clock, settings=exports_in(clock_disk))
    outbox = outbox_for(clock_process)
    for step in (asep.send("/ekspor"), asep.press("Minggu lalu (Senin sampai Minggu)")):
        await step
        await outbox.drain()
        outbox.read(asep)
    await asep.press("Semua puskesmas")
    async with db.transaction() as session:
        [row] = (
            await session.execute(
                select(Outbox).where(Outbox.chat_id == "701", Outbox.status == "pending")
            )
        ).scalars()
    assert row.payload["document"] is None
    assert row.payload["build"]["kind"] == "export"
    assert not web_disk.exists()
    await outbox.drain()
    assert outbox.read(asep) == [
        "Ekspor 16/11/2026 – 22/11/2026: satu lembar per klaster, dana desa, dan capaian SPM."
    ]
    [reply] = asep.last
    assert Path(reply.document).parent == clock_disk.resolve()
    k4 = load_workbook(reply.document)["KL4 Penyakit Menular, Kesling"]
    assert sheet_totals(k4)["DIARE"] == await database_total(
        db, "DIARE", date(2026, 11, 16), date(2026, 11, 22)
    )


async def test_when_the_export_cannot_be_written_dinkes_is_asked_to_try_later(
    runtime, registered, db, tmp_path
):
    taken = tmp_path / "exports"
    taken.write_text("a file where the export folder should be")
    export_to(runtime, taken)
    asep = await registered("dinkes", "701", "drg. Asep")
    await asep.send("/ekspor")
    await asep.press("Bulan lalu")
    assert await asep.press("Semua puskesmas") == [
        "Maaf, berkas tidak dapat dibuat. Silakan coba lagi nanti."
    ]
    assert asep.last[0].document is None


async def test_while_an_export_reads_a_bidan_goes_on_writing_and_the_export_sees_one_moment(
    db,
):
    """An export's read takes no write lock on SQLite (and reads one view on PostgreSQL)."""
    s = await Seeder(db).load()
    count = select(func.count()).select_from(Report)
    async with db.snapshot() as export:
        before = (await export.execute(count)).scalar_one()
        await asyncio.wait_for(s.report("Curup", "4", date(2026, 11, 22), {"DIARE": 1}), 5)
        assert (await export.execute(count)).scalar_one() == before
    async with db.snapshot() as next_export:
        assert (await next_export.execute(count)).scalar_one() == before + 1


def test_the_command_line_writes_xlsx_csv_and_dhis2(db_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_seeded(db_url))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")

    assert main(["export", "--from", "2026-11-01", "--to", "2026-11-22"]) == 0
    path = capsys.readouterr().out.strip()
    assert sheet_totals(load_workbook(path)["KL2 Ibu dan Anak"])["K1"] == 3 + 1 + 4

    assert (
        main(
            [
                "export",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-22",
                "--format",
                "csv",
                "--puskesmas",
                "curup",
            ]
        )
        == 0
    )
    files = capsys.readouterr().out.split()
    assert [f.rsplit("/", 1)[1] for f in files][:2] == [
        "01-kl1-manajemen--mingguan.csv",
        "02-kl2-ibu-dan-anak.csv",
    ]
    k4 = Path(files[3]).read_text(encoding="utf-8-sig").splitlines()
    assert k4[-1].startswith("Jumlah,,1,")

    assert main(["export", "--from", "2026-11-16", "--to", "2026-11-22", "--format", "dhis2"]) == 0
    out = capsys.readouterr()
    payload = json.loads(Path(out.out.strip()).read_text(encoding="utf-8"))
    mapping = json.loads((tmp_path / "dhis2_mapping.json").read_text(encoding="utf-8"))
    assert mapping["dataElements"]["DIARE"] == "ILP_DIARE"
    values = {
        (v["dataElement"], v["period"], v["orgUnit"]): v["value"] for v in payload["dataValues"]
    }
    curup = mapping["orgUnits"]["Curup"]
    assert values[("ILP_DIARE", "20261121", curup)] == "6"
    assert values[("ILP_OBAT", "2026W47", curup)] == "2"
    assert values[("ILP_K1", "20261120", mapping["orgUnits"]["Sumber Urip"])] == "4"
    sumber_urip = mapping["orgUnits"]["Sumber Urip"]
    assert values[("ILP_DANA_PERUBAHAN_N", "202611", sumber_urip)] == "1"
    assert values[("ILP_DANA_PERUBAHAN_RP", "202611", sumber_urip)] == "2000000"


def test_the_digest_by_hand_prints_or_queues(db_url, tmp_path, monkeypatch, capsys):
    asyncio.run(_seeded(db_url))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    assert main(["digest", "--date", "2026-11-20", "--print"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("📊 Ringkasan ILP Jumat, 20 November 2026\n")
    assert out.err.strip() == f"chart: {(tmp_path / 'digest-2026-11-20.png').resolve()}"
    assert main(["digest", "--date", "2026-11-20", "--send", "--no-chart"]) == 0
    assert capsys.readouterr().out == "digest of 2026-11-20 queued for 0 Dinkes user(s)\n"
    # what was filed so far today, for someone trying the bot out
    assert main(["digest", "--date", "today", "--print", "--no-chart"]) == 0
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    assert capsys.readouterr().out.startswith(f"📊 Ringkasan ILP {format_day(today)}\n")


async def _seeded(url: str) -> None:
    db = Database(url)
    try:
        await seed(db)
    finally:
        await db.dispose()


def test_old_charts_and_exports_are_pruned_but_nothing_else(tmp_path):
    import os
    import time

    from handlers.exports.files import prune

    old, new, other = (
        tmp_path / "digest-2026-10-01.png",
        tmp_path / "ilp-semua-x.xlsx",
        tmp_path / "notes.txt",
    )
    for path in (old, new, other):
        path.write_text("x")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))
    assert prune(tmp_path, time.time()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ilp-semua-x.xlsx", "notes.txt"]


async def test_an_auditor_finds_the_evidence_photos_linked_in_the_export(
    runtime, registered, db, clock, tmp_path
):
    export_to(runtime, tmp_path)
    runtime.settings = replace(runtime.settings, public_url="https://ilp.rejanglebongkab.go.id")
    s = await Seeder(db).load()
    await s.report("Sumber Urip", "2", date(2026, 11, 2), {"K1": 3})  # the bidan who asks
    who = s.staff[s.ids["Sumber Urip"]]
    await dana_request(
        db, who, "Sumber Urip", s.ids["Sumber Urip"], number=1, created_at=wib(NOV, 9),
        rab_foto="rab-1", realisasi_foto="kuitansi-1",
    )  # fmt: skip
    async with db.transaction() as session:
        rab = evidence("rab-1", "stored", clock())
        session.add_all([rab, evidence("kuitansi-1", "pending", clock())])
        await session.flush()
        rab_id = rab.id
    asep = await registered("dinkes", "701", "drg. Asep")
    await asep.send("/ekspor")
    await asep.press("Bulan ini sampai hari ini")
    await asep.press("Semua puskesmas")
    dana = load_workbook(asep.last[0].document)["Dana desa"]
    assert [c.value for c in dana[2]][-2:] == [
        f"https://ilp.rejanglebongkab.go.id/dasbor/foto/{rab_id}",  # the dashboard checks who
        "masih diunduh",
    ]


def evidence(file_id: str, status: str, now: datetime) -> MediaItem:
    stored = status == "stored"
    return MediaItem(
        channel="whatsapp", chat_id="6281200000001", file_id=file_id, status=status, attempts=1,
        keep_location=False, created_at=now, next_attempt_at=now,
        key=f"whatsapp/2026/11/{'a' * 64}.jpg" if stored else None,
        sha256="a" * 64 if stored else None, mime="image/jpeg" if stored else None,
    )  # fmt: skip
