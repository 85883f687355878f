"""WhatsApp's 24-hour customer service window and Meta's send limits, as the people on the other
end live them: a reminder after a quiet day arrives as a template and the rest follows when they
answer; nothing is lost to a closed window or a storm of 429s."""

import asyncio
import time

import pytest

from db import queries
from db.models import Outbox
from fakes.graph_api import wa_envelope, wa_status
from handlers.core.outgoing import Outgoing

from tests.whatsapp_support import said

REMINDER = (
    "Laporan posyandu Desa Sumber Urip untuk November belum masuk.\n"
    "Ketik /lapor untuk mengisinya sekarang."
)


async def registered_kader(whatsapp, invite, wa_id="6281300000001"):
    person = whatsapp.person(wa_id, name="Ani")
    await person.send(f"DAFTAR {await invite('kader')}")
    await person.send("Ani Lestari")
    await person.press("Ya")
    return person


async def remind(whatsapp, db, chat_id: str, kind: str = "reminder", text: str = REMINDER) -> int:
    """What the clock's reminder job does: one outbox row, committed."""
    async with db.transaction() as session:
        row = await queries.add_outbox(
            session,
            channel="whatsapp",
            chat_id=chat_id,
            payload=Outgoing("whatsapp", chat_id, text).to_json(),
            kind=kind,
            now=whatsapp.clock(),
        )
        await session.flush()
        return row.id


async def status_of(db, row_id: int) -> str:
    async with db.transaction() as session:
        return (await session.get(Outbox, row_id)).status


async def test_a_reminder_to_someone_silent_for_25_hours_goes_as_a_template(
    whatsapp, invite, db, clock
):
    ani = await registered_kader(whatsapp, invite)
    ani.read()
    clock.advance(hours=25)
    row = await remind(whatsapp, db, ani.chat_id)
    await whatsapp.deliver()

    (notice,) = ani.read()
    assert notice["type"] == "template"
    template = notice["template"]
    assert (template["name"], template["language"]["code"]) == ("ilp_pengingat_laporan", "id")
    assert template["components"][0]["parameters"] == [
        {"type": "text", "text": "Laporan posyandu Desa Sumber Urip untuk November belum masuk"}
    ]
    assert await status_of(db, row) == "held"

    # Ani answers the template: the reminder itself follows, and "ok" is not taken as a command.
    assert await ani.send("ok") == [REMINDER]
    assert await status_of(db, row) == "sent"


async def test_inside_the_window_a_reminder_goes_as_it_is(whatsapp, invite, db, clock):
    ani = await registered_kader(whatsapp, invite)
    ani.read()
    clock.advance(hours=20)
    await remind(whatsapp, db, ani.chat_id)
    await whatsapp.deliver()
    assert said(ani.read()) == REMINDER


async def test_a_decision_request_outside_the_window_uses_the_kades_template(
    whatsapp, invite, db, clock
):
    kades = await registered_kader(whatsapp, invite, "6281300000002")
    kades.read()
    clock.advance(days=3)
    text = "Permintaan PMT posyandu Rp 2.500.000 dari Puskesmas Sumber Urip.\nSetuju?"
    await remind(whatsapp, db, kades.chat_id, kind="dana_kades", text=text)
    await whatsapp.deliver()
    (notice,) = kades.read()
    assert notice["template"]["name"] == "ilp_keputusan_dana_desa"


async def test_a_send_meta_refuses_for_the_window_falls_back_to_the_template(
    whatsapp, invite, db, graph, clock
):
    ani = await registered_kader(whatsapp, invite)
    ani.read()
    clock.advance(hours=2)  # our clock says inside; Meta disagrees (131047)
    graph.outside_window(ani.wa_id)
    row = await remind(whatsapp, db, ani.chat_id)
    await whatsapp.deliver()
    (notice,) = ani.read()
    assert notice["type"] == "template"
    assert await status_of(db, row) == "held"

    graph.inside_window(ani.wa_id)
    assert REMINDER in await ani.send("ya, kenapa?")
    assert await status_of(db, row) == "sent"


async def test_a_131047_status_after_the_send_holds_the_message_and_sends_the_template(
    whatsapp, invite, db, clock
):
    ani = await registered_kader(whatsapp, invite)
    ani.read()
    row = await remind(whatsapp, db, ani.chat_id)
    await whatsapp.deliver()
    assert said(ani.read()) == REMINDER
    async with db.transaction() as session:
        wamid = (await session.get(Outbox, row)).provider_message_id
    error = [{"code": 131047, "title": "Re-engagement message"}]
    report = wa_envelope(statuses=[wa_status(wamid, "failed", ani.wa_id, errors=error)])
    assert (await whatsapp.post(report)).status_code == 200
    assert await status_of(db, row) == "held"

    await whatsapp.deliver()
    (notice,) = ani.read()
    assert notice["template"]["name"] == "ilp_pengingat_laporan"
    assert await ani.send("ok") == [REMINDER]


async def test_a_person_meta_says_is_saturated_waits_alone(whatsapp, invite, db, graph, clock):
    """Meta's pair rate (131056) is about one person: someone else on the number has written to
    Ani a lot, so her reminder waits and is sent when Meta lets it; the others' go at once."""
    people = [await registered_kader(whatsapp, invite, f"62813000002{n:02d}") for n in range(4)]
    ani, others = people[0], people[1:]
    for person in people:
        person.read()
    graph.enforce()
    graph.saturate(ani.wa_id, seconds=0.5)
    rows = [await remind(whatsapp, db, p.chat_id) for p in people]
    started = time.monotonic()
    await whatsapp.deliver()
    assert time.monotonic() - started < 1.0  # no pause for the number: only she waits
    assert [said(p.read()) for p in others] == [REMINDER] * 3
    assert ani.read() == []
    assert [c.body["to"] for c in graph.refused()] == [ani.wa_id]  # refused, not delivered
    assert [await status_of(db, r) for r in rows] == ["pending", "sent", "sent", "sent"]

    await asyncio.sleep(0.5)  # Meta lets her be written to again
    clock.advance(seconds=5)
    await whatsapp.deliver()
    assert ani.read() == []  # her back-off (6 s) is not over yet
    clock.advance(seconds=1)
    await whatsapp.deliver()
    assert said(ani.read()) == REMINDER
    assert await status_of(db, rows[0]) == "sent"
    assert graph.rate_violations() == []


@pytest.mark.slow  # waits out real rate limits and back-offs
async def test_a_storm_of_429s_delays_messages_but_loses_none(whatsapp, invite, db, graph, clock):
    people = [await registered_kader(whatsapp, invite, f"62813000001{n:02d}") for n in range(6)]
    graph.storm_429(0.5, seed=7)
    rows = [await remind(whatsapp, db, p.chat_id) for p in people for _ in range(3)]
    for _ in range(40):
        await whatsapp.deliver()
        clock.advance(minutes=5)  # the backoff elapses
    graph.clear_faults()
    async with db.transaction() as session:
        statuses = [(await session.get(Outbox, r)).status for r in rows]
    assert statuses == ["sent"] * len(rows)
    for person in people:
        assert said(person.read()).count(REMINDER) == 3
    retried = [c for c in graph.calls if c.status == 429]
    assert retried, "the storm should have hit"
    assert graph.rate_violations() == []
