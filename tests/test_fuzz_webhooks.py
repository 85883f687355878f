"""Bad input through the real webhooks: generated Telegram updates and WhatsApp payloads reach a
registered user standing at every step of real forms (a dana desa request, a Klaster 4 report).
Always a 200, every reply delivered to the fake platform is Indonesian, and the conversation
stays at the same step or a valid next one with its answers kept (tests/fuzz_support.py).
FUZZ_EXAMPLES=500 makes a longer hunt."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_steps import K4

from bot.channels.telegram import send as telegram_send
from fakes.graph_api import sign

from tests.fuzz_support import (
    DANA,
    STATIONS,
    TG_INPUT,
    WA_INPUT,
    Fuzz,
    TelegramSide,
    WhatsAppSide,
    not_indonesian,
    telegram_content,
)
from tests.telegram_support import SECRET, START, TOKEN, LiveClock, WebHarness, private_message
from tests.whatsapp_support import SECRET as WA_SECRET
from tests.whatsapp_support import WhatsAppWorld
from tests.whatsapp_support import register as register_on_whatsapp

pytestmark = pytest.mark.slow  # hypothesis drives whole webhooks


@pytest.fixture
async def telegram_fuzz(db_url, fake_telegram, texts):
    client = telegram_send.client(TOKEN, fake_telegram.url)
    async with WebHarness.serving(
        db_url, fake_telegram, texts, LiveClock(START), with_sender=False
    ) as web:
        yield Fuzz(TelegramSide(web, fake_telegram, client))
    await client.close()


@pytest.fixture
async def whatsapp_fuzz(db, texts, clock, graph):
    world = WhatsAppWorld(db, texts, clock, graph)
    yield Fuzz(WhatsAppSide(world, graph))
    await world.close()


FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 20)),  # more for a long hunt
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(station=st.sampled_from(STATIONS), inputs=st.lists(TG_INPUT, min_size=1, max_size=3))
async def test_telegram_updates_of_any_kind_at_any_step(telegram_fuzz, station, inputs):
    await telegram_fuzz.run(*station, inputs)


@FUZZ
@given(station=st.sampled_from(STATIONS), inputs=st.lists(WA_INPUT, min_size=1, max_size=3))
async def test_whatsapp_payloads_of_any_kind_at_any_step(whatsapp_fuzz, station, inputs):
    await whatsapp_fuzz.run(*station, inputs)


def test_the_english_check_knows_english_from_indonesian(texts):
    """The check itself: an untranslated msgid is caught, the catalogue's Indonesian is not."""
    english = "Sorry, this kind of message is not supported yet. Please type your message."
    assert not_indonesian(english, "")
    assert not not_indonesian(texts(english, "id"), "")
    assert not_indonesian("Halo {name}", "") == ["placeholder {name}"]
    assert not not_indonesian("Jawaban 'the end' tidak dikenali", "the end")


# --- what no platform sends, or an older one does ----------------------------------------------


async def test_a_poll_from_a_server_older_than_our_library_is_answered(telegram_web, fake_telegram):
    """PTB 22.8 cannot read a poll without the fields of Bot API 9.6 (a self-hosted server may be
    older): the person is told the message is not supported, and Telegram gets its 200."""
    siti = telegram_web.person(fake_telegram, 501)
    update = fake_telegram.push_raw(
        private_message(501, **telegram_content(501, ("old_poll", "?")))
    )
    assert await siti.deliver_raw(update) == [
        "Maaf, jenis pesan ini belum didukung. Silakan ketik pesan Bapak/Ibu."
    ]
    assert siti.responses == [200]


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe", b"[]", b'"update"', b"5", b"{}", b'{"update_id": 1, "message": 5}'],
    ids=["bytes", "list", "string", "number", "empty", "message-5"],
)
async def test_a_telegram_body_that_is_no_update_is_a_400(telegram_web, body):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "content-type": "application/json"}
    response = await telegram_web.http.post("/telegram/webhook", content=body, headers=headers)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b"[]",
        b'{"entry": "x"}',
        b'{"entry": [{"changes": [{"field": "messages", "value": {"messages": [5]}}]}]}',
        b'{"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": "w", "errors": "e"}]}}]}]}',
    ],
    ids=["bytes", "list", "entry-string", "message-5", "errors-string"],
)
async def test_a_signed_whatsapp_body_meta_never_sends_is_a_400(whatsapp, body):
    headers = {"X-Hub-Signature-256": sign(body, WA_SECRET), "content-type": "application/json"}
    response = await whatsapp.http.post("/whatsapp/webhook", content=body, headers=headers)
    assert response.status_code == 400


# --- what the fuzz found ------------------------------------------------------------------------


async def test_digits_int_cannot_read_are_refused_politely(whatsapp, invite):
    """ "⁵" and "①" are digits to str.isdigit() but not to int(); 5,000 digits are beyond int():
    each was a 500 (and the platform sending the message again) before."""
    siti = await register_on_whatsapp(whatsapp, await invite(), "6281999100001", "Siti Aminah")
    for days in ("⁵", "①", "9" * 5000):
        assert await siti.send(f"/jeda {days}") == [
            "Ketik /jeda diikuti jumlah hari, misalnya /jeda 7 (paling lama 30 hari)."
        ]
    for data in ("dd:⁵:s:1", "dr:①:tarik:1", "dd:1:s:" + "9" * 5000, "dd:9999999999:s:1"):
        assert await siti.press_data(data) == ["Tombol ini tidak berlaku."]


async def test_a_number_typed_after_a_refusal_still_picks_from_the_numbered_menu(whatsapp, invite):
    """Sixteen desa go as a numbered text menu. A refused button (or any notice) arriving
    after it must not make the number typed from that menu mean nothing."""
    siti = await register_on_whatsapp(whatsapp, await invite(), "6281999100002", "Siti Aminah")
    await siti.send("/lapor")
    await siti.press(K4)
    await siti.press(next(label for label in siti.buttons if label.startswith("Hari ini")))
    await siti.press("Desa (pustu, kunjungan rumah)")
    skip = siti.buttons.index("Desa Sumber Urip (perlu konfirmasi)") + 1
    assert skip > 10
    [again] = await siti.send("9" * 5000)  # no option: the menu is asked again
    assert again.startswith("Pilihan itu tidak saya kenali.")
    [refused] = await siti.press_data("bukan-tombol")
    assert refused.startswith("Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru.\n")
    assert (
        siti.buttons.index("Desa Sumber Urip (perlu konfirmasi)") + 1 == skip
    )  # the same question, asked again
    [question] = await siti.send(str(skip))
    assert question.startswith("Laporan Klaster 4")


async def test_five_thousand_digits_at_the_review_ask_again(whatsapp, invite):
    """The review read a typed number with int(): 5,000 digits were a 500 before."""
    siti = await register_on_whatsapp(whatsapp, await invite(), "6281999100003", "Siti Aminah")
    await siti.send("/dana")
    for move in DANA[1:]:
        await (siti.press if move.how == "press" else siti.send)(move.what)
    assert siti.buttons == ["Kirim", "Ubah", "Batal"]
    [again] = await siti.send("9" * 5000)
    assert again.startswith("Silakan pilih salah satu pilihan.\nMohon periksa jawaban Bapak/Ibu")
    assert siti.buttons == ["Kirim", "Ubah", "Batal"]
