"""The Dinkes digest about yesterday: every number in it can be counted by hand from what the
puskesmas filed, the puskesmas that did not report are named, and it comes with a chart."""

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from clock_steps import WIB, Seeder, dana_request, export_to, wib
from sqlalchemy import select

from db import totals
from db.models import Desa
from handlers.digest import send as digest_send
from handlers.digest.build import Frame, build
from handlers.digest.words import render
from handlers.reports.indicators import DAILY, short_name

D = date(2026, 11, 24)  # Selasa, a working day; the digest goes out Rabu 25 November at 07.00
NOW = wib(date(2026, 11, 25), 7)
K4_ZERO = {"TBDUGA": 0, "TB": 0, "DBD": 0, "DIARE": 0, "KLB": 0}


async def seed_the_district(db) -> Seeder:
    s = await Seeder(db).load()
    async with db.transaction() as session:
        air_duku = (
            await session.execute(select(Desa.id).where(Desa.nama == "Air Duku"))
        ).scalar_one()
    # Sumber Urip: a month of diarrhoea at 2 a day and a week of K1 at 3, then a jump on D.
    for back in range(1, 29):
        await s.report("Sumber Urip", "4", D - timedelta(days=back), {**K4_ZERO, "DIARE": 2})
    for back in range(1, 8):
        await s.report("Sumber Urip", "2", D - timedelta(days=back), {"K1": 3, "K6": 1})
    await s.report("Sumber Urip", "2", D, {"K1": 9, "K6": 5}, wib(D, 9))
    await s.report("Sumber Urip", "2", D, {"K1": 1, "K6": 0}, wib(D, 9, 30), desa="Sumber Urip")
    await s.report("Sumber Urip", "3", D, {"HTSKR": 40, "LANSIA": 4, "LANSIASPM": 3}, wib(D, 9))
    await s.report(
        "Sumber Urip", "3", D, {"HTSKR": 45, "LANSIA": 6, "LANSIASPM": 5}, wib(D, 17)
    )  # corrected late
    await s.report("Sumber Urip", "4", D, {**K4_ZERO, "DIARE": 20}, wib(D, 10))
    await s.report("Sumber Urip", "lk", D, {"UGD": 7, "RUJUK": 1}, wib(D, 15, 59))
    await s.report("Sumber Urip", "2", date(2026, 1, 15), {"K1": 2, "K6": 30})
    await s.report(
        "Sumber Urip",
        "2",
        D + timedelta(days=1),
        {"K1": 1, "K6": 50},
        wib(D + timedelta(days=1), 6),
    )
    # Curup: two forms, both late; Sambirejo: only klaster 4, with a suspected outbreak.
    await s.report("Curup", "2", D, {"K1": 2, "K6": 10}, wib(D, 18))
    await s.report(
        "Curup", "3", D, {"HTSKR": 12, "LANSIA": 1, "LANSIASPM": 1}, wib(D + timedelta(days=1), 8)
    )
    klb = {"klb_penyakit": "diare", "klb_desa": str(air_duku)}
    outbreak = {**K4_ZERO, "DIARE": 4, "KLB": 1, "KLBKASUS": 12}
    await s.report("Sambirejo", "4", D, outbreak, wib(D, 11), klb=True, details=klb)
    # Perumnas filed two days before: not silent for three days.
    await s.report("Perumnas", "lk", D - timedelta(days=2), {"UGD": 3, "RUJUK": 0})
    await s.sasaran(
        {
            ("Sumber Urip", "ibu_hamil"): 100,
            ("Curup", "ibu_hamil"): 200,
            ("Curup", "usia_lanjut"): 50,
        }
    )
    return s


async def seed_dana(db, s: Seeder) -> None:
    who, su = s.staff[s.ids["Sumber Urip"]], s.ids["Sumber Urip"]
    await dana_request(db, who, "Sumber Urip", su, number=1, created_at=wib(D, 10))
    await dana_request(
        db, who, "Sumber Urip", su, number=2, created_at=wib(D - timedelta(days=5), 9),
        status="disetujui", jumlah_disetujui=1_000_000, decided_at=wib(D, 15),
        rute="btt", tahun_anggaran=2026,
    )  # fmt: skip
    await dana_request(
        db, who, "Sumber Urip", su, number=3, created_at=wib(D - timedelta(days=4), 9)
    )
    await dana_request(
        db, who, "Sumber Urip", su, number=4, created_at=wib(date(2026, 11, 1), 9),
        status="selesai", jumlah_disetujui=500_000, decided_at=wib(date(2026, 11, 3), 9),
        rute="tidak_tercatat",
    )  # fmt: skip
    await dana_request(
        db, who, "Sumber Urip", su, number=5, created_at=wib(date(2026, 10, 20), 9),
        status="disetujui", jumlah_disetujui=700_000, decided_at=wib(date(2026, 10, 30), 9),
    )  # fmt: skip


async def digest_of(db, runtime, scope=None):
    async with db.transaction() as session:
        return await build(session, runtime.flows, Frame(D, NOW, WIB, time(16), scope))


async def test_the_digest_of_a_seeded_day_matches_the_numbers_counted_by_hand(db, runtime):
    s = await seed_the_district(db)
    await seed_dana(db, s)
    digest = await digest_of(db, runtime)

    # Kelengkapan: whole-puskesmas forms for D; on time = first filed before 16.00 that day.
    for line in digest.klaster:
        mine = [f for f in s.filed if f.klaster == line.klaster and f.day == D and f.desa is None]
        first = {}
        for f in mine:
            first[f.puskesmas] = min(first.get(f.puskesmas, f.at), f.at)
        assert line.filed == len(first)
        assert line.on_time == sum(1 for at in first.values() if at < wib(D, 16))
    assert [(k.klaster, k.filed, k.on_time) for k in digest.klaster] == [
        ("2", 2, 1), ("3", 2, 1), ("4", 2, 2), ("lk", 1, 1)
    ]  # fmt: skip

    # Every puskesmas but Sumber Urip is named with what it did not file.
    missing = {m.puskesmas: m.klaster for m in digest.missing}
    assert set(missing) == set(s.names) - {"Sumber Urip"}
    assert missing["Curup"] == ("KL4", "LK")
    assert missing["Sambirejo"] == ("KL2", "KL3", "LK")
    assert missing["Bangun Jaya"] == tuple(short_name(k) for k in DAILY)

    # Key figures against the mean of the 7 days before (days without reports count as 0).
    figures = {f.code: f for f in digest.figures}
    for code in ("K1", "DIARE", "HTSKR", "UGD"):
        assert figures[code].value == s.total(code, D)
        week = s.total(code, D - timedelta(days=7), D - timedelta(days=1))
        assert figures[code].average == pytest.approx(week / 7)
    assert (figures["K1"].value, figures["DIARE"].value, figures["HTSKR"].value) == (12, 24, 57)

    # Alerts: the outbreak, diarrhoea far above its 28-day pattern, 17 silent puskesmas.
    [outbreak] = digest.outbreaks
    assert (outbreak.puskesmas, outbreak.desa, outbreak.disease, outbreak.cases) == (
        "Sambirejo", "Air Duku", "diare", 12
    )  # fmt: skip
    diare = next(f for f in digest.above_pattern if f.code == "DIARE")
    assert (diare.value, diare.average) == (24, pytest.approx(2.0))
    assert set(digest.silent) == set(s.names) - {"Sumber Urip", "Curup", "Sambirejo", "Perumnas"}

    # Dana desa: made on D, decided on D, waiting > 3 days, approved in November so far.
    d = digest.dana
    assert (d.new, d.decided, d.waiting_long, d.approved_rupiah) == (1, 1, 1, 1_500_000)
    assert d.routes == (("btt", 1), ("tidak_tercatat", 1))  # by route, decided in November

    # SPM since January to D (the report of the 25th does not count yet), lowest puskesmas.
    spm = {line.service: line for line in digest.spm}
    hamil = spm["ibu_hamil"]
    assert (hamil.served, hamil.target) == (30 + 7 + 5 + 10, 300)
    assert (hamil.lowest, round(hamil.lowest_percent)) == ("Curup", 5)
    assert (spm["usia_lanjut"].served, spm["usia_lanjut"].lowest) == (1, "Curup")


async def test_the_digest_reads_as_one_screen_of_indonesian(db, runtime):
    s = await seed_the_district(db)
    await seed_dana(db, s)
    text = render(await digest_of(db, runtime), runtime.texts, "id", "16.00")
    lines = text.split("\n")
    assert lines[0] == "📊 Ringkasan ILP Selasa, 24 November 2026"
    assert lines[1] == "Kelengkapan laporan (21 puskesmas; tepat waktu = sebelum pukul 16.00):"
    assert lines[2] == "• Klaster 2 – Ibu dan Anak: 2/21, tepat waktu 1"
    assert "Belum lengkap: Bangun Jaya (belum ada), Beringin Tiga (belum ada)" in text
    assert "Curup (KL4, LK)" in text and "… dan 10 lainnya" in text
    assert "▲ Ibu hamil K1 baru: 12 (3)" in lines and "▲ Kasus diare: 24 (2)" in lines
    assert "Persalinan di fasyankes" not in text  # nothing today, nothing in the week before
    assert "⚠️ Dugaan KLB: Puskesmas Sambirejo, Air Duku: diare, 12 kasus" in lines
    assert "⚠️ Kasus diare: 24, di atas pola 28 hari (rata-rata 2)" in lines
    assert (
        "Dana desa: 1 baru, 1 diputuskan, 1 menunggu lebih dari 3 hari; "
        "disetujui bulan ini Rp 1.500.000 (belanja tidak terduga 1, tidak tercatat 1)"
    ) in lines
    assert "• Usia lanjut (60+ th): 2% (terendah: Curup 2%)" in lines
    assert len(lines) <= 30 and len(text) <= 2500


async def test_a_day_before_anyone_reported_says_so_under_the_key_figures(db, runtime):
    lines = render(await digest_of(db, runtime), runtime.texts, "id", "16.00").split("\n")
    heading = lines.index("Angka utama (rata-rata 7 hari sebelumnya):")
    assert lines[heading + 1] == "Belum ada angka yang dilaporkan."


async def test_one_district_or_every_puskesmas_gives_the_same_digest(db, runtime):
    """The whole deployment reads the district-wide totals; a group of puskesmas its own."""
    s = await seed_the_district(db)
    everything = await digest_of(db, runtime)
    listed = await digest_of(db, runtime, scope=list(s.ids.values()))
    assert listed == everything


async def test_the_running_totals_equal_a_rebuild_from_the_reports(db, runtime):
    await seed_the_district(db)
    snapshot = await _totals(db)
    async with db.transaction() as session:
        await totals.rebuild(session)
    assert await _totals(db) == snapshot


async def _totals(db):
    out = {}
    async with db.transaction() as session:
        for model in (totals.TotalDay, totals.TotalAllDay, totals.TotalYear):
            rows = (await session.execute(select(model))).scalars()
            out[model.__tablename__] = {
                tuple(getattr(r, c.name) for c in model.__table__.primary_key): r.total
                for r in rows
                if r.total
            }
    return out


async def test_in_the_bots_first_week_a_busy_day_is_not_called_above_a_pattern(db, runtime):
    """Sumber Urip has reported Klaster 4 for five days (2 diarrhoea cases a day): 20 cases on
    the sixth are news for the key figures, but there is no 28-day pattern to be above yet.
    Three weeks later, with the same history, the same jump is an alert."""
    s = await Seeder(db).load()
    for back in range(1, 6):
        await s.report("Sumber Urip", "4", D - timedelta(days=back), {**K4_ZERO, "DIARE": 2})
    await s.report("Sumber Urip", "4", D, {**K4_ZERO, "DIARE": 20}, wib(D, 10))
    digest = await digest_of(db, runtime)
    assert next(f for f in digest.figures if f.code == "DIARE").value == 20
    assert digest.above_pattern == ()
    for back in range(6, 15):
        await s.report("Sumber Urip", "4", D - timedelta(days=back), {**K4_ZERO, "DIARE": 2})
    digest = await digest_of(db, runtime)
    assert [(f.code, f.value) for f in digest.above_pattern] == [("DIARE", 20)]


async def test_the_chart_is_a_png_heatmap_of_fourteen_days(db, runtime, tmp_path):
    export_to(runtime, tmp_path)
    await seed_the_district(db)
    async with db.transaction() as session:
        digest = await digest_send.collect(session, runtime, D, NOW)
    built = digest_send.Built(digest, await digest_send.chart_of(runtime, digest))
    assert built.chart == (tmp_path / "digest-2026-11-24.png").resolve()
    assert built.digest.grid.days[0] == D - timedelta(days=13)
    from PIL import Image

    with Image.open(built.chart) as image:
        assert image.format == "PNG"
        assert image.width > 600 and image.height > 300


async def test_many_puskesmas_get_the_spm_bars_instead(db, runtime, tmp_path):
    await seed_the_district(db)
    digest = replace(await digest_of(db, runtime), grid=None)
    path = digest_send.draw(runtime, digest, tmp_path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
