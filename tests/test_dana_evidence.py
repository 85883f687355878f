"""A request's RAB photo is evidence: fetched after the turn into the media store, listed on
/dana with its hash, and shown to the kades from the store."""

import io
from pathlib import Path

from clock_steps import message
from clock_steps import outbox as outbox_rows
from dana_steps import FOGGING, people
from PIL import Image
from report_steps import K2, K2_ANSWERS, answer, choose
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


async def ask_with_rab(siti, rab: Photo) -> None:
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    await siti.send(FOGGING)
    await siti.send("2 kali fogging di 2 RT")
    await siti.send("120")
    await siti.send("2,5 juta")
    await siti.send("Desember")
    await siti.press("Posyandu / kader")
    await siti.send(photo=rab)
    await siti.press("Kirim")


async def kept_by_worker(db, texts, clock, graph, store, media_id, data, mime) -> None:
    graph.add_media(data, mime, media_id=media_id)
    client = WhatsAppClient(graph.base_url, "test-token", "1234567890")
    fetch = whatsapp_fetch(WhatsAppDelivery(client, None, texts, clock))
    await media.MediaWorker(db, {"test": fetch}, store, clock, texts).drain()
    await client.close()


async def test_the_rab_photo_rides_with_the_request_and_is_shown_once_it_is_kept(
    registered, outbox, db, runtime, texts, clock, graph, tmp_path
):
    siti, budi, _ = await people(registered)
    await ask_with_rab(siti, Photo("rab-1", "RAB fogging"))

    async with db.transaction() as session:
        [noted] = (await session.execute(select(MediaItem))).scalars().all()
    assert (noted.file_id, noted.status) == ("rab-1", "pending")
    assert noted.user_id is not None  # who sent it, for the audit
    [asked] = await outbox_rows(db, "dana_kades")  # shown to the kades from the store
    assert message(asked).build == media.attachment("test", "rab-1")
    [shown] = await budi.send("/dana DD-2026-1")
    assert "Foto RAB: masih diunduh" in shown

    store = DirectoryStore(tmp_path / "media")
    await kept_by_worker(db, texts, clock, graph, store, "rab-1", receipt(), "image/jpeg")
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", frozenset({"test"}))

    words, caption = await budi.send("/dana DD-2026-1")
    async with db.transaction() as session:
        kept = await media.by_file_id(session, "rab-1")
    assert f"Foto RAB: tersimpan (sha256 {kept.sha256[:12]}…)" in words
    assert caption == "Foto RAB DD-2026-1"
    assert budi.last[1].photo is not None and budi.last[1].photo.endswith(".jpg")


async def test_a_rab_sent_as_a_pdf_reaches_the_kades_as_a_document(
    registered, outbox, db, runtime, texts, clock, graph, tmp_path
):
    siti, budi, _ = await people(registered)
    await ask_with_rab(siti, Photo("rab-pdf", "RAB fogging"))
    store = DirectoryStore(tmp_path / "media")
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    await kept_by_worker(db, texts, clock, graph, store, "rab-pdf", pdf, "application/pdf")
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", frozenset({"test"}))

    await budi.send("/dana DD-2026-1")
    shown = budi.last[1]
    assert shown.photo is None and shown.document.endswith(".pdf")
    assert Path(shown.document).read_bytes() == pdf


async def test_a_program_sent_outside_any_form_is_refused_in_indonesian(registered, db):
    siti = await registered("petugas", "5101", "Siti Aminah")
    [told] = await siti.send(refused_file="type")
    assert told.startswith("Maaf, hanya foto dan berkas PDF yang dapat disimpan. Silakan kirim")
    async with db.transaction() as session:
        assert (await session.execute(select(MediaItem))).first() is None  # nothing to fetch


async def test_a_report_photo_keeps_its_place_and_a_rab_photo_does_not(registered, db):
    """A report asks for the place of the activity anyway (its location pin): its photo may
    keep where it was taken. A RAB photo is shown to a kades: its location is removed."""
    siti, _, _ = await people(registered)
    await choose(siti, K2, "Hari ini", desa=None)
    await siti.press("Dalam gedung puskesmas")
    await answer(siti, *K2_ANSWERS.values(), "Lewati")
    await siti.send(photo=Photo("kegiatan-1", "Posyandu Mawar"))
    await ask_with_rab(siti, Photo("rab-2", "RAB fogging"))
    async with db.transaction() as session:
        items = (await session.execute(select(MediaItem))).scalars().all()
    assert {i.file_id: i.keep_location for i in items} == {"kegiatan-1": True, "rab-2": False}
