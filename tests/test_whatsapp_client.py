"""The thin Graph API client and the templates file, against the fake Graph API on 127.0.0.1."""

import re
import time
from datetime import timedelta

import pytest

from bot.channels.whatsapp.client import WINDOW, WhatsAppClient, sending_limit
from bot.channels.whatsapp.templates import Templates
from db import queries
from handlers.core.outgoing import Outgoing

TEXT = {"type": "text", "text": {"body": "Halo"}}


@pytest.fixture
async def client(graph):
    wa = WhatsAppClient(graph.base_url, "test-token", "1234567890")
    yield wa
    await wa.close()


async def test_a_send_answers_the_wamid_meta_gave(client, graph):
    delivery = await client.send("628111", TEXT)
    assert delivery.status == "sent" and delivery.provider_message_id.startswith("wamid.")
    assert graph.messages("628111")[0]["text"] == {"body": "Halo"}


@pytest.mark.parametrize(
    "status, code, outcome, unreachable",
    [
        (429, 130429, "retry", False),  # the number's throughput
        (400, 131056, "retry", False),  # the pair rate to one person
        (503, 131000, "retry", False),  # Meta's trouble
        (500, 1, "retry", False),
        (400, 131047, WINDOW, False),  # the 24-hour window is closed: a template must go
        (400, 131026, "failed", True),  # the person cannot receive WhatsApp messages
        (400, 100, "failed", False),  # our payload is wrong: retrying will not mend it
    ],
)
async def test_graph_errors_become_retry_failed_or_window(
    client, graph, status, code, outcome, unreachable
):
    graph.fail_next(status, code)
    delivery = await client.send("628111", TEXT)
    assert (delivery.status, delivery.unreachable) == (outcome, unreachable)
    assert f"code {code}" in delivery.error


async def test_the_pair_rate_backs_off_that_person_only(client, graph):
    """Meta's 131056: too many messages to one person. Their next message waits 6 s; the
    number's other sends go on at once (no pause for everyone, as a throughput error makes)."""
    graph.fail_next(400, 131056)
    refused = await client.send("628111", TEXT)
    started = time.monotonic()
    other = await client.send("628222", TEXT)
    assert (refused.status, refused.retry_after) == ("retry", 6.0)
    assert other.status == "sent" and time.monotonic() - started < 0.5


ANI, BUDI, CICI = "628111", "628222", "628333"


@pytest.mark.parametrize(
    "limits, saturated, sends, answers",
    [
        # the number's throughput, 3 a second here: the 4th send within the second is refused
        # and the client waits a second for everyone, so the 5th goes through
        (dict(per_second=3), [], [ANI, BUDI, CICI, ANI, BUDI], [200, 200, 200, 130429, 200]),
        # Ani's pair rate, a burst of 2: her 3rd message is refused, Budi's goes on at once
        (dict(pair_burst=2), [], [ANI, ANI, ANI, BUDI], [200, 200, 131056, 200]),
        # someone else used up Ani's pair: refused for her only, enforced or not
        (None, [ANI], [ANI, BUDI, CICI], [131056, 200, 200]),
        (dict(), [ANI], [ANI, BUDI, ANI], [131056, 200, 131056]),
    ],
)
async def test_meta_refuses_what_is_over_its_limits_and_we_back_off_as_told(
    client, graph, limits, saturated, sends, answers
):
    """Meta's limits refused as Meta refuses them: 130429 pauses the number's sends for a
    second; 131056 makes only that person's next message wait (PAIR_BACKOFF)."""
    if limits is not None:
        graph.enforce(**limits)
    for wa_id in saturated:
        graph.saturate(wa_id, seconds=60)
    deliveries = [await client.send(to, TEXT) for to in sends]
    seen = [c.status if c.status == 200 else c.response["error"]["code"] for c in graph.calls]
    assert seen == answers
    for delivery, answer in zip(deliveries, answers, strict=True):
        assert delivery.status == ("sent" if answer == 200 else "retry")
        if answer == 131056:
            assert delivery.retry_after == 6.0
    # a refused send is recorded, never delivered
    delivered = [to for to, answer in zip(sends, answers, strict=True) if answer == 200]
    assert [m["to"] for m in graph.messages()] == delivered
    assert len(graph.refused()) == len(sends) - len(delivered)


async def test_a_wrong_token_is_retried_not_dropped(graph):
    wa = WhatsAppClient(graph.base_url, "rotated-token", "1234567890")
    try:
        assert (await wa.send("628111", TEXT)).status == "retry"
    finally:
        await wa.close()


async def test_a_photo_on_disk_is_uploaded_then_sent_by_media_id(whatsapp, graph, tmp_path):
    from handlers.core.outbox import Envelope

    chart = tmp_path / "grafik.png"
    chart.write_bytes(b"\x89PNG fake chart")
    out = Outgoing("whatsapp", "628111", "Grafik laporan minggu ini", photo=str(chart))
    deliver = whatsapp.sender.worker.deliverers["whatsapp"]
    envelope = Envelope("reply", whatsapp.clock(), whatsapp.clock())
    assert (await deliver(out, envelope)).status == "sent"
    [image] = graph.messages("628111")
    assert image["image"]["caption"] == "Grafik laporan minggu ini"
    assert image["image"]["id"].startswith("media-")


async def test_an_inbound_photo_is_downloaded_with_the_token(client, graph):
    media_id = graph.add_media(b"\xff\xd8 posyandu photo", "image/jpeg")
    assert await client.download(media_id) == (b"\xff\xd8 posyandu photo", "image/jpeg")


@pytest.mark.parametrize(
    "kind, name",
    [
        ("reminder", "ilp_pengingat_laporan"),
        ("report_reminder", "ilp_pengingat_laporan"),
        ("digest", "ilp_ringkasan_harian"),
        ("dana_kades", "ilp_keputusan_dana_desa"),
        ("dana_requester", "ilp_kabar_dana_desa"),
        ("dana_info", "ilp_kabar_dana_desa"),
        ("reply", "ilp_pesan_baru"),
    ],
)
def test_each_kind_of_message_has_its_template(kind, name):
    assert Templates.load().for_kind(kind).name == name


def test_the_shipped_templates_are_ones_meta_would_accept():
    for template in Templates.load().items:
        assert template.category == "UTILITY"
        assert len(template.body) <= 1024
        assert not re.match(r"^\s*\{\{", template.body), "a variable may not open the body"
        assert not re.search(r"\{\{\d+\}\}\W*$", template.body), "nor close it"
        assert "Balas pesan ini" in template.body  # the way back into the window
        filled = template.fill(list(template.example))
        assert "{{" not in filled


@pytest.mark.parametrize("kind", ["dana_kades", "dana_info", "desa_profile", "reply"])
def test_a_template_a_kepala_desa_may_get_addresses_him_as_bapak_ibu(kind):
    body = Templates.load().for_kind(kind).body
    assert not re.search(r"\bAnda\b", body), body


@pytest.mark.parametrize(
    "inbound, limit",
    [
        (0.0, 72),  # nobody writing: 90 % of the number, as ever
        (5.0, 72),  # a few: the 10 % headroom is room enough
        (16.7, 62),  # 50 people writing every 3 s: 80 - 17 - 1
        (60.0, 40),  # a flood: never below half, so replies still go
    ],
)
def test_the_sends_leave_room_for_what_people_write(inbound, limit):
    """Meta's 80 messages a second count inbound messages too."""
    assert sending_limit(80, inbound) == limit


async def test_the_sender_tells_whatsapp_how_fast_people_are_writing(db, outbox, clock):
    told: list[float] = []
    outbox.worker.inbound_rate = {"whatsapp": told.append}
    async with db.transaction() as session:  # 20 messages this second, 10 others before it
        await queries.record_inbounds(
            session, [("whatsapp", f"wamid.{n}") for n in range(20)], clock()
        )
        earlier = clock() - timedelta(seconds=3)
        await queries.record_inbounds(
            session, [("whatsapp", f"wamid.old{n}") for n in range(10)], earlier
        )
        await queries.record_inbounds(session, [("telegram", "1")], clock())
    await outbox.worker.run_once()
    await outbox.worker.run_once()  # within the same second: not asked again
    assert told == [20.0]  # the last second is busier than the average of the last five (6)
    clock.advance(seconds=1.5)
    await outbox.worker.run_once()
    assert told == [20.0, 6.0]  # a lull counts once it lasts: (20 + 10) / 5
