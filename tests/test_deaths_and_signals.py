"""Deaths and outbreaks reach the Dinkes the same day: a death alerts at once, in the report's
own commit; an early-warning (SKDR) rule fires once per puskesmas and week; a kader can raise a
suspected outbreak; the digest's "above its pattern" line is about disease, not weighing days."""

from datetime import date, timedelta

import pytest
from clock_steps import Seeder, message, outbox, wib
from report_steps import answer, choose, quick, reports, values_of
from test_digest import D as DIGEST_DAY
from test_digest import digest_of

from conversations.forms import klaster4
from conversations.forms.report_common import indicators
from conversations.forms.surveillance import RULES, SIGNALS, EwsRule, fires

MONDAY = date(2026, 11, 23)
KM = "Kematian dan Dugaan KLB (segera)"
K4_NONE = {
    "TBDUGA": 0, "TB": 0, "TBKONTAK": 0, "HIV": 0, "DBD": 0, "MAL": 0, "DIARE": 0, "PNEU": 0,
    "CAMPAK": 0, "AFP": 0, "DIFTERI": 0, "GHPR": 0, "KLB": "tidak", "IKL": 0, "PJB": 0,
}  # fmt: skip


async def people(registered):
    """The Dinkes, the kepala puskesmas of Sumber Urip, one of another puskesmas, a bidan."""
    asep = await registered("dinkes", "701", "drg. Asep")
    rina = await registered("kepala_puskesmas", "702", "dr. Rina")
    await registered("kepala_puskesmas", "703", "dr. Lain", puskesmas="Curup")
    siti = await registered("petugas", "704", "Siti Aminah")
    return asep, rina, siti


async def send_k4(person, **values) -> list[str]:
    await person.send(quick("K4", {**K4_NONE, **values}))
    return await person.press("Kirim")


async def test_a_maternal_death_reaches_dinkes_in_the_commit_that_stores_the_report(
    runtime, registered, db, clock
):
    asep, rina, siti = await people(registered)
    clock.now = wib(MONDAY, 22, 40)  # in the quiet hours: a death does not wait
    await choose(siti, KM)
    asked = await answer(siti, 1, 0, 0, 0, "Tidak")
    assert asked[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    done = await siti.press("Kirim")
    assert "Laporan kematian langsung diteruskan ke Dinas Kesehatan." in done[0]
    assert "MPDN (Maternal Perinatal Death Notification) (jalur ini perlu konfirmasi" in done[0]

    # No tick, no drain: the turn's commit holds the report and its alert rows together.
    [report] = await reports(db)
    rows = await outbox(db, "death_alert")
    assert sorted(r.chat_id for r in rows) == ["701", "702"]
    assert all(r.created_at == report.received_at for r in rows)
    assert message(rows[0]).text == (
        "🚨 Laporan kematian, Puskesmas Sumber Urip: Kematian ibu 1\n"
        "Dilaporkan oleh Siti Aminah (petugas puskesmas) pada Senin, 23 November 2026 22.40 WIB, "
        "laporan ILP-20261123-1.\n"
        "Mohon kirim data identitas dalam 1×24 jam melalui jalur resmi notifikasi kematian: "
        "MPDN (Maternal Perinatal Death Notification) (jalur ini perlu konfirmasi Dinkes). "
        "Bot ini tidak mencatat nama atau NIK."
    )
    assert await values_of(db, report.id) == {
        "KMATIBU": 1, "KMATNEO": 0, "KMATBAYI": 0, "KMATBALITA": 0, "DKLB": 0,
    }  # fmt: skip
    assert report.details is None  # counts only: no name, NIK or photo

    # The same count again (a correction) does not alert twice; a raised count does.
    await siti.send("LAPOR KM KMATIBU=1 KMATNEO=0 KMATBAYI=0 KMATBALITA=0 DKLB=tidak")
    await siti.press("Ya")  # replace
    await siti.press("Kirim")
    assert len(await outbox(db, "death_alert")) == 2
    await siti.send("LAPOR KM KMATIBU=1 KMATNEO=2 KMATBAYI=0 KMATBALITA=0 DKLB=tidak")
    await siti.press("Ya")
    await siti.press("Kirim")
    later = await outbox(db, "death_alert")
    assert len(later) == 4
    assert "Kematian neonatal (0–28 hari) 2" in message(later[-1]).text
    assert "Kematian ibu" not in message(later[-1]).text
    # Lowered again (a typing slip corrected): nothing new to alert.
    await siti.send("LAPOR KM KMATIBU=1 KMATNEO=1 KMATBAYI=0 KMATBALITA=0 DKLB=tidak")
    await siti.press("Ya")
    await siti.press("Kirim")
    assert len(await outbox(db, "death_alert")) == 4


async def test_deaths_and_outbreaks_are_not_a_daily_form_nobody_is_missing_it(registered, clock):
    siti = await registered("petugas", "711")
    status = "\n".join(await siti.send("/status"))
    assert "Kematian" not in status and "Klaster 4" in status


async def test_a_kader_raises_a_suspected_outbreak_in_her_desa(runtime, registered, db, clock):
    asep, rina, _siti = await people(registered)
    wati = await registered("kader", "712", "Wati", puskesmas="Sumber Urip")
    await choose(wati, KM, desa=None)
    await answer(wati, 0, 0, 0, 0, "Ya", "diare berdarah", 15, 1)
    done = await wati.press("Kirim")
    assert "Dugaan KLB diteruskan ke Dinas Kesehatan hari ini." in done[0]
    klb = await outbox(db, "klb_alert")
    assert sorted(r.chat_id for r in klb) == ["701", "702"]
    text = message(klb[0]).text
    assert text.startswith(
        "🚨 Dugaan KLB di Puskesmas Sumber Urip, Desa Sumber Urip: diare berdarah, 15 kasus\n"
        "Dilaporkan oleh Wati (kader posyandu)"
    ), text
    deaths = await outbox(db, "death_alert")
    assert sorted(r.chat_id for r in deaths) == ["701", "702"]
    assert "Kematian dugaan KLB (masyarakat) 1" in message(deaths[0]).text


async def test_any_afp_case_alerts_with_the_rule_name(runtime, registered, db, clock):
    asep, rina, siti = await people(registered)
    await send_k4(siti, AFP=1)
    rows = await outbox(db, "ews_alert")
    assert sorted(r.chat_id for r in rows) == ["701", "702"]
    assert message(rows[0]).text == (
        "⚠️ Sinyal kewaspadaan dini (SKDR) di Puskesmas Sumber Urip: "
        "Setiap kasus lumpuh layuh akut (AFP)\n"
        "Minggu ke-48 (Senin, 23 November 2026 s.d. Minggu, 29 November 2026): 1 kasus; "
        "rata-rata mingguan 3 minggu sebelumnya: 0.\n"
        "Mohon verifikasi; bila KLB, laporkan dalam 1×24 jam. "
        "Aturan ini perlu konfirmasi Dinkes (/bantuan SKDR)."
    )


async def test_a_rule_fires_once_for_its_week_and_again_the_next_week(
    runtime, registered, db, clock
):
    _asep, _rina, siti = await people(registered)
    await send_k4(siti, CAMPAK=4)
    assert await outbox(db, "ews_alert") == []  # 4 suspek campak: below the threshold of 5
    clock.now = wib(MONDAY + timedelta(days=1), 10)
    await send_k4(siti, CAMPAK=1)  # the week reaches 5
    assert len(await outbox(db, "ews_alert")) == 2
    clock.now = wib(MONDAY + timedelta(days=2), 10)
    await send_k4(siti, CAMPAK=3)  # more the same week: no second alert
    assert len(await outbox(db, "ews_alert")) == 2
    clock.now = wib(MONDAY + timedelta(days=7), 10)
    await send_k4(siti, CAMPAK=5)  # next week it can fire again
    rows = await outbox(db, "ews_alert")
    assert len(rows) == 4
    assert "Minggu ke-49" in message(rows[-1]).text


async def test_a_rise_rule_needs_three_weeks_of_reports_before_it_judges(
    runtime, registered, db, clock
):
    _asep, _rina, siti = await people(registered)
    await send_k4(siti, DIARE=12)  # the bot's first week: no mean to be above
    assert await outbox(db, "ews_alert") == []
    s = await Seeder(db).load()
    for week in (0, 1, 2):  # Tuesdays: weeks of 12 + 3, 3 and 3 cases
        await s.report("Sumber Urip", "4", MONDAY + timedelta(days=7 * week + 1), {"DIARE": 3})
    clock.now = wib(MONDAY + timedelta(days=21), 10)
    await send_k4(siti, DIARE=3)  # week 4: 3 against a mean of 21 / 3 = 7
    assert await outbox(db, "ews_alert") == []
    clock.now = wib(MONDAY + timedelta(days=22), 10)
    await send_k4(siti, DIARE=11)  # 14 ≥ 2 × 7
    [alert, _] = await outbox(db, "ews_alert")
    assert "Diare: 2× rata-rata 3 minggu sebelumnya" in message(alert).text
    assert "14 kasus; rata-rata mingguan 3 minggu sebelumnya: 7." in message(alert).text


RULE_CASES = [
    (EwsRule("a", "x", ("AFP",), "any"), 1, [], True),
    (EwsRule("a", "x", ("AFP",), "any"), 0, [], False),
    (EwsRule("c", "x", ("CAMPAK",), "at_least", threshold=5), 4, [9, 9, 9], False),
    (EwsRule("c", "x", ("CAMPAK",), "at_least", threshold=5), 5, [], True),
    (EwsRule("d", "x", ("DIARE",), "rise", threshold=5), 12, [6, 6, 6], True),
    (EwsRule("d", "x", ("DIARE",), "rise", threshold=5), 11, [6, 6, 6], False),
    (EwsRule("d", "x", ("DIARE",), "rise", threshold=5), 4, [0, 0, 0], False),
    (EwsRule("d", "x", ("DIARE",), "rise", threshold=5), 5, [0, 0, 0], True),
]


@pytest.mark.parametrize(("rule", "week", "before", "expected"), RULE_CASES)
def test_when_a_rule_fires(rule, week, before, expected):
    assert fires(rule, week, before) is expected


def test_every_rule_names_klaster_4_disease_counts_marked_as_signals():
    codes = {s.code for s in indicators(klaster4.FLOW)}
    assert len({r.key for r in RULES}) == len(RULES)
    for rule in RULES:
        assert set(rule.codes) <= codes & SIGNALS, rule.key
        assert rule.kind in ("any", "at_least", "rise")


async def test_help_lists_every_rule_as_awaiting_confirmation(registered):
    siti = await registered("petugas", "721")
    [text] = await siti.send("/bantuan SKDR")
    assert "perlu konfirmasi Dinkes" in text
    assert "- Suspek campak: 5 kasus atau lebih dalam seminggu" in text
    assert len([line for line in text.splitlines() if line.startswith("- ")]) == len(RULES)


async def test_a_weighing_day_is_no_alert_but_a_disease_spike_still_is(db, runtime):
    s = await Seeder(db).load()
    day = DIGEST_DAY  # the day test_digest's digest is about
    for back in range(1, 29):
        await s.report("Sumber Urip", "2", day - timedelta(days=back), {"D": 10, "K1": 1})
        await s.report("Sumber Urip", "4", day - timedelta(days=back), {"DIARE": 2})
    await s.report("Sumber Urip", "2", day, {"D": 400, "K1": 1})  # bulan timbang
    digest = await digest_of(db, runtime)
    assert digest.above_pattern == ()
    await s.report("Sumber Urip", "4", day, {"DIARE": 20})
    digest = await digest_of(db, runtime)
    assert [(f.code, f.value) for f in digest.above_pattern] == [("DIARE", 20)]


async def test_a_kader_finds_the_form_in_the_menu_and_with_klb(registered):
    wati = await registered("kader", "731", "Wati", puskesmas="Sumber Urip")
    await wati.send("/menu")
    assert "Laporkan kematian atau dugaan KLB" in wati.buttons
    asked = await wati.send("/klb")
    assert asked[-1] == "Untuk hari apa?"
    asked = await wati.press("Hari ini (Senin 23/11)")
    assert asked[-1].endswith(
        "Berapa kematian ibu (saat hamil, bersalin, atau 42 hari setelahnya)?"
    )
