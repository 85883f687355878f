"""Dinkes turns its roster into a printed invitation sheet (`ilpbot invite import`): one
named, single-use invitation per person, a PDF of cards whose QR codes open the bot with the
code, an XLSX of the same; the same roster again creates nothing; a wrong row says its number
and the nearest names, and nothing is created."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import Workbook, load_workbook
from pdf_support import qr_texts
from sqlalchemy import func, select

from db.models import Desa, Invite, Puskesmas, PuskesmasDesa
from handlers.app import build_runtime
from handlers.core.settings import RuntimeSettings
from handlers.people import operator
from handlers.people.roster_file import RosterFileError

SETTINGS = replace(
    RuntimeSettings(), telegram_bot_username="ilp_rl_bot", whatsapp_number="+62 811-0000-0000"
)
HEADER = ["No.", "Nama", "Peran", "Puskesmas", "Desa/Posyandu", "Telepon"]


@pytest.fixture
def runtime(db, texts, clock):
    return build_runtime(db, texts, clock=clock, settings=SETTINGS)


async def served(db) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        stmt = (
            select(Puskesmas.nama, Desa.nama)
            .join(PuskesmasDesa, PuskesmasDesa.puskesmas_id == Puskesmas.id)
            .join(Desa, Desa.id == PuskesmasDesa.desa_id)
            .where(Desa.jenis == "desa")
            .order_by(Puskesmas.nama, Desa.nama)
        )
        return [tuple(r) for r in (await session.execute(stmt)).all()]


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


async def district_roster(db, tmp_path: Path, size: int = 300) -> Path:
    """Kader of each desa, written as Dinkes writes (with "Puskesmas", in capitals), and bidan."""
    places = await served(db)
    rows = []
    for n in range(1, size + 1):
        pkm, desa = places[n % len(places)]
        if n % 5 == 0:
            rows.append([n, f"Bidan Nomor {n}", "Bidan", f"Puskesmas {pkm}", "", f"0812{n:08d}"])
        else:
            rows.append([n, f"Kader Nomor {n}", "kader", pkm.upper(), f"Desa {desa}", None])
    return xlsx(tmp_path / "roster.xlsx", rows)


async def invites_made(db) -> int:
    async with db.transaction() as session:
        return (await session.execute(select(func.count()).select_from(Invite))).scalar_one()


async def test_dinkes_imports_300_people_and_each_card_registers_its_person_in_one_tap(
    db, runtime, texts, clock, chat, tmp_path
):
    roster = await district_roster(db, tmp_path)
    done = await operator.import_roster(db, clock(), roster, tmp_path / "out", SETTINGS, texts)
    assert done.report.errors == []
    assert dict(done.report.counts) == {"created": 300}
    links = qr_texts(done.pdf)  # decoded from the images inside the PDF
    assert len(links) == 600
    telegram, whatsapp = links[0::2], links[1::2]
    assert all(link.startswith("https://t.me/ilp_rl_bot?start=") for link in telegram)
    assert all(link.startswith("https://wa.me/6281100000000?text=DAFTAR%20") for link in whatsapp)

    sheet = list(load_workbook(done.xlsx).active.iter_rows(values_only=True))
    assert sheet[0][:6] == ("Baris", "Nama", "Peran", "Tempat", "Telepon", "Kode")
    assert len(sheet) == 301
    row = sheet[1]  # the first person: a kader, as its card
    code = parse_qs(urlsplit(telegram[0]).query)["start"][0]
    assert row[1] == "Kader Nomor 1" and row[5] == code and row[6] == telegram[0]

    kader = chat("7001")  # she scans the Telegram code: Telegram sends /start <code>
    assert await kader.send(f"/start {code}") == [
        f"Apakah Anda Kader Nomor 1? Kode ini mendaftarkan Anda sebagai kader posyandu untuk "
        f"Desa {(await served(db))[1][1]}."
    ]
    assert kader.buttons == ["Ya", "Tidak"]
    welcome = await kader.press("Ya")
    assert welcome[0].startswith("Selamat datang, Kader Nomor 1! Bapak/Ibu terdaftar sebagai kader")

    bidan = chat("7005", "whatsapp")  # the fifth card, by WhatsApp: the message is prefilled
    typed = parse_qs(urlsplit(whatsapp[4]).query)["text"][0]
    assert typed.startswith("DAFTAR ")
    assert (await bidan.send(typed))[0].startswith("Apakah Anda Bidan Nomor 5?")
    assert (await bidan.press("Ya"))[0].startswith("Selamat datang, Bidan Nomor 5!")
    assert await kader.send(f"/start {code}") != []  # her card is used: no one else registers
    assert (await chat("7999").send(f"DAFTAR {code}"))[0].startswith("Kode itu tidak berlaku")


async def test_the_same_roster_twice_creates_nothing_and_says_what_changed(
    db, texts, clock, tmp_path, chat, runtime
):
    roster = await district_roster(db, tmp_path, size=12)
    first = await operator.import_roster(db, clock(), roster, tmp_path, SETTINGS, texts)
    assert first.report.counts["created"] == 12
    code = first.report.cards[0].created.code
    kader = chat("7101")
    await kader.send(f"/start {code}")
    await kader.press("Ya")  # one of them registered since

    again = await operator.import_roster(db, clock(), roster, tmp_path, SETTINGS, texts)
    assert (again.pdf, again.xlsx) == (None, None)
    assert dict(again.report.counts) == {"unchanged": 11, "registered": 1}
    assert await invites_made(db) == 12

    places = await served(db)
    book = load_workbook(roster)  # Kader Nomor 2 moves to another desa before registering
    assert book.active.cell(row=3, column=2).value == "Kader Nomor 2"
    book.active.cell(row=3, column=5, value=f"Desa {places[7][1]}")
    book.active.cell(row=3, column=4, value=places[7][0])
    book.save(roster)
    clock.advance(days=31)  # and every other card has expired
    third = await operator.import_roster(db, clock(), roster, tmp_path, SETTINGS, texts)
    assert dict(third.report.counts) == {"renewed": 10, "moved": 1, "registered": 1}
    assert len(qr_texts(third.pdf)) == 22


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f, delimiter=";").writerows([["nama", "peran", "puskesmas", "desa"], *rows])
    return path


async def test_a_wrong_row_says_its_number_and_the_nearest_names_and_nothing_is_created(
    db, texts, clock, tmp_path
):
    roster = write_csv(
        tmp_path / "roster.csv",
        [
            ["Siti Aminah", "bidan", "pkm sumbr urip", ""],  # a typo is forgiven
            ["Ani", "kader", "Smber Urup", "Sumber Urip"],
            ["Budi", "kepala desa", "", "Tanjung Sanai Dua"],  # I or II? not guessed
            ["Wati", "camat", "Sumber Urip", ""],
            ["Dedi", "kepala desa", "", "Kelurahan Air Duku"],
        ],
    )
    done = await operator.import_roster(db, clock(), roster, tmp_path, SETTINGS, texts)
    shown = [texts(e.msgid, **e.params) for e in done.report.errors]
    assert shown[0].startswith(
        "Baris 3: tidak ada puskesmas bernama Smber Urup. Yang paling mirip: Sumber Urip"
    )
    assert shown[1].startswith(
        "Baris 4: tidak ada desa bernama Tanjung Sanai Dua. Yang paling mirip: Tanjung Sanai I, "
        "Tanjung Sanai II"
    )
    assert shown[2].startswith("Baris 5: peran camat tidak dikenal.")
    assert shown[3] == "Baris 6: Kelurahan Air Duku dipimpin lurah, bukan kepala desa."
    assert done.pdf is None and await invites_made(db) == 0


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (["name", "phone"], "Daftar perlu kolom nama dan peran (yang ada: name, phone)."),
        ([], "Daftar ini kosong."),
    ],
)
def test_a_roster_without_its_columns_is_refused(tmp_path, texts, header, problem):
    from handlers.people.roster_file import load

    path = tmp_path / "r.csv"
    path.write_text(";".join(header) + "\n" if header else "", encoding="utf-8")
    with pytest.raises(RosterFileError) as refused:
        load(path)
    assert texts(refused.value.msgid, **refused.value.params) == problem
