"""The whole cycle of one request: revision asked, revised and sent again, approved, realised —
and the history read back from the audit trail."""

from datetime import date

from dana_steps import (
    PERUBAHAN,
    ask_for_dana,
    history,
    people,
    the_request,
)

from conversations.model import Photo


async def test_revise_resubmit_approve_and_record_the_realisation(registered, outbox, db):
    siti, budi, rina = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    first_approve = budi.last[0].buttons[0].data

    # The kades asks for exactly what he needs to decide: the cost breakdown.
    assert await budi.press("Minta revisi") == [
        "Apa yang Bapak/Ibu perlukan untuk memutuskan DD-2026-1?"
    ]
    assert budi.buttons == [
        "Rincian biaya (RAB)",
        "Volume / keluaran",
        "Pelaksana kegiatan",
        "Hal lain",
    ]
    assert await budi.press("Rincian biaya (RAB)") == [
        "Apa yang perlu diubah pada DD-2026-1? Catatan ini akan dibaca oleh pengusul."
    ]
    await budi.send("Mohon kurangi, anggaran desa tinggal 2 juta")
    assert budi.text == (
        "Kembalikan DD-2026-1 (Desa Sumber Urip) untuk direvisi dengan catatan: "
        "“Mohon kurangi, anggaran desa tinggal 2 juta”?"
    )
    assert await budi.press("Ya") == [
        "Tercatat: DD-2026-1 sekarang perlu revisi. Pengusul sedang diberi tahu."
    ]
    await outbox.drain()
    assert outbox.read(siti) == [
        "Budi Santoso meminta revisi DD-2026-1 (Desa Sumber Urip): Rincian biaya (RAB). Mohon "
        "kurangi, anggaran desa tinggal 2 juta\nTekan Revisi untuk mengubah dan mengirim ulang, "
        "atau Tarik kembali."
    ]
    assert siti.buttons == ["Revisi", "Tarik kembali"]

    # The requester opens the form at its summary, changes the amount, adds the RAB, sends again.
    [summary] = await siti.press("Revisi")
    assert summary.startswith(
        "Budi Santoso meminta: “Mohon kurangi, anggaran desa tinggal 2 juta”. Ubah yang perlu, "
        "lalu tekan Kirim.\nMohon periksa jawaban Bapak/Ibu (Permohonan dukungan dana desa):"
    )
    assert "Jumlah: Rp 2.500.000" in summary
    await siti.press("Ubah")
    await siti.press("Jumlah")
    [summary] = await siti.send("2 juta")
    assert "Jumlah: Rp 2.000.000" in summary
    await siti.press("Ubah")
    await siti.press("Foto RAB")
    [summary] = await siti.send(photo=Photo("rab-1", "RAB fogging"))
    assert "Foto RAB: foto diterima" in summary
    [sent] = await siti.press("Kirim")
    assert sent.startswith("Permohonan DD-2026-1 sudah dikirim ke Kepala Desa Sumber Urip.")

    assert await budi.press_data(first_approve) == [
        "Permohonan DD-2026-1 sudah berubah sejak pesan itu: sekarang diajukan, menunggu keputusan."
    ]
    await outbox.drain()
    [again] = outbox.read(budi)
    assert again.startswith(
        "Pengusul sudah merevisi permohonan ini.\nPermohonan dukungan dana desa DD-2026-1"
    )
    assert "Jumlah: Rp 2.000.000" in again and "Foto RAB: terlampir" in again

    # Approved in full through a perubahan APBDes; under the Dinkes threshold (Rp 5.000.000).
    assert await budi.press(PERUBAHAN) == [
        "Setujui Rp 2.000.000 untuk DD-2026-1 (Desa Sumber Urip: Fogging DBD di RT 03 dan RT 04 "
        "setelah 2 kasus DBD bulan ini), didanai lewat perubahan APBDes 2026?"
    ]
    await budi.press("Ya")
    await outbox.drain()
    assert outbox.read(siti)[0].startswith(
        "Kabar baik: DD-2026-1 (Desa Sumber Urip) disetujui oleh Budi Santoso: Rp 2.000.000, "
        "didanai lewat perubahan APBDes 2026."
    )
    assert outbox.read(rina) == []
    request = await the_request(db)
    assert (request.rute, request.tahun_anggaran, request.rab_foto) == ("perubahan", 2026, "rab-1")

    # The puskesmas reports the health output: not complete before the desa's part.
    assert await siti.press("Laporkan hasil kegiatan") == [
        "DD-2026-1: tanggal berapa kegiatan dilaksanakan?"
    ]
    await siti.send("hari ini")
    await siti.send("118")
    assert await siti.press("Kirim") == [
        "Hasil kegiatan untuk DD-2026-1 tercatat.\n"
        "Permohonan selesai setelah desa mengonfirmasi dana terealisasi."
    ]
    assert (await the_request(db)).status == "disetujui"
    await outbox.drain()
    assert outbox.read(budi)[-1] == (
        "Puskesmas melaporkan untuk DD-2026-1 (Desa Sumber Urip): kegiatan terlaksana, 118 dari "
        "120 sasaran terlayani."
    )

    # The desa confirms the dana realised with its SPJ: both parts are in, the request is done.
    [detail] = await budi.send("/dana DD-2026-1")
    assert budi.buttons == ["Konfirmasi dana terealisasi"]
    assert await budi.press("Konfirmasi dana terealisasi") == [
        "DD-2026-1: disetujui Rp 2.000.000. Berapa dana desa yang terealisasi?"
    ]
    await budi.send("1.950.000")
    await budi.send("hari ini")
    await budi.send("SPJ 014/DS-SU/XI/2026")
    [summary] = await budi.send(photo=Photo("kuitansi-1", "kuitansi fogging"))
    assert "Dana terealisasi: Rp 1.950.000" in summary
    assert await budi.press("Kirim") == [
        "Dana terealisasi untuk DD-2026-1 tercatat.\nKeduanya sudah tercatat: permohonan selesai."
    ]
    await outbox.drain()
    assert outbox.read(siti) == [
        "Desa mengonfirmasi dana terealisasi untuk DD-2026-1 (Desa Sumber Urip): Rp 1.950.000 pada "
        "Senin, 23 November 2026.",
        "DD-2026-1 (Desa Sumber Urip) selesai: dana terealisasi dan hasil kegiatan sudah tercatat.",
    ]
    request = await the_request(db)
    assert (request.status, request.realisasi_jumlah, request.realisasi_tanggal) == (
        "selesai",
        1_950_000,
        date(2026, 11, 23),
    )
    assert (request.realisasi_spj, request.realisasi_foto) == (
        "SPJ 014/DS-SU/XI/2026",
        "kuitansi-1",
    )
    assert (request.hasil_terlayani, request.hasil_tanggal) == (118, date(2026, 11, 23))

    # The history, from the append-only audit trail.
    events = [
        (e.action, e.actor_role, e.channel, e.from_status, e.to_status, e.amount, e.reason)
        for e in await history(db, request.id)
    ]
    note = "Mohon kurangi, anggaran desa tinggal 2 juta"
    assert events == [
        ("created", "petugas", "test", None, "diajukan", 2_500_000, None),
        ("decided", "kades", "test", "diajukan", "perlu_revisi", None, note),
        ("resubmitted", "petugas", "test", "perlu_revisi", "diajukan", 2_000_000, None),
        ("refused_stale", "kades", "test", "diajukan", None, None, first_approve),
        ("decided", "kades", "test", "diajukan", "disetujui", 2_000_000, None),
        ("output", "petugas", "test", "disetujui", None, None, None),
        ("realised_desa", "kades", "test", "disetujui", "selesai", 1_950_000, None),
    ]
    log = await history(db, request.id)
    assert log[1].data == {"minta": "rab"}
    assert log[2].data["changes"] == {
        "jumlah": [2_500_000, 2_000_000],
        "rab": [None, "rab-1"],
    }
    assert log[4].data == {"rute": "perubahan", "tahun": 2026}

    [detail] = await siti.send("/dana DD-2026-1")
    assert "Jalur anggaran: lewat perubahan APBDes 2026\n" in detail
    assert (
        "Dana terealisasi: Rp 1.950.000 pada Senin, 23 November 2026 (SPJ 014/DS-SU/XI/2026)\n"
        "Hasil: 118 dari 120 sasaran terlayani pada Senin, 23 November 2026\n"
    ) in detail
    assert detail.endswith(
        "Riwayat:\n"
        "Senin, 23 November 2026 10.00 WIB: diajukan, menunggu keputusan (Siti Aminah)\n"
        "Senin, 23 November 2026 10.00 WIB: perlu revisi (Budi Santoso)\n"
        "Senin, 23 November 2026 10.00 WIB: diajukan, menunggu keputusan (Siti Aminah)\n"
        "Senin, 23 November 2026 10.00 WIB: disetujui (Budi Santoso)\n"
        "Senin, 23 November 2026 10.00 WIB: kegiatan terlaksana, 118 dari 120 sasaran terlayani "
        "(Siti Aminah)\n"
        "Senin, 23 November 2026 10.00 WIB: dana terealisasi Rp 1.950.000 (SPJ 014/DS-SU/XI/2026) "
        "(Budi Santoso)"
    )


async def test_a_rejection_needs_a_reason_and_no_means_not_yet(registered, outbox, db):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press("Tolak")
    assert (await budi.send("tdk"))[0].startswith("Terlalu pendek")
    await budi.send("Anggaran kesehatan desa tahun ini sudah habis")
    assert await budi.press("Tidak") == [
        "Belum ada keputusan; DD-2026-1 masih menunggu keputusan Bapak/Ibu."
    ]
    assert (await the_request(db)).status == "diajukan"
    await budi.press_data(outbox.to(budi.chat_id)[0].buttons[5].data)  # Tolak, again
    await budi.send("Anggaran kesehatan desa tahun ini sudah habis")
    await budi.press("Ya")
    await outbox.drain()
    assert outbox.read(siti) == [
        "DD-2026-1 (Desa Sumber Urip) ditolak oleh Budi Santoso. Alasan: Anggaran kesehatan desa "
        "tahun ini sudah habis"
    ]
    assert siti.buttons == []
