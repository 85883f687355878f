"""The receipt of a realisation is evidence: fetched after the turn into the media store, listed
on /dana with its hash, and shown to the kades from the store."""

import io

from dana_steps import ask_for_dana, people
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


async def test_the_kades_reads_the_receipt_on_dana_once_it_is_kept(
    registered, outbox, db, runtime, texts, clock, graph, tmp_path
):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press("Setujui")
    await budi.press("Ya")
    await outbox.drain()
    outbox.read(siti)
    await siti.press("Catat realisasi")
    await siti.send("1.950.000")
    await siti.send("kemarin")
    await siti.send(photo=Photo("kuitansi-1", "kuitansi fogging"))
    await siti.press("Kirim")

    async with db.transaction() as session:
        [noted] = (await session.execute(select(MediaItem))).scalars().all()
    assert (noted.file_id, noted.status) == ("kuitansi-1", "pending")
    assert noted.user_id is not None  # who sent it, for the audit
    [shown] = await budi.send("/dana DD-2026-1")
    assert "Foto kuitansi: masih diunduh" in shown

    store = DirectoryStore(tmp_path / "media")
    graph.add_media(receipt(), "image/jpeg", media_id="kuitansi-1")
    client = WhatsAppClient(graph.base_url, "test-token", "1234567890")
    fetch = whatsapp_fetch(WhatsAppDelivery(client, None, texts, clock))
    await media.MediaWorker(db, {"test": fetch}, store, clock, texts).drain()
    await client.close()
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", frozenset({"test"}))

    words, caption = await budi.send("/dana DD-2026-1")
    async with db.transaction() as session:
        kept = await media.by_file_id(session, "kuitansi-1")
    assert f"Foto kuitansi: tersimpan (sha256 {kept.sha256[:12]}…)" in words
    assert caption == "Foto kuitansi DD-2026-1"
    assert budi.last[1].photo is not None and budi.last[1].photo.endswith(".jpg")
