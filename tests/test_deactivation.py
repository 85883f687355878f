"""A user who leaves is deactivated from the command line: they get a polite word instead of a
crash, receive nothing more, drop out of every recipient list, and may be invited again."""

import asyncio

import pytest
from dana_steps import ask_for_dana, people
from sqlalchemy import select, update

from bot.cli import main
from db.models import AuditEvent, ChannelIdentity, Outbox, User

REFUSAL = (
    "Akun Bapak/Ibu sudah tidak aktif, jadi pesan Bapak/Ibu tidak dapat diproses. Jika Bapak/Ibu "
    "masih "
    "memerlukan akses, mintalah kode undangan baru ke puskesmas atau Dinas Kesehatan, lalu "
    "ketik DAFTAR <kode>."
)


async def _set_active(db, name: str, active: bool) -> None:
    """As an operator did by hand before there was a command for it."""
    async with db.transaction() as session:
        await session.execute(update(User).where(User.name == name).values(active=active))


@pytest.mark.parametrize("message", ["12", "/dana", "/profil", "/menu", "halo", "/lapor"])
async def test_a_user_deactivated_mid_form_is_told_politely_whatever_they_send(
    registered, db, message
):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await _set_active(db, "Siti Aminah", False)
    assert await siti.send(message) == [REFUSAL]
    assert siti.buttons == []


async def test_an_old_button_of_a_deactivated_user_is_refused_politely(registered, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    await _set_active(db, "Siti Aminah", False)
    assert await siti.press("Desa Sumber Urip") == [REFUSAL]


async def test_a_deactivated_user_may_be_invited_again_on_the_same_chat(registered, invite, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    await _set_active(db, "Siti Aminah", False)
    code = await invite("kader", desa="17.02.11.2009")
    assert await siti.send(f"DAFTAR {code}") == ["Siapa nama lengkap Bapak/Ibu?"]
    await siti.send("Siti Aminah")
    replies = await siti.press("Ya")
    assert replies[0].startswith("Selamat datang, Siti Aminah! Bapak/Ibu terdaftar sebagai kader")
    assert await siti.send("/profil") == [
        "Bapak/Ibu terdaftar sebagai Siti Aminah, kader posyandu untuk Desa Sumber Urip."
    ]
    async with db.transaction() as session:
        users = (await session.execute(select(User.role, User.active).order_by(User.id))).all()
        ident = (await session.execute(select(ChannelIdentity))).scalar_one()
    assert users == [("petugas", False), ("kader", True)]
    assert ident.user_id == 2


async def test_a_deactivated_kades_receives_nothing_and_the_requester_is_told(
    registered, outbox, db
):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)  # queued to Budi, who leaves office before it goes out
    await _set_active(db, "Budi Santoso", False)
    await outbox.drain()
    assert outbox.read(budi) == []
    assert outbox.read(siti)[0].startswith("Kepala desa Budi Santoso tidak dapat dihubungi")
    async with db.transaction() as session:
        row = (
            await session.execute(select(Outbox).where(Outbox.kind == "dana_kades"))
        ).scalar_one()
    assert (row.status, row.last_error) == ("failed", "user deactivated")


async def test_a_deactivated_kades_is_no_recipient_of_a_new_request(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await _set_active(db, "Budi Santoso", False)
    await ask_for_dana(siti)
    await outbox.drain()
    assert outbox.read(budi) == []


async def _cli(monkeypatch, capsys, db_url, *args: str) -> tuple[int, str, str]:
    """`ilpbot …` in this process: in a thread, as it runs its own event loop."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    code = await asyncio.to_thread(main, list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_the_operator_lists_deactivates_and_reactivates_users(
    registered, db, db_url, monkeypatch, capsys
):
    siti = await registered("petugas", "100", "Siti Aminah")
    await registered("kades", "200", "Budi Santoso")
    code, out, _ = await _cli(monkeypatch, capsys, db_url, "user", "list")
    assert code == 0
    assert out.splitlines() == [
        "1\tSiti Aminah\tpetugas\tPuskesmas Sumber Urip\tactive\ttest:…100",
        "2\tBudi Santoso\tkades\tDesa Sumber Urip\tactive\ttest:…200",
    ]
    code, out, _ = await _cli(monkeypatch, capsys, db_url, "user", "deactivate", "1")
    assert (code, out) == (0, "user 1 (Siti Aminah, petugas) deactivated\n")
    assert await siti.send("/profil") == [REFUSAL]
    code, out, _ = await _cli(monkeypatch, capsys, db_url, "user", "list")
    assert "1\tSiti Aminah\tpetugas\tPuskesmas Sumber Urip\tdeactivated\t" in out
    code, _, err = await _cli(monkeypatch, capsys, db_url, "user", "deactivate", "1")
    assert (code, err) == (1, "error: user 1 is already deactivated\n")

    code, out, _ = await _cli(monkeypatch, capsys, db_url, "user", "reactivate", "1")
    assert (code, out) == (0, "user 1 (Siti Aminah, petugas) reactivated\n")
    assert await siti.send("/profil") == [
        "Bapak/Ibu terdaftar sebagai Siti Aminah, petugas puskesmas untuk Puskesmas Sumber Urip."
    ]
    code, _, err = await _cli(monkeypatch, capsys, db_url, "user", "reactivate", "9")
    assert (code, err) == (1, "error: no user 9\n")
    async with db.transaction() as session:
        audit = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.entity_id).where(AuditEvent.entity == "user")
            )
        ).all()
    assert audit == [("deactivated", "1"), ("reactivated", "1")]


async def test_an_invite_to_link_a_deactivated_user_is_refused(
    registered, db, db_url, monkeypatch, capsys
):
    await registered("petugas", "100", "Siti Aminah")
    await _set_active(db, "Siti Aminah", False)
    code, _, err = await _cli(monkeypatch, capsys, db_url, "invite", "create", "--link-user", "1")
    assert (code, err) == (2, "error: user 1 is deactivated: reactivate them first\n")
