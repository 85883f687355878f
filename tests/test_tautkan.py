"""One person, several phones: a bidan who changes number asks /tautkan on the chat she still
has, types the code on the new one, confirms in the old one; she stays one person, and unlinks
the old number from /profil."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import ChannelIdentity, User


async def chats_of_everyone(db) -> list[tuple[str, int]]:
    async with db.transaction() as session:
        rows = await session.execute(select(ChannelIdentity.external_id, ChannelIdentity.user_id))
        return sorted(rows.all())


async def test_a_number_change_keeps_one_person(registered, chat, db, outbox):
    siti = await registered("petugas", "6281200001111", "Siti Aminah")
    (answer,) = await siti.send("/tautkan")
    assert answer.startswith("Kode penghubung Anda: ")
    code = answer.removeprefix("Kode penghubung Anda: ").split(" ", 1)[0]

    new_number = chat("6281299992222")
    await new_number.send(f"DAFTAR {code}")
    assert new_number.text.startswith("Kode ini menghubungkan chat ini ke akun Siti Aminah")
    await new_number.press("Ya")
    await outbox.drain()
    outbox.read(siti)
    await siti.press("Hubungkan")  # the chat she still has confirms
    assert await chats_of_everyone(db) == [("6281200001111", 1), ("6281299992222", 1)]

    profile = await new_number.send("/profil")
    assert profile == [
        "Bapak/Ibu terdaftar sebagai Siti Aminah, petugas puskesmas untuk Puskesmas Sumber Urip.",
        "Chat Bapak/Ibu dengan bot ini:\n- test …1111\n- test …2222 (chat ini)",
    ]
    assert new_number.buttons == ["Lepaskan test …1111"]
    await new_number.press("Lepaskan test …1111")
    assert new_number.buttons == ["Ya, lepaskan", "Batal"]
    assert await new_number.press("Ya, lepaskan") == [
        "Selesai: test …1111 tidak lagi terhubung ke akun Anda."
    ]
    assert await chats_of_everyone(db) == [("6281299992222", 1)]
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 1
    assert (await siti.send("/profil"))[0].startswith("Halo!")  # the old number is no one now


async def test_a_chat_of_someone_else_cannot_be_unlinked(registered, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    budi = await registered("kades", "200", "Budi Santoso")
    theirs = {chat: ident for chat, ident in await chats_of_everyone(db)}
    async with db.transaction() as session:
        budi_chat = (
            await session.execute(
                select(ChannelIdentity.id).where(ChannelIdentity.external_id == "200")
            )
        ).scalar_one()
    for data in (f"ul:{budi_chat}:y", "ul:abc"):
        assert await siti.press_data(data) == [
            "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
        ]
    own = f"ul:{budi_chat}:y"  # nor his own chat, from itself
    assert await budi.press_data(own) == [
        "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    ]
    assert {c for c, _ in await chats_of_everyone(db)} == set(theirs)
