"""Replies before broadcasts: the outbox serves the person who just wrote before the 07:00 bulk,
alerts before bulk, and still keeps each chat's messages in the order they were written."""

import asyncio

from sqlalchemy import select

from db import queries
from db.models import Outbox
from db.outbox_classes import ALERT, BULK, REPLY, class_of
from handlers.core.outgoing import Outgoing


async def queue(db, clock, chat_id: str, text: str, kind: str) -> None:
    async with db.transaction() as session:
        out = Outgoing("test", chat_id, text)
        await queries.add_outbox(
            session, channel="test", chat_id=chat_id, payload=out.to_json(), kind=kind, now=clock()
        )


async def queue_bulk(db, clock, count: int) -> None:
    rows = [
        queries.outbox_row(
            channel="test",
            chat_id=str(5000 + n),
            payload=Outgoing("test", str(5000 + n), f"Pengingat {n}").to_json(),
            kind="reminder",
            now=clock(),
        )
        for n in range(count)
    ]
    async with db.transaction() as session:
        await queries.add_outbox_rows(session, rows)


async def test_a_reply_queued_after_a_thousand_reminders_is_sent_first(db, clock, outbox):
    await queue_bulk(db, clock, 1000)
    await queue(db, clock, "77", "Terima kasih, laporan diterima.", "reply")
    outbox.worker.batch = 10

    await outbox.worker.run_once()

    assert outbox.sent[0].text == "Terima kasih, laporan diterima."
    assert len(outbox.sent) == 10  # the rest of the batch is bulk, in the order written
    assert [o.text for o in outbox.sent[1:]] == [f"Pengingat {n}" for n in range(9)]
    assert await outbox.drain() == 991
    assert len({o.chat_id for o in outbox.sent}) == 1001  # none lost, none doubled


async def test_a_klb_alert_goes_before_bulk_and_after_a_reply(db, clock, outbox):
    await queue_bulk(db, clock, 20)
    await queue(db, clock, "88", "KLB campak di Desa Talang", "klb_alert")
    await queue(db, clock, "77", "Laporan diterima.", "reply")
    outbox.worker.batch = 3

    await outbox.worker.run_once()

    assert [o.text for o in outbox.sent] == [
        "Laporan diterima.",
        "KLB campak di Desa Talang",
        "Pengingat 0",
    ]


async def test_her_reminder_written_before_her_reply_still_comes_first(db, clock, outbox):
    """Per-chat order holds across classes: her reply does not overtake the reminder the clock
    wrote to her a moment before; the reminder is promoted with it, ahead of other bulk."""
    await queue_bulk(db, clock, 50)
    await queue(db, clock, "77", "Pengingat posyandu besok", "reminder")
    await queue(db, clock, "77", "Terima kasih, laporan diterima.", "reply")
    outbox.worker.batch = 5

    await outbox.worker.run_once()  # her chat's head goes first, her reply waits for it
    await outbox.worker.run_once()

    assert [o.text for o in outbox.to("77")] == [
        "Pengingat posyandu besok",
        "Terima kasih, laporan diterima.",
    ]
    assert outbox.sent[0].text == "Pengingat posyandu besok"
    assert outbox.sent[5].text == "Terima kasih, laporan diterima."


async def test_a_chat_whose_reply_must_wait_does_not_hold_up_the_others(db, clock, outbox):
    await queue(db, clock, "61", "Balasan satu", "reply")
    await queue(db, clock, "62", "Balasan dua", "reply")
    outbox.retries["61"] = 1  # 429 for her: she waits, the other reply goes

    await outbox.worker.run_once()

    assert [o.text for o in outbox.sent] == ["Balasan dua"]
    clock.advance(seconds=6)
    await outbox.drain()
    assert [o.text for o in outbox.sent] == ["Balasan dua", "Balasan satu"]


def test_every_kind_has_a_class_and_an_unknown_kind_is_bulk():
    assert [class_of(k) for k in ("reply", "klb_alert", "dana_kades", "digest")] == [
        REPLY,
        ALERT,
        ALERT,
        BULK,
    ]
    assert class_of("something_new") == BULK


async def test_replies_written_by_a_group_of_turns_keep_their_class(registered, runtime, db):
    """Regression: PostgreSQL's one-statement group write listed the outbox columns and left
    the class out, so every reply became bulk and waited behind the broadcast."""
    names = ("Sari", "Wati", "Yuni", "Rani")
    bidan = [await registered("petugas", str(640 + n), f"Bidan {x}") for n, x in enumerate(names)]
    runtime.replies_via_outbox = True

    await asyncio.gather(*(b.send("/menu") for b in bidan))

    async with db.transaction() as session:
        stmt = select(Outbox.kind, Outbox.priority).where(Outbox.chat_id.in_(["640", "641"]))
        written = set((await session.execute(stmt)).all())
    assert written == {("reply", REPLY)}
