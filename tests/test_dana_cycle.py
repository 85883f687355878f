"""The whole cycle of one request: revision asked, revised and sent again, approved, realised —
and the history read back from the audit trail."""

from datetime import date

from dana_steps import ask_for_dana, history, people, the_request

from conversations.model import Photo


async def test_revise_resubmit_approve_and_record_the_realisation(registered, outbox, db):
    siti, budi, rina = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    first_approve = budi.last[0].buttons[0].data

    # The kades asks for a revision.
    assert await budi.press("Minta revisi") == [
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
        "Budi Santoso meminta revisi DD-2026-1 (Desa Sumber Urip): Mohon kurangi, anggaran desa "
        "tinggal 2 juta\nTekan Revisi untuk mengubah dan mengirim ulang, atau Tarik kembali."
    ]
    assert siti.buttons == ["Revisi", "Tarik kembali"]

    # The requester opens the form at its summary, changes the amount and sends it again.
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
    assert "Jumlah: Rp 2.000.000" in again

    # Approved in full; under the Dinkes threshold (Rp 5.000.000), so the Dinkes hears nothing.
    assert await budi.press("Setujui") == [
        "Setujui Rp 2.000.000 untuk DD-2026-1 (Desa Sumber Urip: Fogging DBD di RT 03 dan RT 04 "
        "setelah 2 kasus DBD bulan ini)?"
    ]
    await budi.press("Ya")
    await outbox.drain()
    assert outbox.read(siti)[0].startswith(
        "Kabar baik: DD-2026-1 (Desa Sumber Urip) disetujui oleh Budi Santoso: Rp 2.000.000."
    )
    assert outbox.read(rina) == []

    # The realisasi closes the cycle.
    assert await siti.press("Catat realisasi") == [
        "DD-2026-1: disetujui Rp 2.000.000. Berapa yang benar-benar terpakai?"
    ]
    await siti.send("1.950.000")
    await siti.send("kemarin")
    [summary] = await siti.send(photo=Photo("kuitansi-1", "kuitansi fogging"))
    assert "Jumlah terpakai: Rp 1.950.000" in summary and "Foto kuitansi: foto diterima" in summary
    assert await siti.press("Kirim") == [
        "Realisasi DD-2026-1 sudah tercatat. Terima kasih, permohonan selesai."
    ]
    await outbox.drain()
    assert outbox.read(budi) == [
        "Realisasi DD-2026-1 (Desa Sumber Urip): Rp 1.950.000 terpakai pada Minggu, 22 November "
        "2026. Permohonan selesai."
    ]
    request = await the_request(db)
    assert (request.status, request.realisasi_jumlah, request.realisasi_tanggal) == (
        "selesai",
        1_950_000,
        date(2026, 11, 22),
    )
    assert request.realisasi_foto == "kuitansi-1"

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
        ("realised", "petugas", "test", "disetujui", "selesai", 1_950_000, None),
    ]
    resubmitted = (await history(db, request.id))[2]
    assert resubmitted.data["changes"] == {"jumlah": [2_500_000, 2_000_000]}

    [detail] = await siti.send("/dana DD-2026-1")
    assert detail.endswith(
        "Riwayat:\n"
        "Senin, 23 November 2026 10.00 WIB: diajukan, menunggu keputusan (Siti Aminah)\n"
        "Senin, 23 November 2026 10.00 WIB: perlu revisi (Budi Santoso)\n"
        "Senin, 23 November 2026 10.00 WIB: diajukan, menunggu keputusan (Siti Aminah)\n"
        "Senin, 23 November 2026 10.00 WIB: disetujui (Budi Santoso)\n"
        "Senin, 23 November 2026 10.00 WIB: selesai (Siti Aminah)"
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
    await budi.press_data(outbox.to(budi.chat_id)[0].buttons[2].data)  # Tolak, again
    await budi.send("Anggaran kesehatan desa tahun ini sudah habis")
    await budi.press("Ya")
    await outbox.drain()
    assert outbox.read(siti) == [
        "DD-2026-1 (Desa Sumber Urip) ditolak oleh Budi Santoso. Alasan: Anggaran kesehatan desa "
        "tahun ini sudah habis"
    ]
    assert siti.buttons == []
