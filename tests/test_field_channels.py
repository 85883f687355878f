"""The field trial's findings on the real channels: Telegram through its webhook, WhatsApp
through Meta's, each answering 200 and in Indonesian."""

import pytest

ASKS_NAME = ["Siapa nama lengkap Anda?"]


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
