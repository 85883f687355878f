"""A form left for the menu or another command is not lost: its answers wait as a draft (in the
conversation's JSON, so a restart keeps it) and the next /lapor offers to continue it."""

import pytest
from report_steps import K2, K2_ANSWERS, answer, choose, reports, skip_attachments, values_of
from sqlalchemy import select

from db.models import Conversation

KEPT = "Jawaban Bapak/Ibu sejauh ini disimpan; Bapak/Ibu bisa melanjutkannya nanti."
OFFER = "Lanjutkan laporan yang belum selesai? Laporan Klaster 2 Ibu dan Anak, sudah 3 jawaban."
FOURTH = "Berapa persalinan di fasilitas kesehatan?"
FIFTH = "Berapa ibu nifas yang kunjungan nifasnya lengkap (KF lengkap)?"


async def three_answers_then(siti, leave: str) -> list[str]:
    await choose(siti, K2)
    await answer(siti, *list(K2_ANSWERS.values())[:3])
    return await siti.send(leave)


@pytest.mark.parametrize("leave", ["/menu", "MENU", "/dana", "/status", "/profil", "/bantuan"])
async def test_a_command_that_leaves_a_form_keeps_its_answers(registered, leave):
    siti = await registered("petugas", "810")
    replies = await three_answers_then(siti, leave)
    if KEPT not in replies:  # a command that only answers leaves the form open: go on
        assert (await siti.send("1"))[-1].endswith(FIFTH), replies
        return
    assert await siti.send("/lapor") == [OFFER]
    assert siti.buttons == ["Lanjutkan", "Mulai baru"]
    assert (await siti.press("Lanjutkan"))[-1].endswith(FOURTH)


async def test_the_continued_report_is_sent_with_every_answer(registered, db):
    siti = await registered("petugas", "811")
    replies = await three_answers_then(siti, "/menu")
    assert replies[0] == KEPT and "Lapor pelayanan klaster" in siti.buttons
    await siti.press("Lapor pelayanan klaster")  # the menu's button offers it as /lapor does
    assert siti.text == OFFER
    await siti.press("Lanjutkan")
    await answer(siti, *list(K2_ANSWERS.values())[3:], "Lewati")
    await skip_attachments(siti)
    await siti.press("Kirim")
    [report] = await reports(db)
    assert await values_of(db, report.id) == K2_ANSWERS


async def test_starting_over_drops_the_draft_and_asks_from_the_start(registered):
    siti = await registered("petugas", "812")
    await three_answers_then(siti, "/menu")
    await siti.send("/lapor")
    assert await siti.press("Mulai baru") == ["Klaster mana yang ingin Anda laporkan?"]
    await siti.send("/menu")
    assert (await siti.send("/lapor")) == ["Klaster mana yang ingin Anda laporkan?"]


async def test_the_draft_survives_a_restart_in_the_conversation_json(registered, db, texts, clock):
    from handlers.app import build_runtime

    siti = await registered("petugas", "813")
    await three_answers_then(siti, "/menu")
    await siti.send("/menu")  # the menu again: the draft stays
    async with db.transaction() as session:
        stored = (await session.execute(select(Conversation.state))).scalars().all()
    [draft] = [s["draft"] for s in stored if s and "draft" in s]
    assert (draft["flow"], len(draft["answers"])) == ("lapor_k2", 3)
    siti.runtime = build_runtime(db, texts, clock=clock)
    assert await siti.send("/lapor") == [OFFER]


async def test_lapor_typed_inside_the_form_offers_the_same_form(registered):
    siti = await registered("petugas", "814")
    assert await three_answers_then(siti, "/lapor") == [OFFER]
    assert (await siti.press("Lanjutkan"))[-1].endswith(FOURTH)


async def test_batal_still_asks_first_and_then_keeps_nothing(registered):
    siti = await registered("petugas", "815")
    replies = await three_answers_then(siti, "/batal")
    assert replies == ["Batalkan isian ini? Jawaban yang sudah diisi akan hilang."]
    await siti.press("Ya")
    assert await siti.send("/lapor") == ["Klaster mana yang ingin Anda laporkan?"]
