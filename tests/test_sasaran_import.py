"""Dinkes loads the year's SPM sasaran as it keeps them: per puskesmas or per desa (PWS), long
or wide (one column per service, Indonesian headers), CSV or XLSX; every error names its row in
Indonesian and nothing is written; `ilpbot sasaran template` writes the wide XLSX to fill in."""

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from db.models import Desa, Puskesmas
from db.reports import Sasaran
from handlers.reports import sasaran_template
from handlers.reports.sasaran import import_sasaran

NOW = datetime(2026, 11, 23, tzinfo=UTC)
WIDE = "Tahun,Kecamatan,Puskesmas,Kode desa,Desa,Ibu hamil,Hipertensi,Balita,Catatan\n"


async def load(db, texts, tmp_path, content: str, name: str = "sasaran.csv", year=None):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    async with db.transaction() as session:
        result = await import_sasaran(session, path, NOW, year, lambda m: texts(m, "id"))
    errors = [texts.render(e, "id") for e in result.errors]
    return result, errors


async def targets(db) -> dict[tuple, int]:
    async with db.transaction() as session:
        stmt = (
            select(Puskesmas.nama, Desa.nama, Sasaran.spm, Sasaran.target)
            .join(Puskesmas, Puskesmas.id == Sasaran.puskesmas_id)
            .outerjoin(Desa, Desa.id == Sasaran.desa_id)
        )
        return {(p, d, s): t for p, d, s, t in (await session.execute(stmt)).all()}


ACCEPTED = [
    pytest.param(
        "tahun,puskesmas,layanan,sasaran\n2026,Sumber Urip,1,320\n2026,sumber urip,hipertensi,1.450\n",
        {("Sumber Urip", None, "ibu_hamil"): 320, ("Sumber Urip", None, "hipertensi"): 1450},
        id="long-puskesmas",
    ),
    pytest.param(
        "tahun;puskesmas;desa;layanan;sasaran\n2026;Sumber Urip;Air Duku;ibu_hamil;12\n",
        {("Sumber Urip", "Air Duku", "ibu_hamil"): 12, ("Sumber Urip", None, "ibu_hamil"): 12},
        id="long-desa-semicolon",
    ),
    pytest.param(
        WIDE + "2026,Selupu Rejang,Sumber Urip,,,300,,-,\n",
        {("Sumber Urip", None, "ibu_hamil"): 300},
        id="wide-blank-cells-skipped",
    ),
    pytest.param(
        WIDE
        + "2026,,Sumber Urip,17.02.11.1004,Air Duku,10,40,,\n"
        + "2026,,Sumber Urip,,Cawang Baru,5,20,30,\n",
        {
            ("Sumber Urip", "Air Duku", "ibu_hamil"): 10,
            ("Sumber Urip", "Air Duku", "hipertensi"): 40,
            ("Sumber Urip", "Cawang Baru", "ibu_hamil"): 5,
            ("Sumber Urip", "Cawang Baru", "hipertensi"): 20,
            ("Sumber Urip", "Cawang Baru", "balita"): 30,
            ("Sumber Urip", None, "ibu_hamil"): 15,  # the sum of its desa
            ("Sumber Urip", None, "hipertensi"): 60,
            ("Sumber Urip", None, "balita"): 30,
        },
        id="wide-desa-sums-the-puskesmas",
    ),
    pytest.param(
        "Puskesmas,Desa,1. Ibu hamil,ODGJ berat,Risiko HIV,Jumlah penduduk\n"
        "Sumber Urip,,100,7,55,12000\n"
        "Sumber Urip,Air Duku,30,,,\n",
        {
            ("Sumber Urip", None, "ibu_hamil"): 100,  # given: not replaced by the desa sum
            ("Sumber Urip", None, "odgj_berat"): 7,
            ("Sumber Urip", None, "risiko_hiv"): 55,
            ("Sumber Urip", "Air Duku", "ibu_hamil"): 30,
        },
        id="wide-year-from-the-command-short-headers",
    ),
]


@pytest.mark.parametrize(("content", "expected"), ACCEPTED)
async def test_a_sasaran_file_is_read_into_targets(db, texts, tmp_path, content, expected):
    result, errors = await load(db, texts, tmp_path, content, year=2026)
    assert errors == []
    assert await targets(db) == expected
    again, _ = await load(db, texts, tmp_path, content, year=2026)  # idempotent
    assert await targets(db) == expected and again.rows == result.rows


REFUSED = [
    pytest.param(
        "tahun,puskesmas,layanan,sasaran\n2026,Sumber Urp,1,320\n26,Sambirejo,13,banyak\n"
        "2026,Sambirejo,ibu_bersalin,310\n2026,Sambirejo,2,310\n",
        [
            "baris 2: puskesmas Sumber Urp tidak dikenal (maksud Anda Sumber Urip?)",
            "baris 3: 26 bukan tahun seperti 2026",
            "baris 3: layanan SPM 13 tidak dikenal: gunakan 1–12 atau salah satu dari ibu_hamil, "
            "ibu_bersalin, bayi_baru_lahir, balita, usia_pendidikan_dasar, usia_produktif, "
            "usia_lanjut, hipertensi, diabetes, odgj_berat, terduga_tbc, risiko_hiv",
            "baris 3: sasaran banyak bukan bilangan bulat",
            "baris 5: tahun, tempat, dan layanan sama dengan baris 4",
        ],
        id="long",
    ),
    pytest.param(
        "puskesmas,layanan\nSumber Urip,1\n",
        ["baris 1: kolom sasaran, tahun tidak ada"],
        id="missing-columns",
    ),
    pytest.param(
        WIDE
        + "2026,,Curup,,Kayu Manis,1,2,3,\n"
        + "2026,,Sumber Urip,,Air Dinginn,1,2,3,\n"
        + "2026,,Curup,17.02.11.1004,,1,2,3,\n"
        + "2026,,Curup,17.99,,1,dua,3,\n",
        [
            "baris 2: ada beberapa desa bernama Kayu Manis: isi kode desanya",
            "baris 3: desa Air Dinginn tidak dikenal",
            "baris 4: desa Air Duku tidak termasuk wilayah kerja puskesmas ini",
            "baris 5: kode desa 17.99 tidak dikenal",
            "baris 5: kolom Hipertensi: dua bukan bilangan bulat",
        ],
        id="wide-desa",
    ),
]


@pytest.mark.parametrize(("content", "expected"), REFUSED)
async def test_a_wrong_file_names_each_row_in_indonesian_and_writes_nothing(
    db, texts, tmp_path, content, expected
):
    _result, errors = await load(db, texts, tmp_path, content)
    assert errors == expected
    assert await targets(db) == {}


async def test_the_template_filled_in_excel_imports_per_desa(db, texts, tmp_path):
    t = lambda m: texts(m, "id")  # noqa: E731
    path = await sasaran_template.write(db, tmp_path / "sasaran-2026.xlsx", 2026, t)
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Tahun", "Kecamatan", "Puskesmas", "Kode desa", "Desa"]
    assert header[5:17] == [
        "Ibu hamil", "Ibu bersalin", "Bayi baru lahir", "Balita", "Anak usia pendidikan dasar",
        "Usia produktif (15–59 th)", "Usia lanjut (60+ th)", "Penderita hipertensi",
        "Penderita diabetes melitus", "Orang dengan gangguan jiwa berat (ODGJ berat)",
        "Orang terduga TBC", "Orang dengan risiko terinfeksi HIV",
    ]  # fmt: skip
    assert header[17] == "Catatan"
    rows = {(r[2], r[4]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len([k for k in rows if k[1] is None]) == 21  # one row per puskesmas
    assert rows[("Bangun Jaya", None)][17] == "kecamatan perlu konfirmasi Dinkes"
    assert (
        rows[("Sumber Urip", "Air Duku")][17]
        == "dilayani beberapa puskesmas: perlu konfirmasi Dinkes"
    )
    # Dinkes fills two desa of Sumber Urip in Excel and imports the sheet as it is
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "Sumber Urip" and row[4].value in ("Air Duku", "Cawang Baru"):
            row[5].value, row[12].value = 10, 40
    book.save(path)
    async with db.transaction() as session:
        result = await import_sasaran(session, path, NOW, None, t)
    assert result.errors == [] and result.ignored == []
    found = await targets(db)
    assert found[("Sumber Urip", "Air Duku", "ibu_hamil")] == 10
    assert found[("Sumber Urip", None, "hipertensi")] == 80
    assert len(found) == 6


async def test_with_sasaran_per_desa_the_export_shows_capaian_per_desa(
    db, texts, runtime, tmp_path
):
    from datetime import date

    from clock_steps import Seeder

    from handlers.exports.entry import sheets
    from handlers.exports.sheets import Request

    s = await Seeder(db).load()
    await s.report("Sumber Urip", "3", date(2026, 3, 2), {"HTSPM": 4}, desa="Air Duku")
    await s.report("Sumber Urip", "3", date(2026, 11, 2), {"HTSPM": 6}, desa="Air Duku")
    await s.report("Sumber Urip", "3", date(2026, 11, 3), {"HTSPM": 50})  # in the building
    request = Request(date(2026, 11, 1), date(2026, 11, 30), None)
    async with db.transaction() as session:
        before = [sheet.title for sheet in await sheets(session, texts, runtime.flows, request)]
    assert "Capaian SPM per desa" not in before
    await load(
        db,
        texts,
        tmp_path,
        WIDE + "2026,,Sumber Urip,,Air Duku,,40,,\n2026,,Sumber Urip,,Cawang Baru,,20,,\n",
    )
    async with db.transaction() as session:
        found = await sheets(session, texts, runtime.flows, request)
    [pws] = [sheet for sheet in found if sheet.title == "Capaian SPM per desa"]
    rows = {(r[1], r[2]): r for r in pws.rows}
    assert rows[("Air Duku", "Penderita hipertensi")][3:6] == (10, 40, 25.0)
    assert rows[("Cawang Baru", "Penderita hipertensi")][3:6] == (0, 20, 0.0)
    assert rows[("Air Duku", "Penderita hipertensi")][6] == (
        "dilayani beberapa puskesmas: perlu konfirmasi Dinkes"
    )
