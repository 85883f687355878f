"""What the logs keep of a whole story, on both channels: registration, a report, a dana desa
request and its decision, with the mishaps that are logged (a refused button, a redelivery, a
failed send, a forged request). Nothing logged at INFO or above shows a phone number (a
WhatsApp chat is one) and no level shows the bot token (httpx logs the Bot API's URLs, which
carry it); a failed statement's exception does not show its parameters."""

import logging

import pytest
from dana_steps import ask_for_dana
from report_steps import K2_ANSWERS, K3_ANSWERS, quick
from sqlalchemy import text

from bot.app import configure_logging
from db.database import Database
from fakes.graph_api import wa_envelope, wa_text
from handlers.core.privacy import masked

from tests.telegram_support import TOKEN
from tests.telegram_support import register as register_on_telegram
from tests.whatsapp_support import register as register_on_whatsapp

SITI, BUDI = "6281234500006", "6281234500007"
PHONES = [SITI, BUDI, SITI[2:], BUDI[2:], "0" + SITI[2:]]  # also as written at home


def shown(record: logging.LogRecord) -> str:
    return logging.Formatter("%(message)s").format(record)  # with its traceback


async def whatsapp_story(whatsapp, graph, invite) -> None:
    siti = await register_on_whatsapp(whatsapp, await invite("petugas"), SITI, "Siti Aminah")
    budi = await register_on_whatsapp(whatsapp, await invite("kades"), BUDI, "Budi Santoso")
    await siti.send(quick("K3", K3_ANSWERS))
    await siti.press("Kirim")
    budi.read()
    await ask_for_dana(siti)
    await whatsapp.deliver()
    budi.last = [b for b in budi.read() if b["type"] == "interactive"]
    await budi.press("Setujui — lewat perubahan APBDes")
    await budi.press("Ya")
    await siti.press_data("bukan-tombol")  # refused, and logged
    again = wa_text(SITI, "halo", wamid="wamid.again")
    for _ in range(2):  # the second is a duplicate, logged
        await whatsapp.post(wa_envelope([again]))
    graph.fail_next(400, 131026, message="Message undeliverable")  # logged by the outbox
    await whatsapp.deliver()
    await whatsapp.post(wa_envelope([wa_text(SITI, "halo")]), secret="forged")


async def telegram_story(telegram_web, fake_telegram, invite) -> None:
    siti = telegram_web.person(fake_telegram, 501)
    await register_on_telegram(siti, await invite("petugas"))
    await siti.send(quick("K2", K2_ANSWERS))  # K3 of today came by WhatsApp
    await siti.press("Kirim")
    await siti.send("/dana")
    if "Desa Sumber Urip" in await siti.buttons():
        await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    for typed in ("Fogging DBD di RT 03", "2 kali fogging", "120", "2,5 juta", "Desember"):
        await siti.send(typed)
    await siti.press("Posyandu / kader")
    await siti.send("lewati")  # no RAB photo
    await siti.press("Kirim")
    await telegram_web.post(fake_telegram.push_message(501, "halo"), secret="forged")


@pytest.mark.slow  # a whole story through the webhook, several seconds
async def test_a_whole_story_logs_no_phone_number_and_no_token(
    whatsapp, graph, telegram_web, fake_telegram, invite, caplog
):
    for settings in (whatsapp.app.settings, telegram_web.app.settings):
        configure_logging(settings)  # as every process does at start
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "sqlalchemy.engine", "bot", "handlers"):
        caplog.set_level(logging.DEBUG, logger=name)
    await whatsapp_story(whatsapp, graph, invite)
    await telegram_story(telegram_web, fake_telegram, invite)

    lines = [(r.levelno, shown(r)) for r in caplog.records]
    assert any(level >= logging.WARNING for level, _ in lines)  # the mishaps were logged
    assert any("/sendMessage" in line for _, line in lines)  # httpx logged the Bot API calls
    assert [line for _, line in lines if TOKEN in line] == []
    loud = [line for level, line in lines if level >= logging.INFO]
    assert [line for line in loud for phone in PHONES if phone in line] == []
    assert any(masked(SITI) in line for line in loud)  # still told apart: by its last digits


async def test_a_failed_statement_does_not_show_its_parameters(db_url):
    db = Database(db_url)
    try:
        with pytest.raises(Exception) as failed:
            async with db.transaction() as session:
                await session.execute(
                    text("SELECT no_such_column WHERE :phone = ''"), {"phone": SITI}
                )
    finally:
        await db.dispose()
    assert SITI not in str(failed.value)


@pytest.mark.parametrize(
    ("identifier", "shown"),
    [("6281234500006", "***0006"), ("ID.1234567890", "***7890"), ("501", "***"), (None, "-")],
)
def test_an_identifier_is_masked_to_its_last_four_characters(identifier, shown):
    assert masked(identifier) == shown
