"""The camat and the pendamping desa coach desa: they read the permohonan of their desa and hear
of those left undecided (tests/test_clock_jobs.py), but decide none (tests/test_refusals.py).
A kelurahan has a lurah and no dana desa: no kades is invited there."""

import pytest
from dana_steps import SUMBER_BENING, ask_for_dana, people

from handlers.people import operator
from handlers.people.invites import InviteError, create_invite

AIR_DUKU = "17.02.11.1004"  # a kelurahan of Kecamatan Selupu Rejang


@pytest.mark.parametrize(
    ("role", "place", "refusal"),
    [
        ("kades", {"desa": AIR_DUKU}, "Air Duku is a kelurahan: its head is a lurah"),
        ("kades", {"desa": "Kelurahan Air Duku"}, "Air Duku is a kelurahan"),
        ("pendamping_desa", {"desa": AIR_DUKU}, "Air Duku is a kelurahan"),
        ("camat", {}, "role camat needs --kecamatan"),
        ("camat", {"kecamatan": "Bengkulu"}, "no kecamatan named 'Bengkulu'"),
    ],
)
async def test_an_invitation_the_place_cannot_have_is_refused(db, clock, role, place, refusal):
    async with db.transaction() as session:
        with pytest.raises(InviteError, match=refusal):
            await create_invite(session, clock(), role, **place)


async def test_a_camat_reads_the_permohonan_of_his_kecamatan_only(registered, outbox):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)
    selupu = await registered("camat", "700", "Camat Selupu", kecamatan="Selupu Rejang")
    curup = await registered("camat", "701", "Camat Curup", kecamatan="Curup")

    [overview] = await selupu.send("/dana")
    assert "diajukan, menunggu keputusan: 1 permohonan, Rp 2.500.000" in overview
    assert "DD-2026-1 · Desa Sumber Urip" in overview
    [detail] = await selupu.send("/dana DD-2026-1")
    assert "Riwayat:" in detail
    assert "Setujui" not in selupu.buttons  # the kades decides
    assert await curup.send("/dana") == ["Belum ada permohonan dukungan dana desa."]
    assert await curup.send("/dana DD-2026-1") == [
        "Permohonan DD-2026-1 tidak ditemukan untuk Bapak/Ibu."
    ]


async def test_a_pendamping_desa_reads_the_desa_assigned_to_them(registered, db, clock):
    siti, _, _ = await people(registered)
    await ask_for_dana(siti)
    yudi = await registered("pendamping_desa", "702", "Yudi", desa=SUMBER_BENING)
    assert await yudi.send("/dana DD-2026-1") == [
        "Permohonan DD-2026-1 tidak ditemukan untuk Bapak/Ibu."
    ]
    [user] = [a.user for a in await operator.list_users(db) if a.user.name == "Yudi"]
    assert await operator.assign_desa(db, user.id, "17.02.11.2009", clock()) is True
    assert await operator.assign_desa(db, user.id, "Sumber Urip", clock()) is False  # already
    [detail] = await yudi.send("/dana DD-2026-1")
    assert detail.startswith("Permohonan dukungan dana desa DD-2026-1 untuk Desa Sumber Urip")
