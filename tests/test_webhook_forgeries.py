"""Payloads only a forger could send (someone holding a leaked secret, or a broken proxy), through
both real webhooks on both databases: each is answered 4xx and leaves nothing behind, never a
500, which the platform would take as "send it again" and a forger as a way to load the server.
PostgreSQL refuses a NUL and an overlong value where SQLite stores them, hence both backends."""

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from db.models import Outbox, ProcessedInbound
from fakes.graph_api import sign, wa_envelope, wa_status, wa_text

from tests.telegram_support import SECRET as TG_SECRET
from tests.whatsapp_support import SECRET as WA_SECRET

Json = dict[str, Any]
WA_ID = "6281200000001"
DEEP = b"[" * 100_000 + b"]" * 100_000  # beyond json's recursion limit
INNER = "[" * 500 + "]" * 500  # within it, but no platform nests anything this deep


def raw(value: Any) -> bytes:
    return json.dumps(value).encode()


def wa(**changes: Any) -> bytes:
    """A signed-looking text message from WA_ID, with some fields forged."""
    message = dict(wa_text(WA_ID, "halo")) | changes
    return raw(wa_envelope([message]))


def wa_message(kind: str, content: Any) -> bytes:
    message = {"from": WA_ID, "id": "wamid.forged", "timestamp": "1764000000", "type": kind}
    return raw(wa_envelope([message | {kind: content}]))


def wa_statuses(*statuses: Json) -> bytes:
    return raw(wa_envelope(statuses=list(statuses)))


WHATSAPP = {
    "text-as-object": wa(text={"body": {"text": "halo"}}),
    "text-as-list": wa(text={"body": ["halo"]}),
    "caption-as-object": wa_message("image", {"id": "1479", "caption": {"x": 1}}),
    "timestamp-infinite": wa(timestamp=float("inf")),
    "timestamp-nan": wa(timestamp=float("nan")),
    "timestamp-huge": wa(timestamp=10**20),
    "timestamp-beyond-9999": wa(timestamp=str(10**12)),
    "deep-json": DEEP,
    "deep-inside-a-message": wa(text={"body": "x"}).replace(b'"x"', INNER.encode()),
    "nul-in-message-id": wa(id="wamid.HBgL\x00"),
    "nul-in-sender": wa(**{"from": "62812\x00"}),
    "nul-in-user-id": wa(from_user_id="ID.12\x00"),
    "overlong-message-id": wa(id="wamid." + "A" * 300),
    "overlong-sender": wa(**{"from": "6" * 300}),
    "sender-as-object": wa(**{"from": {"wa_id": WA_ID}}),
    "latitude-infinite": wa_message("location", {"latitude": "inf", "longitude": 102.5}),
    "latitude-out-of-range": wa_message("location", {"latitude": 1000, "longitude": 102.5}),
    "status-nul-id": wa_statuses(wa_status("wamid.\x00", "sent", WA_ID)),
    "status-nul-recipient": wa_statuses(wa_status("wamid.1", "sent", "628\x00")),
    "status-code-infinite": wa_statuses(
        wa_status("wamid.1", "failed", WA_ID, errors=[{"code": float("inf")}])
    ),
    "status-code-huge": wa_statuses(
        wa_status("wamid.1", "failed", WA_ID, errors=[{"code": 10**40}])
    ),
}


def tg(**changes: Any) -> bytes:
    """A private text message, with some fields forged."""
    chat = {"id": 501, "type": "private", "first_name": "Siti"}
    sender = {"id": 501, "is_bot": False, "first_name": "Siti"}
    message = {"message_id": 1, "date": 1764000000, "chat": chat, "from": sender, "text": "halo"}
    return raw({"update_id": 9001, "message": message | changes})


def tg_press(**changes: Any) -> bytes:
    sender = {"id": 501, "is_bot": False, "first_name": "Siti"}
    shown = {"message_id": 1, "date": 1764000000, "chat": {"id": 501, "type": "private"}}
    query = {"id": "77", "from": sender, "chat_instance": "1", "data": "v1:1:0", "message": shown}
    return raw({"update_id": 9002, "callback_query": query | changes})


TELEGRAM = {
    "text-as-object": tg(text={"text": "halo"}),
    "text-as-list": tg(text=["halo"]),
    "caption-as-object": tg(text=None, photo=[], caption={"x": 1}),
    "date-infinite": tg(date=float("inf")),
    "date-nan": tg(date=float("nan")),
    "date-huge": tg(date=10**20),
    "deep-json": DEEP,
    "deep-inside-a-message": tg(text="x").replace(b'"x"', INNER.encode()),
    "update-id-as-text-with-nul": raw(
        {"update_id": "9\x00", "message": json.loads(tg())["message"]}
    ),
    "chat-id-infinite": tg(chat={"id": float("inf"), "type": "private"}),
    "chat-id-as-text": tg(chat={"id": "501\x00", "type": "private"}),
    "chat-id-overlong": tg(chat={"id": 10**150, "type": "private"}),
    "press-data-as-object": tg_press(data={"x": 1}),
    "press-id-nul": tg_press(id="7\x00"),
}


async def nothing_stored(db) -> bool:
    async with db.transaction() as session:
        seen = await session.scalar(select(func.count()).select_from(ProcessedInbound))
        sent = await session.scalar(select(func.count()).select_from(Outbox))
    return seen == sent == 0


@pytest.mark.parametrize("body", WHATSAPP.values(), ids=WHATSAPP.keys())
async def test_a_forged_whatsapp_payload_is_a_4xx(whatsapp, db, body):
    headers = {"X-Hub-Signature-256": sign(body, WA_SECRET), "content-type": "application/json"}
    response = await whatsapp.http.post("/whatsapp/webhook", content=body, headers=headers)
    assert response.status_code == 400
    assert await nothing_stored(db)


@pytest.mark.parametrize("body", TELEGRAM.values(), ids=TELEGRAM.keys())
async def test_a_forged_telegram_update_is_a_4xx(telegram_web, body):
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "content-type": "application/json"}
    response = await telegram_web.http.post("/telegram/webhook", content=body, headers=headers)
    assert response.status_code == 400
    assert await nothing_stored(telegram_web.app.db)


NOT_ASCII = ["sha256=é".encode("latin-1"), "sha256=é".encode(), "sha256=☃".encode(), b"\xff"]


@pytest.mark.parametrize("header", NOT_ASCII, ids=["latin-1", "utf-8", "snowman", "byte-ff"])
async def test_a_signature_or_secret_that_is_not_ascii_is_a_403(whatsapp, telegram_web, header):
    body = wa()
    response = await whatsapp.http.post(
        "/whatsapp/webhook", content=body, headers={"X-Hub-Signature-256": header}
    )
    assert response.status_code == 403
    response = await telegram_web.http.post(
        "/telegram/webhook", content=tg(), headers={"X-Telegram-Bot-Api-Secret-Token": header}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("number", ["62\x00812", "6" * 200], ids=["nul", "overlong"])
async def test_a_contact_card_with_an_odd_number_is_answered(whatsapp, telegram_web, number):
    """A shared contact card carries what a phone book holds, so it is the person's words, not
    a forgery: answered (200) with its control characters gone, and an identity keeps no phone
    number longer than its column (PostgreSQL refused both: a 500 on every redelivery)."""
    card = [{"name": {"formatted_name": "Bu\x00di"}, "phones": [{"phone": number}]}]
    body = wa_message("contacts", card)
    headers = {"X-Hub-Signature-256": sign(body, WA_SECRET), "content-type": "application/json"}
    response = await whatsapp.http.post("/whatsapp/webhook", content=body, headers=headers)
    assert response.status_code == 200
    own = {"phone_number": number, "first_name": "Siti", "user_id": 501}
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "content-type": "application/json"}
    body = tg(text=None, contact=own)
    response = await telegram_web.http.post("/telegram/webhook", content=body, headers=headers)
    assert response.status_code == 200
