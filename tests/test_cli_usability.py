"""The operator's first week with the command line: an invite says what it is for, place names
are found as people write them, times are local, and a mistake gets one line, not a traceback."""

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from clock_steps import Seeder
from openpyxl import load_workbook

from bot.cli import main
from db.database import Database


@pytest.fixture
def ilpbot(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.mark.parametrize("name", ["Sumber Urip", "Puskesmas Sumber Urip", "PKM sumber urip"])
def test_an_invite_says_what_it_is_for_and_when_it_ends_in_wib(ilpbot, name):
    code, out, err = ilpbot("invite", "create", "--role", "petugas", "--puskesmas", name)
    assert code == 0, err
    assert "for: petugas puskesmas, Puskesmas Sumber Urip\n" in out
    assert " WIB, uses 1\n" in out and "UTC" not in out


def test_a_kades_invite_names_the_desa(ilpbot):
    code, out, _ = ilpbot("invite", "create", "--role", "kades", "--desa", "Desa Sumber Urip")
    assert (code, "for: kepala desa, Desa Sumber Urip\n" in out) == (0, True)


@pytest.mark.parametrize(
    ("option", "name", "nearest"),
    [
        ("--puskesmas", "Sumber Uri Baru", "Sumber Urip"),
        ("--puskesmas", "Puskesmas Curupp Kota", "Curup Timur, Curup"),
        ("--desa", "Desa Sumber Urip Lamaa", "Sumber Urip"),
    ],
)
def test_an_unknown_place_is_refused_with_the_nearest_names(ilpbot, option, name, nearest):
    role = "petugas" if option == "--puskesmas" else "kades"
    code, _, err = ilpbot("invite", "create", "--role", role, option, name)
    assert code == 2
    assert err.startswith("error: no ") and "did you mean" in err and nearest in err
    assert len(err.splitlines()) == 1


def test_a_used_up_invite_is_listed_as_used(ilpbot, db_url):
    ilpbot("invite", "create", "--role", "dinkes")
    asyncio.run(_use_every_invite(db_url))
    _, out, _ = ilpbot("invite", "list")
    assert "\tdinkes\t1/1\tused\t" in out


async def _use_every_invite(url: str) -> None:
    from sqlalchemy import update

    from db.models import Invite

    db = Database(url)
    async with db.transaction() as session:
        await session.execute(update(Invite).values(used=Invite.max_uses))
    await db.dispose()


@pytest.mark.parametrize("word", ["kemarin", "yesterday", "Kemarin"])
def test_digest_takes_yesterday_in_indonesian(ilpbot, word):
    code, out, err = ilpbot("digest", "--date", word, "--no-chart")
    assert code == 0, err
    assert out


@pytest.mark.parametrize(
    ("content", "what"),
    [(None, "berkas tidak ada"), (b"\xff\xfe\x00\x01binary", "bukan berkas teks UTF-8")],
)
def test_an_unreadable_sasaran_file_is_one_line_and_exit_2(ilpbot, tmp_path, content, what):
    path = tmp_path / "sasaran.csv"
    if content is not None:
        path.write_bytes(content)
    code, out, err = ilpbot("sasaran", "import", str(path))
    assert code == 2
    assert err == f"tidak dapat membaca {path}: {what}\n"


def test_export_without_dates_is_this_month_so_far(ilpbot, db_url):
    asyncio.run(_seed(db_url))
    code, out, err = ilpbot("export")
    assert code == 0, err
    path = Path(out.strip())
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # the CLI's today: BOT_TIMEZONE's
    assert path.name.endswith(f"-{today:%Y-%m}-01-{today.isoformat()}.xlsx")
    assert load_workbook(path).sheetnames


async def _seed(url: str) -> None:
    db = Database(url)
    await Seeder(db).load()
    await db.dispose()


def test_wilayah_check_and_import_map_speak_indonesian(ilpbot, tmp_path):
    code, out, err = ilpbot("wilayah", "check")
    assert code == 0, err
    assert out.startswith("Data induk yang perlu konfirmasi Dinkes:\n")
    assert "- Bangun Jaya: Kec. Bermani Ulu Raya (sumber berbeda)\n" in out
    peta = tmp_path / "peta.csv"
    peta.write_text("desa_kode,puskesmas\n17.02.11.1004,Sumber Urip\n17.02.11.9999,Sumber Urip\n")
    code, out, err = ilpbot("wilayah", "import-map", str(peta))
    assert (code, err) == (
        2,
        "baris 3: desa 17.02.11.9999 tidak dikenal\n"
        "Tidak ada yang diimpor: perbaiki baris di atas lalu impor lagi.\n",
    )


def test_the_sasaran_template_is_written_for_the_year(ilpbot, tmp_path):
    code, out, err = ilpbot("sasaran", "template", str(tmp_path / "s.xlsx"), "--tahun", "2027")
    assert code == 0, err
    sheet = load_workbook(out.strip()).active
    assert sheet.title == "Sasaran 2027" and sheet["A2"].value == 2027
