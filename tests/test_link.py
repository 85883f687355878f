"""Another chat for an existing account (`--link-user`): the account's chats hear of it at
once, the newcomer sees the account's real name, and a chat in use must confirm the link."""

from sqlalchemy import select

from db.models import AuditEvent, ChannelIdentity


async def _link_code(db, clock, user_id: int = 1) -> str:
    from handlers.people.invites import create_invite

    async with db.transaction() as session:
        return (await create_invite(session, clock(), "petugas", link_user=user_id)).code


async def _identities(db) -> list[tuple[str, int]]:
    async with db.transaction() as session:
        rows = await session.execute(select(ChannelIdentity.external_id, ChannelIdentity.user_id))
        return sorted(rows.all())


async def _audit(db) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(AuditEvent.entity, AuditEvent.action).order_by(AuditEvent.id)
        )
        return rows.all()


CONFIRM = (
    "Kode ini menghubungkan chat ini ke akun Siti Aminah, petugas puskesmas untuk Puskesmas "
    "Sumber Urip. Benar itu Bapak/Ibu?"
)


async def test_a_link_to_an_account_in_use_waits_for_its_chat_to_confirm(
    registered, chat, outbox, db, clock
):
    siti = await registered("petugas", "100", "Siti Aminah")
    code = await _link_code(db, clock)
    newcomer = chat("9001")
    assert await newcomer.send(f"DAFTAR {code}") == [CONFIRM]  # no name asked: it is Siti's
    replies = await newcomer.press("Ya")
    assert replies == [
        "Hampir selesai: Siti Aminah, silakan tekan Hubungkan di chat yang sudah Bapak/Ibu pakai "
        "dengan bot ini. Chat ini terhubung setelah itu."
    ]
    assert await _identities(db) == [("100", 1)]
    await outbox.drain()
    assert outbox.read(siti) == [
        "Ada yang meminta menghubungkan chat baru (test …9001) ke akun Bapak/Ibu. Jika itu Bapak/Ibu, "
        "tekan Hubungkan. Jika bukan, tekan Tolak dan beri tahu puskesmas Bapak/Ibu."
    ]
    assert siti.buttons == ["Hubungkan", "Tolak"]
    link = next(b.data for o in siti.last for b in o.buttons if b.label == "Hubungkan")
    assert await siti.press_data(link) == [
        "Selesai: chat baru (test …9001) terhubung ke akun Bapak/Ibu."
    ]
    assert await _identities(db) == [("100", 1), ("9001", 1)]
    await outbox.drain()
    assert outbox.read(newcomer) == [
        "Chat ini sekarang terhubung ke akun Siti Aminah. Ketik /menu untuk mulai."
    ]
    assert await newcomer.send("/profil") == [
        "Bapak/Ibu terdaftar sebagai Siti Aminah, petugas puskesmas untuk Puskesmas Sumber Urip.",
        "Chat Bapak/Ibu dengan bot ini:\n- test …100\n- test …9001 (chat ini)",
    ]
    assert await siti.press_data(link) == ["Permintaan ini sudah dijawab."]
    assert [a for a in await _audit(db) if a[1].startswith("link")] == [
        ("user", "link_requested"),
        ("link_request", "link_confirmed"),
    ]


async def test_a_link_refused_from_the_chat_in_use_attaches_nothing(
    registered, chat, outbox, db, clock
):
    siti = await registered("petugas", "100", "Siti Aminah")
    stranger = chat("9002")
    await stranger.send(f"DAFTAR {await _link_code(db, clock)}")
    await stranger.press("Ya")
    await outbox.drain()
    outbox.read(siti)
    assert await siti.press("Tolak") == ["Ditolak: chat baru tidak dihubungkan."]
    await outbox.drain()
    assert outbox.read(stranger) == [
        "Permintaan menghubungkan ditolak dari chat lain akun tersebut. Mintalah kode baru jika "
        "ini keliru."
    ]
    assert await _identities(db) == [("100", 1)]
    assert (await stranger.send("halo"))[0].startswith("Halo!")  # still nobody


async def test_a_link_to_an_account_whose_chats_are_quiet_is_made_at_once_and_told(
    registered, chat, outbox, db, clock
):
    siti = await registered("petugas", "100", "Siti Aminah")
    await outbox.drain()
    outbox.read(siti)
    clock.advance(days=31)  # her Telegram has been silent for a month: nobody there to confirm
    code = await _link_code(db, clock)
    newcomer = chat("9003")
    await newcomer.send(f"DAFTAR {code}")
    replies = await newcomer.press("Ya")
    assert replies[0] == (
        "Selamat datang, Siti Aminah! Chat ini sekarang terhubung ke akun Bapak/Ibu: petugas "
        "puskesmas untuk Puskesmas Sumber Urip."
    )
    assert await _identities(db) == [("100", 1), ("9003", 1)]
    await outbox.drain()
    assert outbox.read(siti) == [
        "Sebuah chat baru (test …9003) dihubungkan ke akun Bapak/Ibu. Jika itu bukan Bapak/Ibu, segera "
        "hubungi puskesmas atau Dinas Kesehatan."
    ]
    assert ("user", "linked") in await _audit(db)


async def test_someone_else_cannot_press_link_for_an_account(registered, chat, outbox, db, clock):
    siti = await registered("petugas", "100", "Siti Aminah")
    budi = await registered("kades", "200", "Budi Santoso")
    await chat("9004").send(f"DAFTAR {await _link_code(db, clock)}")
    await chat("9004").press_data("v1:1:0")
    newcomer = chat("9004")
    await newcomer.send(f"DAFTAR {await _link_code(db, clock)}")
    await newcomer.press("Ya")
    await outbox.drain()
    outbox.read(siti)
    data = next(b.data for o in siti.last for b in o.buttons if b.label == "Hubungkan")
    assert await budi.press_data(data) == [
        "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    ]
    assert ("9004", 1) not in await _identities(db)
