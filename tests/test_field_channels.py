"""The field trial's findings on the real channels: Telegram through its webhook, WhatsApp
through Meta's, each answering 200 and in Indonesian."""

import pytest
from dana_steps import ask_for_dana, the_request

from tests.telegram_support import register as register_on_telegram
from tests.whatsapp_support import register as register_on_whatsapp

ASKS_NAME = ["Siapa nama lengkap Bapak/Ibu?"]


def ways_to_type(code: str) -> list[str]:
    return [f"Daftar {code}", code.replace("-", " ").lower()]


@pytest.mark.parametrize("way", [0, 1])
async def test_daftar_with_a_capital_or_a_bare_code_registers_on_telegram(
    telegram_web, fake_telegram, invite, way
):
    code = await invite("petugas")
    person = telegram_web.person(fake_telegram, 901)
    assert await person.send(ways_to_type(code)[way]) == ASKS_NAME
    assert person.responses == [200]


@pytest.mark.parametrize("way", [0, 1])
async def test_daftar_with_a_capital_or_a_bare_code_registers_on_whatsapp(whatsapp, invite, way):
    code = await invite("kader")
    phone = whatsapp.person(f"62812345009{way:02d}")
    assert await phone.send(ways_to_type(code)[way]) == ASKS_NAME


OFFER = "Lanjutkan laporan yang belum selesai? Laporan Klaster 2 Ibu dan Anak, sudah 3 jawaban."
SALIN = "Berapa persalinan di fasilitas kesehatan?"  # the fourth question, after K1, K4, K6


async def leave_a_form_for_the_menu(person, press) -> list[str]:
    """/lapor, three answers of Klaster 2, /menu, then /lapor again: returns the last replies."""
    await person.send("/lapor")
    await press("Klaster 2 – Ibu dan Anak")
    await press("Hari ini (Senin 23/11)")
    await press("Dalam gedung puskesmas")
    for count in ("3", "2", "1"):
        await person.send(count)
    kept = await person.send("/menu")
    assert kept[0].startswith(
        "Jawaban Bapak/Ibu sejauh ini disimpan; Bapak/Ibu bisa melanjutkannya"
    ), kept
    return await person.send("/lapor")


@pytest.mark.slow  # a whole story through the webhook, several seconds
async def test_a_form_left_for_the_menu_is_offered_again_on_telegram(
    telegram_web, fake_telegram, invite
):
    siti = telegram_web.person(fake_telegram, 911)
    await register_on_telegram(siti, await invite("petugas"))
    assert await leave_a_form_for_the_menu(siti, siti.press) == [OFFER]
    assert (await siti.press("Lanjutkan"))[-1].endswith(SALIN)
    assert set(siti.responses) == {200}


async def test_a_form_left_for_the_menu_is_offered_again_on_whatsapp(whatsapp, invite):
    siti = await register_on_whatsapp(whatsapp, await invite("petugas"), "6281234500911", "Siti")
    assert await leave_a_form_for_the_menu(siti, siti.press) == [OFFER]
    assert (await siti.press("Lanjutkan"))[-1].endswith(SALIN)


async def test_no_at_a_decision_gives_the_request_back_on_whatsapp(whatsapp, invite, db):
    siti = await register_on_whatsapp(whatsapp, await invite("petugas"), "6281234500921", "Siti")
    budi = await register_on_whatsapp(whatsapp, await invite("kades"), "6281234500922", "Budi")
    budi.read()
    await ask_for_dana(siti)
    await whatsapp.deliver()
    budi.last = [b for b in budi.read() if b["type"] == "interactive"]
    await budi.press("Setujui — lewat perubahan APBDes")
    [not_yet] = await budi.press("Tidak")
    assert not_yet.startswith("Belum ada keputusan; DD-2026-1 masih menunggu keputusan")
    assert budi.buttons[4:] == ["Setujui sebagian", "Tolak", "Minta revisi"]
    await budi.press("Setujui — lewat perubahan APBDes")
    await budi.press("Ya")
    assert (await the_request(db)).status == "disetujui"


@pytest.mark.slow  # a whole story through the webhook, several seconds
async def test_impossible_amounts_and_months_are_asked_again_through_the_telegram_webhook(
    telegram_web, fake_telegram, invite
):
    siti = telegram_web.person(fake_telegram, 931)
    await register_on_telegram(siti, await invite("petugas"))
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    await siti.send("Fogging DBD di RT 03 dan RT 04 setelah 2 kasus DBD bulan ini")
    await siti.send("2 kali fogging di 2 RT")
    await siti.send("120")
    assert (await siti.send("0.0"))[0].startswith("Jumlah harus lebih dari nol.")
    assert await siti.send("9999.9") == ["Maksud Bapak/Ibu 99.999?"]
    await siti.press("Rp 99.999")
    [again] = await siti.send("12/0000")
    assert again.startswith("Silakan ketik bulan antara November 2024 dan November 2028.")
    assert set(siti.responses) == {200}
