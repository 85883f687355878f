"""The same conversations on WhatsApp, end to end: signed webhooks into the real web app, the real
outbox sender out to the fake Graph API, which fails the test on any broken Meta limit."""

from dana_steps import ask_for_dana, history, the_request
from report_steps import K2, K2_ANSWERS, answer, choose, reports, values_of
from sqlalchemy import select

from conversations.model import Photo
from db.models import ChannelIdentity, Outbox, User
from fakes.graph_api import wa_document, wa_envelope, wa_status

from tests.whatsapp_support import options, register, words


async def identities(db) -> list[ChannelIdentity]:
    async with db.transaction() as session:
        stmt = select(ChannelIdentity).order_by(ChannelIdentity.id)
        return list((await session.execute(stmt)).scalars())


async def test_a_kader_registers_on_whatsapp_with_reply_buttons(whatsapp, invite, db):
    code = await invite("kader", desa="17.02.11.2009")
    siti = whatsapp.person("6281234500001", name="Siti")

    assert await siti.send(f"DAFTAR {code}") == ["Siapa nama lengkap Bapak/Ibu?"]
    await siti.send("Siti Aminah")
    assert siti.last[-1]["interactive"]["type"] == "button"
    assert options(siti.last[-1]) == ["Ya", "Tidak"]

    [welcome] = await siti.press("Ya")  # the welcome and the menu travel as one (pair rate)
    assert welcome.startswith("Selamat datang, Siti Aminah!")
    [ident] = await identities(db)
    async with db.transaction() as session:
        user = await session.get(User, ident.user_id)
    assert (ident.channel, ident.external_id, ident.phone) == (
        "whatsapp",
        "6281234500001",
        "6281234500001",
    )
    assert (user.name, user.role) == ("Siti Aminah", "kader")


async def test_typed_answers_work_where_a_tap_would(whatsapp, invite):
    siti = whatsapp.person("6281234500002")
    await siti.send(f"DAFTAR {await invite('kader')}")
    await siti.send("Siti Aminah")
    [welcome] = await siti.send("ya")  # typed instead of tapping Ya
    assert welcome.startswith("Selamat datang")
    assert siti.last[-1]["interactive"]["type"] == "list"  # the menu has more than 3 options
    ani = await register(whatsapp, await invite("kader"), "6281234500012", "Ani Lestari")
    typed, tapped = await siti.send("2"), await ani.press(ani.buttons[1])
    assert typed == [t.replace("Ani Lestari", "Siti Aminah") for t in tapped]


async def test_someone_on_telegram_links_whatsapp_with_an_invite_for_the_same_person(
    whatsapp, registered, invite, db
):
    rina = await registered("petugas", "555", "Rina Marlina")  # on the Telegram-like test channel
    [telegram] = await identities(db)
    code = await invite(link_user=telegram.user_id)
    phone = whatsapp.person("6281234500003", name="Rina")
    [confirm] = await phone.send(f"DAFTAR {code}")  # no name asked: the account's is shown
    assert confirm.startswith("Kode ini menghubungkan chat ini ke akun Rina Marlina")
    await phone.press("Ya")
    assert len(await identities(db)) == 1  # her Telegram chat is in use: it confirms first
    async with db.transaction() as session:
        asked = (await session.execute(select(Outbox).where(Outbox.chat_id == "555"))).scalar_one()
    [link, _refuse] = asked.payload["buttons"]
    assert (await rina.press_data(link["data"]))[0].startswith("Selesai: chat baru (whatsapp")
    [first, second] = await identities(db)
    assert (first.channel, second.channel) == ("test", "whatsapp")
    assert second.user_id == first.user_id
    async with db.transaction() as session:
        assert len(list((await session.execute(select(User))).scalars())) == 1


async def test_a_business_scoped_id_arriving_later_keeps_the_same_person_and_chat(
    whatsapp, invite, db
):
    ani = await register(whatsapp, await invite("kader"), "6281234500004", "Ani Lestari")
    ani.user_id, ani.read_upto = "ID.1B2C3D4E5F", 0  # Meta starts sending her BSUID
    [profile] = await ani.send("/profil")
    assert profile.startswith("Bapak/Ibu terdaftar sebagai Ani Lestari, kader posyandu")
    [ident] = await identities(db)
    assert (ident.external_id, ident.phone) == ("ID.1B2C3D4E5F", "6281234500004")


async def test_a_bidan_reports_a_klaster_on_whatsapp_with_a_photo_and_her_location(
    whatsapp, invite, db, graph
):
    siti = await register(whatsapp, await invite("petugas"), "6281234500005", "Siti Aminah")
    await choose(siti, K2, "Hari ini", desa=None)
    await siti.press("Desa (pustu, kunjungan rumah)")
    assert len(siti.buttons) > 10  # 16 desa: a numbered menu
    assert siti.last[-1]["type"] == "text"
    await siti.press("Desa Sumber Urip (perlu konfirmasi)")  # typed as its number
    await answer(siti, *K2_ANSWERS.values(), "Lewati")
    await siti.send(photo=Photo("1479537139650973", "Posyandu Mawar"))
    summary = await siti.send_location(-3.4606, 102.5275)
    assert "Foto: foto diterima" in summary[-1]
    assert siti.buttons == ["Kirim", "Ubah", "Batal"]
    [done] = await siti.press("Kirim")
    assert done.startswith("Terima kasih! Laporan Anda tersimpan dengan nomor ILP-20261123-1.")
    [report] = await reports(db)
    assert report.channel == "whatsapp"
    assert await values_of(db, report.id) == K2_ANSWERS
    assert report.details["foto"] == {"file_id": "1479537139650973", "caption": "Posyandu Mawar"}
    assert report.details["lokasi"] == {"lat": -3.4606, "lon": 102.5275}
    assert graph.rate_violations() == []


async def test_a_program_sent_for_the_photo_is_refused_and_a_pdf_is_taken(whatsapp, invite, db):
    siti = await register(whatsapp, await invite("petugas"), "6281234500015", "Siti Aminah")
    await choose(siti, K2, "Hari ini", desa=None)
    await siti.press("Desa (pustu, kunjungan rumah)")
    await siti.press("Desa Sumber Urip (perlu konfirmasi)")
    asked = await answer(siti, *K2_ANSWERS.values(), "Lewati")
    program = wa_document(siti.wa_id, "77001", "kuitansi.exe", "application/x-msdownload")
    refused = await siti.post(program)
    assert refused[0].startswith("Maaf, hanya foto dan berkas PDF yang dapat disimpan.")
    assert refused[-1].endswith(asked[-1])  # the same question again, the answers so far kept
    pdf = wa_document(
        siti.wa_id, "77002", "kegiatan.pdf", "application/pdf", caption="Daftar hadir"
    )
    await siti.post(pdf)
    summary = await siti.send_location(-3.4606, 102.5275)
    assert "Foto: foto diterima" in summary[-1]
    await siti.press("Kirim")
    [report] = await reports(db)
    assert report.details["foto"] == {"file_id": "77002", "caption": "Daftar hadir"}
    assert await values_of(db, report.id) == K2_ANSWERS


async def test_a_kades_decides_a_dana_desa_request_on_whatsapp(whatsapp, invite, db):
    siti = await register(whatsapp, await invite("petugas"), "6281234500006", "Siti Aminah")
    budi = await register(whatsapp, await invite("kades"), "6281234500007", "Budi Santoso")
    budi.read()
    [sent] = await ask_for_dana(siti)  # the desa is picked by number from 16
    assert sent.startswith("Permohonan DD-2026-1 sudah dikirim ke Kepala Desa Sumber Urip.")
    await whatsapp.deliver()
    [request] = [b for b in budi.read() if b["type"] == "interactive"]
    budi.last = [request]
    assert "Setujui — belanja tidak terduga (KLB/darurat)" in budi.buttons
    [question] = await budi.press("Setujui — belanja tidak terduga (KLB/darurat)")
    assert question.startswith("Setujui Rp 2.500.000 untuk DD-2026-1")
    assert question.endswith("didanai sebagai belanja tidak terduga (KLB/darurat) 2026?")
    await budi.press("Ya")
    assert any(words(b).startswith("Kabar baik: DD-2026-1") for b in siti.read())
    assert (await the_request(db)).status == "disetujui"


async def test_a_kades_whatsapp_cannot_show_the_request_and_the_petugas_is_told(
    whatsapp, invite, db
):
    siti = await register(whatsapp, await invite("petugas"), "6281234500016", "Siti Aminah")
    budi = await register(whatsapp, await invite("kades"), "6281234500017", "Budi Santoso")
    siti.read()
    await ask_for_dana(siti)
    await whatsapp.deliver()  # Meta accepts the request for Budi…
    async with db.transaction() as session:
        stmt = select(Outbox).where(Outbox.chat_id == budi.chat_id, Outbox.kind == "dana_kades")
        row = (await session.execute(stmt)).scalar_one()
    assert row.status == "sent"
    undeliverable = [{"code": 131026, "title": "Message undeliverable"}]
    status = wa_status(row.provider_message_id, "failed", budi.chat_id, errors=undeliverable)
    assert (await whatsapp.post(wa_envelope(statuses=[status]))).status_code == 200  # …then not
    await whatsapp.deliver()
    told = [words(b) for b in siti.read()]
    assert any(t.startswith("Kepala desa Budi Santoso tidak dapat dihubungi") for t in told), told
    request = await the_request(db)
    assert request.status == "diajukan"  # still waiting: the petugas contacts the kades directly
    assert [e.action for e in await history(db, request.id)] == ["created", "kades_unreachable"]
    [kades] = [i for i in await identities(db) if i.external_id == budi.chat_id]
    assert kades.unreachable

    # The same failed status delivered again by Meta tells nobody twice.
    assert (await whatsapp.post(wa_envelope(statuses=[status]))).status_code == 200
    await whatsapp.deliver()
    assert siti.read() == []
