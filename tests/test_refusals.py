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
OTHER_DESA = "Maaf, hanya Kepala Desa Sumber Urip yang dapat memutuskan permohonan ini."


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
    menu_again = [f"{NO_LONGER_VALID}\nApa yang ingin Bapak/Ibu lakukan?"]
    assert await siti.press_data(confirm) == menu_again
    assert await siti.press_data("v1:x:0") == menu_again
    actions = [action for action, _, _ in await button_refusals(db)]
    assert actions == ["refused_stale", "refused_forged"]
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {("whatsapp", "stale"): 1, ("whatsapp", "forged"): 1}


async def the_kades_approve_button(whatsapp, requester, kades) -> str:
    """The requester asks for dana desa; the id of the first "Setujui …" on what the kades receives."""
    kades.read()
    await ask_for_dana(requester)
    await whatsapp.deliver()
    [decision] = [b for b in kades.read() if b["type"] == "interactive"]
    rows = [row for s in decision["interactive"]["action"]["sections"] for row in s["rows"]]
    return next(row["id"] for row in rows if row["title"].startswith("Setujui"))


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
    approve = next(row["id"] for row in rows if row["title"] == "Setujui — sudah ada di…")
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


async def test_a_camat_and_a_pendamping_desa_pressing_a_decision_are_refused(
    whatsapp, invite, db, caplog
):
    """They coach the desa and read its requests, but only the kepala desa decides: a decision
    press of theirs (here a forged one, made from the kades' button) is refused, audited,
    logged and counted as `read_only`."""
    siti = await register(whatsapp, await invite("petugas"), "6281234509021", "Siti Aminah")
    budi = await register(whatsapp, await invite("kades"), "6281234509022", "Budi Santoso")
    camat = await register(whatsapp, await invite("camat"), "6281234509023", "Camat Selupu")
    yudi = await register(
        whatsapp, await invite("pendamping_desa"), "6281234509024", "Yudi Pendamping"
    )
    approve = await the_kades_approve_button(whatsapp, siti, budi)
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)

    with caplog.at_level(logging.WARNING):
        assert await camat.press_data(approve) == [OTHER_DESA]
        assert await yudi.press_data(approve) == [OTHER_DESA]
    assert (await the_request(db)).status == "diajukan"
    assert await refusals(db) == ["refused_read_only", "refused_read_only"]
    assert f"refused read_only dana button {approve!r} from whatsapp:***9023" in caplog.text
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {("whatsapp", "read_only"): 2}


NOT_DESA = (
    "Maaf, hanya kepala desa atau operator desa Desa Sumber Urip yang dapat mengonfirmasi ini."
)


async def test_every_decision_and_the_desa_realisasi_refuse_the_wrong_person(
    whatsapp, invite, db, caplog
):
    """Each budget route is a button of its own: another desa's kades and the operator desa
    (who accounts, never decides) are refused on every one; the desa's realisasi button refuses
    the puskesmas and another desa; a made-up and a stale one are refused too. All counted."""
    siti = await register(whatsapp, await invite("petugas"), "6281234509021", "Siti Aminah")
    budi = await register(whatsapp, await invite("kades"), "6281234509022", "Budi Santoso")
    joko = await register(
        whatsapp, await invite("kades", desa=SUMBER_BENING), "6281234509023", "Joko Susilo"
    )
    ani = await register(whatsapp, await invite("operator_desa"), "6281234509024", "Ani")
    budi.read()
    await ask_for_dana(siti)
    await whatsapp.deliver()
    [decision] = [b for b in budi.read() if b["type"] == "interactive"]
    rows = [row for s in decision["interactive"]["action"]["sections"] for row in s["rows"]]
    assert [r["id"].split(":")[2] for r in rows] == ["a", "u", "b", "k", "p", "t", "r"]
    before = await refused_counts(whatsapp.http, METRICS_TOKEN)

    with caplog.at_level(logging.WARNING):
        for row in rows:
            assert await joko.press_data(row["id"]) == [OTHER_DESA]
            assert await ani.press_data(row["id"]) == [OTHER_DESA]
    assert (await the_request(db)).status == "diajukan"

    # Approved as belanja tidak terduga during a KLB: the operator desa hears, with her button.
    btt = rows[2]["id"]
    await budi.press_data(btt)
    await budi.press("Ya")
    await whatsapp.deliver()
    [told] = [b for b in ani.read() if b["type"] == "interactive"]
    assert (
        "didanai sebagai belanja tidak terduga (KLB/darurat) 2026"
        in told["interactive"]["body"]["text"]
    )
    [realised] = [r["id"] for s in told["interactive"]["action"]["sections"] for r in s["rows"]]
    assert realised.startswith("dk:")
    siti.read()  # the approval
    with caplog.at_level(logging.WARNING):
        assert await joko.press_data(realised) == [NOT_DESA]
        assert await siti.press_data(realised) == [NOT_DESA]
        assert await ani.press_data("dk:1:bayar:9") == ["Tombol ini tidak berlaku."]
        [stale] = await budi.press_data(btt)
    assert stale == "Permohonan DD-2026-1 sudah diputuskan: disetujui."
    assert f"refused not_desa dana button {realised!r} from whatsapp:***9023" in caplog.text
    assert await refusals(db) == (
        ["refused_other_desa", "refused_not_kades"] * 7
        + ["refused_not_desa"] * 2
        + ["refused_forged", "refused_stale"]
    )
    after = await refused_counts(whatsapp.http, METRICS_TOKEN)
    assert grown(before, after) == {
        ("whatsapp", "other_desa"): 7,
        ("whatsapp", "not_kades"): 7,
        ("whatsapp", "not_desa"): 2,
        ("whatsapp", "forged"): 1,
        ("whatsapp", "stale"): 1,
    }
    assert (await the_request(db)).realisasi_jumlah is None


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
