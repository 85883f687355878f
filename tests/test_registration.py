"""Registration by invitation, as the people who register would tell it."""

import pytest
from sqlalchemy import func, select

from db.models import ChannelIdentity, User


async def test_a_bidan_registers_with_the_code_from_her_puskesmas(chat, invite, db):
    code = await invite("petugas", puskesmas="Sumber Urip")
    siti = chat("501")
    replies = await siti.send(f"/start {code}")
    assert replies == ["Siapa nama lengkap Bapak/Ibu?"]
    replies = await siti.send("Siti Aminah")
    assert (
        "Siti Aminah, kode ini mendaftarkan Bapak/Ibu sebagai petugas puskesmas untuk Puskesmas Sumber Urip. Benar?"
        in replies
    )
    assert siti.buttons == ["Ya", "Tidak"]
    replies = await siti.press("Ya")
    assert (
        replies[0]
        == "Selamat datang, Siti Aminah! Bapak/Ibu terdaftar sebagai petugas puskesmas untuk Puskesmas Sumber Urip."
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


async def test_a_kades_registers_from_a_deep_link_after_a_restart_mid_way(
    chat, invite, db, texts, clock
):
    from handlers.app import build_runtime

    code = await invite("kades", desa="17.02.11.2009")
    first = chat("601")
    await first.send(f"/start {code}")
    # The process dies; a new one with the same database carries on where the kades was.
    restarted = build_runtime(db, texts, clock=clock)
    first.runtime = restarted
    replies = await first.send("Budi Santoso")
    assert (
        "Budi Santoso, kode ini mendaftarkan Bapak/Ibu sebagai kepala desa untuk Desa Sumber Urip. Benar?"
        in replies
    )
    await first.press("Ya")
    async with db.transaction() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert (user.role, user.desa_id is not None, user.puskesmas_id) == ("kades", True, None)


async def test_the_same_update_delivered_twice_changes_nothing_twice(runtime, invite, db, clock):
    from conversations.model import Inbound
    from handlers.core.turn import Incoming

    code = await invite("petugas")
    first = Incoming("test", "700", "update-1", clock(), Inbound(text=f"DAFTAR {code}"))
    name = Incoming("test", "700", "update-2", clock(), Inbound(text="Rina"))
    assert await runtime.handle(first)
    assert await runtime.handle(name)
    assert await runtime.handle(name) == []  # redelivered: no reply, no second step
    assert await runtime.handle(first) == []
    async with db.transaction() as session:
        from db.models import Conversation

        conv = (await session.execute(select(Conversation))).scalar_one()
    assert conv.step == "confirm"
    assert conv.state["answers"] == {"name": "Rina"}


async def test_a_code_can_be_typed_after_daftar_in_small_letters_without_the_dash(chat, invite):
    code = await invite("petugas")
    person = chat("702")
    assert await person.send("/daftar") == [
        "Silakan ketik kode undangan Bapak/Ibu (contoh: K7QX2-M9PRT)."
    ]
    assert await person.send(code.replace("-", "").lower()) == ["Siapa nama lengkap Bapak/Ibu?"]


@pytest.mark.parametrize("problem", ["expired", "used_up", "revoked"])
async def test_an_invitation_that_is_no_longer_valid_is_refused(chat, invite, db, clock, problem):
    from db.models import Invite

    code = await invite("petugas", uses=1, days=7)
    if problem == "expired":
        clock.advance(days=8)
    elif problem == "used_up":
        await (await _register(chat("703"), code))
    else:
        async with db.transaction() as session:
            inv = (await session.execute(select(Invite))).scalar_one()
            inv.revoked_at = clock()
    replies = await chat("704").send(f"DAFTAR {code}")
    assert replies[0].startswith("Kode itu tidak berlaku")


async def _register(person, code):
    await person.send(f"DAFTAR {code}")
    await person.send("Dewi Lestari")
    return person.press("Ya")


async def test_five_wrong_codes_in_an_hour_lock_the_chat_for_an_hour(chat, invite, clock):
    good = await invite("petugas")
    person = chat("705")
    for _ in range(4):
        assert (await person.send("DAFTAR AAAAA-BBBBB"))[0].startswith("Kode itu tidak berlaku")
    assert await person.send("DAFTAR AAAAA-BBBBB") == [
        "Terlalu banyak kode salah. Silakan tunggu satu jam lalu coba lagi."
    ]
    assert await person.send(f"DAFTAR {good}") == [
        "Terlalu banyak kode salah. Silakan tunggu satu jam lalu coba lagi."
    ]
    clock.advance(minutes=61)
    assert await person.send(f"DAFTAR {good}") == ["Siapa nama lengkap Bapak/Ibu?"]


async def test_a_name_with_digits_is_refused_and_asked_again(chat, invite):
    person = chat("706")
    await person.send(f"DAFTAR {await invite('kader', desa='17.02.11.2009')}")
    replies = await person.send("S1t1")
    assert replies == ["Silakan ketik nama dengan huruf saja.\nSiapa nama lengkap Bapak/Ibu?"]


async def test_a_stale_or_forged_button_is_refused_and_logged(registered, db):
    from db.models import AuditEvent

    siti = await registered("petugas", chat_id="707")
    old_buttons = list(siti.last)
    await siti.press("Profil saya")
    siti.last = old_buttons
    assert await siti.press("Profil saya") == [
        "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    ]
    assert await siti.press_data("v1:999:abc") == [
        "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    ]
    async with db.transaction() as session:
        actions = [a.action for a in (await session.execute(select(AuditEvent))).scalars()]
    assert actions == ["refused_stale", "refused_forged"]


async def test_an_old_button_pressed_mid_form_asks_the_current_question_again(chat, invite):
    person = chat("708")
    await person.send(f"DAFTAR {await invite('petugas')}")
    assert await person.press_data("v1:1:0") == [  # a button from an older message
        "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru.\nSiapa nama lengkap Bapak/Ibu?"
    ]
    replies = await person.send("Siti Aminah")
    assert replies[-1].startswith("Siti Aminah, kode ini mendaftarkan Bapak/Ibu")


async def test_a_form_left_for_a_day_waits_as_a_draft_and_offers_to_continue(
    chat, invite, clock, db
):
    from db.models import Conversation

    person = chat("708")
    await person.send(f"DAFTAR {await invite('petugas')}")
    await person.send("Yuni Kartika")
    clock.advance(hours=25)
    async with db.transaction() as session:
        draft = (await session.execute(select(Conversation))).scalar_one()
    assert draft.status == "active" and draft.expires_at < clock()
    replies = await person.send("halo")
    assert replies[0].startswith(
        "Bapak/Ibu punya isian yang belum selesai (Pendaftaran) dengan 1 jawaban."
    )
    assert person.buttons == ["Lanjutkan", "Mulai baru"]
    replies = await person.press("Lanjutkan")
    assert replies == [
        "Yuni Kartika, kode ini mendaftarkan Bapak/Ibu sebagai petugas puskesmas untuk Puskesmas Sumber Urip. Benar?"
    ]


async def _identity(db) -> ChannelIdentity:
    async with db.transaction() as session:
        return (await session.execute(select(ChannelIdentity))).scalar_one()


async def test_a_message_marks_her_reachable_and_notes_when_she_last_wrote(registered, db, clock):
    """The last-message time is kept to the minute (WhatsApp's 24-hour window closes at most a
    minute early); writing it for every message would cost an UPDATE each."""
    siti = await registered("petugas", "501")
    written = (await _identity(db)).last_inbound_at
    assert written == clock()
    async with db.transaction() as session:
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
        ident.unreachable = True  # the outbox saw a 403 earlier

    clock.advance(seconds=30)
    await siti.send("/profil")
    ident = await _identity(db)
    assert (ident.unreachable, ident.last_inbound_at) == (False, written)

    clock.advance(seconds=30)
    await siti.send("/profil")
    assert (await _identity(db)).last_inbound_at == clock()


@pytest.mark.parametrize(
    ("role", "place", "profile"),
    [
        (
            "kades",
            {"desa": "17.02.11.2009"},
            "Bapak/Ibu terdaftar sebagai Budi, kepala desa untuk Desa Sumber Urip.",
        ),
        (
            "kader",
            {"desa": "17.02.06.1004"},
            "Bapak/Ibu terdaftar sebagai Budi, kader posyandu untuk Kelurahan Kota Padang.",
        ),
        (
            "camat",
            {"kecamatan": "Selupu Rejang"},
            "Bapak/Ibu terdaftar sebagai Budi, camat untuk Kecamatan Selupu Rejang.",
        ),
        (
            "pendamping_desa",
            {"desa": "17.02.11.2010"},
            "Bapak/Ibu terdaftar sebagai Budi, pendamping desa untuk Desa Sumber Bening.",
        ),
        (
            "petugas",
            {"puskesmas": "Sumber Urip"},
            "Bapak/Ibu terdaftar sebagai Budi, petugas puskesmas untuk Puskesmas Sumber Urip.",
        ),
        (
            "dinkes",
            {},
            "Bapak/Ibu terdaftar sebagai Budi, staf Dinas Kesehatan untuk Kabupaten Rejang Lebong.",
        ),
    ],
)
async def test_a_registered_user_sees_their_place_in_the_profile(
    chat, invite, role, place, profile
):
    code = await invite(role, **place)
    budi = chat("602")
    await budi.send(f"/start {code}")
    await budi.send("Budi")
    await budi.press("Ya")
    assert await budi.send("/profil") == [profile]
