"""What the field trial typed that the bot took wrongly: every value passes the step's checks,
whichever way it was given, and a typo of a year is asked again, not a 500."""

from datetime import UTC, datetime

import pytest
from dana_steps import DECISIONS, FOGGING, PERUBAHAN, people, the_request

from conversations import engine
from conversations.forms.dana_desa import REQUEST as DANA
from conversations.model import Inbound, State
from handlers.core.text import load_words


async def up_to_the_amount(siti):
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    await siti.send(FOGGING)
    await siti.send("2 kali fogging di 2 RT")
    await siti.send("120")


async def after_the_month(siti):
    """Pelaksana and no RAB photo, then Kirim."""
    await siti.press("Posyandu / kader")
    await siti.send("lewati")
    await siti.press("Kirim")


ASKED = "Berapa dukungan dana yang diusulkan (rupiah)?"
# typed amount → what the bot offers (buttons) or says; the maximum is 2.000.000.000
AMOUNTS = [
    ("9999.9", ["Maksud Bapak/Ibu 99.999?"], ["Rp 99.999"]),
    ("1.5", ["Maksud Bapak/Ibu 1.500.000?"], ["Rp 1.500.000"]),
    ("0.0", [f"Jumlah harus lebih dari nol.\n{ASKED}"], []),
    ("0.0015", [f"Silakan ketik 10.000 atau lebih.\n{ASKED}"], []),
]


@pytest.mark.parametrize(("typed", "said", "buttons"), AMOUNTS)
async def test_only_an_amount_the_question_accepts_is_offered(registered, typed, said, buttons):
    siti = await registered("petugas", "100", "Siti Aminah")
    await up_to_the_amount(siti)
    assert await siti.send(typed) == said
    assert siti.buttons == buttons
    if buttons:
        assert await siti.press(buttons[0]) == ["Bulan apa kegiatan dilaksanakan?"]


async def test_a_partial_approval_of_zero_is_refused_not_a_crash(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await up_to_the_amount(siti)
    await siti.send("2,5 juta")
    await siti.send("Desember")
    await after_the_month(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press("Setujui sebagian")
    for typed in ("0.0", "0", "0,00"):
        assert await budi.send(typed) == [
            "Jumlah harus lebih dari nol.\n"
            "DD-2026-1: diusulkan Rp 2.500.000. Berapa yang Bapak/Ibu setujui?"
        ]
    assert (await the_request(db)).status == "diajukan"


NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ([9_999_900_000, 99_999], "Please type {maximum} or less."),
        ([15, 1_500_000], "Please type {minimum} or more."),
        ([0, 0], "The amount must be more than zero."),
    ],
)
def test_a_reading_picked_from_a_question_saved_before_the_fix_is_checked_too(options, refusal):
    """A conversation stored with the old "A atau B?" still passes the one check on its way."""
    state = State(
        flow=DANA.name,
        version=DANA.version,
        step="jumlah",
        answers={"kategori": "penyakit_menular"},
        pending={"ambiguous": {"step": "jumlah", "options": options}},
        updated_at=NOW.isoformat(),
    )
    outcome = engine.resume(DANA, state, Inbound(button="0"), NOW, words=load_words())
    assert "jumlah" not in outcome.state.answers
    assert outcome.replies[0].parts[0].msgid == refusal


MONTHS = ["12/0000", "desember 0000", "0000-12", "1/9999", "Desember 2030"]


@pytest.mark.parametrize("typed", MONTHS)
async def test_a_month_years_away_is_asked_again(registered, typed):
    siti = await registered("petugas", "100", "Siti Aminah")
    await up_to_the_amount(siti)
    await siti.send("2,5 juta")
    assert await siti.send(typed) == [
        "Silakan ketik bulan antara November 2024 dan November 2028.\n"
        "Bulan apa kegiatan dilaksanakan?"
    ]
    assert siti.buttons == []
    assert await siti.send("Desember") == ["Siapa di desa yang melaksanakannya?"]


@pytest.mark.parametrize("decision", [PERUBAHAN, "Tolak", "Minta revisi", "Setujui sebagian"])
async def test_no_at_a_decision_gives_the_kades_the_request_buttons_back(
    registered, outbox, db, decision
):
    siti, budi, _ = await people(registered)
    await up_to_the_amount(siti)
    await siti.send("2,5 juta")
    await siti.send("Desember")
    await after_the_month(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press(decision)
    if decision == "Setujui sebagian":
        await budi.send("2 juta")
        await budi.press("Lewat perubahan APBDes")
    elif decision == "Minta revisi":
        await budi.press("Volume / keluaran")
        await budi.send("Mohon rinci volume per RT")
    elif decision == "Tolak":
        await budi.send("Anggaran sudah habis")
    assert await budi.press("Tidak") == [
        "Belum ada keputusan; DD-2026-1 masih menunggu keputusan Bapak/Ibu."
    ]
    assert budi.buttons == DECISIONS
    await budi.press(PERUBAHAN)
    [recorded] = await budi.press("Ya")
    assert recorded.startswith(
        "Tercatat: DD-2026-1 sekarang disetujui. Pengusul sedang diberi tahu."
    )
    assert (await the_request(db)).status == "disetujui"
