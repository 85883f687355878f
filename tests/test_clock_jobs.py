"""The clock's jobs as Dinkes, the kepala puskesmas and the kepala desa live them: the digest at
07.00 whoever ticks and however late, the outbreak alert at once, the Monday and monthly
summaries, and the dana desa follow-ups after 24 and 72 hours."""

import asyncio
from dataclasses import replace
from datetime import date, time, timedelta

from clock_steps import Seeder, dana_request, export_to, exports_in, message, outbox, wib
from report_steps import K4, K4_OUTBREAK, answer, choose, skip_attachments, user_id

from db.database import Database
from handlers.app import build_runtime
from handlers.jobs import build_schedule

MONDAY = date(2026, 11, 23)
# No GHPR bite: one would also fire its early-warning rule (tests/test_deaths_and_signals.py).
K4_OUTBREAK = [*K4_OUTBREAK[:16], 0, *K4_OUTBREAK[17:]]


def job_times(runtime) -> dict[str, tuple]:
    return {
        name: (job.at, job.weekdays, job.monthday, job.quiet)
        for name, job in build_schedule(runtime).jobs.items()
    }


def test_the_schedule_holds_every_job_at_its_local_time(runtime):
    times = job_times(runtime)
    assert times["digest"] == (time(7, 0), None, None, True)
    assert times["reminders"] == (time(14, 0), None, None, True)
    assert times["summary_weekly"] == (time(7, 0), (0,), None, True)
    assert times["summary_monthly"] == (time(7, 0), None, 1, True)
    assert [n for n in times if n.startswith("dana_")] == [f"dana_{h:02d}" for h in range(7, 20)]
    clock = replace(runtime.settings.clock, digest_at=time(6, 30), remind_at=time(13, 15))
    clock = replace(clock, quiet_from=time(21, 0))
    runtime.settings = replace(runtime.settings, clock=clock)
    times = job_times(runtime)
    assert (times["digest"][0], times["reminders"][0]) == (time(6, 30), time(13, 15))
    assert build_schedule(runtime).quiet_from == time(21, 0)


async def test_every_dinkes_user_gets_the_digest_at_seven_with_its_chart(
    runtime, registered, db, clock, tmp_path, outbox_for
):
    export_to(runtime, tmp_path)
    await registered("dinkes", "601", "drg. Asep")
    await registered("dinkes", "602", "Yuni")
    await registered("petugas", "603")
    schedule = build_schedule(runtime)
    clock.now = wib(MONDAY, 6, 59)
    await schedule.tick("digest")
    assert await outbox(db, "digest") == []
    clock.now = wib(MONDAY, 7, 0)
    assert await schedule.tick("digest") == [("digest", MONDAY)]

    rows = await outbox(db, "digest")
    assert sorted(r.chat_id for r in rows) == ["601", "602"]
    out = message(rows[0])
    assert out.text.startswith("📊 Ringkasan ILP Minggu, 22 November 2026\n")
    assert out.photo == str((tmp_path / "digest-2026-11-22.png").resolve())
    with open(out.photo, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (
        out.template
        == {
            "params": [
                "Minggu, 22 November 2026",
                "0 dari 7 puskesmas lengkap mengirim laporan harian; 1 peringatan",  # a Sunday: rawat inap only
            ]
        }
    )
    delivery = outbox_for(runtime)
    await delivery.drain()
    assert [o.chat_id for o in delivery.sent] == ["601", "602"]


async def test_two_clocks_ticking_at_once_send_the_digest_once(
    db_url, texts, clock, registered, tmp_path
):
    await registered("dinkes", "611")
    await registered("dinkes", "612")
    clock.now = wib(MONDAY, 7, 1)
    databases = [Database(db_url), Database(db_url)]
    runtimes = [
        build_runtime(d, texts, clock=clock, settings=exports_in(tmp_path)) for d in databases
    ]
    schedules = [build_schedule(r) for r in runtimes]
    ran = await asyncio.gather(*(s.tick() for s in schedules))
    ran += await asyncio.gather(*(s.tick() for s in schedules))
    assert sorted(job for batch in ran for job, _ in batch) == ["digest", "summary_weekly"]
    assert len(await outbox(databases[0], "digest")) == 2
    for database in databases:
        await database.dispose()


async def test_a_clock_down_for_six_hours_catches_up_once(runtime, registered, db, clock, tmp_path):
    export_to(runtime, tmp_path)
    await registered("dinkes", "621")
    await registered("kepala_puskesmas", "622", "dr. Rina")
    schedule = build_schedule(runtime)
    clock.now = wib(MONDAY, 13, 5)  # down from before 07.00 until now
    ran = {job for job, _ in await schedule.tick()}
    assert {"digest", "summary_weekly"} <= ran and "reminders" not in ran
    clock.advance(minutes=5)
    assert await schedule.tick() == []
    assert [r.kind for r in await outbox(db)].count("digest") == 1
    assert [r.kind for r in await outbox(db)].count("summary_weekly") == 1


async def test_a_suspected_outbreak_reaches_dinkes_and_the_kepala_puskesmas_at_once(
    runtime, registered, db, clock, outbox_for
):
    asep = await registered("dinkes", "631", "drg. Asep")
    rina = await registered("kepala_puskesmas", "632", "dr. Rina")
    await registered("kepala_puskesmas", "633", "dr. Lain", puskesmas="Curup")
    siti = await registered("petugas", "634", "Siti Aminah")
    clock.now = wib(MONDAY, 21, 15)  # in the quiet hours: an outbreak does not wait
    await choose(siti, K4)
    await answer(siti, *K4_OUTBREAK)
    await skip_attachments(siti)
    await siti.press("Kirim")

    delivery = outbox_for(runtime)
    await delivery.drain()  # the sender's next round: no clock tick needed
    expected = (
        "🚨 Dugaan KLB di Puskesmas Sumber Urip, Kelurahan Air Duku: diare, 12 kasus\n"
        "Dilaporkan oleh Siti Aminah (petugas puskesmas) pada Senin, 23 November 2026 21.15 WIB, "
        "laporan ILP-20261123-1.\n"
        "Sesuai juknis, mohon verifikasi dan laporkan dalam 1×24 jam."
    )
    assert delivery.read(asep) == [expected]
    assert delivery.read(rina) == [expected]
    assert [o.chat_id for o in delivery.sent] == ["631", "632"]

    # A correction that still says KLB does not alert a second time.
    clock.advance(minutes=30)
    await choose(siti, K4)
    await siti.press("Ya")
    await answer(siti, *K4_OUTBREAK)
    await skip_attachments(siti)
    await siti.press("Kirim")
    assert len(await outbox(db, "klb_alert")) == 2


async def test_each_kepala_puskesmas_gets_last_week_on_monday(runtime, registered, db, clock):
    await registered("kepala_puskesmas", "641", "dr. Rina")
    s = await Seeder(db).load()
    for back in range(1, 8):
        day = MONDAY - timedelta(days=back)
        await s.report("Sumber Urip", "2", day, {"K1": 2, "SALIN": 1})
        await s.report("Sumber Urip", "4", day, {"DIARE": 1})
    await s.report("Curup", "2", MONDAY - timedelta(days=3), {"K1": 5})
    clock.now = wib(MONDAY, 7, 0)
    await build_schedule(runtime).tick("summary_weekly")
    [row] = await outbox(db, "summary_weekly")
    lines = message(row).text.split("\n")
    assert lines[:3] == [
        "📋 Ringkasan mingguan Puskesmas Sumber Urip, Senin, 16 November 2026 – Minggu, 22 November 2026",
        "Laporan terkirim: 14 dari 25; peringkat 1 dari 21 puskesmas",  # 6 working days × 4 + 1
        "Jumlah (minggu sebelumnya):",
    ]
    assert "▲ Ibu hamil K1 baru: 14 (0)" in lines
    assert "▲ Kasus diare: 7 (0)" in lines
    assert (
        lines[-1]
        == "Dana desa: 0 menunggu; minggu lalu 0 disetujui (Rp 0), 0 ditolak atau diminta revisi"
    )


async def test_dinkes_gets_the_month_on_the_first(runtime, registered, db, clock, tmp_path):
    export_to(runtime, tmp_path)
    await registered("dinkes", "651")
    s = await Seeder(db).load()
    await s.report("Sumber Urip", "2", date(2026, 11, 10), {"K1": 4, "K6": 3})
    await s.report("Sumber Urip", "2", date(2026, 10, 10), {"K1": 1, "K6": 1})
    await s.sasaran({("Sumber Urip", "ibu_hamil"): 40})
    clock.now = wib(date(2026, 12, 1), 7, 0)
    await build_schedule(runtime).tick("summary_monthly")
    [row] = await outbox(db, "summary_monthly")
    out = message(row)
    lines = out.text.split("\n")
    assert lines[0] == "📅 Ringkasan bulanan, Minggu, 1 November 2026 – Senin, 30 November 2026"
    assert "▲ Ibu hamil K1 baru: 4 (1)" in lines
    assert "• Ibu hamil*: 10% (terendah: Sumber Urip 10%)" in lines
    assert "* cara hitung perlu konfirmasi Dinkes: /bantuan SPM" in lines
    assert out.photo.endswith("spm-2026-11-30.png")


async def test_a_kades_is_reminded_after_a_day_and_those_who_coach_desa_hear_after_a_week(
    runtime, registered, db, clock, tmp_path
):
    """Dinas PMD, the camat of Selupu Rejang and the pendamping desa of Sumber Urip hear of a
    request left undecided for DANA_ESCALATE_AFTER_DAYS (7), not before; the Dinkes, the
    kepala puskesmas, another kecamatan's camat and another desa's pendamping never do."""
    export_to(runtime, tmp_path)  # the digest runs in these ticks too
    await registered("petugas", "661", "Siti Aminah")
    await registered("kades", "662", "Pak Darto")
    await registered("dinkes", "663", "drg. Asep")
    await registered("kepala_puskesmas", "664", "dr. Rina")
    await registered("pmd", "665", "Dewi Kartika")
    await registered("camat", "666", "Camat Selupu", kecamatan="Selupu Rejang")
    await registered("camat", "667", "Camat Curup", kecamatan="Curup")
    await registered("pendamping_desa", "668", "Yudi", desa="17.02.11.2009")
    await registered("pendamping_desa", "669", "Rahmat", desa="17.02.11.2010")
    s = await Seeder(db).load()
    requester = await user_id(db, "Siti Aminah")
    asked = wib(MONDAY, 9)
    await dana_request(
        db, requester, "Sumber Urip", s.ids["Sumber Urip"], number=7, created_at=asked
    )
    schedule = build_schedule(runtime)

    clock.now = wib(date(2026, 11, 24), 9, 30)  # 24.5 hours later
    await schedule.tick()
    [reminder] = await outbox(db, "dana_kades")
    out = message(reminder)
    assert reminder.chat_id == "662"
    assert out.text.startswith(
        "⏰ Pengingat: DD-2026-7 untuk Desa Sumber Urip menunggu keputusan Bapak/Ibu sejak "
        "Senin, 23 November 2026 09.00 WIB."
    )
    assert [b.label for b in out.buttons][0] == "Setujui — sudah ada di APBDes 2026"
    clock.now = wib(date(2026, 11, 24), 15, 10)
    await schedule.tick()
    assert len(await outbox(db, "dana_kades")) == 1

    clock.now = wib(date(2026, 11, 30), 8, 10)  # 6 days 23 hours: not yet
    await schedule.tick()
    assert await outbox(db, "dana_escalation") == []

    clock.now = wib(date(2026, 11, 30), 9, 10)  # 7 days have passed
    await schedule.tick()
    escalations = await outbox(db, "dana_escalation")
    assert sorted(r.chat_id for r in escalations) == ["665", "666", "668"]
    assert message(escalations[0]).text == (
        "⚠️ Permohonan dukungan dana desa DD-2026-7 (Desa Sumber Urip, Rp 2.500.000) sudah "
        "lebih dari 7 hari menunggu keputusan kepala desa (sejak Senin, 23 November 2026 09.00 "
        "WIB). Diusulkan oleh Siti Aminah. Mohon bantu kepala desa memutuskan: setujui, "
        "usulkan ke musdes / RKP Desa, atau tolak."
    )
    clock.advance(hours=3)
    await schedule.tick()
    assert len(await outbox(db, "dana_escalation")) == 3


async def test_the_escalation_delay_is_a_setting(runtime, registered, db, clock, tmp_path):
    export_to(runtime, tmp_path)
    runtime.settings = replace(runtime.settings, dana_escalate_after_days=3)
    await registered("petugas", "661", "Siti Aminah")
    await registered("pmd", "665", "Dewi Kartika")
    s = await Seeder(db).load()
    requester = await user_id(db, "Siti Aminah")
    await dana_request(
        db, requester, "Sumber Urip", s.ids["Sumber Urip"], number=7, created_at=wib(MONDAY, 9)
    )
    schedule = build_schedule(runtime)
    clock.now = wib(date(2026, 11, 26), 8, 10)
    await schedule.tick()
    assert await outbox(db, "dana_escalation") == []
    clock.now = wib(date(2026, 11, 26), 9, 10)
    await schedule.tick()
    [escalation] = await outbox(db, "dana_escalation")
    assert "sudah lebih dari 3 hari menunggu" in message(escalation).text
