"""The Telegram adapter's wire rules: what an update means, and how a reply is shown."""

from datetime import UTC, datetime

import pytest
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.send import delivery_for
from bot.channels.telegram.wire import parse, plan, split_text
from conversations.model import Contact, Inbound, Location, Photo
from handlers.core.outgoing import Button, Outgoing

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SITI = {"id": 501, "is_bot": False, "first_name": "Siti", "last_name": "Aminah"}
PRIVATE = {"id": 501, "type": "private", "first_name": "Siti"}
GROUP = {"id": -4001, "type": "group", "title": "Bidan Sumber Urip"}


def message(chat=PRIVATE, **content) -> dict:
    msg = {"message_id": 7, "date": 1795402800, "chat": chat, "from": SITI, **content}
    return {"update_id": 9001, "message": msg}


def photo_sizes(file_id: str) -> list[dict]:
    small = {"file_id": f"{file_id}_s", "file_unique_id": "a", "width": 90, "height": 67}
    return [small, {"file_id": file_id, "file_unique_id": "b", "width": 1280, "height": 960}]


def label(msgid: str) -> str:
    return {"Send my location": "Kirim lokasi saya"}.get(msgid, msgid)


def document(file_id: str, mime: str | None, size: int) -> dict:
    declared = {"mime_type": mime} if mime else {}
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size} | declared


MESSAGES = [
    ("text", {"text": "halo"}, Inbound(text="halo")),
    ("command with argument", {"text": "/start K7QX2-M9PRT"}, Inbound(text="/start K7QX2-M9PRT")),
    (
        "own contact",
        {"contact": {"phone_number": "+6281234", "first_name": "Siti", "user_id": 501}},
        Inbound(contact=Contact("+6281234", "Siti")),
    ),
    (
        "location",
        {"location": {"latitude": -3.46, "longitude": 102.53}},
        Inbound(location=Location(-3.46, 102.53)),
    ),
    (
        "photo: the largest size, with its caption",
        {"photo": photo_sizes("AgAD1"), "caption": "posyandu"},
        Inbound(photo=Photo("AgAD1", "posyandu")),
    ),
    (
        "a photo sent as a file",
        {"document": {"file_id": "BQAD", "file_unique_id": "c", "mime_type": "image/jpeg"}},
        Inbound(photo=Photo("BQAD", None)),
    ),
    (
        "a PDF RAB is kept as evidence",
        {"document": document("BQAE", "application/pdf", 800_000), "caption": "RAB"},
        Inbound(photo=Photo("BQAE", "RAB")),
    ),
    (
        "a file of no declared type is judged by its content later",
        {"document": document("BQAF", None, 5_000)},
        Inbound(photo=Photo("BQAF", None)),
    ),
    (
        "a program sent as a file is refused at once",
        {"document": document("BQAG", "application/x-msdownload", 90_000)},
        Inbound(refused_file="type"),
    ),
    (
        "a Word file is refused at once",
        {"document": document("BQAH", "application/msword", 90_000)},
        Inbound(refused_file="type"),
    ),
    (
        "a PDF over 10 MB is refused before a byte moves",
        {"document": document("BQAI", "application/pdf", 12 * 1024 * 1024)},
        Inbound(refused_file="size"),
    ),
    (
        "sticker",
        {
            "sticker": {
                "file_id": "S",
                "file_unique_id": "s",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        Inbound(unsupported=True),
    ),
    (
        "voice",
        {"voice": {"file_id": "V", "file_unique_id": "v", "duration": 3}},
        Inbound(unsupported=True),
    ),
]


@pytest.mark.parametrize(("what", "content", "inbound"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_a_private_message_becomes_one_inbound_message(what, content, inbound):
    parsed = parse(Update.de_json(message(**content), None), NOW)
    assert parsed.kind == "message"
    incoming = parsed.incoming
    assert (incoming.channel, incoming.chat_id, incoming.external_id) == ("telegram", "501", "9001")
    assert incoming.inbound == inbound
    assert incoming.sent_at == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # the message's date
    assert incoming.display_name == "Siti Aminah"


def test_only_her_own_contact_gives_her_phone_number():
    own = {"phone_number": "+6281234", "first_name": "Siti", "user_id": 501}
    other = {"phone_number": "+6289999", "first_name": "Budi", "user_id": 777}
    assert parse(Update.de_json(message(contact=own), None), NOW).incoming.phone == "+6281234"
    assert parse(Update.de_json(message(contact=other), None), NOW).incoming.phone is None


def test_a_pressed_button_carries_its_data_and_the_question_message():
    question = {"message_id": 42, "date": 1795402800, "chat": PRIVATE, "text": "Benar?"}
    query = {"id": "cb1", "from": SITI, "chat_instance": "x", "data": "v1:3:0", "message": question}
    parsed = parse(Update.de_json({"update_id": 9002, "callback_query": query}, None), NOW)
    assert (parsed.callback_id, parsed.question_id) == ("cb1", 42)
    assert parsed.incoming.callback == "v1:3:0"
    assert parsed.incoming.sent_at == NOW  # a callback query has no date of its own


OTHER_UPDATES = [
    ("a command in a group gets a notice", message(GROUP, text="/start"), "group"),
    ("group chatter is ignored", message(GROUP, text="selamat pagi"), "ignored"),
    ("a service message is ignored", message(new_chat_title="Posyandu"), "ignored"),
    (
        "an edited message is ignored",
        {"update_id": 9001, "edited_message": message(text="x")["message"] | {"edit_date": 1}},
        "ignored",
    ),
    (
        "a channel post is ignored",
        {
            "update_id": 9001,
            "channel_post": {
                "message_id": 1,
                "date": 1,
                "text": "x",
                "chat": {"id": -1009, "type": "channel"},
            },
        },
        "ignored",
    ),
]


@pytest.mark.parametrize(
    ("what", "update", "kind"), OTHER_UPDATES, ids=[u[0] for u in OTHER_UPDATES]
)
def test_updates_that_are_not_a_private_message(what, update, kind):
    parsed = parse(Update.de_json(update, None), NOW)
    assert (parsed.kind, parsed.incoming) == (kind, None)


@pytest.mark.parametrize(("status", "blocked"), [("kicked", True), ("member", False)])
def test_blocking_the_bot_is_noticed(status, blocked):
    bot = {"id": 7000000001, "is_bot": True, "first_name": "ILP"}
    change = {
        "chat": PRIVATE,
        "from": SITI,
        "date": 1795402800,
        "old_chat_member": {"status": "member", "user": bot},
        "new_chat_member": {"status": status, "user": bot} | ({"until_date": 0} if blocked else {}),
    }
    parsed = parse(Update.de_json({"update_id": 9003, "my_chat_member": change}, None), NOW)
    assert (parsed.kind, parsed.chat_id, parsed.blocked) == ("member", "501", blocked)


def test_long_messages_are_split_at_line_breaks():
    lines = [f"{n:04d} " + "x" * 95 for n in range(100)]  # 100 lines of 100 chars
    chunks = split_text("\n".join(lines))
    assert all(len(c) <= 4096 for c in chunks)
    assert "\n".join(chunks) == "\n".join(lines)  # nothing lost, cut only between lines
    assert len(chunks) == 3


def test_an_overlong_line_is_cut_at_a_space():
    words = " ".join(["kata"] * 2000)  # 9,999 chars in one line
    chunks = split_text(words)
    assert all(len(c) <= 4096 for c in chunks) and " ".join(chunks) == words


def test_buttons_become_an_inline_keyboard_on_the_last_part():
    out = Outgoing(
        "telegram", "501", "a\n" * 3000, (Button("Ya", "v1:3:0"), Button("Tidak", "v1:3:1"))
    )
    calls = plan(out, label)
    assert [c.method for c in calls] == ["send_message", "send_message"]
    assert "reply_markup" not in calls[0].kwargs
    markup = calls[-1].kwargs["reply_markup"]
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [
        ["v1:3:0", "v1:3:1"]
    ]


def test_a_location_step_asks_with_a_reply_keyboard_and_keeps_its_choices():
    out = Outgoing("telegram", "501", "Lokasi?", (Button("Lewati", "v1:4:0"),), request="location")
    markup = plan(out, label)[-1].kwargs["reply_markup"]
    assert isinstance(markup, ReplyKeyboardMarkup)
    first, second = markup.keyboard
    assert (first[0].text, first[0].request_location) == ("Kirim lokasi saya", True)
    assert second[0].text == "Lewati"


def test_a_plain_message_removes_an_old_reply_keyboard():
    markup = plan(Outgoing("telegram", "501", "Terima kasih"), label)[-1].kwargs["reply_markup"]
    assert isinstance(markup, ReplyKeyboardRemove)


def test_a_photo_carries_the_text_as_caption_when_it_fits():
    calls = plan(Outgoing("telegram", "501", "Grafik hari ini", photo="/tmp/chart.png"), label)
    assert [(c.method, c.kwargs["caption"]) for c in calls] == [("send_photo", "Grafik hari ini")]
    long = plan(Outgoing("telegram", "501", "x" * 2000, document="rekap.xlsx"), label)
    assert [c.method for c in long] == ["send_document", "send_message"]


def test_callback_data_over_64_bytes_is_refused_before_sending():
    out = Outgoing("telegram", "501", "Pilih", (Button("A", "x" * 65),))
    with pytest.raises(ValueError, match="64 bytes"):
        plan(out, label)


ERRORS = [
    (RetryAfter(3), "retry", 3, False),
    (Forbidden("Forbidden: bot was blocked by the user"), "failed", None, True),
    (BadRequest("Bad Request: chat not found"), "failed", None, False),
    (TimedOut(), "retry", None, False),
    (NetworkError("Bad Gateway"), "retry", None, False),
]


@pytest.mark.parametrize(("exc", "status", "retry_after", "unreachable"), ERRORS)
def test_platform_errors_tell_the_outbox_what_to_do(exc, status, retry_after, unreachable):
    result = delivery_for(exc)
    assert (result.status, result.retry_after, result.unreachable) == (
        status,
        retry_after,
        unreachable,
    )
