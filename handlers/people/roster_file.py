"""A roster as Dinkes keeps it (XLSX or CSV): one person a row, the columns found by their
headers, Indonesian ones included (nama, peran, puskesmas, desa/posyandu, telepon)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from conversations.model import N_

# The headers a column is known by, compared without case, spaces or punctuation.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("nama", "namalengkap", "name", "namapetugas"),
    "role": ("peran", "jabatan", "role", "tugas"),
    "puskesmas": ("puskesmas", "pkm", "namapuskesmas"),
    "desa": ("desa", "desaposyandu", "desakelurahan", "kelurahan", "posyandu", "namadesa"),
    "phone": ("telepon", "telp", "nohp", "nomorhp", "hp", "nowa", "nomorwa", "wa", "phone"),
}
REQUIRED = ("name", "role")


class RosterFileError(ValueError):
    """`msgid` and its params: the operator reads it in Indonesian."""

    def __init__(self, msgid: str, **params: str) -> None:
        super().__init__(msgid)
        self.msgid, self.params = msgid, params


@dataclass(frozen=True)
class RosterRow:
    number: int  # the row as the spreadsheet shows it (the header is row 1)
    name: str
    role: str
    puskesmas: str
    desa: str
    phone: str


def _key(header: object) -> str:
    return re.sub(r"[^a-z]", "", str(header or "").casefold())


def _columns(header: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _key(cell)
        for field, names in HEADERS.items():
            if key in names and field not in found:
                found[field] = index
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        raise RosterFileError(
            N_("The roster needs the columns nama and peran (found: {found})."),
            found=", ".join(str(c) for c in header if c) or "-",
        )
    return found


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number Excel stored as a number
    return " ".join(str(value).split()) if value is not None else ""


def read_rows(table: list[list[object]]) -> list[RosterRow]:
    """The first non-empty row is the header; empty rows are skipped."""
    rows = [(n, r) for n, r in enumerate(table, start=1) if any(_text(c) for c in r)]
    if not rows:
        raise RosterFileError(N_("The roster is empty."))
    (_, header), body = rows[0], rows[1:]
    columns = _columns(list(header))

    def cell(row: list[object], field: str) -> str:
        index = columns.get(field)
        return _text(row[index]) if index is not None and index < len(row) else ""

    return [
        RosterRow(n, *(cell(list(r), f) for f in ("name", "role", "puskesmas", "desa", "phone")))
        for n, r in body
    ]


def load(path: Path) -> list[RosterRow]:
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
        return read_rows(table)
    if path.suffix.casefold() == ".csv":
        return read_rows(_csv(path.read_bytes()))
    raise RosterFileError(N_("A roster is an .xlsx or .csv file, not {name}."), name=path.name)


def _csv(data: bytes) -> list[list[object]]:
    """Excel in Indonesia writes `;` between columns (the comma is the decimal sign)."""
    text = data.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
