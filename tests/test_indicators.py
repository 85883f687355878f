"""What a Kabid Kesmas expects to read: ANC K4 beside K1 and K6, S so that D/S can be shown,
stunting as a status of the children measured, SKILAS, catin, KB, TBC terkonfirmasi and the
kesling items; and klaster words (KL1–KL4) that no longer collide with the ANC visits."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from clock_steps import export_to
from openpyxl import load_workbook
from report_steps import K2_ANSWERS, K3_ANSWERS, answer, choose, quick, reports, values_of
from sqlalchemy import select
from test_spm import set_sasaran

from conversations import engine
from conversations.flows import FlowError, load_all, validate
from conversations.forms import consistency
from conversations.model import Inbound, Rule
from conversations.quick_entry import parse
from db.models import Conversation
from handlers.core.text import load_words
from handlers.reports.codes import KLASTER_WORDS
from handlers.reports.entry import DESA, PERIOD

K4_ANSWERS = {
    "TBDUGA": 4,
    "TB": 2,
    "TBBAKT": 1,
    "TBKONTAK": 6,
    "HIV": 5,
    "HIVSPM": 3,
    "IKL": 3,
    "PJB": 40,
    "PJBBEBAS": 38,
    "DBD": 0,
    "MAL": 0,
    "DIARE": 2,
    "PNEU": 0,
    "CAMPAK": 0,
    "AFP": 0,
    "DIFTERI": 0,
    "GHPR": 0,
}
FLOWS = load_all()
WORDS = load_words()
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CODES = {s.code for f in FLOWS.values() if f.name.startswith("lapor_") for s in f.steps if s.code}


@pytest.mark.parametrize(
    ("text", "klaster", "values"),
    [
        ("KL4 DBD=1", "4", {"DBD": "1"}),
        ("KL2 K4=3 K1=5", "2", {"K4": "3", "K1": "5"}),
        ("kl2 k4 = 3", "2", {"K4": "3"}),
        ("K4 DBD=1", "4", {"DBD": "1"}),  # the old klaster word, right after LAPOR
        ("K2 K4=3", "2", {"K4": "3"}),  # K2 the klaster, K4 the ANC visit
        ("K4=3 K1=5", None, {"K4": "3", "K1": "5"}),  # no klaster word: K4 is the visit
        ("KL1 OBAT=2", "1", {"OBAT": "2"}),
        ("KL3 SKILAS=4 CATIN=1", "3", {"SKILAS": "4", "CATIN": "1"}),
        ("LK UGD=5", "lk", {"UGD": "5"}),
        ("KL5 UGD=5", "lk", {"UGD": "5"}),
        ("K5 UGD=5", "lk", {"UGD": "5"}),
    ],
)
def test_klaster_words_and_anc_codes_are_told_apart(text, klaster, values):
    entry = parse(text, {*CODES, PERIOD, DESA}, KLASTER_WORDS, multiword={DESA})
    assert (KLASTER_WORDS.get(entry.klaster or ""), entry.values) == (klaster, values)
    assert (entry.unknown, entry.stray) == ([], [])


def test_no_indicator_code_is_a_klaster_word_of_its_own_kind():
    assert not CODES & {w for w in KLASTER_WORDS if w.startswith("KL")}
    assert {"K1", "K4", "K6", "S", "D", "UKUR", "STUNT", "KBBARU", "KBAKTIF", "IKL"} <= CODES


@pytest.mark.parametrize(
    ("context", "typed", "refused"),
    [
        ({"sasaran_balita": 50}, "51", True),
        ({"sasaran_balita": 50}, "50", False),
        ({}, "400", False),  # no sasaran imported: the rule is moot
    ],
)
def test_s_is_checked_against_the_sasaran_of_the_context_when_there_is_one(context, typed, refused):
    flow = FLOWS["lapor_k2"]
    state = engine.start(flow, {"kader": True, **context}, NOW, words=WORDS).state
    assert state.step == "s"  # a kader's first question
    outcome = engine.resume(flow, state, Inbound(text=typed), NOW, words=WORDS)
    assert (outcome.state.step == "s") is refused
    assert ("s" not in outcome.state.answers) is refused


def test_a_rule_against_an_unknown_context_figure_or_scope_is_refused_at_load():
    flow = FLOWS["lapor_k2"]
    unknown = replace(flow, rules=(Rule("s", "le", "sasaran_bumil", "m", scope="context"),))
    with pytest.raises(ValueError, match="unknown context figure sasaran_bumil"):
        consistency.check_table({**FLOWS, unknown.name: unknown}.values())
    with pytest.raises(FlowError, match="unknown rule scope"):
        validate(replace(flow, rules=(Rule("s", "le", "d", "m", scope="everywhere"),)))


def test_the_consistency_table_names_only_counted_indicators():
    consistency.check_table(FLOWS.values())
    renamed = replace(consistency.RATIOS[0], whole="SASARAN")
    with pytest.raises(ValueError, match="no counted indicator SASARAN"):
        consistency.check_table(FLOWS.values(), ratios=(renamed,))
    year = (consistency.YearCheck("K5", "K1", "why"),)
    with pytest.raises(ValueError, match="no counted indicator K5"):
        consistency.check_table(FLOWS.values(), year_checks=year)


@pytest.mark.parametrize("word", ["KL2", "K2"])
async def test_a_full_klaster_2_quick_entry_stores_k4_s_and_the_measured(registered, db, word):
    siti = await registered("petugas", "900")
    replies = await siti.send(quick(word, K2_ANSWERS))
    assert "Maksud Anda" not in "\n".join(replies)
    assert "K4 · Ibu hamil mencapai K4: 2" in replies[-1]
    assert "S · Balita yang ada (S): 60" in replies[-1]
    assert "STUNT · Balita diukur yang stunting: 2" in replies[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.klaster == "2"
    assert await values_of(db, report.id) == K2_ANSWERS


@pytest.mark.parametrize("word", ["KL4", "K4"])
async def test_a_full_klaster_4_quick_entry_stores_tbc_and_kesling(registered, db, word):
    siti = await registered("petugas", "901")
    replies = await siti.send(quick(word, K4_ANSWERS, KLB="tidak"))
    assert replies[0].startswith(
        "Laporan Klaster 4 Penanggulangan Penyakit Menular dan Kesling · Senin, 23 November 2026"
    )
    assert "TBBAKT · TBC terkonfirmasi bakteriologis: 1" in replies[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.klaster == "4"
    assert await values_of(db, report.id) == {**K4_ANSWERS, "KLB": 0}


async def test_the_old_klaster_word_with_an_anc_code_says_how_to_write_it(registered, db):
    siti = await registered("petugas", "902")
    replies = await siti.send("LAPOR K4 K4=3")
    assert replies[:2] == [
        "K4 bukan kode klaster ini, jadi tidak dipakai.",
        "Sesudah LAPOR, K4 berarti Klaster 4 – Penanggulangan Penyakit Menular dan Kesling. "
        "Untuk kode K4 tulis: LAPOR KL2 K4=…",
    ]


async def test_an_anc_k4_alone_starts_klaster_2_and_asks_what_is_missing(registered, db):
    siti = await registered("petugas", "903")
    replies = await siti.send("LAPOR K4=3")
    assert replies[-1] == "Berapa ibu hamil yang kunjungan ANC pertamanya (K1)?"
    assert (await siti.send("5"))[-1] == "Berapa ibu hamil yang mencapai kunjungan ANC keenam (K6)?"


async def test_s_cannot_pass_the_sasaran_balita_once_it_is_imported(registered, db):
    await set_sasaran(db, {"balita": 50})
    siti = await registered("petugas", "904")
    refused = await siti.send(quick("KL2", K2_ANSWERS))  # S=60
    assert refused[-1] == (
        "S tidak boleh lebih dari sasaran balita puskesmas (50). Mohon periksa angkanya.\n"
        "Berapa balita yang ada di wilayah posyandu ini (S)?"
    )
    summary = await siti.send("45")
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")


async def test_rekap_and_export_show_the_new_indicators_and_their_ratios(
    runtime, registered, db, tmp_path
):
    siti = await registered("petugas", "905")
    for word, values in (("KL2", K2_ANSWERS), ("KL3", K3_ANSWERS), ("KL4", K4_ANSWERS)):
        extra = {"KLB": "tidak"} if word == "KL4" else {}
        await siti.send(quick(word, values, **extra))
        await siti.press("Kirim")
    # the building's D without S must not inflate D/S
    await siti.send("LAPOR KL2 TGL=kemarin K1=0 K4=0 K6=0 SALIN=0 KF=0 KN=0 IDL=0")
    summary = await answer(siti, 0, 100, 0, 0, 0, 0, 0)  # S not typed: skipped
    assert "S · Balita yang ada (S): (dilewati)" in summary[-1]
    await siti.press("Kirim")
    rina = await registered("kepala_puskesmas", "906", "dr. Rina")
    [recap] = await rina.send("/rekap")
    assert "K4 Ibu hamil mencapai K4: 2 orang (bulan lalu 0)" in recap
    assert "D Balita ditimbang (D): 140 orang" in recap
    assert "D/S, partisipasi penimbangan (D/S): 40 dari 60 = 67%" in recap
    assert "Stunting di antara balita yang diukur (STUNT/UKUR): 2 dari 30 = 7%" in recap
    assert "ABJ, rumah bebas jentik (PJBBEBAS/PJB): 38 dari 40 = 95%" in recap
    assert "KBBARU Peserta KB baru: 2 orang" in recap
    assert "SKILAS Lansia diskrining SKILAS: 10 orang" in recap
    assert "Mohon dicek" not in recap  # K4 2 ≤ K1 3

    export_to(runtime, tmp_path)
    await rina.send("/ekspor")
    await rina.press("Bulan ini sampai hari ini")
    book = load_workbook(rina.last[0].document)
    header = [c.value for c in book["KL2 Ibu dan Anak"][1]]
    assert {"K4 – Ibu hamil mencapai K4", "S – Balita yang ada (S)"} <= set(header)
    total = [c.value for c in book["KL2 Ibu dan Anak"][book["KL2 Ibu dan Anak"].max_row]]
    assert dict(zip(header, total, strict=True))["S – Balita yang ada (S)"] == 60
    header4 = [c.value for c in book["KL4 Penyakit Menular, Kesling"][1]]
    assert "PJBBEBAS – Rumah bebas jentik" in header4


async def test_rekap_asks_to_check_a_year_with_more_k4_than_k1(registered, db):
    siti = await registered("petugas", "907")
    await siti.send(quick("KL2", {**K2_ANSWERS, "K1": 1, "K4": 3}))
    await siti.press("Kirim")
    rina = await registered("kepala_puskesmas", "908", "dr. Rina")
    [recap] = await rina.send("/rekap")
    assert "Mohon dicek: K4 tahun ini (3) lebih dari K1 (1)." in recap


async def test_a_draft_begun_on_the_form_before_k4_and_s_is_offered_a_fresh_start(registered, db):
    siti = await registered("petugas", "909")
    await choose(siti, "Klaster 2 – Ibu dan Anak")
    await answer(siti, 3, 2, 2)
    await siti.send("/menu")  # the three answers wait as a draft
    current = FLOWS["lapor_k2"]
    new = {"k4", "s", "ukur"}
    before = replace(
        current,
        steps=tuple(s for s in current.steps if s.key not in new),
        rules=tuple(r for r in current.rules if not {r.key, r.other} & new),
    )
    assert before.version != current.version
    async with db.transaction() as session:
        [row] = [
            c
            for c in (await session.execute(select(Conversation))).scalars()
            if c.state and "draft" in c.state
        ]
        row.state = {**row.state, "draft": {**row.state["draft"], "version": before.version}}
    replies = await siti.send("/lapor")
    assert "Lanjutkan" not in siti.buttons  # no offer to continue the old form
    assert replies[-1] == "Klaster mana yang ingin Anda laporkan?"


async def test_bantuan_names_the_klaster_words_and_explains_the_new_codes(registered):
    siti = await registered("petugas", "910")
    await siti.send("/batal")  # leave the menu shown after registration
    helped = (await siti.send("/bantuan"))[-1]
    assert "KL1–KL4 dan LK adalah kode klaster; K1 sampai K6 adalah kunjungan ANC." in helped
    assert "KL4: TBDUGA TB TBBAKT TBKONTAK HIV HIVSPM IKL PJB PJBBEBAS DBD" in helped
    explained = (await siti.send("/bantuan KL2"))[-1]
    assert "K4 = Ibu hamil mencapai K4\nK6 = " in explained
    assert "S = Balita yang ada (S)" in explained
    assert "STUNT = Balita diukur yang stunting" in explained
