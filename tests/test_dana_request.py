"""Dana desa requests as the puskesmas, the kepala desa and the Dinkes live them."""

from dataclasses import replace
from datetime import timedelta

from dana_steps import (
    AFTER_SEPTEMBER,
    DECISIONS,
    FOGGING,
    PERUBAHAN,
    SUMBER_BENING,
    ask_for_dana,
    people,
    refusals,
    the_request,
)
from sqlalchemy import func, select

from db import dana
from db.dana import DanaRequest
from db.models import Conversation
from handlers.dana.reminders import escalation_recipients


async def test_a_petugas_asks_for_fogging_and_the_kades_approves_part_of_it(
    registered, outbox, runtime, db
):
    runtime.settings = replace(runtime.settings, dana_dinkes_threshold=2_000_000)
    siti, budi, rina = await people(registered)

    replies = await ask_for_dana(siti, amount="Rp 2.500.000")
    assert replies == [
        "Permohonan DD-2026-1 sudah dikirim ke Kepala Desa Sumber Urip. Keputusannya akan "
        "dikabarkan di sini. Ketik /dana status untuk melihat permohonan Anda.\n"
        "RKP Desa ditetapkan paling lambat akhir September: bila belum ada di APBDes 2026, "
        "kegiatan ini dapat diusulkan ke musdes untuk RKP Desa 2027."
    ]
    assert siti.buttons == ["Tarik kembali"]

    await outbox.drain()
    [asked] = outbox.read(budi)
    assert asked.startswith("Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip\n")
    for part in (
        "Dari: Siti Aminah (petugas puskesmas, Puskesmas Sumber Urip)",
        "Kategori: Penyakit menular",
        f"Kegiatan: {FOGGING}",
        "Volume: 2 kali fogging di 2 RT",
        "Sasaran: 120 orang",
        "Jumlah: Rp 2.500.000",
        "Waktu pelaksanaan: Desember 2026 (APBDes 2026)",
        "Pelaksana: Posyandu / kader",
        "Foto RAB: tidak ada",
        "dapat diusulkan ke musdes untuk RKP Desa 2027",
    ):
        assert part in asked
    assert budi.buttons == [
        "Setujui — sudah ada di APBDes 2026",
        "Setujui — lewat perubahan APBDes",
        "Setujui — belanja tidak terduga (KLB/darurat)",
        "Usulkan ke musdes / RKP Desa 2027",
        "Setujui sebagian",
        "Tolak",
        "Minta revisi",
    ]

    assert await budi.press("Setujui sebagian") == [
        "DD-2026-1: diusulkan Rp 2.500.000. Berapa yang Bapak/Ibu setujui?"
    ]
    assert await budi.send("3 juta") == [
        "Jumlah yang disetujui tidak boleh lebih dari yang diusulkan (Rp 2.500.000).",
        "DD-2026-1: diusulkan Rp 2.500.000. Berapa yang Bapak/Ibu setujui?",
    ]
    assert await budi.send("2 juta") == [
        "Lewat jalur anggaran 2026 yang mana kegiatan ini didanai?"
    ]
    assert budi.buttons == [
        "Sudah ada di APBDes",
        "Lewat perubahan APBDes",
        "Belanja tidak terduga (KLB/darurat)",
    ]
    assert await budi.press("Sudah ada di APBDes") == [
        "DD-2026-1: kegiatan APBDes 2026 mana yang mendanainya?"
    ]
    assert (
        "2.2.02 Penyelenggaraan Posyandu (PMT, kelas ibu hamil, kelas lansia, insentif kader)"
        in (budi.buttons)
    )
    [confirm] = await budi.send("2.2.04")
    assert confirm == (
        "Setujui Rp 2.000.000 dari Rp 2.500.000 yang diusulkan untuk DD-2026-1 (Desa Sumber Urip: "
        f"{FOGGING}), didanai dari APBDes 2026 (2.2.04 Penyelenggaraan Desa Siaga Kesehatan)?"
    )
    assert await outbox.drain() == 0  # nothing counts before the Yes
    assert await budi.press("Ya") == [
        "Tercatat: DD-2026-1 sekarang disetujui sebagian. Pengusul sedang diberi tahu.\n"
        "Setelah kegiatan, konfirmasi dana terealisasi beserta nomor SPJ-nya di sini, atau undang "
        "operator desa Bapak/Ibu dengan /operator untuk melakukannya."
    ]
    assert budi.buttons == ["Konfirmasi dana terealisasi"]

    await outbox.drain()
    assert outbox.read(siti) == [
        "DD-2026-1 (Desa Sumber Urip) disetujui sebagian oleh Budi Santoso: Rp 2.000.000 dari "
        "Rp 2.500.000 yang diusulkan, didanai dari APBDes 2026. Desa yang membelanjakan dan "
        "mengonfirmasi dana terealisasi; setelah kegiatan, laporkan hasilnya dengan tombol di bawah."
    ]
    assert siti.buttons == ["Laporkan hasil kegiatan"]
    assert outbox.read(rina) == [
        "Untuk diketahui: DD-2026-1 untuk Desa Sumber Urip (Penyakit menular) disetujui oleh "
        "Budi Santoso: Rp 2.000.000. Diusulkan oleh Siti Aminah, Puskesmas Sumber Urip."
    ]
    request = await the_request(db)
    assert (request.status, request.jumlah, request.jumlah_disetujui) == (
        "disetujui_sebagian",
        2_500_000,
        2_000_000,
    )
    assert (request.rute, request.tahun_anggaran, request.kegiatan_apbdes) == (
        "apbdes",
        2026,
        "2.2.04",
    )

    # Pressing an approval again on the first message decides nothing more.
    approve = outbox.to(budi.chat_id)[0].buttons[0].data
    assert await budi.press_data(approve) == [
        "Permohonan DD-2026-1 sudah diputuskan: disetujui sebagian."
    ]
    assert (await the_request(db)).jumlah_disetujui == 2_000_000


async def test_only_a_kades_of_that_desa_may_press_the_buttons(registered, outbox, db):
    siti, budi, _ = await people(registered)
    joko = await registered("kades", "400", "Joko Susilo", desa=SUMBER_BENING)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    approve = budi.last[0].buttons[0].data

    assert await joko.press_data(approve) == [
        "Maaf, hanya Kepala Desa Sumber Urip yang dapat memutuskan permohonan ini."
    ]
    assert await siti.press_data(approve) == [
        "Maaf, hanya Kepala Desa Sumber Urip yang dapat memutuskan permohonan ini."
    ]
    for forged in ("dd:1:a", "dd:999:a:1", "dd:1:x:1", "dr:1:tarik:abc", "dd:1:b:\x00"):
        assert await budi.press_data(forged) == ["Tombol ini tidak berlaku."]
    assert (await the_request(db)).status == "diajukan"
    assert (
        await refusals(db) == ["refused_other_desa", "refused_not_kades"] + ["refused_forged"] * 5
    )


async def test_a_stale_button_after_withdrawal_is_refused(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    approve, withdraw = budi.last[0].buttons[0].data, siti.last[0].buttons[0].data

    assert await siti.press("Tarik kembali") == [
        "Tarik kembali permohonan DD-2026-1 ke Desa Sumber Urip? Kepala desa akan diberi tahu."
    ]
    assert await siti.press("Ya") == ["Permohonan DD-2026-1 sudah ditarik kembali."]
    await outbox.drain()
    assert outbox.read(budi) == [
        "DD-2026-1 (Desa Sumber Urip) ditarik kembali oleh Siti Aminah. Tidak perlu keputusan."
    ]
    assert await budi.press_data(approve) == [
        "Permohonan DD-2026-1 sudah ditarik kembali. Tidak perlu tindakan lagi."
    ]
    assert await siti.press_data(withdraw) == [
        "Permohonan DD-2026-1 sudah ditarik kembali. Tidak perlu tindakan lagi."
    ]
    assert (await the_request(db)).status == "dibatalkan"
    assert await refusals(db) == ["refused_stale", "refused_stale"]


async def test_a_kelurahan_has_no_dana_desa(registered, invite, chat, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    # the desa first, then the kelurahan, marked
    assert siti.buttons[0] == "Desa Air Meles Atas"
    assert siti.buttons[-3:] == [
        "Kelurahan Air Duku (tanpa dana desa)",
        "Kelurahan Cawang Baru (tanpa dana desa)",
        "Kelurahan Simpang Nangka (tanpa dana desa)",
    ]
    assert await siti.press("Kelurahan Air Duku (tanpa dana desa)") == [
        "Kelurahan Air Duku adalah kelurahan. Kelurahan tidak menerima dana desa: kegiatan "
        "kesehatannya dibiayai APBD kabupaten (dana kelurahan). Permohonan tidak dibuat. "
        "Silakan bicarakan pendanaannya dengan lurah atau camat."
    ]
    kader = await registered("kader", "500", "Wati", desa="17.02.11.1004", puskesmas="Sumber Urip")
    [reply] = await kader.send("DANA")
    assert reply.startswith("Kelurahan Air Duku adalah kelurahan.")
    async with db.transaction() as session:
        assert (
            await session.execute(select(func.count()).select_from(DanaRequest))
        ).scalar_one() == 0


async def test_a_kader_asks_for_her_own_desa_without_choosing_it(registered, outbox, db):
    wati = await registered("kader", "500", "Wati", puskesmas="Sumber Urip")
    budi = await registered("kades", "200", "Budi Santoso")
    assert (await wati.send("/dana")) == [
        "Usulan kegiatan untuk Desa Sumber Urip. Kegiatan apa yang perlu dibiayai?"
    ]
    await ask_for_dana(wati, amount="1 juta")
    await outbox.drain()
    assert outbox.read(budi)[0].startswith(
        "Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip\n"
        "Dari: Wati (kader posyandu, Puskesmas Sumber Urip)"
    )


async def test_requests_left_waiting_are_found_for_reminders(registered, outbox, db, clock):
    siti, budi, rina = await people(registered)
    await registered("kepala_puskesmas", "600", "Hendra Gunawan")
    await registered("camat", "601", "Camat Selupu", kecamatan="Selupu Rejang")
    await ask_for_dana(siti)
    clock.advance(hours=20)
    await ask_for_dana(siti, amount="1 juta")
    clock.advance(hours=5)
    async with db.transaction() as session:
        day = await dana.waiting_for_decision(session, timedelta(hours=24), clock())
        three_days = await dana.waiting_for_decision(session, timedelta(hours=72), clock())
        escalate_to = await escalation_recipients(session, day[0])
    assert [r.reference for r in day] == ["DD-2026-1"]
    assert three_days == []
    assert [u.name for u in escalate_to] == ["Camat Selupu"]  # not the Dinkes nor the kapus
    await outbox.drain()
    outbox.read(budi)
    await budi.press(PERUBAHAN)
    await budi.press("Ya")
    clock.advance(hours=72)
    async with db.transaction() as session:
        left = await dana.waiting_for_decision(session, timedelta(hours=72), clock())
    assert [r.reference for r in left] == ["DD-2026-1"]  # the second one was decided


async def test_a_request_waits_when_no_kades_is_registered(registered, outbox, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    assert await ask_for_dana(siti) == [
        "Permohonan DD-2026-1 sudah tersimpan, tetapi Kepala Desa Sumber Urip belum terdaftar di "
        "bot. Permohonan menunggu sampai kepala desa terdaftar; mohon sampaikan juga langsung "
        "kepada kepala desa.\n" + AFTER_SEPTEMBER
    ]
    assert (await the_request(db)).status == "diajukan"
    assert await outbox.drain() == 0


async def test_a_kades_who_registers_later_is_given_the_waiting_request(registered, outbox, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    await ask_for_dana(siti)
    budi = await registered("kades", "200", "Budi Santoso")
    welcome, _menu, asked = budi.last
    assert welcome.text.startswith("Selamat datang, Budi Santoso!")
    assert asked.text.startswith("Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip\n")
    assert "Status: diajukan, menunggu keputusan" in asked.text
    assert budi.buttons == DECISIONS
    await budi.press(PERUBAHAN)
    [recorded] = await budi.press("Ya")
    assert recorded.startswith(
        "Tercatat: DD-2026-1 sekarang disetujui. Pengusul sedang diberi tahu."
    )
    await outbox.drain()
    [news] = outbox.read(siti)
    assert news.startswith("Kabar baik: DD-2026-1 (Desa Sumber Urip) disetujui oleh Budi Santoso")


async def test_the_summary_names_the_month(registered):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    for typed in (FOGGING, "30 balita × 90 hari PMT", "120", "2,5 juta", "Desember"):
        await siti.send(typed)
    await siti.press("PKK")
    await siti.send("lewati")
    assert "Jumlah: Rp 2.500.000\nBulan: Desember 2026\nPelaksana: PKK\n" in siti.text
    assert "Volume: 30 balita × 90 hari PMT\n" in siti.text


AMOUNTS = [  # typed → stored rupiah, or the reply
    ("2,5 juta", 2_500_000),
    ("Rp 1.750.000", 1_750_000),
    ("3000000", 3_000_000),
    ("Rp 2.250.000,-", 2_250_000),
    ("250rb", 250_000),
    ("1,2 jt", 1_200_000),
    ("0", "Jumlah harus lebih dari nol."),
    ("-500000", "Angka tidak boleh negatif."),
    ("2,5", "Silakan ketik rupiah tanpa sen, misalnya 2.500.000."),
    ("250,000", "Silakan ketik rupiah tanpa sen, misalnya 2.500.000."),
    ("dua juta", "Silakan ketik jumlah dalam rupiah, misalnya 2.500.000 atau 2,5 juta."),
    ("5000", "Silakan ketik 10.000 atau lebih."),
    ("3 miliar", "Silakan ketik 2.000.000.000 atau kurang."),
    ("1.5", "Maksud Bapak/Ibu 1.500.000?"),  # 15 is below the minimum: not offered
    ("75 juta", "75.000.000 jauh lebih tinggi dari biasanya untuk “Jumlah”. Yakin?"),
]


async def test_amounts_are_read_strictly(registered, db):
    siti = await registered("petugas", "100", "Siti Aminah")
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    await siti.send(FOGGING)
    await siti.send("30 balita × 90 hari PMT")
    await siti.send("120")
    for typed, expected in AMOUNTS:
        replies = await siti.send(typed)
        if isinstance(expected, int):
            assert replies == ["Bulan apa kegiatan dilaksanakan?"], typed
            assert (await _answers(db))["jumlah"] == expected
            await siti.send("/kembali")
        else:
            assert replies[0].startswith(expected), (typed, replies)
    await siti.send("75 juta")
    assert await siti.send("ya") == ["Bulan apa kegiatan dilaksanakan?"]
    answers = await _answers(db)
    assert (answers["jumlah"], answers["_overrides"]) == (75_000_000, ["jumlah"])


async def _answers(db) -> dict:
    async with db.transaction() as session:
        stmt = select(Conversation.state).where(Conversation.chat_id == "100")
        return (await session.execute(stmt)).scalar_one()["answers"]


async def test_lists_show_my_requests_what_waits_and_the_totals(registered, outbox):
    siti, budi, rina = await people(registered)
    await ask_for_dana(siti)
    await ask_for_dana(siti, amount="750 ribu")
    line = "DD-2026-{n} · Desa Sumber Urip · {amount} · diajukan, menunggu keputusan"
    first, second = line.format(n=1, amount="Rp 2.500.000"), line.format(n=2, amount="Rp 750.000")
    footer = "Ketik /dana diikuti nomornya untuk rincian, misalnya /dana {}."
    assert await siti.send("/dana status") == [
        "\n".join(
            ["Permohonan dukungan dana desa Anda:", second, first, footer.format("DD-2026-2")]
        )
    ]
    assert await budi.send("/dana") == [
        "\n".join(
            [
                "Permohonan yang menunggu keputusan Bapak/Ibu:",
                first,
                second,
                footer.format("DD-2026-1"),
            ]
        )
    ]
    [overview] = await rina.send("/dana")
    assert "diajukan, menunggu keputusan: 2 permohonan, Rp 3.250.000" in overview
    [detail] = await budi.send("/dana dd-2026-2")
    assert "Jumlah: Rp 750.000" in detail and "Riwayat:" in detail
    assert budi.buttons == DECISIONS
    joko = await registered("kades", "400", "Joko Susilo", desa=SUMBER_BENING)
    assert await joko.send("/dana DD-2026-2") == [
        "Permohonan DD-2026-2 tidak ditemukan untuk Bapak/Ibu."
    ]


async def test_dinas_pmd_sees_the_requests_and_hears_of_an_approval_but_cannot_decide(
    registered, outbox
):
    siti, budi, _ = await people(registered)
    dewi = await registered("pmd", "500", "Dewi Kartika")
    assert await dewi.send("/profil") == [
        "Bapak/Ibu terdaftar sebagai Dewi Kartika, staf Dinas PMD untuk Kabupaten Rejang Lebong."
    ]
    await ask_for_dana(siti, amount="6 juta")  # above the threshold for telling the overseers
    [overview] = await dewi.send("/dana")
    assert "diajukan, menunggu keputusan: 1 permohonan, Rp 6.000.000" in overview
    [detail] = await dewi.send("/dana DD-2026-1")
    assert "Jumlah: Rp 6.000.000" in detail and "Riwayat:" in detail
    assert "Setujui" not in dewi.buttons  # Dinas PMD oversees; the kades decides

    await outbox.drain()
    outbox.read(budi)
    [confirm] = await budi.press(PERUBAHAN)
    assert confirm.startswith("Setujui Rp 6.000.000 untuk DD-2026-1")
    await budi.press("Ya")
    await outbox.drain()
    assert outbox.read(dewi) == [
        "Untuk diketahui: DD-2026-1 untuk Desa Sumber Urip (Penyakit menular) disetujui oleh "
        "Budi Santoso: Rp 6.000.000. Diusulkan oleh Siti Aminah, Puskesmas Sumber Urip."
    ]
