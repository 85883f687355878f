"""Uncertain master data is never shown without its mark: a puskesmas whose kecamatan was
inferred, a desa several puskesmas list. Dinkes lists every such fact with `ilpbot wilayah
check` and corrects the desa → puskesmas map by file or in chat (confirmed, audited)."""

import pytest
from sqlalchemy import select

from db.models import AuditEvent
from db.seed import seed
from handlers.wilayah.check import check_lines
from handlers.wilayah.mapping import import_map_file

from tests.report_steps import DESA, K2


@pytest.fixture(autouse=True)
async def master_map_restored(db):
    """PostgreSQL keeps the master tables between tests: the map changed here is put back."""
    yield
    async with db.transaction() as session:
        await seed(session)


def t_of(texts):
    return lambda msgid, **params: texts(msgid, "id", **params)


async def test_a_puskesmas_of_an_unconfirmed_kecamatan_is_marked_at_registration_and_status(
    chat, invite
):
    person = chat("801")
    await person.send(f"DAFTAR {await invite('petugas', puskesmas='Bangun Jaya')}")
    [question] = await person.send("Dewi")
    assert "Puskesmas Bangun Jaya (Kec. Bermani Ulu Raya, perlu konfirmasi)" in question
    await person.press("Ya")
    [status] = await person.send("/status")
    assert status.startswith(
        "Laporan Puskesmas Bangun Jaya (Kec. Bermani Ulu Raya, perlu konfirmasi)"
    )
    confirmed = chat("802")
    await confirmed.send(f"DAFTAR {await invite('petugas', puskesmas='Curup')}")
    [question] = await confirmed.send("Budi")
    assert "untuk Puskesmas Curup. Benar?" in question


async def desa_buttons(person) -> list[str]:
    await person.send("/lapor")
    await person.press(K2)
    await person.press(next(b for b in person.buttons if b.startswith("Hari ini")))
    await person.press(DESA)
    return person.buttons


async def test_dinkes_settles_a_shared_desa_in_chat_and_the_mark_goes(registered, db):
    siti = await registered("petugas", "810", "Siti Aminah")  # Sumber Urip
    assert "Kelurahan Air Duku (perlu konfirmasi)" in await desa_buttons(siti)
    await siti.send("/batal")
    await siti.press("Ya")

    asep = await registered("dinkes", "811", "drg. Asep")
    [usage] = await asep.send("/wilayah")
    assert usage.startswith("Ketik /wilayah DESA -> PUSKESMAS")
    assert "57 desa tercatat pada lebih dari satu puskesmas" in usage
    [refused] = await asep.send("/wilayah Air Dukku -> Sumber Urp")
    assert refused == (
        "desa Air Dukku tidak dikenal\npuskesmas Sumber Urp tidak dikenal (maksud Anda Sumber Urip?)"
    )
    [asked] = await asep.send("/wilayah Air Duku -> Sumber Urip")
    assert asked == (
        "Kelurahan Air Duku akan dilayani oleh Puskesmas Sumber Urip (sekarang: Puskesmas "
        "Sambirejo, Puskesmas Simpang Nangka, Puskesmas Sumber Urip). Simpan perubahan ini?"
    )
    [saved] = await asep.press("Ya")
    assert saved == "Tersimpan: Kelurahan Air Duku dilayani oleh Puskesmas Sumber Urip."
    [again] = await asep.send("/wilayah 17.02.11.1004 -> sumber urip")
    assert again == "Kelurahan Air Duku sudah dilayani oleh puskesmas tersebut."

    buttons = await desa_buttons(siti)
    assert "Kelurahan Air Duku" in buttons and "Desa Air Meles Atas (perlu konfirmasi)" in buttons
    async with db.transaction() as session:
        [event] = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "wilayah_changed"))
        ).scalars()
    assert (event.entity_id, event.actor_role, len(event.data["before"])) == (
        "17.02.11.1004", "dinkes", 3
    )  # fmt: skip


async def test_a_petugas_may_not_change_the_map(registered):
    siti = await registered("petugas", "820")
    assert await siti.send("/wilayah Air Duku -> Sumber Urip") == [
        "Maaf, menu ini tidak tersedia untuk peran Bapak/Ibu."
    ]


async def test_wilayah_check_lists_every_uncertain_fact(db, texts):
    lines = await check_lines(db, t_of(texts))
    assert lines[0] == "Data induk yang perlu konfirmasi Dinkes:"
    assert "Kecamatan puskesmas (11):" in lines
    assert "- Bangun Jaya: Kec. Bermani Ulu Raya (sumber berbeda)" in lines
    assert (
        "- Kampung Delima: Kec. Curup Timur (disimpulkan: tidak ada sumber yang menyebutkannya)"
        in lines
    )
    assert any(line.startswith("Puskesmas rawat inap (7, ") for line in lines)
    assert "Desa yang tercatat pada lebih dari satu puskesmas (57):" in lines
    assert (
        "- Kec. Selupu Rejang, Air Duku (17.02.11.1004): Sambirejo, Simpang Nangka, Sumber Urip"
        in lines
    )


MAP = "desa_kode,puskesmas\n17.02.11.1004,Sumber Urip\n17.02.11.1006,Sumber Urip\n17.02.11.1006,Sambirejo\n"


async def test_the_map_imported_from_a_file_is_idempotent(db, texts, tmp_path):
    path = tmp_path / "peta.csv"
    path.write_text(MAP)
    first = await import_map_file(db, path, _now())
    assert (first.changed, first.unchanged, first.errors) == (2, 0, [])
    second = await import_map_file(db, path, _now())
    assert (second.changed, second.unchanged) == (0, 2)
    lines = await check_lines(db, t_of(texts))
    assert "Desa yang tercatat pada lebih dari satu puskesmas (56):" in lines
    assert "- Kec. Selupu Rejang, Cawang Baru (17.02.11.1006): Sambirejo, Sumber Urip" in lines


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 12, 6, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        ("desa,puskesmas\nKayu Manis,Curup\n", [
            "baris 2: ada beberapa desa bernama Kayu Manis: gunakan kodenya "
            "(17.02.08.2005, 17.02.11.2012)"
        ]),
        ("desa_kode,puskesmas\n17.99,Curupp\n", [
            "baris 2: desa 17.99 tidak dikenal",
            "baris 2: puskesmas Curupp tidak dikenal (maksud Anda Curup?)",
        ]),
        ("kode;nama\n17.02.11.1004;x\n", [
            "baris 1: berkas harus memiliki kolom desa_kode dan puskesmas"
        ]),
    ],
)  # fmt: skip
async def test_a_wrong_map_names_its_rows_and_changes_nothing(db, texts, tmp_path, content, errors):
    path = tmp_path / "peta.csv"
    path.write_text(content)
    result = await import_map_file(db, path, _now())
    assert [texts.render(e, "id") for e in result.errors] == errors
    assert "Desa yang tercatat pada lebih dari satu puskesmas (57):" in await check_lines(
        db, t_of(texts)
    )
