"""`ilpbot run` with Telegram: people register and talk to the bot through long polling,
against a fake Bot API on 127.0.0.1 (PTB's real HTTP client, the real sender)."""

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from bot.processes import PollingBot
from db.models import ChannelIdentity, User

from tests.report_steps import K2, K2_ANSWERS, reports
from tests.telegram_support import (
    START,
    LiveClock,
    Person,
    private_message,
    register,
    telegram_app,
    until,
)

pytestmark = pytest.mark.slow  # long polling against the fake Bot API, by the clock


async def test_a_bidan_registers_in_telegram_by_polling(telegram_polling, fake_telegram, invite):
    app, tg = telegram_polling, fake_telegram
    siti = Person(tg, app.db, 501, clock=app.runtime.clock)
    code = await invite("petugas", puskesmas="Sumber Urip")

    assert await siti.send(f"/start {code}") == ["Siapa nama lengkap Bapak/Ibu?"]
    replies = await siti.send("Siti Aminah")
    assert replies[-1].startswith("Siti Aminah, kode ini mendaftarkan Bapak/Ibu sebagai petugas")
    assert await siti.buttons() == ["Ya", "Tidak"]
    replies = await siti.press("Ya")
    assert replies[0].startswith("Selamat datang, Siti Aminah!")
    assert "Profil saya" in await siti.buttons()

    async with app.db.transaction() as session:
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
        user = await session.get(User, ident.user_id)
    assert (ident.channel, ident.external_id, user.name) == ("telegram", "501", "Siti Aminah")
    press = [c for c in tg.calls if c.method == "answerCallbackQuery"]
    assert len(press) == 1
    edits = [c for c in tg.calls if c.method == "editMessageReplyMarkup"]
    assert [e.params["chat_id"] for e in edits] == [501]  # the answered question lost its keyboard
    assert tg.violations == [] and tg.rate_violations() == []


async def test_a_full_cluster_report_by_polling(telegram_polling, fake_telegram, invite):
    """Buttons, typed numbers, a photo and a location pin from a real Telegram chat."""
    app, tg = telegram_polling, fake_telegram
    siti = Person(tg, app.db, 502, clock=app.runtime.clock)
    await register(siti, await invite("petugas", puskesmas="Sumber Urip"))

    await siti.send("/lapor")
    await siti.press(K2)
    today = next(b for b in await siti.buttons() if b.startswith("Hari ini"))
    await siti.press(today)
    await siti.press("Dalam gedung puskesmas")
    for value in K2_ANSWERS.values():
        await siti.send(str(value))
    await siti.send("lewati")
    await siti.send_photo("AgACAgUAAxkBAAIBc2", "Posyandu Mawar")
    location_question = tg.sent(502)[-1].params["reply_markup"]
    assert location_question["keyboard"][0][0]["request_location"] is True
    summary = await siti.send_location(-3.47, 102.52)
    assert summary[-1].startswith("Mohon periksa jawaban Bapak/Ibu")
    done = await siti.press("Kirim")
    assert done[0].startswith("Terima kasih! Laporan Anda tersimpan dengan nomor ILP-")

    [report] = await reports(app.db)
    assert report.channel == "telegram"
    assert report.details["foto"] == {"file_id": "AgACAgUAAxkBAAIBc2", "caption": "Posyandu Mawar"}
    assert report.details["lokasi"] == {"lat": -3.47, "lon": 102.52}
    assert tg.violations == [] and tg.rate_violations() == []


async def test_a_poll_our_library_cannot_read_does_not_stop_the_polling(
    telegram_polling, fake_telegram
):
    """A self-hosted Bot API older than our library sends a poll without Bot API 9.6's fields:
    PTB refuses the whole getUpdates batch. Read one by one, the poll is an unsupported
    message, and the stranger's next words are answered as usual."""
    app, tg = telegram_polling, fake_telegram
    stranger = Person(tg, app.db, 778, clock=app.runtime.clock)
    answers = [{"text": "Ya", "voter_count": 0}]
    poll = {"id": "5", "question": "?", "options": answers, "is_closed": False}
    poll |= {"total_voter_count": 0, "is_anonymous": True, "type": "regular"}
    content = {"poll": poll | {"allows_multiple_answers": False}}
    update = tg.push_raw(private_message(778, **content))
    assert await stranger.deliver_raw(update) == [
        "Maaf, jenis pesan ini belum didukung. Silakan ketik pesan Bapak/Ibu."
    ]
    assert len(await stranger.send("halo")) == 1


def duplicates() -> float:
    return REGISTRY.get_sample_value("ilpbot_duplicate_updates_total", {"channel": "telegram"}) or 0


async def test_a_redelivered_update_is_answered_once(telegram_polling, fake_telegram):
    """Telegram did not get our offset (a crash after the commit): the update comes again."""
    app, tg = telegram_polling, fake_telegram
    stranger = Person(tg, app.db, 777, clock=app.runtime.clock)
    update = tg.push_message(777, "halo")
    assert len(await stranger.deliver_raw(update)) == 1
    before = duplicates()
    tg.redeliver(update["update_id"])
    await until(lambda: duplicates() == before + 1, what="the duplicate to be seen")
    await asyncio.sleep(0.3)
    assert stranger.read() == []


async def test_a_server_without_optional_methods_and_a_flaky_network_do_not_stop_the_bot(
    db_url, fake_telegram, texts
):
    tg = fake_telegram
    tg.fail_next("getMe", 502)
    tg.fail_next("deleteWebhook", 404, description="Not Found: method not found")
    tg.fail_next("setMyCommands", 404, description="Not Found: method not found")
    tg.fail_next("getUpdates", 502)
    app = telegram_app(db_url, tg, texts, LiveClock(START))
    bot = PollingBot(app)
    task = asyncio.create_task(bot.run())
    try:
        stranger = Person(tg, app.db, 777, clock=app.runtime.clock)
        replies = await stranger.send("halo")
        assert "kode undangan" in replies[0]
    finally:
        bot.stop()
        await task
        await app.close()
    methods = [c.method for c in tg.calls]
    assert methods.count("getMe") == 2 and "setMyCommands" in methods
