"""The kepala desa sees his desa's health: the profil kesehatan desa on the 1st of each month
(a clock job, one outbox row per kades) and on /desa at any time, each with a small chart."""

from datetime import date
from pathlib import Path

from clock_steps import Seeder, dana_request, export_to, message, outbox, wib
from report_steps import user_id

from handlers.jobs import build_schedule


async def seed_sumber_urip(db) -> Seeder:
    """Posyandu and case reports of Desa Sumber Urip in October and November, one report of
    its neighbour Sumber Bening, and a dana desa request waiting for the kades."""
    s = await Seeder(db).load()
    for day, values in [
        (date(2026, 10, 12), {"D": 40, "T": 5, "STUNT": 1, "KEK": 0}),
        (date(2026, 11, 9), {"D": 38, "T": 4, "STUNT": 2, "KEK": 1}),
        (date(2026, 11, 16), {"D": 7, "T": 0, "STUNT": 0, "KEK": 0}),
    ]:
        await s.report("Sumber Urip", "2", day, values, desa="Sumber Urip")
    await s.report("Sumber Urip", "2", date(2026, 11, 9), {"D": 99}, desa="Sumber Bening")
    await s.report(
        "Sumber Urip", "4", date(2026, 11, 20), {"DBD": 2, "DIARE": 5, "TB": 1}, desa="Sumber Urip"
    )
    return s


async def test_the_monthly_profil_reaches_the_kades_on_the_first(
    runtime, registered, db, clock, tmp_path
):
    export_to(runtime, tmp_path)
    await registered("petugas", "661", "Siti Aminah")
    await registered("kades", "662", "Pak Darto")
    await registered("kades", "663", "Pak Joko", desa="17.02.11.2010")
    s = await seed_sumber_urip(db)
    requester = await user_id(db, "Siti Aminah")
    await dana_request(
        db,
        requester,
        "Sumber Urip",
        s.ids["Sumber Urip"],
        number=1,
        created_at=wib(date(2026, 11, 25), 9),
    )

    clock.now = wib(date(2026, 12, 1), 7, 5)
    await build_schedule(runtime).tick("desa_profile")
    rows = await outbox(db, "desa_profile")
    assert sorted(r.chat_id for r in rows) == ["662", "663"]  # each kades, his own desa
    darto = message(next(r for r in rows if r.chat_id == "662"))
    assert darto.text.split("\n") == [
        "🏡 Profil kesehatan desa: Desa Sumber Urip, November 2026",
        "Balita ditimbang (D): 45, tidak naik berat badan (T): 4",
        "Penimbangan 6 bulan terakhir: Jun 0 · Jul 0 · Agu 0 · Sep 0 · Okt 40 · Nov 45",
        "Stunting baru: 2 · bumil KEK baru: 1",
        "Kasus bulan ini: DBD 2 · diare 5 · TBC 1",
        "Capaian SPM: sasaran desa ini belum ada (perlu data Dinkes).",
        "Permohonan dukungan dana desa 2026: 1 diajukan, menunggu keputusan",
        "Bahan untuk rembuk stunting dan musdes. /dana: rincian permohonan.",
    ]
    assert Path(darto.photo).exists() and darto.photo.endswith(".png")
    joko = message(next(r for r in rows if r.chat_id == "663"))
    assert "Balita ditimbang (D): 99, tidak naik berat badan (T): 0" in joko.text

    clock.advance(hours=2)
    await build_schedule(runtime).tick("desa_profile")
    assert len(await outbox(db, "desa_profile")) == 2  # once a month, whoever ticks


async def test_a_kades_asks_for_his_desa_profil_at_any_time(runtime, registered, db, tmp_path):
    export_to(runtime, tmp_path)
    budi = await registered("kades", "200", "Budi Santoso")
    await seed_sumber_urip(db)  # the clock stands at 23 November 2026
    [profil] = await budi.send("/desa")
    assert profil.startswith("🏡 Profil kesehatan desa: Desa Sumber Urip, November 2026\n")
    assert "Balita ditimbang (D): 45" in profil
    [reply] = budi.last
    assert Path(reply.photo).exists()  # the chart, drawn after the turn


async def test_only_the_kades_has_a_desa_profil(registered):
    siti = await registered("petugas", "100", "Siti Aminah")
    assert await siti.send("/desa") == ["Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."]
