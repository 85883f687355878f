"""Reminders at 14.00 to the staff of puskesmas whose forms for today are missing — only to
them, never in the quiet hours, cleared by the report itself, paused with /jeda."""

from datetime import UTC, date, datetime

from clock_steps import Seeder, message, outbox, wib
from report_steps import quick

from handlers.jobs import build_schedule

TODAY = date(2026, 11, 23)  # Senin
AT_14 = wib(TODAY, 14, 1)
K2 = {"K1": 1, "K6": 0, "SALIN": 0, "KF": 0, "KN": 0, "IDL": 0, "D": 0, "GIZI": 0}
K2 |= {"STUNT": 0, "KEK": 0, "ANEMIA": 0, "ANAKSKR": 0}
LK = {"UGD": 5, "RUJUK": 2, "LAB": 20}
EVERY_DAILY = {"2": K2, "3": {"HTSKR": 10}, "4": {"DIARE": 1}, "lk": LK}


async def file(db, puskesmas: str, klasters=("2", "3", "4", "lk"), day=TODAY) -> None:
    s = await Seeder(db).load()
    for k in klasters:
        await s.report(puskesmas, k, day, EVERY_DAILY[k])


async def reminders_for(db) -> dict[str, str]:
    return {row.chat_id: message(row).text for row in await outbox(db, "reminder")}


async def test_only_the_staff_of_puskesmas_that_have_not_reported_are_reminded(
    runtime, registered, db, clock
):
    await registered("petugas", "501", "Siti Aminah")  # Sumber Urip: everything filed
    await registered("petugas", "502", "Budi Santoso", puskesmas="Curup")  # two forms missing
    await registered("kepala_puskesmas", "503", "dr. Rina", puskesmas="Curup")
    await registered("petugas", "504", "Dewi", puskesmas="Sambirejo")  # nothing filed
    await file(db, "Sumber Urip")
    await file(db, "Curup", ("2", "3"))
    clock.now = AT_14
    assert ("reminders", TODAY) in await build_schedule(runtime).tick("reminders")

    sent = await reminders_for(db)
    assert set(sent) == {"502", "503", "504"}
    assert sent["502"] == (
        "⏰ Laporan hari ini (Senin, 23 November 2026) belum masuk: KL4, LK\n"
        "• Klaster 4 – Penanggulangan Penyakit Menular dan Kesling\n"
        "• Lintas Klaster\n"
        "Ketik /lapor untuk melapor sekarang. Ketik /jeda 7 untuk menjeda pengingat ini selama 7 hari."
    )
    assert sent["504"].split("\n")[0].endswith("belum masuk: KL2, KL3, KL4, LK")


async def test_no_reminder_in_the_quiet_hours_and_none_later_the_same_day(
    runtime, registered, db, clock
):
    await registered("petugas", "511", puskesmas="Curup")
    schedule = build_schedule(runtime)
    clock.now = wib(TODAY, 20, 30)  # the clock was down all afternoon
    assert await schedule.tick() == []
    clock.now = wib(TODAY, 23, 59)
    await schedule.tick()
    assert await reminders_for(db) == {}
    clock.now = wib(date(2026, 11, 24), 14, 0)
    await schedule.tick("reminders")
    assert set(await reminders_for(db)) == {"511"}


async def test_a_report_clears_the_reminder_still_waiting_to_go(runtime, registered, db, clock):
    budi = await registered("petugas", "521", "Budi Santoso", puskesmas="Curup")
    await file(db, "Curup", ("2", "3"))
    clock.now = AT_14
    await build_schedule(runtime).tick("reminders")
    assert (await reminders_for(db))["521"].split("\n")[0].endswith(": KL4, LK")

    # Klaster 4 comes in first: the waiting reminder now names what is still missing.
    await budi.send(
        "LAPOR K4 TBDUGA=0 TB=0 TBKONTAK=0 HIV=0 IKL=0 PJB=0 DBD=0 MAL=0 DIARE=1 PNEU=0 "
        "CAMPAK=0 AFP=0 DIFTERI=0 GHPR=0 KLB=tidak"
    )
    await budi.press("Kirim")
    assert (await reminders_for(db))["521"].startswith(
        "⏰ Laporan hari ini (Senin, 23 November 2026) belum masuk: LK\n• Lintas Klaster\n"
    )
    # The last form: nothing is missing any more, so the reminder never goes.
    await budi.send(quick("LK", LK))
    await budi.press("Kirim")
    assert await reminders_for(db) == {}


async def test_a_reminder_already_delivered_stays_in_the_history(
    runtime, registered, db, clock, outbox_for
):
    budi = await registered("petugas", "531", "Budi Santoso", puskesmas="Curup")
    await file(db, "Curup", ("2", "3", "4"))
    clock.now = AT_14
    await build_schedule(runtime).tick("reminders")
    delivery = outbox_for(runtime)
    await delivery.drain()
    assert delivery.read(budi)[0].startswith("⏰ Laporan hari ini")
    await budi.send(quick("LK", LK))
    await budi.press("Kirim")
    [row] = await outbox(db, "reminder")
    assert row.status == "sent"


async def test_jeda_pauses_reminders_and_lanjut_turns_them_on(runtime, registered, db, clock):
    budi = await registered("petugas", "541", "Budi Santoso", puskesmas="Curup")
    assert await budi.send("/jeda dua") == [
        "Ketik /jeda diikuti jumlah hari, misalnya /jeda 7 (paling lama 30 hari)."
    ]
    assert await budi.send("/jeda 7") == [
        "Pengingat dijeda sampai Senin, 30 November 2026 10.00 WIB. "
        "Ketik /lanjut untuk menyalakannya lebih awal."
    ]
    schedule = build_schedule(runtime)
    clock.now = AT_14
    await schedule.tick("reminders")
    assert await reminders_for(db) == {}
    clock.now = wib(date(2026, 11, 24), 9)
    assert await budi.send("/lanjut") == ["Pengingat sudah aktif lagi."]
    clock.now = wib(date(2026, 11, 24), 14, 1)
    await schedule.tick("reminders")
    assert set(await reminders_for(db)) == {"541"}


async def test_friday_also_names_the_weekly_management_form(runtime, registered, db, clock):
    await registered("petugas", "551", puskesmas="Curup")
    await registered("petugas", "552", puskesmas="Sambirejo")
    friday = date(2026, 11, 27)
    await file(db, "Curup", day=friday)
    await file(db, "Sambirejo", day=friday)
    s = await Seeder(db).load()
    await s.report("Sambirejo", "1", date(2026, 11, 23), {"OBAT": 0, "ALKES": 0, "DANA": 0})
    clock.now = wib(friday, 14, 1)
    await build_schedule(runtime).tick("reminders")
    assert (await reminders_for(db)) == {
        "551": "⏰ Laporan hari ini (Jumat, 27 November 2026) belum masuk: KL1\n"
        "• Klaster 1 – Manajemen (mingguan)\n"
        "Ketik /lapor untuk melapor sekarang. Ketik /jeda 7 untuk menjeda pengingat ini selama 7 hari."
    }


async def test_on_whatsapp_outside_the_24_hour_window_the_reminder_is_a_template(
    whatsapp, invite, db, clock
):
    budi = whatsapp.person("6281300000042", name="Budi")
    await budi.send(f"DAFTAR {await invite('petugas', puskesmas='Curup')}")
    await budi.send("Budi Santoso")
    await budi.press("Ya")
    budi.read()
    clock.now = datetime(2026, 11, 24, 7, 1, tzinfo=UTC)  # 14.01 WIB the next day: 28 h later
    await build_schedule(whatsapp.app.runtime).tick("reminders")
    await whatsapp.deliver()
    (notice,) = budi.read()
    assert notice["template"]["name"] == "ilp_pengingat_laporan"
    [parameter] = notice["template"]["components"][0]["parameters"]
    assert parameter["text"] == (
        "⏰ Laporan hari ini (Selasa, 24 November 2026) belum masuk: KL2, KL3, KL4, LK"
    )
    [row] = await outbox(db, "reminder")
    assert row.status == "held"  # the full reminder follows when Budi writes again
