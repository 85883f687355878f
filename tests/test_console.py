"""The console as someone trying the bot meets it: numbers press the buttons on screen and are
answers everywhere else, and each terminal shows its own chat, including what others' turns
send to it."""

import asyncio
import io
import os

from clock_steps import export_to
from dana_steps import FOGGING
from report_steps import K2_ANSWERS
from sqlalchemy import select
from test_media_store import receipt_photo

from bot.channels.console.chat import ConsoleChat
from bot.media_store import DirectoryStore
from db import queries
from db.models import MediaItem
from handlers.core import media
from handlers.core.media_check import location_of
from handlers.core.outgoing import Outgoing


async def console(runtime, chat_id: str, *lines: str, store=None) -> str:
    """Types the lines into a console chat until the end of input; returns the screen."""
    screen = io.StringIO()
    script = io.StringIO("".join(f"{line}\n" for line in lines))
    await ConsoleChat(runtime, chat_id, script, screen, store).run()
    return screen.getvalue()


def fogging_request(code: str) -> list[str]:
    """A petugas registers and asks Desa Sumber Urip for fogging, up to the RAB photo."""
    return [
        f"DAFTAR {code}",
        "Siti Aminah",
        "1",
        "/dana",
        "Desa Sumber Urip",
        "1",  # Penyakit menular
        FOGGING,
        "2 kali fogging di 2 RT",
        "120",
        "2,5 juta",
        "Desember",
        "2",  # Posyandu / kader
    ]


async def test_a_number_is_an_answer_unless_the_question_has_numbered_buttons(runtime, invite):
    counts = [str(v) for v in K2_ANSWERS.values()]
    screen = await console(
        runtime,
        "1",
        f"DAFTAR {await invite('petugas')}",
        "Siti Aminah",
        "1",  # Ya
        "/lapor",
        "2",  # Klaster 2
        "1",  # Hari ini
        "1",  # in the puskesmas building, not a desa or posyandu
        *counts,  # K1 … ANEMIA: numbers typed after questions without buttons
        "1",  # ANAKSKR: one child screened, not the lone Lewati
        "lewati",  # no photo
        "lewati",  # no location
    )
    assert "tidak berlaku" not in screen
    assert "bot> Berapa anak usia sekolah yang diskrining (penjaringan)?\n     [Lewati]\n" in screen
    assert "     ANAKSKR · Anak usia sekolah diskrining: 1\n" in screen
    assert "     K1 · Ibu hamil K1 baru: 3\n" in screen
    assert screen.rstrip().endswith("     1. Kirim\n     2. Ubah\n     3. Batal")


async def test_each_terminal_shows_its_own_chat_and_what_others_send_to_it(runtime, invite):
    kades = await console(runtime, "2", f"DAFTAR {await invite('kades')}", "Budi Santoso", "1")
    assert "Selamat datang, Budi Santoso!" in kades
    siti = await console(
        runtime,
        "1",
        *fogging_request(await invite("petugas")),
        "lewati",  # no RAB photo
        "1",  # Kirim
    )
    assert "Permohonan DD-2026-1 sudah dikirim ke Kepala Desa Sumber Urip." in siti
    assert "Permohonan dukungan dana desa DD-2026-1 untuk" not in siti  # that is the kades's

    # The kades opens the console again: the request is there, its buttons numbered.
    kades = await console(runtime, "2", "2", "1")  # Setujui lewat perubahan APBDes, Ya
    asked, _, decided = kades.partition("you> 2\n")
    assert asked.startswith("bot> Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip\n")
    assert "     1. Setujui — sudah ada di APBDes 2026\n     2. Setujui — lewat perubahan" in asked
    assert "Tercatat: DD-2026-1 sekarang disetujui." in decided
    assert "Kabar baik" not in decided  # the notice for Siti waits for her terminal

    siti = await console(runtime, "1")
    assert siti.startswith("bot> Kabar baik: DD-2026-1 (Desa Sumber Urip) disetujui oleh Budi")
    assert siti.rstrip().endswith("     1. Laporkan hasil kegiatan")


async def test_a_message_for_a_waiting_terminal_shows_up_without_typing(runtime, db, clock):
    read_end, write_end = os.pipe()
    screen = io.StringIO()
    with os.fdopen(read_end) as keyboard:
        chat = ConsoleChat(runtime, "1", keyboard, screen)
        task = asyncio.create_task(chat.run(poll=0.05))
        reminder = Outgoing("console", "1", "Pengingat: laporan K2 hari ini belum masuk.")
        async with db.transaction() as session:  # as the clock queues it
            await queries.add_outbox(
                session,
                channel="console",
                chat_id="1",
                payload=reminder.to_json(),
                kind="reminder",
                now=clock(),
            )
        for _ in range(100):
            if "Pengingat" in screen.getvalue():
                break
            await asyncio.sleep(0.05)
        os.close(write_end)  # Ctrl-D
        await asyncio.wait_for(task, 10)
    assert screen.getvalue() == "bot> Pengingat: laporan K2 hari ini belum masuk.\n"


async def test_an_export_says_on_screen_which_file_was_sent_and_where(runtime, invite, tmp_path):
    export_to(runtime, tmp_path)
    screen = await console(
        runtime,
        "9",
        f"DAFTAR {await invite('dinkes')}",
        "drg. Asep",
        "1",  # Ya
        "/ekspor",
        "1",  # Bulan ini sampai hari ini
        "1",  # Semua puskesmas
    )
    [written] = list(tmp_path.rglob("*.xlsx"))
    assert f"     (berkas terkirim: {written.name}, tersimpan di {written.resolve()})\n" in screen


async def test_a_digest_chart_pushed_to_the_terminal_says_where_it_was_written(
    runtime, db, clock, tmp_path
):
    chart = tmp_path / "ringkasan-2026-11-23.png"
    chart.write_bytes(b"\x89PNG")
    digest = Outgoing("console", "3", "Ringkasan harian ILP", photo=str(chart))
    async with db.transaction() as session:  # as the digest job queues it
        await queries.add_outbox(
            session,
            channel="console",
            chat_id="3",
            payload=digest.to_json(),
            kind="digest",
            now=clock(),
        )
    screen = await console(runtime, "3")
    assert screen == (
        "bot> Ringkasan harian ILP\n"
        f"     (gambar terkirim: ringkasan-2026-11-23.png, tersimpan di {chart.resolve()})\n"
    )


async def test_a_rab_photo_from_this_computer_is_kept_and_the_screen_says_where(
    runtime, invite, tmp_path
):
    rab = tmp_path / "rab fogging.jpg"
    rab.write_bytes(receipt_photo(with_gps=True))
    program = tmp_path / "rab.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\0" * 100)
    store = DirectoryStore(tmp_path / "media")
    runtime.file_builders["media"] = media.shower(store, tmp_path / "shown", frozenset({"console"}))
    await console(runtime, "2", f"DAFTAR {await invite('kades')}", "Budi Santoso", "1")
    siti = await console(
        runtime,
        "1",
        *fogging_request(await invite("petugas")),
        f"foto {program}",  # refused at once: the same question again
        f"foto {rab} RAB fogging",
        "1",  # Kirim
        store=store,
    )

    refused, _, rest = siti.partition(f"you> foto {rab} RAB fogging\n")
    assert "bot> Maaf, hanya foto dan berkas PDF yang dapat disimpan." in refused
    [kept] = list((tmp_path / "media").rglob("*.jpg"))
    assert f"(berkas diterima dan disimpan di penyimpanan media: {kept.resolve()})" in rest
    assert location_of(kept.read_bytes()) is None  # where she stood is not shown to others
    assert "Permohonan DD-2026-1 sudah dikirim ke Kepala Desa Sumber Urip." in rest

    kades = await console(runtime, "2")
    assert kades.startswith("bot> Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip")
    assert f"(gambar terkirim: {kept.name}, tersimpan di " in kades


async def test_a_photo_without_a_file_is_a_quick_demo_and_nothing_is_kept(
    runtime, invite, db, tmp_path
):
    store = DirectoryStore(tmp_path / "media")
    code = await invite("petugas")
    await console(
        runtime, "1", f"DAFTAR {code}", "Siti Aminah", "1", "foto kegiatan posyandu", store=store
    )
    async with db.transaction() as session:
        [item] = (await session.execute(select(MediaItem))).scalars().all()
    assert (item.status, item.attempts) == ("failed", 1)  # not tried again for a day and a half
    assert not (tmp_path / "media").exists()
