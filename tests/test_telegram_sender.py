"""The one outbox sender talking to the fake Bot API within Telegram's limits: ≤ 30 msg/s
overall, about 1 msg/s per chat, 20/min per group; 429 waits retry_after, 5xx backs off, 403
gives up on that user."""

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.processes import outbox_sender
from db import queries
from db.models import ChannelIdentity, Outbox, User
from handlers.core.outgoing import Outgoing

from tests.telegram_support import START, LiveClock, telegram_app, until

CHATS = range(1001, 1051)  # 50 private chats × 4 messages = 200


async def enqueue(app, messages: list[Outgoing]) -> None:
    now = app.runtime.clock()
    async with app.db.transaction() as session:
        for out in messages:
            await queries.add_outbox(
                session,
                channel="telegram",
                chat_id=out.chat_id,
                payload=out.to_json(),
                kind="broadcast",
                now=now,
            )


async def statuses(app) -> list[str]:
    async with app.db.transaction() as session:
        return list((await session.execute(select(Outbox.status).order_by(Outbox.id))).scalars())


async def deliver_all(app, expected: int, timeout: float = 60.0) -> float:
    sender, clients = outbox_sender(app)
    started = time.monotonic()
    sender.start()
    try:
        await until(lambda: _done(app, expected), timeout, "the outbox to drain")
    finally:
        await sender.stop()
        for client in clients:
            await client.close()
    return time.monotonic() - started


async def _done(app, expected: int) -> bool:
    rows = await statuses(app)
    return len(rows) == expected and "pending" not in rows


@pytest.mark.slow  # waits out real rate limits and back-offs
async def test_a_broadcast_survives_a_429_storm(db_url, fake_telegram, texts):
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    broadcast = [
        Outgoing("telegram", str(chat), f"Pesan {n} untuk {chat}")
        for n in range(4)
        for chat in CHATS
    ]
    await enqueue(app, broadcast)
    fake_telegram.storm_429(probability=0.1, retry_after=1, seed=7)

    await deliver_all(app, len(broadcast))

    assert set(await statuses(app)) == {"sent"}
    for chat in CHATS:  # all delivered, none twice, in order
        assert fake_telegram.texts(chat) == [f"Pesan {n} untuk {chat}" for n in range(4)]
    refused = [c for c in fake_telegram.calls if c.status == 429]
    assert refused, "the storm should have refused some sends"
    assert fake_telegram.rate_violations() == []
    await app.close()


@pytest.mark.slow  # waits out real rate limits and back-offs
async def test_a_group_gets_at_most_20_messages_a_minute(db_url, fake_telegram, texts):
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    await enqueue(app, [Outgoing("telegram", "-4001", f"Info {n}") for n in range(3)])
    elapsed = await deliver_all(app, 3)
    assert fake_telegram.texts(-4001) == ["Info 0", "Info 1", "Info 2"]
    assert elapsed >= 2 * 3.0  # one every ~3 s keeps any minute at 20
    await app.close()


@pytest.mark.slow  # waits out real rate limits and back-offs
async def test_server_errors_back_off_and_deliver_once(db_url, fake_telegram, texts):
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    fake_telegram.fail_next("sendMessage", 500, times=2)
    await enqueue(app, [Outgoing("telegram", "501", "Laporan diterima")])
    await deliver_all(app, 1)
    assert fake_telegram.texts(501) == ["Laporan diterima"]
    assert [c.status for c in fake_telegram.sent(501, include_failed=True)] == [500, 500, 200]
    await app.close()


async def test_a_user_who_blocked_the_bot_is_marked_unreachable(db_url, fake_telegram, texts):
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    async with app.db.transaction() as session:
        user = User(name="Siti", role="petugas", active=True, locale="id", created_at=START)
        session.add(user)
        await session.flush()
        session.add(ChannelIdentity(channel="telegram", external_id="501", user_id=user.id))
    fake_telegram.fail_chat(501, 403)
    await enqueue(app, [Outgoing("telegram", "501", "Pengingat")])
    await deliver_all(app, 1)
    async with app.db.transaction() as session:
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
        row = (await session.execute(select(Outbox))).scalar_one()
    assert (row.status, row.attempts, ident.unreachable) == ("failed", 1, True)
    await app.close()


@pytest.mark.slow  # waits out real rate limits and back-offs
async def test_long_texts_and_files_are_shown_whole(db_url, fake_telegram, texts, tmp_path: Path):
    app = telegram_app(db_url, fake_telegram, texts, LiveClock(START))
    export = tmp_path / "rekap-november.xlsx"
    export.write_bytes(b"PK\x03\x04" + b"0" * 2048)
    long = "\n".join(f"Desa {n}: 12 balita ditimbang" for n in range(400))
    await enqueue(
        app,
        [
            Outgoing("telegram", "501", long),
            Outgoing("telegram", "501", "Rekap November", document=str(export)),
            Outgoing("telegram", "501", "Grafik", photo="AgACAgUAAxkBAAIB"),
        ],
    )
    await deliver_all(app, 3)
    sends = fake_telegram.sent(501)
    assert [c.method for c in sends] == [
        "sendMessage",
        "sendMessage",
        "sendMessage",
        "sendDocument",
        "sendPhoto",
    ]
    assert "\n".join(c.params["text"] for c in sends[:3]) == long
    assert sends[3].params["document"] == {"filename": "rekap-november.xlsx", "size": 2052}
    assert (sends[3].params["caption"], sends[4].params["photo"]) == (
        "Rekap November",
        "AgACAgUAAxkBAAIB",
    )
    await app.close()
