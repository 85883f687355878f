"""A message whose turn raises is a poison: it is answered with an apology, recorded once and
skipped, and every other chat's message goes on as if it had not been there.

The poison here is real: a conversation saved by a newer release (a field this release does not
know, as after a rollback) cannot be loaded, so every turn of that chat raises."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from conversations.model import State
from db.database import Database
from db.models import Conversation, Outbox, ProcessedInbound
from fakes.graph_api import wa_envelope, wa_status, wa_text

from tests.telegram_support import Person, settled
from tests.whatsapp_support import words

APOLOGY = (
    "Maaf, pesan Bapak/Ibu tidak dapat kami proses karena ada gangguan. "
    "Silakan coba lagi nanti, atau ketik /menu."
)
GREETING = "Halo! Ini bot pelaporan ILP"


async def saved_by_a_newer_release(db: Database, channel: str, chat_id: str) -> None:
    state = State(flow="menu", version=1, step="action").to_json() | {"drafts": []}
    async with db.transaction() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.channel == channel, Conversation.chat_id == chat_id)
            .values(status="active", state=state)
        )


def counted(name: str, channel: str) -> float:
    return REGISTRY.get_sample_value(name, {"channel": channel}) or 0.0


async def dedupe_rows(db: Database, channel: str, external_id: str) -> int:
    async with db.transaction() as session:
        return await session.scalar(
            select(func.count()).where(
                ProcessedInbound.channel == channel, ProcessedInbound.external_id == external_id
            )
        )


async def test_under_polling_a_poison_is_answered_once_and_the_next_chat_goes_on(
    telegram_polling, fake_telegram
):
    app, tg = telegram_polling, fake_telegram
    rina, budi = (Person(tg, app.db, chat, clock=app.runtime.clock) for chat in (701, 702))
    assert (await rina.send("halo"))[0].startswith(GREETING)
    await saved_by_a_newer_release(app.db, "telegram", "701")
    failed = counted("ilpbot_failed_messages_total", "telegram")
    retried = counted("ilpbot_update_errors_total", "telegram")

    poison = tg.push_message(701, "halo lagi")  # both wait in the same getUpdates
    other = tg.push_message(702, "halo")
    await asyncio.gather(settled(app.db, poison["update_id"]), settled(app.db, other["update_id"]))

    assert rina.read() == [APOLOGY]
    assert budi.read()[0].startswith(GREETING)
    assert await dedupe_rows(app.db, "telegram", str(poison["update_id"])) == 1
    assert counted("ilpbot_failed_messages_total", "telegram") == failed + 1
    assert counted("ilpbot_update_errors_total", "telegram") == retried  # never tried again


async def test_one_poison_in_a_whatsapp_payload_holds_back_neither_messages_nor_statuses(
    whatsapp, db
):
    rina, budi = whatsapp.person("6281300000701"), whatsapp.person("6281300000702")
    assert (await rina.send("halo"))[0].startswith(GREETING)
    assert (await budi.send("halo"))[0].startswith(GREETING)
    await saved_by_a_newer_release(db, "whatsapp", rina.wa_id)
    async with db.transaction() as session:
        greeting = await session.scalar(select(Outbox).where(Outbox.chat_id == budi.wa_id))
    failed = counted("ilpbot_failed_messages_total", "whatsapp")

    poison, other = wa_text(rina.wa_id, "halo lagi"), wa_text(budi.wa_id, "halo lagi")
    blocked = [{"code": 131026, "title": "Message undeliverable"}]
    status = wa_status(greeting.provider_message_id, "failed", budi.wa_id, errors=blocked)
    payload = wa_envelope([poison, other], statuses=[status])
    for _delivery in range(2):  # Meta sends it again: nothing is done twice
        assert (await whatsapp.post(payload)).status_code == 200
        await whatsapp.deliver()

    assert [words(body) for body in rina.read()] == [APOLOGY]
    assert [words(body)[: len(GREETING)] for body in budi.read()] == [GREETING]
    async with db.transaction() as session:
        assert (await session.get(Outbox, greeting.id)).status == "failed"
    assert await dedupe_rows(db, "whatsapp", poison["id"]) == 1
    assert counted("ilpbot_failed_messages_total", "whatsapp") == failed + 1
