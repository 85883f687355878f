"""A role changes hands in chat: after the pilkades the Dinas Kesehatan makes a code for the
new kepala desa; when he registers, the old one is deactivated, the request waiting for a
decision goes to the new one with its buttons, and both are told. A kepala puskesmas hands
his own role over the same way."""

from __future__ import annotations

from dana_steps import ask_for_dana, people, the_request
from sqlalchemy import select

from db.models import User


async def active(db, name: str) -> bool:
    async with db.transaction() as session:
        stmt = select(User.active).where(User.name == name)
        return (await session.execute(stmt)).scalar_one()


def code_in(text: str) -> str:
    return text.split("Kode: ", 1)[1].split(" ", 1)[0]


async def test_a_new_kades_takes_over_the_pending_decisions(registered, chat, db, outbox):
    siti, budi, rina = await people(registered)
    await ask_for_dana(siti)
    await rina.send("/staf")
    assert "Budi Santoso, kepala desa, Desa Sumber Urip" in rina.text
    await rina.press(next(b for b in rina.buttons if b.endswith("Budi Santoso")))
    assert rina.buttons == ["Nonaktifkan", "Serahkan peran ini"]
    await rina.press("Serahkan peran ini")
    (asked,) = rina.last
    assert asked.text.startswith("Serahkan peran Budi Santoso (kepala desa)?")
    (invitation, *pictures) = await rina.press("Ya, buat kodenya")
    assert invitation.startswith("Undangan untuk kepala desa baru untuk Desa Sumber Urip.")
    assert await active(db, "Budi Santoso")  # until the successor registers

    joko = chat("400")
    await joko.send(f"DAFTAR {code_in(invitation)}")
    await joko.send("Joko Widodo")
    replies = await joko.press("Ya")
    assert replies[0].startswith(
        "Selamat datang, Joko Widodo! Bapak/Ibu terdaftar sebagai kepala desa"
    )
    assert "Anda menggantikan Budi Santoso sebagai kepala desa." in replies
    assert any("DD-2026-1" in r for r in replies)  # the waiting request, with its buttons
    assert "Setujui — sudah ada di APBDes 2026" in joko.buttons
    assert not await active(db, "Budi Santoso")
    await outbox.drain()
    assert outbox.read(budi)[-1] == (
        "Joko Widodo telah menggantikan peran Bapak/Ibu sebagai kepala desa. Akun Bapak/Ibu tidak "
        "aktif lagi. Terima kasih atas pengabdian Bapak/Ibu!"
    )
    assert (await budi.send("/dana"))[0].startswith("Akun Bapak/Ibu sudah tidak aktif")
    decided = await joko.press("Setujui — lewat perubahan APBDes")  # the request is his now
    assert not decided[0].startswith("Maaf"), decided
    if "Ya" in joko.buttons:
        await joko.press("Ya")
    assert (await the_request(db)).status == "disetujui"
    await rina.send("/staf")
    await rina.press("Riwayat")
    assert rina.text.split("\n")[1].endswith(
        ": Joko Widodo menggantikan Budi Santoso sebagai kepala desa."
    )


async def test_a_kepala_puskesmas_hands_his_own_role_over(registered, chat, db):
    hendra = await registered("kepala_puskesmas", "500", "Dr. Hendra")
    await hendra.send("/staf")
    await hendra.press("1. Dr. Hendra")
    assert hendra.buttons == ["Serahkan peran saya"]
    await hendra.press("Serahkan peran saya")
    (invitation, *_) = await hendra.press("Ya, buat kodenya")
    maya = chat("501")
    await maya.send(f"/start {code_in(invitation)}")
    await maya.send("Dr. Maya")
    replies = await maya.press("Ya")
    assert "Anda menggantikan Dr. Hendra sebagai kepala puskesmas." in replies
    assert not await active(db, "Dr. Hendra")
    assert (await maya.send("/staf"))[0].startswith("Staf Anda (0 orang):\n1. Dr. Maya")
