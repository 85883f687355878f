"""POST /whatsapp/webhook with payloads shaped as Meta documents them, and the GET handshake."""

import json

import pytest
from sqlalchemy import func, select

from bot.channels.whatsapp.wire import parse
from db.models import ChannelIdentity, Outbox, ProcessedInbound
from fakes.graph_api import (
    sign,
    wa_button_reply,
    wa_envelope,
    wa_image,
    wa_list_reply,
    wa_location,
    wa_status,
    wa_text,
)

from tests.whatsapp_support import SECRET, VERIFY, said


async def count(db, model, *where) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


# --- the handshake and the signature -------------------------------------------------------


async def test_meta_verifies_the_callback_url_with_our_verify_token(whatsapp):
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = await whatsapp.http.get("/whatsapp/webhook", params=query)
    assert (response.status_code, response.text) == (200, "1158201444")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
async def test_a_wrong_token_or_mode_gets_no_challenge(whatsapp, query):
    response = await whatsapp.http.get("/whatsapp/webhook", params=query)
    assert response.status_code == 403 and "1" not in response.text


@pytest.mark.parametrize("secret", [None, "someone-elses-secret"])
async def test_a_post_without_a_valid_signature_is_refused_and_nothing_is_processed(
    whatsapp, db, graph, secret
):
    payload = wa_envelope([wa_text("6281200000001", "halo")])
    response = await whatsapp.post(payload, secret=secret)
    assert response.status_code == 403
    await whatsapp.deliver()
    assert await count(db, ProcessedInbound) == 0
    assert graph.messages() == []


async def test_the_signature_covers_the_raw_bytes_not_the_json(whatsapp, db):
    body = json.dumps(wa_envelope([wa_text("6281200000001", "halo")])).encode()
    reformatted = json.dumps(json.loads(body), indent=2).encode()
    headers = {"X-Hub-Signature-256": sign(body, SECRET)}
    response = await whatsapp.http.post("/whatsapp/webhook", content=reformatted, headers=headers)
    assert response.status_code == 403
    assert await count(db, ProcessedInbound) == 0


# --- messages ------------------------------------------------------------------------------


async def test_one_payload_with_several_messages_from_several_people_answers_each(
    whatsapp, graph, db
):
    payload = wa_envelope(
        [
            wa_text("6281200000001", "halo", name="Ani"),
            wa_text("6281200000002", "selamat pagi", name="Budi"),
            wa_text("6281200000001", "apa kabar", name="Ani"),
        ]
    )
    assert (await whatsapp.post(payload)).status_code == 200
    await whatsapp.deliver()
    assert await count(db, ProcessedInbound, ProcessedInbound.channel == "whatsapp") == 3
    assert len(graph.messages("6281200000001")) == 2
    assert "DAFTAR" in said(graph.messages("6281200000002"))


async def test_a_redelivered_message_is_handled_once(whatsapp, graph, db):
    message = wa_text("6281200000003", "halo", wamid="wamid.HBgLNjI4MTIwMDAwMDAwMxUCABIYFjNF")
    for _ in range(3):
        assert (await whatsapp.post(wa_envelope([message]))).status_code == 200
    await whatsapp.deliver()
    assert len(graph.messages("6281200000003")) == 1
    assert await count(db, ProcessedInbound) == 1


def test_every_documented_message_type_becomes_the_cores_message():
    payload = wa_envelope(
        [
            wa_text("628101", "halo", user_id="ID.1234567890"),
            wa_button_reply("628101", "v1:3:0", "Ya", context_id="wamid.prev"),
            wa_list_reply("628101", "v1:3:4", "Desa Sumber Urip", "Kec. Selupu Rejang"),
            wa_location("628101", -3.4606, 102.5275, name="Posyandu Mawar"),
            wa_image("628101", "1479537139650973", caption="Kegiatan posyandu"),
        ]
    )
    text, button, row, place, photo = parse(payload).messages
    assert (text.chat_id, text.phone, text.inbound.text) == ("ID.1234567890", "628101", "halo")
    assert (text.display_name, text.channel) == ("Siti", "whatsapp")
    assert (button.callback, row.callback) == ("v1:3:0", "v1:3:4")
    assert (place.inbound.location.latitude, place.inbound.location.longitude) == (
        -3.4606,
        102.5275,
    )
    assert (photo.inbound.photo.file_id, photo.inbound.photo.caption) == (
        "1479537139650973",
        "Kegiatan posyandu",
    )
    assert len({m.external_id for m in (text, button, row, place, photo)}) == 5


def test_a_shared_contact_card_gives_its_number():
    message = wa_text("628101", "")
    message.update(
        type="contacts",
        contacts=[
            {
                "name": {"formatted_name": "Bidan Rina"},
                "phones": [{"phone": "+62 812-1", "wa_id": "628121"}],
            }
        ],
    )
    del message["text"]
    (incoming,) = parse(wa_envelope([message])).messages
    assert (incoming.inbound.contact.phone, incoming.inbound.contact.name) == (
        "628121",
        "Bidan Rina",
    )


async def test_an_unsupported_message_gets_a_polite_reply(whatsapp):
    person = whatsapp.person("6281200000004")
    voice = wa_text("6281200000004", "")
    voice.update(type="audio", audio={"id": "998877", "mime_type": "audio/ogg; codecs=opus"})
    del voice["text"]
    assert await person.post(voice) == [
        "Maaf, jenis pesan ini belum didukung. Silakan ketik pesan Bapak/Ibu."
    ]


# --- statuses ------------------------------------------------------------------------------


async def _sent_row(whatsapp, db, wa_id: str) -> Outbox:
    await whatsapp.person(wa_id).send("halo")
    async with db.transaction() as session:
        return (await session.execute(select(Outbox).where(Outbox.chat_id == wa_id))).scalar_one()


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
async def test_sent_delivered_and_read_keep_the_row_sent(whatsapp, db, status):
    row = await _sent_row(whatsapp, db, "6281200000005")
    report = wa_envelope(statuses=[wa_status(row.provider_message_id, status, "6281200000005")])
    assert (await whatsapp.post(report)).status_code == 200
    async with db.transaction() as session:
        assert (await session.get(Outbox, row.id)).status == "sent"


async def test_a_failed_status_for_an_unreachable_number_fails_the_row_and_marks_the_chat(
    whatsapp, db, invite
):
    person = whatsapp.person("6281200000006")
    await person.send(f"DAFTAR {await invite('kader')}")
    await person.send("Rina")
    await person.press("Ya")
    async with db.transaction() as session:
        row = (await session.execute(select(Outbox).order_by(Outbox.id.desc()))).scalars().first()
    error = [{"code": 131026, "title": "Message undeliverable"}]
    report = wa_envelope(
        statuses=[wa_status(row.provider_message_id, "failed", "6281200000006", errors=error)]
    )
    assert (await whatsapp.post(report)).status_code == 200
    async with db.transaction() as session:
        assert (await session.get(Outbox, row.id)).status == "failed"
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
    assert ident.unreachable
