"""The kepala puskesmas manages his staff in chat (/staf): he invites a kader (links and a QR
picture to forward), moves her to another desa of his puskesmas, deactivates her; each change
asked once more, audited and in the history. A button for someone of another puskesmas is
refused, logged, audited and counted."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from db import queries
from db.models import AuditEvent, User
from handlers.app import build_runtime
from handlers.core.settings import ClockSettings, RuntimeSettings
from handlers.people.places import desa_label


@pytest.fixture
def runtime(db, texts, clock, tmp_path):
    settings = replace(
        RuntimeSettings(),
        clock=ClockSettings(export_dir=tmp_path / "exports"),
        telegram_bot_username="ilp_rl_bot",
        whatsapp_number="6281100000000",
    )
    return build_runtime(db, texts, clock=clock, settings=settings)


async def desa_of_sumber_urip(db) -> list[tuple[int, str]]:
    async with db.transaction() as session:
        pkm = next(p for p in await queries.all_puskesmas(session) if p.nama == "Sumber Urip")
        found = await queries.desa_of_puskesmas(session, pkm.id)
        return [(d.id, desa_label(d.jenis, d.nama)) for d in found]


async def user_named(db, name: str) -> User:
    async with db.transaction() as session:
        return (await session.execute(select(User).where(User.name == name))).scalar_one()


def decoded(path: str) -> str:
    (code,) = zxingcpp.read_barcodes(Image.open(path))
    return code.text


async def test_a_kepala_puskesmas_invites_moves_and_deactivates_a_kader(
    registered, chat, db, outbox, runtime
):
    kapus = await registered("kepala_puskesmas", "500", "Dr. Hendra")
    desa = await desa_of_sumber_urip(db)
    assert len(desa) >= 2, desa
    await kapus.send("/staf")
    assert kapus.text.startswith("Staf Anda (0 orang):\n1. Dr. Hendra, kepala puskesmas")
    await kapus.press("Undang kader posyandu baru")
    assert kapus.text == "Untuk desa mana?"
    replies = await kapus.press(f"{desa[0][1]}")
    assert replies[0].startswith(
        f"Undangan untuk kader posyandu baru untuk {desa[0][1]}. Teruskan pesan ini"
    )
    assert "Telegram: https://t.me/ilp_rl_bot?start=" in replies[0]
    assert "WhatsApp: https://wa.me/6281100000000?text=DAFTAR%20" in replies[0]
    pictures = [o.photo for o in kapus.last if o.photo]
    assert replies[1:] == [
        "Kode QR untuk mendaftar lewat Telegram",
        "Kode QR untuk mendaftar lewat WhatsApp",
    ]
    link = decoded(pictures[0])
    assert link in replies[0] and Path(pictures[1]).exists()

    ani = chat("501")  # the kader opens the forwarded link: Telegram sends /start <code>
    await ani.send(f"/start {parse_qs(urlsplit(link).query)['start'][0]}")
    await ani.send("Ani Lestari")
    assert (await ani.press("Ya"))[0].startswith("Selamat datang, Ani Lestari!")

    await kapus.send("/staf")
    assert f"2. Ani Lestari, kader posyandu, {desa[0][1]}. Laporan terakhir: -." in kapus.text
    await kapus.press("2. Ani Lestari")
    assert kapus.buttons == ["Nonaktifkan", "Pindahkan ke desa lain", "Serahkan peran ini"]
    await kapus.press("Pindahkan ke desa lain")
    assert kapus.text == "Pindahkan Ani Lestari ke desa mana?"
    assert f"{desa[0][1]}" not in kapus.buttons  # where she is already
    await kapus.press(f"{desa[1][1]}")
    assert kapus.text == f"Pindahkan Ani Lestari ke {desa[1][1]}?"
    assert await kapus.press("Ya, pindahkan") == [
        f"Selesai: Ani Lestari sekarang melapor untuk {desa[1][1]}."
    ]
    await outbox.drain()
    assert outbox.read(ani) == [f"Dr. Hendra memindahkan Anda ke {desa[1][1]}."]
    assert (await user_named(db, "Ani Lestari")).desa_id == desa[1][0]

    await ani.send("/lapor")  # she starts a report, then leaves the puskesmas
    form = ani.text
    await kapus.send("/staf 2")
    await kapus.press("Nonaktifkan")
    assert kapus.buttons == ["Ya, nonaktifkan", "Batal"]
    assert await kapus.press("Ya, nonaktifkan") == ["Selesai: Ani Lestari sudah dinonaktifkan."]
    assert await ani.send("5") == [
        "Akun Bapak/Ibu sudah tidak aktif, jadi pesan Bapak/Ibu tidak dapat diproses. Jika Bapak/Ibu masih "
        "memerlukan akses, mintalah kode undangan baru ke puskesmas atau Dinas Kesehatan, lalu "
        "ketik DAFTAR <kode>."
    ]
    await kapus.send("/staf")
    assert "Nonaktif. (1 isian belum selesai disimpan)" in kapus.text, form
    await kapus.press("Riwayat")
    history = kapus.text.split("\n")
    assert history[0] == "Perubahan staf, terbaru dahulu:"
    assert history[1].endswith(": Dr. Hendra menonaktifkan Ani Lestari (kader posyandu).")
    assert history[2].endswith(
        f": Dr. Hendra memindahkan Ani Lestari (kader posyandu) ke {desa[1][1]}."
    )
    assert history[3].endswith(f": Dr. Hendra mengundang kader posyandu baru untuk {desa[0][1]}.")


async def test_forged_staff_buttons_across_puskesmas_are_refused_logged_and_counted(
    registered, db, runtime, caplog
):
    refused = []
    runtime.on_refused.append(lambda msg, why: refused.append((msg.channel, why)))
    kapus = await registered("kepala_puskesmas", "500", "Dr. Hendra")
    other = await registered("kader", "510", "Rina Curup", desa="Talang Rimbo Lama")
    await registered("petugas", "520", "Siti Aminah")
    rina = await user_named(db, "Rina Curup")
    siti = await user_named(db, "Siti Aminah")
    desa = await desa_of_sumber_urip(db)
    forged = [
        f"sf:dy:{rina.id}",  # another puskesmas's kader
        f"sf:u:{rina.id}",
        f"sf:my:{siti.id}:{desa[0][0]}",  # a petugas is bound to no desa; hers is no desa
        "sf:i:kades",  # a role he does not manage
        "sf:iv:kader:999999",  # a desa outside his puskesmas
        "sf:dy:999999",
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            assert await kapus.press_data(data) in (
                ["Maaf, Anda tidak dapat mengelola orang ini."],
            ), data
    assert await other.press_data(f"sf:dy:{siti.id}") == [
        "Maaf, Anda tidak dapat mengelola orang ini."
    ]  # a kader manages no one
    assert len(refused) == 7
    assert {why for _, why in refused} == {"out_of_scope", "forged"}
    assert "refused out_of_scope staff button 'sf:dy:" in caplog.text
    async with db.transaction() as session:
        actions = (
            await session.execute(select(AuditEvent.action).where(AuditEvent.entity == "button"))
        ).scalars()
        assert len(list(actions)) == 7
    assert (await user_named(db, "Rina Curup")).active


async def test_the_dinas_kesehatan_invites_a_kepala_puskesmas_for_a_puskesmas(registered, chat, db):
    rina = await registered("dinkes", "300", "Rina Marlina")
    await rina.send("/staf")
    assert "Undang kepala desa baru" not in rina.buttons  # 122 desa: by roster or handover
    await rina.press("Undang kepala puskesmas baru")
    assert rina.text == "Untuk puskesmas mana?"
    (invitation, *_) = await rina.press("Puskesmas Curup")
    assert invitation.startswith("Undangan untuk kepala puskesmas baru untuk Puskesmas Curup.")
    code = invitation.split("Kode: ", 1)[1].split(" ", 1)[0]
    assert "Telegram: https://t.me/ilp_rl_bot?start=" + code in invitation
    yanti = chat("301")
    await yanti.send(f"DAFTAR {code}")
    await yanti.send("Dr. Yanti")
    assert (await yanti.press("Ya"))[0] == (
        "Selamat datang, Dr. Yanti! Bapak/Ibu terdaftar sebagai kepala puskesmas untuk Puskesmas Curup."
    )
    await rina.send("/staf")
    assert "2. Dr. Yanti, kepala puskesmas, Puskesmas Curup." in rina.text
