"""`ilpbot web`: Telegram posts updates to /telegram/webhook; the update is committed before
the 200, so any failure answers 5xx and Telegram sends it again."""

import asyncio
import json

import pytest
from sqlalchemy import func, select

from bot import processes
from db.models import ChannelIdentity, ProcessedInbound, User

from tests.telegram_support import (
    SCRAPER,
    SECRET,
    START,
    LiveClock,
    Person,
    WebHarness,
    member_update,
    private_message,
    register,
    settled,
    telegram_app,
)


async def processed(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedInbound))


@pytest.mark.slow  # seconds of waiting on a real server or migrations
async def test_a_bidan_registers_through_the_webhook(telegram_web, fake_telegram, invite):
    siti = telegram_web.person(fake_telegram, 501)
    code = await invite("petugas", puskesmas="Sumber Urip")

    assert await siti.send(f"/start {code}") == ["Siapa nama lengkap Bapak/Ibu?"]
    await siti.send("Siti Aminah")
    replies = await siti.press("Ya")
    assert replies[0].startswith("Selamat datang, Siti Aminah!")
    assert siti.responses == [200, 200, 200]
    await asyncio.sleep(0.1)  # the callback answer runs right after the commit
    assert [c.method for c in fake_telegram.calls].count("answerCallbackQuery") == 1
    assert fake_telegram.violations == []


async def test_a_wrong_or_missing_secret_is_refused(telegram_web, fake_telegram):
    update = fake_telegram.push_message(501, "halo")
    assert (await telegram_web.post(update, secret="guess")).status_code == 403
    assert (await telegram_web.post(update, secret=None)).status_code == 403
    assert await processed(telegram_web.app.db) == 0
    assert (await telegram_web.post(update)).status_code == 200


async def test_a_repeated_update_is_answered_once(telegram_web, fake_telegram):
    stranger = telegram_web.person(fake_telegram, 777)
    update = fake_telegram.push_message(777, "halo")
    first = await stranger.deliver_raw(update)
    again = await stranger.deliver_raw(update)  # Telegram did not see our 200
    assert len(first) == 1 and "kode undangan" in first[0]
    assert again == [] and stranger.responses == [200, 200]
    metrics = (await telegram_web.http.get("/metrics", headers=SCRAPER)).text
    assert 'ilpbot_duplicate_updates_total{channel="telegram"}' in metrics


async def test_other_updates_never_fail(telegram_web, fake_telegram):
    """Stickers get a polite answer; edits, channel posts and group chatter are only recorded;
    a command in a group is told to use a private chat."""
    siti = telegram_web.person(fake_telegram, 501)
    sticker = {"file_id": "S", "file_unique_id": "s", "width": 1, "height": 1}
    sticker |= {"is_animated": False, "is_video": False, "type": "regular"}
    assert (
        len(await siti.deliver_raw(fake_telegram.push_raw(private_message(501, sticker=sticker))))
        == 1
    )
    edited = {"edited_message": private_message(501, text="x", edit_date=1)["message"]}
    assert await siti.deliver_raw(fake_telegram.push_raw(edited)) == []
    group = telegram_web.person(fake_telegram, -4001)
    assert await group.deliver_raw(fake_telegram.push_raw(private_message(-4001, text="hai"))) == []
    notice = await group.deliver_raw(fake_telegram.push_raw(private_message(-4001, text="/start")))
    assert notice == [
        "Saya hanya melayani lewat chat pribadi. Silakan buka chat pribadi dengan saya lalu ketik /start."
    ]
    assert siti.responses + group.responses == [200] * 4
    assert await processed(telegram_web.app.db) == 4


@pytest.mark.slow  # seconds of waiting on a real server or migrations
async def test_blocking_the_bot_marks_the_user_unreachable(telegram_web, fake_telegram, invite):
    siti = telegram_web.person(fake_telegram, 501)
    await register(siti, await invite("petugas"))
    await siti.deliver_raw(fake_telegram.push_raw(member_update(501, "kicked")))
    async with telegram_web.app.db.transaction() as session:
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
    assert ident.unreachable


async def test_a_database_failure_answers_500_so_telegram_retries(
    db_url, fake_telegram, texts, tmp_path
):
    broken = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/ilpbot.db"
    async with WebHarness.serving(broken, fake_telegram, texts, LiveClock(START), False) as web:
        response = await web.post(fake_telegram.push_message(501, "halo"))
        assert response.status_code == 500
        assert (await web.http.get("/healthz")).status_code == 503


async def test_health_and_metrics(telegram_web):
    assert (await telegram_web.http.get("/healthz")).json() == {"status": "ok"}
    metrics = (await telegram_web.http.get("/metrics", headers=SCRAPER)).text
    for name in ("ilpbot_updates_total", "ilpbot_update_errors_total", "ilpbot_update_seconds"):
        assert name in metrics
    assert "ilpbot_outbox_pending" in metrics


@pytest.mark.slow  # two web apps and their senders
async def test_two_web_workers_behave_like_one(db_url, fake_telegram, texts, invite):
    """Two processes behind one load balancer: Telegram's retry of an update may reach the
    other worker, and one conversation may hop between them."""
    clock = LiveClock(START)
    async with (
        WebHarness.serving(db_url, fake_telegram, texts, clock) as one,
        WebHarness.serving(db_url, fake_telegram, texts, clock, with_sender=False) as two,
    ):
        siti = Person(fake_telegram, one.app.db, 501)
        code = await invite("petugas", puskesmas="Sumber Urip")
        update = fake_telegram.push_message(501, f"/start {code}")
        answers = await asyncio.gather(one.post(update), two.post(update), one.post(update))
        assert [a.status_code for a in answers] == [200, 200, 200]
        await settled(one.app.db, update["update_id"])
        assert siti.read() == ["Siapa nama lengkap Bapak/Ibu?"]
        siti.post = two.post
        await siti.send("Siti Aminah")
        siti.post = one.post
        assert (await siti.press("Ya"))[0].startswith("Selamat datang")
        async with one.app.db.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(User)) == 1


async def test_the_webhook_is_registered_with_its_secret(db_url, fake_telegram, texts, capsys):
    """`ilpbot webhook set|info|delete`."""
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    app.settings.telegram_webhook_url = "https://bot.example.id/telegram/webhook"
    assert await processes.webhook(app, "set") == 0
    [call] = [c for c in fake_telegram.calls if c.method == "setWebhook"]
    assert call.params["url"] == "https://bot.example.id/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert int(call.params["max_connections"]) == 40  # Telegram's default, now explicit
    capsys.readouterr()
    assert await processes.webhook(app, "info") == 0
    assert json.loads(capsys.readouterr().out)["url"] == "https://bot.example.id/telegram/webhook"
    assert await processes.webhook(app, "delete") == 0
    assert "deleteWebhook" in [c.method for c in fake_telegram.calls]
    await app.close()
