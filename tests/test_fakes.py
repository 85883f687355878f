"""The platform fakes behave like Telegram / Meta at the HTTP boundary."""

import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from fakes.graph_api import (
    FakeGraphApi,
    sign,
    wa_button_reply,
    wa_envelope,
    wa_location,
    wa_status,
    wa_text,
)
from fakes.telegram_api import FakeBotApi

KB = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes")]])


@pytest.fixture
def tg() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    with FakeGraphApi(token="tok") as fake:
        yield fake


def _buttons(*titles: str) -> dict:
    buttons = [
        {"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)
    ]
    interactive = {"type": "button", "body": {"text": "Pilih"}, "action": {"buttons": buttons}}
    return {
        "messaging_product": "whatsapp",
        "to": "628123",
        "type": "interactive",
        "interactive": interactive,
    }


async def test_ptb_bot_round_trip(tg: FakeBotApi) -> None:
    async with telegram.Bot(token="123:ABC", base_url=tg.base_url) as bot:
        assert (await bot.get_me()).username == "ilp_test_bot"
        sent = await bot.send_message(42, "Halo", reply_markup=KB)
        assert (sent.message_id, sent.chat.type, sent.text) == (1, "private", "Halo")
        assert sent.reply_markup == KB
        wire = tg.sent(42)[0].params["reply_markup"]
        assert wire == {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}

        first = tg.push_message(42, "/start")
        updates = await bot.get_updates(timeout=1)
        assert [u.update_id for u in updates] == [first["update_id"]]
        assert updates[0].message.text == "/start" and updates[0].message.message_id == 2
        assert updates[0].message.entities[0].type == "bot_command"

        # Confirmed by offset, yet a redelivery still arrives exactly once more.
        offset = first["update_id"] + 1
        tg.redeliver(first["update_id"])
        assert [u.update_id for u in await bot.get_updates(offset=offset)] == [offset - 1]
        assert await bot.get_updates(offset=offset) == ()
        tg.push_callback(42, "yes", message_id=sent.message_id)
        (cb,) = await bot.get_updates(offset=offset, timeout=1)
        assert (cb.update_id, cb.callback_query.data) == (offset, "yes")
        assert cb.callback_query.message.text == "Halo"
    assert tg.texts(42) == ["Halo"]
    # Bot.initialize() calls getMe before our explicit get_me().
    assert [c.method for c in tg.calls[:3]] == ["getMe", "getMe", "sendMessage"]


async def test_ptb_sees_platform_errors(tg: FakeBotApi) -> None:
    tg.fail_next("sendMessage", 429, retry_after=7)
    tg.fail_chat(43)
    async with telegram.Bot(token="123:ABC", base_url=tg.base_url) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(42, "a")
        assert flood.value.retry_after == timedelta(seconds=7)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(43, "b")
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(42, "x" * 4097)
        await bot.send_message(42, "c")
    assert tg.texts(42) == ["c"] and tg.texts(43) == []
    assert [c.status for c in tg.sent(include_failed=True)] == [429, 403, 400, 200]
    assert tg.violations == ["sendMessage: Bad Request: message is too long (4097 > 4096 chars)"]


async def test_rate_violations_flag_private_chat_bursts(tg: FakeBotApi) -> None:
    async with telegram.Bot(token="123:ABC", base_url=tg.base_url) as bot:
        for i in range(3):
            await bot.send_message(42, f"m{i}")
        assert tg.rate_violations() == []
        await bot.send_message(42, "m3")
    (violation,) = tg.rate_violations()
    assert violation.startswith("chat 42: 4 sends in 1s window")


def test_graph_rejects_long_button_title(graph: FakeGraphApi) -> None:
    too_long = "button[1].title 'xxxxxxxxxxxxxxxxxxxxx' is 21 chars (max 20)"
    with httpx.Client(base_url=graph.base_url, headers={"Authorization": "Bearer tok"}) as client:
        resp = client.post("/1234567890/messages", json=_buttons("OK", "x" * 21))
        assert resp.status_code == 400
        error = resp.json()["error"]
        assert (error["code"], error["type"]) == (100, "OAuthException")
        assert error["error_data"]["details"] == too_long
        assert graph.violations == [too_long]

        ok = client.post("/1234567890/messages", json=_buttons("Ya", "Tidak", "x" * 20))
        assert ok.status_code == 200
        assert ok.json()["contacts"] == [{"input": "628123", "wa_id": "628123"}]
        assert ok.json()["messages"][0]["id"].startswith("wamid.")
        bad_auth = client.post("/1/messages", json=_buttons("Ya"), headers={"Authorization": "x"})
        assert (bad_auth.status_code, bad_auth.json()["error"]["code"]) == (401, 190)
    (accepted,) = graph.messages(to="628123")
    assert accepted["interactive"]["action"]["buttons"][1]["reply"]["title"] == "Tidak"
    assert len(graph.violations) == 1


def test_graph_window_and_envelope(graph: FakeGraphApi) -> None:
    graph.outside_window("628123")
    text = {"messaging_product": "whatsapp", "to": "628123", "type": "text", "text": {"body": "hi"}}
    template = {
        **text,
        "type": "template",
        "template": {"name": "hello", "language": {"code": "id"}},
    }
    auth = {"Authorization": "Bearer tok"}
    url = f"{graph.base_url}/1234567890/messages"
    assert httpx.post(url, json=text, headers=auth).json()["error"]["code"] == 131047
    assert httpx.post(url, json=template, headers=auth).status_code == 200

    msgs = [wa_text("628123", "halo", ts=1700000000), wa_location("628124", -3.4, 102.5)]
    reply = wa_button_reply("628123", "b0", "Ya", context_id="wamid.X", wamid="wamid.Y")
    env = wa_envelope(messages=[*msgs, reply], statuses=[wa_status("wamid.X", "read", "628123")])
    (entry,) = env["entry"]
    value = entry["changes"][0]["value"]
    assert env["object"] == "whatsapp_business_account" and entry["id"] == "WABA1"
    assert entry["changes"][0]["field"] == "messages"
    assert list(value) == ["messaging_product", "metadata", "contacts", "messages", "statuses"]
    assert value["metadata"] == {
        "display_phone_number": "6281100000000",
        "phone_number_id": "1234567890",
    }
    assert value["contacts"] == [
        {"profile": {"name": "Siti"}, "wa_id": "628123"},
        {"profile": {"name": "Siti"}, "wa_id": "628124"},
    ]
    assert value["messages"][0] == {
        "from": "628123",
        "id": value["messages"][0]["id"],
        "timestamp": "1700000000",
        "type": "text",
        "text": {"body": "halo"},
    }
    assert value["messages"][2]["context"] == {"from": "6281100000000", "id": "wamid.X"}
    assert value["messages"][2]["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "b0", "title": "Ya"},
    }
    assert "statuses" not in wa_envelope(messages=msgs)["entry"][0]["changes"][0]["value"]
    expected = hmac.new(b"s3cret", b"{}", hashlib.sha256).hexdigest()
    assert sign(b"{}", "s3cret") == f"sha256={expected}"
