"""Registration by invitation, as the people who register would tell it."""

from sqlalchemy import func, select

from db.models import ChannelIdentity, User


async def test_a_bidan_registers_with_the_code_from_her_puskesmas(chat, invite, db):
    code = await invite("petugas", puskesmas="Sumber Urip")
    siti = chat("501")
    replies = await siti.send(f"/start {code}")
    assert replies == ["Siapa nama lengkap Anda?"]
    replies = await siti.send("Siti Aminah")
    assert (
        "Siti Aminah, kode ini mendaftarkan Anda sebagai petugas puskesmas untuk Puskesmas Sumber Urip. Benar?"
        in replies
    )
    assert siti.buttons == ["Ya", "Tidak"]
    replies = await siti.press("Ya")
    assert (
        replies[0]
        == "Selamat datang, Siti Aminah! Anda terdaftar sebagai petugas puskesmas untuk Puskesmas Sumber Urip."
    )
    assert "Profil saya" in siti.buttons
    async with db.transaction() as session:
        user = (await session.execute(select(User))).scalar_one()
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
    assert (user.name, user.role, ident.external_id, ident.user_id) == (
        "Siti Aminah",
        "petugas",
        "501",
        user.id,
    )


async def test_someone_without_an_invitation_is_told_how_to_get_one(chat, db):
    stranger = chat("777")
    replies = await stranger.send("halo")
    assert "kode undangan" in replies[0]
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 0
