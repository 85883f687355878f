"""The working-day calendar of a puskesmas: no reminder on a national holiday or a Sunday for a
puskesmas without rawat inap (a rawat-inap one still gets one), "3 hari tanpa laporan" counts
working days, and the digest of a day off expects only the rawat-inap puskesmas."""

from dataclasses import dataclass
from datetime import date, time

import pytest
from clock_steps import WIB, Seeder, message, outbox, wib

from handlers.core.calendar import Calendar, district, read_local_days_off
from handlers.digest.build import Frame, build
from handlers.digest.words import render
from handlers.jobs import build_schedule

SUNDAY = date(2026, 11, 22)
CHRISTMAS = date(2026, 12, 25)  # Jumat, Hari Raya Natal; the 24th is cuti bersama
AFTER_LEBARAN = date(2026, 3, 25)  # Rabu, after Nyepi and Idul Fitri with their cuti bersama


@dataclass
class Place:
    rawat_inap: bool


@pytest.mark.parametrize(
    ("day", "rawat_inap", "works"),
    [
        (date(2026, 11, 23), False, True),  # Senin
        (date(2026, 11, 21), False, True),  # Sabtu is a working day
        (SUNDAY, False, False),
        (SUNDAY, True, True),  # rawat inap works every day
        (CHRISTMAS, False, False),  # national holiday
        (date(2026, 12, 24), False, False),  # cuti bersama
        (date(2026, 3, 21), False, False),  # Idul Fitri
        (date(2026, 3, 21), True, True),
        (date(2026, 8, 17), False, False),  # Hari Kemerdekaan
        (date(2026, 8, 18), False, True),
    ],
)
def test_which_days_a_puskesmas_works(day, rawat_inap, works):
    assert district().is_working_day(Place(rawat_inap), day) is works


def test_a_district_day_off_comes_from_its_file(tmp_path):
    path = tmp_path / "libur_daerah.csv"
    path.write_text(
        "tanggal,nama,status,sumber\n2026-11-24,Hari Jadi (contoh),perlu konfirmasi,-\n"
    )
    calendar = Calendar(read_local_days_off(path))
    assert not calendar.is_working_day(Place(False), date(2026, 11, 24))
    assert calendar.day_off(date(2026, 11, 24)).msgid == "Hari Jadi (contoh)"
    assert district().is_working_day(Place(False), date(2026, 11, 24))
    assert read_local_days_off(tmp_path / "none.csv") == {}


def test_expected_days_and_the_last_working_days():
    calendar = district()
    week = calendar.expected_days(Place(False), date(2026, 12, 21), date(2026, 12, 27))
    assert [d.day for d in week] == [21, 22, 23, 26]
    assert [d.day for d in calendar.last_working_days(AFTER_LEBARAN, 3, False)] == [16, 17, 25]
    assert [d.day for d in calendar.last_working_days(AFTER_LEBARAN, 3, True)] == [23, 24, 25]
    # the weekly form's reminder moves to Wednesday when Thursday and Friday are off
    assert calendar.last_working_day_of_week(date(2026, 12, 23), False)
    assert not calendar.last_working_day_of_week(date(2026, 12, 23), True)


async def reminders_on(runtime, db, clock, day: date) -> set[str]:
    clock.now = wib(day, 14, 1)
    await build_schedule(runtime).tick("reminders")
    return {row.chat_id for row in await outbox(db, "reminder")}


@pytest.mark.parametrize("day", [SUNDAY, CHRISTMAS])
async def test_no_reminder_on_a_day_off_but_the_rawat_inap_puskesmas_still_gets_one(
    runtime, registered, db, clock, day
):
    await registered("petugas", "701", "Budi Santoso", puskesmas="Curup")
    await registered("petugas", "702", "Dewi", puskesmas="Sambirejo")  # rawat inap
    assert await reminders_on(runtime, db, clock, day) == {"702"}
    [row] = await outbox(db, "reminder")
    assert "belum masuk: KL2, KL3, KL4, LK" in message(row).text.split("\n")[0]


async def test_on_the_working_day_after_a_holiday_everyone_is_reminded(
    runtime, registered, db, clock
):
    await registered("petugas", "711", "Budi Santoso", puskesmas="Curup")
    await registered("petugas", "712", "Dewi", puskesmas="Sambirejo")
    assert await reminders_on(runtime, db, clock, date(2026, 12, 28)) == {"711", "712"}


async def digest_on(db, runtime, day: date):
    async with db.transaction() as session:
        frame = Frame(day, wib(day, 23), WIB, time(16))
        return await build(session, runtime.flows, frame)


async def test_three_days_without_a_report_counts_working_days(db, runtime):
    s = await Seeder(db).load()
    await s.report("Curup", "lk", date(2026, 3, 17), {"UGD": 1, "RUJUK": 0})  # before Nyepi
    await s.report("Perumnas", "lk", date(2026, 3, 13), {"UGD": 1, "RUJUK": 0})
    await s.report("Sambirejo", "lk", date(2026, 3, 17), {"UGD": 1, "RUJUK": 0})  # rawat inap
    digest = await digest_on(db, runtime, AFTER_LEBARAN)
    # Curup's last 3 working days are 16, 17 and 25 March: it reported on the 17th.
    assert "Curup" not in digest.silent
    assert {"Perumnas", "Sambirejo"} <= set(digest.silent)
    assert digest.day_off is None


async def test_the_digest_of_a_sunday_expects_only_the_rawat_inap_puskesmas(db, runtime):
    s = await Seeder(db).load()
    await s.report("Curup", "lk", SUNDAY, {"UGD": 1, "RUJUK": 0})
    digest = await digest_on(db, runtime, SUNDAY)
    assert digest.puskesmas == 7
    missing = {m.puskesmas for m in digest.missing}
    assert missing == {
        "Bangun Jaya", "Bermani Ulu", "Kepala Curup", "Kota Padang",
        "Padang Ulak Tanding", "Sambirejo", "Watas Marga",
    }  # fmt: skip
    text = render(digest, runtime.texts, "id", "16.00")
    assert (
        "Hari libur (Minggu): hanya puskesmas rawat inap yang diharapkan melapor "
        "(aturan hari kerja perlu konfirmasi Dinkes)."
    ) in text
    holiday = render(await digest_on(db, runtime, CHRISTMAS), runtime.texts, "id", "16.00")
    assert "Hari libur (Hari Raya Natal)" in holiday
