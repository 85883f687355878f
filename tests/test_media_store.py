"""Evidence that outlives the platform: an inbound photo is fetched after its turn, checked by its
content, kept in the media store without its location, and shown to the kades on any channel."""

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.channels.send_thread import SendThread
from bot.channels.telegram import send as telegram_send
from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.delivery import WhatsAppDelivery
from bot.media_fetch import telegram_fetch, whatsapp_fetch
from bot.media_store import DirectoryStore
from db import queries
from db.models import AuditEvent, MediaItem, Outbox
from handlers.core import media
from handlers.core.media_check import GPS_TAG, location_of
from handlers.core.outbox import OutboxWorker
from handlers.core.outgoing import Outgoing

TOKEN, PHONE_ID, KADES_CHAT = "123456:TEST", "1234567890", "7001"
SHOWN = frozenset({"telegram", "whatsapp"})  # the channels media is fetched from


def receipt_photo(with_gps: bool = True, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 180, 40))
    exif = Image.Exif()
    if with_gps:  # where the petugas stood: Curup, Rejang Lebong
        exif[GPS_TAG] = {1: "S", 2: (3.0, 28.0, 12.0), 3: "E", 4: (102.0, 31.0, 48.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def sent_in(db, channel: str, chat_id: str, file_id: str, clock) -> None:
    """What the turn does when a photo arrives: one row, in the turn's transaction."""
    async with db.transaction() as session:
        await media.note(session, channel, chat_id, file_id, clock())


async def item(db, file_id: str) -> MediaItem:
    async with db.transaction() as session:
        stmt = select(MediaItem).where(MediaItem.file_id == file_id)
        return (await session.execute(stmt)).scalar_one()


async def notice_to_kades(
    db, runtime, clock, store, telegram, tmp_path, text, file_id, channel="whatsapp"
) -> OutboxWorker:
    """A notice to a Telegram kades showing a stored file; the sender that delivers it."""
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", SHOWN)
    notice = replace(
        Outgoing("telegram", KADES_CHAT, text), build=media.attachment(channel, file_id)
    )
    async with db.transaction() as session:
        await queries.add_outbox(
            session,
            channel="telegram",
            chat_id=KADES_CHAT,
            payload=notice.to_json(),
            kind="dana_info",
            now=clock(),
        )
    return OutboxWorker(db, {"telegram": telegram}, clock, finish=runtime.finish)


@pytest.fixture
def store(tmp_path) -> DirectoryStore:
    return DirectoryStore(tmp_path / "media")


@pytest.fixture
async def wa_client(graph):
    client = WhatsAppClient(graph.base_url, "test-token", PHONE_ID)
    yield client
    await client.close()


@pytest.fixture
async def telegram(fake_telegram):
    client = telegram_send.client(TOKEN, fake_telegram.url)
    sender = telegram_send.TelegramSender(client.bot, str, client, SendThread("test-send"))
    yield sender
    await sender.close()


async def test_a_whatsapp_receipt_photo_reaches_a_telegram_kades_without_its_location(
    db, runtime, texts, clock, graph, wa_client, store, telegram, fake_telegram, tmp_path
):
    photo = receipt_photo(with_gps=True)
    media_id = graph.add_media(photo, "image/jpeg")
    await sent_in(db, "whatsapp", "6281234567890", media_id, clock)
    delivery = WhatsAppDelivery(wa_client, None, texts, clock)
    fetching = media.MediaWorker(db, {"whatsapp": whatsapp_fetch(delivery)}, store, clock, texts)

    assert await fetching.drain() == 1

    kept = await item(db, media_id)
    assert kept.status == "stored" and kept.mime == "image/jpeg"
    stored = Path(store.where(kept.key)).read_bytes()
    assert location_of(photo) is not None and location_of(stored) is None
    async with db.transaction() as session:
        audit = (await session.execute(select(AuditEvent.reason))).scalars().all()
    assert any(kept.sha256 in reason for reason in audit)  # the hash is in the audit trail

    text = "Realisasi DD-0001: kuitansi terlampir."
    sender = await notice_to_kades(db, runtime, clock, store, telegram, tmp_path, text, media_id)
    await sender.drain()

    [call] = fake_telegram.sent(int(KADES_CHAT))
    assert call.method == "sendPhoto"
    assert call.params["photo"]["size"] == len(stored)  # the stored bytes, uploaded
    assert call.params["caption"] == "Realisasi DD-0001: kuitansi terlampir."


async def test_a_photo_the_kades_should_see_waits_until_it_is_fetched(
    db, runtime, texts, clock, store, telegram, fake_telegram, tmp_path
):
    fake_telegram.add_file("AgACphoto1", receipt_photo())
    await sent_in(db, "telegram", "5001", "AgACphoto1", clock)
    sender = await notice_to_kades(
        db, runtime, clock, store, telegram, tmp_path, "Kuitansi", "AgACphoto1", "telegram"
    )

    await sender.drain()
    assert fake_telegram.sent(int(KADES_CHAT)) == []  # not yet fetched: the notice waits

    fetching = media.MediaWorker(db, {"telegram": telegram_fetch(telegram)}, store, clock, texts)
    await fetching.drain()
    clock.advance(seconds=5)
    await sender.drain()
    assert [c.method for c in fake_telegram.sent(int(KADES_CHAT))] == ["sendPhoto"]


async def test_a_download_failing_three_times_is_retried_later_and_blocks_nothing(
    db, texts, clock, store, telegram, fake_telegram, outbox
):
    fake_telegram.add_file("AgACslow", receipt_photo())
    fake_telegram.add_file("AgACfine", receipt_photo(with_gps=False))
    await sent_in(db, "telegram", "5002", "AgACslow", clock)
    await sent_in(db, "telegram", "5003", "AgACfine", clock)
    fake_telegram.fail_file("AgACslow", times=3)  # its downloads answer 500 three times
    fetching = media.MediaWorker(
        db, {"telegram": telegram_fetch(telegram)}, store, clock, texts, batch=1
    )

    await fetching.run_once()  # the slow one fails (again in 30 s)
    clock.advance(minutes=1)
    await fetching.run_once()  # the other one, due longer, goes first
    await fetching.run_once()  # the slow one fails again (again in 1 min)
    clock.advance(minutes=2)
    await fetching.run_once()  # and a third time (again in 2 min)
    slow, fine = await item(db, "AgACslow"), await item(db, "AgACfine")
    assert (slow.status, slow.attempts) == ("pending", 3)
    assert slow.next_attempt_at > clock()  # later, not now
    assert fine.status == "stored"  # the other one was not held up
    async with db.transaction() as session:
        assert (await session.execute(select(Outbox))).first() is None  # no message about it

    clock.advance(hours=1)
    await fetching.drain()
    assert (await item(db, "AgACslow")).status == "stored"


@pytest.mark.parametrize(
    "name, content",
    [
        ("oversized", receipt_photo(size=(10, 10)) + b"\0" * (10 * 1024 * 1024)),
        ("executable", b"MZ\x90\x00" + b"\0" * 1000),  # a Windows program named kuitansi.jpg
        ("forged image", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20),
    ],
)
async def test_an_oversized_or_executable_file_is_refused_in_indonesian(
    db, texts, clock, store, graph, wa_client, outbox, name, content
):
    media_id = graph.add_media(content, "image/jpeg")
    await sent_in(db, "test", "5004", media_id, clock)
    delivery = WhatsAppDelivery(wa_client, None, texts, clock)
    fetching = media.MediaWorker(db, {"test": whatsapp_fetch(delivery)}, store, clock, texts)

    await fetching.drain()
    await outbox.drain()

    assert (await item(db, media_id)).status == "refused"
    [told] = [o.text for o in outbox.to("5004")]
    assert told.startswith("Maaf")
    assert ("10 MB" in told) == (name == "oversized")
    assert not list(Path(store.root).rglob("*.jpg"))  # nothing kept


async def test_a_bucket_keeps_the_photo_as_a_directory_would(db, texts, clock, graph, wa_client):
    """MEDIA_S3_URL: several web machines share one bucket (moto's S3 server on 127.0.0.1)."""
    import boto3
    from moto.server import ThreadedMotoServer

    from bot.media_store import S3Store
    from fakes.server import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        url, keys = f"http://127.0.0.1:{port}", {"access_key": "test", "secret_key": "test"}
        boto3.client(
            "s3",
            endpoint_url=url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        ).create_bucket(Bucket="ilpbot-media")
        bucket = S3Store(f"{url}/ilpbot-media", keys["access_key"], keys["secret_key"], "us-east-1")
        photo = receipt_photo()
        media_id = graph.add_media(photo, "image/jpeg")
        await sent_in(db, "whatsapp", "6281234567891", media_id, clock)
        delivery = WhatsAppDelivery(wa_client, None, texts, clock)
        fetching = media.MediaWorker(
            db, {"whatsapp": whatsapp_fetch(delivery)}, bucket, clock, texts
        )

        await fetching.drain()

        kept = await item(db, media_id)
        assert bucket.where(kept.key).startswith("s3://ilpbot-media/whatsapp/")
        stored = await bucket.get(kept.key)
        assert len(stored) == kept.size and location_of(stored) is None
    finally:
        server.stop()
