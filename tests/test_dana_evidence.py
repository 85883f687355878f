"""A request's RAB photo is evidence: fetched after the turn into the media store, listed on
/dana with its hash, and shown to the kades from the store."""

import io

from clock_steps import message
from clock_steps import outbox as outbox_rows
from dana_steps import FOGGING, people
from PIL import Image
from sqlalchemy import select

from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.delivery import WhatsAppDelivery
from bot.media_fetch import whatsapp_fetch
from bot.media_store import DirectoryStore
from conversations.model import Photo
from db.models import MediaItem
from handlers.core import media


def receipt() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 240)).save(out, format="JPEG")
    return out.getvalue()


async def test_the_rab_photo_rides_with_the_request_and_is_shown_once_it_is_kept(
    registered, outbox, db, runtime, texts, clock, graph, tmp_path
):
    siti, budi, _ = await people(registered)
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    await siti.send(FOGGING)
    await siti.send("2 kali fogging di 2 RT")
    await siti.send("120")
    await siti.send("2,5 juta")
    await siti.send("Desember")
    await siti.press("Posyandu / kader")
    await siti.send(photo=Photo("rab-1", "RAB fogging"))
    await siti.press("Kirim")

    async with db.transaction() as session:
        [noted] = (await session.execute(select(MediaItem))).scalars().all()
    assert (noted.file_id, noted.status) == ("rab-1", "pending")
    assert noted.user_id is not None  # who sent it, for the audit
    [asked] = await outbox_rows(db, "dana_kades")  # shown to the kades from the store
    assert message(asked).build == media.attachment("test", "rab-1")
    [shown] = await budi.send("/dana DD-2026-1")
    assert "Foto RAB: masih diunduh" in shown

    store = DirectoryStore(tmp_path / "media")
    graph.add_media(receipt(), "image/jpeg", media_id="rab-1")
    client = WhatsAppClient(graph.base_url, "test-token", "1234567890")
    fetch = whatsapp_fetch(WhatsAppDelivery(client, None, texts, clock))
    await media.MediaWorker(db, {"test": fetch}, store, clock, texts).drain()
    await client.close()
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", frozenset({"test"}))

    words, caption = await budi.send("/dana DD-2026-1")
    async with db.transaction() as session:
        kept = await media.by_file_id(session, "rab-1")
    assert f"Foto RAB: tersimpan (sha256 {kept.sha256[:12]}…)" in words
    assert caption == "Foto RAB DD-2026-1"
    assert budi.last[1].photo is not None and budi.last[1].photo.endswith(".jpg")
