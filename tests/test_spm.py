"""SPM capaian counts people in the year, not visits (issue 18): a patient controlled every
month counts once, capaian is the first-time persons over the sasaran wherever it is shown
(digest, /rekap, export), and every one of the 12 SPM services has its numerator."""

from datetime import UTC, date, datetime, time

from clock_steps import WIB
from report_steps import K2, K3, answer, choose, press_starting, quick
from sqlalchemy import select

from conversations.forms.spm import SPM, SPM_KEYS
from db.models import Puskesmas
from db.reports import Sasaran
from handlers.digest.build import Frame, build
from handlers.exports.entry import sheets
from handlers.exports.sheets import Request
from handlers.reports.indicators import catalog

# A K3 day with nothing but what a test sets (skipped questions left out).
K3_NOTHING = {"HTSKR": 0, "HTLAYAN": 0, "DMSKR": 0, "DMLAYAN": 0, "PRODUKTIF": 0, "LANSIA": 0}
K3_NOTHING |= {"SKILAS": 0, "ODGJ": 0, "CATIN": 0, "KBBARU": 0, "KBAKTIF": 0}
K4_NOTHING = {"TBDUGA": 0, "TB": 0, "TBKONTAK": 0, "HIV": 0, "DBD": 0, "MAL": 0, "DIARE": 0}
K4_NOTHING |= {"PNEU": 0, "CAMPAK": 0, "AFP": 0, "DIFTERI": 0, "GHPR": 0, "KLB": "tidak"}
K4_NOTHING |= {"IKL": 0, "PJB": 0}


def at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10), WIB).astimezone(UTC)


async def file(person, klaster: str, values: dict) -> list[str]:
    replies = await person.send(quick(klaster, values))
    assert "Kirim" in person.buttons, replies
    return await person.press("Kirim")


async def set_sasaran(db, targets: dict[str, int], puskesmas: str = "Sumber Urip") -> None:
    async with db.transaction() as session:
        pid = (
            await session.execute(select(Puskesmas.id).where(Puskesmas.nama == puskesmas))
        ).scalar_one()
        for spm, target in targets.items():
            session.add(
                Sasaran(
                    tahun=2026,
                    puskesmas_id=pid,
                    spm=spm,
                    target=target,
                    updated_at=at_ten(date(2026, 1, 2)),
                )
            )


async def digest_spm(db, runtime, day: date) -> dict[str, tuple[int, int]]:
    async with db.transaction() as session:
        digest = await build(session, runtime.flows, Frame(day, at_ten(day), WIB, time(16)))
    return {line.service: (line.served, line.target) for line in digest.spm}


async def export_spm(db, runtime, first: date, last: date) -> dict[str, tuple]:
    async with db.transaction() as session:
        book = await sheets(session, runtime.texts, runtime.flows, Request(first, last, None))
    [spm] = [s for s in book if s.title == "Capaian SPM"]
    return {row[1]: row[2:] for row in spm.rows if row[0] == "Sumber Urip"}


async def test_a_hypertensive_patient_served_every_month_is_counted_once_in_the_year(
    registered, clock, db, runtime
):
    clock.now = at_ten(date(2026, 1, 5))
    siti = await registered("petugas", "600", "Siti Aminah")
    # Pak Darto comes for his blood pressure on the 15th of every month, January to November.
    for month in range(1, 12):
        clock.now = at_ten(date(2026, month, 15))
        first = 1 if month == 1 else 0
        await file(siti, "K3", {**K3_NOTHING, "HTLAYAN": 1, "HTSPM": first})
    await set_sasaran(db, {"hipertensi": 4})
    today = date(2026, 11, 15)

    # The digest: one person served this year of 4 expected, not 11 visits (275 %).
    assert (await digest_spm(db, runtime, today))["hipertensi"] == (1, 4)
    # The export: in November no one new, since January 1 of 4 = 25 %.
    spm = await export_spm(db, runtime, date(2026, 11, 1), today)
    assert spm["Penderita hipertensi"][:4] == (0, 1, 4, 25.0)
    # /rekap: the visits stay visible for the workload, the capaian counts the person.
    kepala = await registered("kepala_puskesmas", "601", "Bu Kepala")
    recap = (await kepala.send("/rekap"))[0]
    assert "HTLAYAN Kunjungan penderita hipertensi dilayani sesuai standar: 1 kunjungan" in recap
    assert "★ HTSPM Penderita hipertensi, pertama kali tahun ini (SPM): 0 orang" in recap
    assert "tahun ini 25% dari sasaran 4" in recap


async def test_capaian_never_exceeds_what_the_first_time_counts_give(
    registered, clock, db, runtime
):
    clock.now = at_ten(date(2026, 3, 2))
    siti = await registered("petugas", "602", "Siti Aminah")
    days = [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    # Each day many visits, few of them first ones this year.
    k3 = {"HTLAYAN": 30, "HTSPM": 2, "DMLAYAN": 20, "DMSPM": 1, "PRODUKTIF": 50}
    k3 |= {"PRODSPM": 10, "LANSIA": 40, "LANSIASPM": 5, "ODGJ": 6, "ODGJSPM": 1}
    k4 = {"HIV": 12, "HIVSPM": 3}
    for day in days:
        clock.now = at_ten(day)
        await file(siti, "K3", {**K3_NOTHING, **k3})
        await file(siti, "K4", {**K4_NOTHING, **k4})
    first = {"hipertensi": 2, "diabetes": 1, "usia_produktif": 10, "usia_lanjut": 5}
    first |= {"odgj_berat": 1, "risiko_hiv": 3}
    # Sasaran = exactly the people counted: capaian is 100 %, whatever the visits.
    await set_sasaran(db, {service: 3 * n for service, n in first.items()})
    shown = await digest_spm(db, runtime, days[-1])
    assert shown == {service: (3 * n, 3 * n) for service, n in first.items()}
    exported = await export_spm(db, runtime, days[0], days[-1])
    assert {row[3] for row in exported.values() if row[2]} == {100.0}

    # More first-time people than the day's visits cannot be filed.
    clock.now = at_ten(date(2026, 3, 5))
    replies = await siti.send(quick("K3", {**K3_NOTHING, "HTLAYAN": 2, "HTSPM": 5}))
    assert any(
        "Penderita hipertensi, pertama kali tahun ini (SPM) tidak boleh lebih dari "
        "Kunjungan penderita hipertensi dilayani sesuai standar" in r
        for r in replies
    ), replies


async def test_each_of_the_12_spm_services_has_its_numerator_everywhere(
    registered, clock, db, runtime
):
    """The walk: for every service in PP 2/2018 order, a numerator asked in a report form, a
    line in the digest once it has a sasaran, a row in the export, a line in /bantuan SPM."""
    assert SPM_KEYS == (
        "ibu_hamil", "ibu_bersalin", "bayi_baru_lahir", "balita", "usia_pendidikan_dasar",
        "usia_produktif", "usia_lanjut", "hipertensi", "diabetes", "odgj_berat", "terduga_tbc",
        "risiko_hiv",
    )  # fmt: skip
    found = catalog(runtime.flows)
    for service in SPM:
        assert service.numerator, f"{service.key} has no numerator"
        for code in service.numerator:
            assert code in found and found[code].counted, f"{service.key}: {code} is not asked"
    await set_sasaran(db, dict.fromkeys(SPM_KEYS, 10))
    today = date(2026, 11, 23)
    assert set(await digest_spm(db, runtime, today)) == set(SPM_KEYS)
    exported = await export_spm(db, runtime, date(2026, 11, 1), today)
    assert len(exported) == 12 and exported["Balita"][4] == "BALITASPM (KL2)"

    siti = await registered("petugas", "603", "Siti Aminah")
    await siti.send("/batal")  # leave the menu shown after registration
    [*_, explained] = await siti.send("/bantuan SPM")
    assert explained.startswith("Capaian SPM = orang (bukan kunjungan)")
    assert "4. Balita*: BALITASPM (KL2)" in explained
    assert "8. Penderita hipertensi*: HTSPM (KL3)" in explained
    assert "12. Orang dengan risiko terinfeksi HIV: HIVSPM (KL4)" in explained
    assert explained.count("\n- ") == sum(1 for s in SPM if s.confirm)


async def test_rekap_and_export_never_add_up_the_cases_so_far_of_an_outbreak(
    registered, clock, db, runtime
):
    """KLBKASUS is "cases so far": 12 on Monday and 20 on Tuesday are 20 cases, not 32."""
    siti = await registered("petugas", "604", "Siti Aminah")
    outbreak = {**K4_NOTHING, "DIARE": 5, "KLB": "ya", "KLBKASUS": 12, "KLBMATI": 0}
    for day, cases in ((date(2026, 11, 23), 12), (date(2026, 11, 24), 20)):
        clock.now = at_ten(day)
        await siti.send(quick("K4", {**outbreak, "KLBKASUS": cases}))
        await siti.send("diare")  # the suspected disease
        await press_starting(siti, "Kelurahan Air Duku")  # the outbreak's desa (marked: shared)
        await siti.press("Kirim")
    kepala = await registered("kepala_puskesmas", "605", "Bu Kepala")
    recap = (await kepala.send("/rekap"))[0]
    assert "KLBKASUS Jumlah kasus dugaan KLB: tertinggi 20 kasus (bulan lalu 0)" in recap
    assert "DIARE Kasus diare: 10 kasus (bulan lalu 0)" in recap  # daily counts still add up

    async with db.transaction() as session:
        book = await sheets(
            session,
            runtime.texts,
            runtime.flows,
            Request(date(2026, 11, 23), date(2026, 11, 24), None),
        )
    k4 = next(s for s in book if s.title.startswith("KL4"))
    column = next(n for n, h in enumerate(k4.header) if h.startswith("KLBKASUS"))
    diare = next(n for n, h in enumerate(k4.header) if h.startswith("DIARE "))
    assert (k4.total[column], k4.total[diare]) == (None, 10)


async def test_the_form_explains_first_time_this_year_and_invites_no_double_count(registered):
    siti = await registered("petugas", "606", "Siti Aminah")
    opened = await choose(siti, K3)
    assert any("“Pertama kali tahun ini”: orang yang pelayanan standar" in r for r in opened)
    await answer(siti, 50, 9, 12)  # HTSKR, HT, HTLAYAN: now the first-time question
    [*_, helped] = await siti.send("/bantuan")
    assert "SPM hipertensi menghitung orang, bukan kunjungan" in helped
    assert "dihitung sekali setahun" in helped
    await siti.send("/batal")
    await siti.press("Ya")
    await choose(siti, K2)
    await answer(siti, 0, 0, 0, 0, 0, 0, 0, 0, "Lewati")  # K1 … BALITASPM, S skipped: now D
    [*_, weighed] = await siti.send("/bantuan")
    assert "posyandu atau puskesmas" not in weighed
    assert "di dalam gedung puskesmas (tanpa posyandu)" in weighed
