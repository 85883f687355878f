"""Messages about a request go through the outbox: nothing is lost in a crash, a blocked kades
is reported to the requester, and two kades deciding at once leave exactly one decision."""

import asyncio

from dana_steps import PERUBAHAN, ask_for_dana, history, people, the_request
from sqlalchemy import select

from db.database import Database
from db.models import AuditEvent, ChannelIdentity, Outbox
from handlers.app import build_runtime


async def test_the_outbox_survives_a_crash_between_commit_and_delivery(
    registered, outbox, outbox_for, db_url, texts, clock
):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)  # committed with its message to the kades, then the process dies:
    await outbox.worker.claim()  # it had even claimed the row, but never sent it

    database = Database(db_url)  # a new process
    try:
        restarted = outbox_for(build_runtime(database, texts, clock=clock))
        assert await restarted.drain() == 0  # the dead process' lease still holds
        clock.advance(seconds=61)
        assert await restarted.drain() == 1
        assert await restarted.drain() == 0
    finally:
        await database.dispose()
    [message] = restarted.to(budi.chat_id)
    assert message.text.startswith("Permohonan dukungan dana desa DD-2026-1")
    assert outbox.sent == []


async def test_a_busy_chat_is_retried_with_backoff_and_delivered_once(registered, outbox, clock):
    siti, budi, _ = await people(registered)
    outbox.retries[budi.chat_id] = 2
    await ask_for_dana(siti)
    await outbox.drain()
    assert outbox.read(budi) == []
    clock.advance(seconds=5)
    await outbox.drain()
    assert outbox.read(budi) == []
    clock.advance(seconds=5)
    await outbox.drain()
    assert len(outbox.read(budi)) == 1
    clock.advance(minutes=10)
    assert await outbox.drain() == 0


async def test_a_kades_who_blocked_the_bot_is_reported_to_the_requester(registered, outbox, db):
    siti, budi, _ = await people(registered)
    outbox.blocked.add(budi.chat_id)
    await ask_for_dana(siti)
    await outbox.drain()
    assert outbox.read(siti) == [
        "Kepala desa Budi Santoso tidak dapat dihubungi lewat bot untuk DD-2026-1 (Desa Sumber "
        "Urip). Permohonan tetap menunggu; mohon hubungi kepala desa secara langsung."
    ]
    async with db.transaction() as session:
        ident = (
            await session.execute(
                select(ChannelIdentity).where(ChannelIdentity.external_id == budi.chat_id)
            )
        ).scalar_one()
        kinds = (await session.execute(select(Outbox.kind, Outbox.status))).all()
    assert ident.unreachable
    assert sorted(kinds) == [("dana_kades", "failed"), ("dana_requester", "sent")]
    request = await the_request(db)
    assert request.status == "diajukan"
    assert [e.action for e in await history(db, request.id)] == ["created", "kades_unreachable"]


async def test_two_kades_deciding_at_the_same_moment_leave_one_decision(registered, outbox, db):
    siti, budi, _ = await people(registered)
    ani = await registered("kades", "201", "Ani Lestari")
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    outbox.read(ani)
    await budi.press(PERUBAHAN)
    await ani.press("Tolak")
    await ani.send("Dana desa sudah habis untuk tahun ini")

    replies = await asyncio.gather(budi.press("Ya"), ani.press("Ya"))

    recorded = [r for r in replies if r[0].startswith("Tercatat:")]
    refused = [r for r in replies if r[0].startswith("Permohonan DD-2026-1 sudah diputuskan:")]
    assert len(recorded) == 1 and len(refused) == 1, replies
    request = await the_request(db)
    assert request.status in ("disetujui", "ditolak")
    assert refused[0] == [f"Permohonan DD-2026-1 sudah diputuskan: {request.status}."]
    async with db.transaction() as session:
        actions = (
            await session.execute(select(AuditEvent.action).where(AuditEvent.entity == "dana_desa"))
        ).scalars()
        assert sorted(actions) == ["created", "decided", "refused_stale"]
    await outbox.drain()
    assert len(outbox.read(siti)) == 1  # the requester hears one decision
    winner, loser = (budi, ani) if request.status == "disetujui" else (ani, budi)
    assert outbox.read(loser)[0].startswith("DD-2026-1 (Desa Sumber Urip) sudah diputuskan oleh")
    assert outbox.read(winner) == []
