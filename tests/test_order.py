"""Two messages of one chat delivered out of order (Telegram's parallel webhook connections,
Meta's retries) never answer each other's questions: together they are handled in the
provider's order; an older one arriving after a newer one was applied is refused as late."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY
from report_steps import K2
from sqlalchemy import select

from conversations.model import Inbound
from db import chats as chat_rows
from db.database import Database
from db.models import Conversation
from fakes.graph_api import wa_envelope, wa_text
from handlers.core.turn import Incoming

from tests.telegram_support import register
from tests.whatsapp_support import register as register_on_whatsapp


async def answers(db: Database, channel: str, chat_id: str) -> tuple[str | None, dict]:
    async with db.transaction() as session:
        conversation = await session.scalar(
            select(Conversation).where(
                Conversation.channel == channel, Conversation.chat_id == chat_id
            )
        )
        state = chat_rows.load_state(conversation)
    return state.step, state.answers


def late_refusals(channel: str) -> float:
    return REGISTRY.get_sample_value("ilpbot_refused_total", {"channel": channel, "why": "late"})


async def at_k1(person) -> None:
    """/lapor, Klaster 2, today, no desa: the first question is K1."""
    await person.send("/lapor")
    await person.press(K2)
    await person.press(next(b for b in await person.buttons() if b.startswith("Hari ini")))
    replies = await person.press("Dalam gedung puskesmas")
    assert "(K1)" in replies[-1], replies


@pytest.mark.slow  # a whole story through the webhook, several seconds
async def test_an_answer_telegram_delivers_late_does_not_answer_the_next_question(
    telegram_web, fake_telegram, invite
):
    siti = telegram_web.person(fake_telegram, 501)
    await register(siti, await invite("petugas"))
    await at_k1(siti)
    refused = late_refusals("telegram") or 0.0

    first = fake_telegram.push_message(501, "3")  # typed for K1
    second = fake_telegram.push_message(501, "2")  # typed for K4, delivered first
    assert "(K4)" in (await siti.deliver_raw(second))[-1]
    assert await siti.deliver_raw(first) == [
        'Pesan Bapak/Ibu "3" datang setelah pesan yang lebih baru, jadi tidak dipakai. '
        "Mohon periksa jawaban Bapak/Ibu sebelum mengirim."
    ]

    step, given = await answers(telegram_web.app.db, "telegram", "501")
    assert (step, given) == ("k4", {"k1": 2})  # K4 still waits: the late "3" answered nothing
    assert siti.responses[-2:] == [200, 200]
    assert late_refusals("telegram") == refused + 1


async def test_messages_of_one_chat_handled_together_go_in_the_providers_order(runtime, registered):
    """Both in one group (they arrive while a transaction is open): handled by position."""
    siti = await registered("petugas", chat_id="100")
    await siti.send("/lapor")
    await siti.press(K2)
    await siti.press(next(b for b in siti.buttons if b.startswith("Hari ini")))
    await siti.press("Dalam gedung puskesmas")
    now = runtime.clock()
    typed = Incoming("test", "100", "k1", now, Inbound(text="3"), position=1_000)
    later = replace(typed, external_id="k4", inbound=Inbound(text="2"), position=1_001)

    await asyncio.gather(runtime.handle(later), runtime.handle(typed))  # the later one first

    step, given = await answers(runtime.db, "test", "100")
    assert (step, given["k1"], given["k4"]) == ("k6", 3, 2)


async def test_whatsapp_messages_in_one_payload_go_by_their_timestamps(whatsapp, invite, db):
    ani = await register_on_whatsapp(whatsapp, await invite("petugas"), "6281300000501", "Ani")
    await at_k1_on_whatsapp(ani)
    sent = int(time.time()) + 60  # after the messages above (Meta's clock, not the bot's)
    k4, k1 = wa_text(ani.wa_id, "2", ts=sent + 1), wa_text(ani.wa_id, "3", ts=sent)
    assert (await whatsapp.post(wa_envelope([k4, k1]))).status_code == 200

    step, given = await answers(db, "whatsapp", ani.wa_id)
    assert (step, given["k1"], given["k4"]) == ("k6", 3, 2)

    refused = late_refusals("whatsapp") or 0.0
    older = wa_text(ani.wa_id, "7", ts=sent - 1)  # Meta's late redelivery of an older message
    assert (await whatsapp.post(wa_envelope([older]))).status_code == 200
    assert await answers(db, "whatsapp", ani.wa_id) == (step, given)
    assert late_refusals("whatsapp") == refused + 1


async def at_k1_on_whatsapp(person) -> None:
    await person.send("LAPOR")
    await person.press(K2)
    await person.press(next(b for b in person.buttons if b.startswith("Hari ini")))
    replies = await person.press("Dalam gedung puskesmas")
    assert "(K1)" in replies[-1], replies
