"""Forged and stale buttons, another desa's decision, a wrong webhook secret, a bad signature:
each is refused, logged, audited where a user is known, and counted in /metrics
(`ilpbot_refused_total{channel,why}`)."""

import logging

from dana_steps import SUMBER_BENING, ask_for_dana, refusals, the_request
from sqlalchemy import func, select

from db.models import AuditEvent, ProcessedInbound, User
from fakes.graph_api import wa_envelope, wa_text
from fakes.metrics import refused_counts

from tests.telegram_support import METRICS_TOKEN
from tests.whatsapp_support import register

NO_LONGER_VALID = "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
OTHER_DESA = "Maaf, hanya Kepala Desa Sumber Urip yang dapat memutuskan permintaan ini."


def grown(before: dict, after: dict) -> dict[tuple[str, str], float]:
    """The counters are per process: what this test added."""
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


async def button_refusals(db) -> list[tuple[str, str | None, str | None]]:
    async with db.transaction() as session:
        stmt = select(AuditEvent.action, AuditEvent.channel, AuditEvent.reason).where(
            AuditEvent.entity == "button"
        )
        return list((await session.execute(stmt.order_by(AuditEvent.id))).all())


async def test_a_forged_and_a_stale_button_on_telegram(telegram_web, fake_telegram, caplog):
    before = await refused_counts(telegram_web.http, METRICS_TOKEN)
    siti = telegram_web.person(fake_telegram, 501)
    with caplog.at_level(logging.WARNING):
        forged = await siti.deliver_raw(fake_telegram.push_callback(501, "bukan:tombol"))
        stale = await siti.deliver_raw(fake_telegram.push_callback(501, "v1:41:0"))
    assert forged == stale == [NO_LONGER_VALID]
    assert siti.responses == [200, 200]
    assert await button_refusals(telegram_web.app.db) == [
        ("refused_forged", "telegram", "bukan:tombol"),
        ("refused_stale", "telegram", "v1:41:0"),
    ]
    assert (
        "refused forged button 'bukan:tombol' from telegram:***" in caplog.text
    )  # a chat id is masked
    after = await refused_counts(telegram_web.http, METRICS_TOKEN)
    assert grown(before, after) == {("telegram", "forged"): 1, ("telegram", "stale"): 1}


async def test_an_old_button_and_a_made_up_one_on_whatsapp(whatsapp, invite, db):
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)
    code = await invite("kader")
    siti = whatsapp.person("6281234509001")
    await siti.send(f"DAFTAR {code}")
    await siti.send("Siti Aminah")
    confirm = siti.last[-1]["interactive"]["action"]["buttons"][0]["reply"]["id"]
    await siti.press("Ya")

    # registration is over; the menu she is looking at now is shown again
    menu_again = [f"{NO_LONGER_VALID}\nApa yang ingin Anda lakukan?"]
    assert await siti.press_data(confirm) == menu_again
    assert await siti.press_data("v1:x:0") == menu_again
    actions = [action for action, _, _ in await button_refusals(db)]
    assert actions == ["refused_stale", "refused_forged"]
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {("whatsapp", "stale"): 1, ("whatsapp", "forged"): 1}


async def test_a_kades_of_another_desa_cannot_decide(whatsapp, invite, db, caplog):
    siti = await register(whatsapp, await invite("petugas"), "6281234509011", "Siti Aminah")
    budi = await register(whatsapp, await invite("kades"), "6281234509012", "Budi Santoso")
    joko = await register(
        whatsapp, await invite("kades", desa=SUMBER_BENING), "6281234509013", "Joko Susilo"
    )
    budi.read()
    await ask_for_dana(siti)
    await whatsapp.deliver()
    [decision] = [b for b in budi.read() if b["type"] == "interactive"]
    rows = [row for s in decision["interactive"]["action"]["sections"] for row in s["rows"]]
    approve = next(row["id"] for row in rows if row["title"] == "Setujui")
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)

    with caplog.at_level(logging.WARNING):
        assert await joko.press_data(approve) == [OTHER_DESA]
        assert await siti.press_data(approve) == [OTHER_DESA]
    assert (await the_request(db)).status == "diajukan"
    assert await refusals(db) == ["refused_other_desa", "refused_not_kades"]
    assert f"refused other_desa dana button {approve!r} from whatsapp:***9013" in caplog.text
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {
        ("whatsapp", "other_desa"): 1,
        ("whatsapp", "not_kades"): 1,
    }


async def test_a_wrong_telegram_secret_is_refused_and_counted(telegram_web, fake_telegram, caplog):
    before = await refused_counts(telegram_web.http, METRICS_TOKEN)
    update = fake_telegram.push_message(501, "halo")
    with caplog.at_level(logging.WARNING):
        assert (await telegram_web.post(update, secret="guess")).status_code == 403
        assert (await telegram_web.post(update, secret=None)).status_code == 403
    assert "refused bad_secret telegram webhook request from 127.0.0.1" in caplog.text
    async with telegram_web.app.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedInbound)) == 0
    after = await refused_counts(telegram_web.http, METRICS_TOKEN)
    assert grown(before, after) == {("telegram", "bad_secret"): 2}


async def test_a_bad_whatsapp_signature_is_refused_and_counted(whatsapp, db, graph, caplog):
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)
    payload = wa_envelope([wa_text("6281234509021", "halo")])
    with caplog.at_level(logging.WARNING):
        assert (await whatsapp.post(payload, secret="someone-elses")).status_code == 403
        assert (await whatsapp.post(payload, secret=None)).status_code == 403
    assert "refused bad_signature whatsapp webhook request from 127.0.0.1" in caplog.text
    await whatsapp.deliver()
    assert graph.messages() == []
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {("whatsapp", "bad_signature"): 2}


async def test_a_forged_staf_button_for_another_puskesmas_is_refused_and_counted(
    whatsapp, invite, db, caplog
):
    hendra = await register(
        whatsapp, await invite("kepala_puskesmas"), "6281234509021", "Dr. Hendra"
    )
    await register(
        whatsapp, await invite("kader", desa="Talang Rimbo Lama"), "6281234509022", "Rina Curup"
    )
    async with db.transaction() as session:
        rina = await session.scalar(select(User).where(User.name == "Rina Curup"))
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)
    with caplog.at_level(logging.WARNING):
        assert await hendra.press_data(f"sf:dy:{rina.id}") == [
            "Maaf, Anda tidak dapat mengelola orang ini."
        ]
    assert f"refused out_of_scope staff button 'sf:dy:{rina.id}'" in caplog.text
    assert [a for a, _, _ in await button_refusals(db)] == ["refused_out_of_scope"]
    async with db.transaction() as session:
        assert (await session.get(User, rina.id)).active
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {("whatsapp", "out_of_scope"): 1}
