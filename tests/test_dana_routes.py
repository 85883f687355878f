"""The decision names the budget route a desa can keep, the request lives in its tahun
anggaran, and the desa accounts for the money while the puskesmas reports the output."""

from datetime import date

from dana_steps import APBDES, BTT, PERUBAHAN, RKP, ask_for_dana, history, people, the_request

from conversations.model import Photo


async def test_a_kades_proposes_a_request_to_the_rkp_desa_2027_and_both_sides_see_it_for_2027(
    registered, outbox, db
):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    assert await budi.press(RKP) == [
        "Usulkan DD-2026-1 (Desa Sumber Urip: Fogging DBD di RT 03 dan RT 04 setelah 2 kasus DBD "
        "bulan ini) ke musdes untuk RKP Desa 2027? Untuk saat ini belum ada yang disetujui; "
        "Bapak/Ibu memutuskan lagi setelah APBDes 2027 ditetapkan."
    ]
    assert await budi.press("Ya") == [
        "Tercatat: DD-2026-1 sekarang diusulkan ke RKP Desa. Pengusul sedang diberi tahu."
    ]
    await outbox.drain()
    assert outbox.read(siti) == [
        "Budi Santoso mengusulkan DD-2026-1 (Desa Sumber Urip) ke musdes untuk RKP Desa 2027: "
        "untuk saat ini belum ada yang disetujui. Mohon bawa juga usulan ini ke musdes atau "
        "lokmin; kepala desa memutuskan lagi setelah APBDes 2027 ditetapkan."
    ]
    request = await the_request(db)
    assert (request.status, request.rute, request.tahun_anggaran) == ("diusulkan_rkp", "rkp", 2027)
    assert request.jumlah_disetujui is None

    listed = "DD-2026-1 · Desa Sumber Urip · Rp 2.500.000 · diusulkan ke RKP Desa · diusulkan ke "
    listed += "musdes / RKP Desa 2027"
    [mine] = await siti.send("/dana status")
    assert listed in mine
    [desa] = await budi.send("/dana")
    assert desa.startswith(f"Diusulkan ke RKP Desa 2027:\n{listed}\n")

    # Once the APBDes 2027 is set, the kades decides again, naming the 2027 budget.
    await budi.send("/dana DD-2026-1")
    assert budi.buttons[:3] == [
        "Setujui — sudah ada di APBDes 2027",
        "Setujui — lewat perubahan APBDes",
        "Setujui — belanja tidak terduga (KLB/darurat)",
    ]
    assert "Usulkan ke musdes / RKP Desa 2028" not in budi.buttons
    await budi.press("Setujui — sudah ada di APBDes 2027")
    [confirm] = await budi.send("2.2.02")
    assert confirm.endswith("didanai dari APBDes 2027 (2.2.02 Penyelenggaraan Posyandu (PMT, "
                            "kelas ibu hamil, kelas lansia, insentif kader))?")  # fmt: skip
    await budi.press("Ya")
    request = await the_request(db)
    assert (request.status, request.rute, request.tahun_anggaran, request.kegiatan_apbdes) == (
        "disetujui",
        "apbdes",
        2027,
        "2.2.02",
    )


async def test_an_activity_next_year_belongs_to_its_apbdes_and_is_numbered_there(
    registered, outbox, db
):
    siti, budi, _ = await people(registered)
    [sent] = await ask_for_dana(siti, month="Januari 2027")
    assert sent.startswith("Permohonan DD-2027-1 sudah dikirim ke Kepala Desa Sumber Urip.")
    year_note = (
        "Kegiatan ini jatuh pada tahun 2027: masuk APBDes 2027 (perlu konfirmasi Dinas PMD), "
        "sehingga diberi nomor tahun 2027."
    )
    assert year_note in sent and "RKP Desa 2027." not in sent  # not this year's: no RKP hint
    await outbox.drain()
    [asked] = outbox.read(budi)
    assert "Waktu pelaksanaan: Januari 2027 (APBDes 2027)" in asked and year_note in asked
    assert budi.buttons[0] == "Setujui — sudah ada di APBDes 2027"
    assert budi.buttons[3] == "Usulkan ke musdes / RKP Desa 2028"
    assert (await the_request(db, "DD-2027-1")).year == 2027

    # Approved; a realisasi long before the planned month is recorded with a warning.
    await budi.press("Setujui — lewat perubahan APBDes")
    await budi.press("Ya")
    await budi.press("Konfirmasi dana terealisasi")
    for typed in ("2 juta", "hari ini", "SPJ 001/2026"):
        await budi.send(typed)
    await budi.send("lewati")
    assert await budi.press("Kirim") == [
        "Dana terealisasi untuk DD-2027-1 tercatat.\n"
        "Catatan: Senin, 23 November 2026 jauh sebelum bulan rencana kegiatan; tetap dicatat, "
        "mohon diperiksa.\n"
        "Permohonan selesai setelah puskesmas melaporkan hasil kegiatan."
    ]


async def test_an_overspent_or_back_dated_realisasi_is_refused(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press(BTT)  # a KLB: belanja tidak terduga
    await budi.press("Ya")
    await budi.press("Konfirmasi dana terealisasi")

    await budi.send("3 juta")  # Rp 2.500.000 was approved
    await budi.send("hari ini")
    await budi.send("SPJ 002/2026")
    await budi.send("lewati")
    assert await budi.press("Kirim") == [
        "Dana desa tidak boleh melebihi Rp 2.500.000 yang disetujui. Catat hanya bagian dana "
        "desa; sumber dana lain dicatat terpisah.",
        "DD-2026-1: disetujui Rp 2.500.000. Berapa dana desa yang terealisasi?",
    ]
    await budi.send("2,5 juta")
    await budi.send("kemarin")  # the approval was today
    await budi.send("SPJ 002/2026")
    await budi.send("lewati")
    assert await budi.press("Kirim") == [
        "Tanggal tidak boleh sebelum persetujuan pada Senin, 23 November 2026. Mohon periksa "
        "tanggalnya.",
        "DD-2026-1: disetujui Rp 2.500.000. Berapa dana desa yang terealisasi?",
    ]
    request = await the_request(db)
    assert (request.realisasi_jumlah, request.status) == (None, "disetujui")

    # The puskesmas cannot date the output before the approval either.
    await outbox.drain()
    outbox.read(siti)
    await siti.press("Laporkan hasil kegiatan")
    await siti.send("kemarin")
    await siti.send("118")
    [refused, again] = await siti.press("Kirim")
    assert refused.startswith("Tanggal tidak boleh sebelum persetujuan")
    assert again == "DD-2026-1: tanggal berapa kegiatan dilaksanakan?"
    actions = [e.action for e in await history(db, request.id)]
    assert actions == [
        "created",
        "decided",
        "realisasi_refused",
        "realisasi_refused",
        "output_refused",
    ]


async def test_an_operator_desa_invited_by_the_kades_confirms_the_dana_realised(
    registered, chat, outbox, db
):
    siti, budi, _ = await people(registered)
    [invited] = await budi.send("/operator")
    assert invited.startswith("Kode undangan untuk operator desa Desa Sumber Urip: ")
    code = invited.split(": ")[1].split("\n")[0]
    ani = chat("600")
    await ani.send(f"DAFTAR {code}")
    await ani.send("Ani Lestari")
    [welcome, *_] = await ani.press("Ya")
    assert welcome.startswith("Selamat datang, Ani Lestari!")
    [refused] = await siti.send("/operator")
    assert refused == "Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."

    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    assert await ani.press_data(budi.last[0].buttons[0].data) == [
        "Maaf, hanya Kepala Desa Sumber Urip yang dapat memutuskan permohonan ini."
    ]
    await budi.press(APBDES)
    await budi.send("2.2.04")
    await budi.press("Ya")
    await outbox.drain()
    [told] = outbox.read(ani)
    assert told.startswith("DD-2026-1 (Desa Sumber Urip) disetujui oleh Budi Santoso: Rp 2.500.000")
    [waiting] = await ani.send("/dana")
    assert waiting.startswith("Disetujui, menunggu konfirmasi dana terealisasi:\nDD-2026-1")
    assert ani.buttons == []
    await ani.send("/dana DD-2026-1")
    await ani.press("Konfirmasi dana terealisasi")
    for typed in ("2.400.000", "hari ini", "SPJ 003/DS-SU/XI/2026"):
        await ani.send(typed)
    await ani.send(photo=Photo("spj-3", "SPJ"))
    await ani.press("Kirim")

    # The puskesmas reports the output: both parts in, the request is complete.
    await outbox.drain()
    outbox.read(siti)
    await siti.send("/dana DD-2026-1")
    await siti.press("Laporkan hasil kegiatan")
    await siti.send("hari ini")
    await siti.send("120")
    assert (await siti.press("Kirim"))[0].endswith("Keduanya sudah tercatat: permohonan selesai.")
    request = await the_request(db)
    assert (request.status, request.realisasi_jumlah, request.realisasi_spj) == (
        "selesai",
        2_400_000,
        "SPJ 003/DS-SU/XI/2026",
    )
    assert (request.hasil_terlayani, request.hasil_tanggal) == (120, date(2026, 11, 23))
    roles = [(e.action, e.actor_role) for e in await history(db, request.id)][-2:]
    assert roles == [("realised_desa", "operator_desa"), ("output", "petugas")]


async def test_a_perubahan_apbdes_approval_is_recorded_with_its_route(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press(PERUBAHAN)
    await budi.press("Ya")
    request = await the_request(db)
    assert (request.status, request.rute, request.tahun_anggaran, request.kegiatan_apbdes) == (
        "disetujui",
        "perubahan",
        2026,
        None,
    )
    [decided] = [e for e in await history(db, request.id) if e.action == "decided"]
    assert decided.data == {"rute": "perubahan", "tahun": 2026}
    [detail] = await budi.send("/dana DD-2026-1")
    assert "Jalur anggaran: lewat perubahan APBDes 2026" in detail


async def test_a_bare_setujui_from_before_the_routes_asks_for_the_route(registered, outbox, db):
    """A message sent before this change still has "Setujui" (`dd:<id>:s:<version>`): pressing
    it decides nothing and offers today's routed buttons."""
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    request = await the_request(db)
    assert await budi.press_data(f"dd:{request.id}:s:{request.version}") == [
        "Setiap persetujuan kini menyebut jalur anggarannya. Silakan pilih:"
    ]
    assert budi.buttons[0] == APBDES
    assert (await the_request(db)).status == "diajukan"


async def test_a_revision_that_moves_the_activity_to_next_year_numbers_it_there(
    registered, outbox, db
):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press("Minta revisi")
    await budi.press("Hal lain")
    await budi.send("Anggaran 2026 sudah habis, mohon dijadwalkan Januari")
    await budi.press("Ya")
    await outbox.drain()
    outbox.read(siti)
    await siti.press("Revisi")
    await siti.press("Ubah")
    await siti.press("Bulan")
    await siti.send("Januari 2027")
    [sent] = await siti.press("Kirim")
    assert sent.startswith("Permohonan DD-2027-1 sudah dikirim ke Kepala Desa Sumber Urip.")
    request = await the_request(db, "DD-2027-1")
    [resubmitted] = [e for e in await history(db, request.id) if e.action == "resubmitted"]
    assert resubmitted.data["changes"]["reference"] == ["DD-2026-1", "DD-2027-1"]
