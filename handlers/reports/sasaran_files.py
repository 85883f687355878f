"""The sasaran files as Dinkes keeps them: reading a CSV (comma or semicolon, as Excel saves it
in an Indonesian locale) or the first sheet of an XLSX into numbered rows of text, and writing
the wide XLSX template (`ilpbot sasaran template`). openpyxl is imported where it is used."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from conversations.model import N_, Text

# The template's columns before the 12 services (msgids; the reader knows their Indonesian)
PLACE_COLUMNS = (N_("Year"), N_("Kecamatan"), N_("Puskesmas"), N_("Desa code"), N_("Desa"))
NOTE_COLUMN = N_("Note")


class Unreadable(Exception):
    """The file could not be read at all; `text` says why, in the user's words."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.msgid)
        self.text = text


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)


def read_sheet(path: Path) -> Sheet:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(
            Text.of(N_("cannot read {path}: {why}"), path=str(path), why=_why(exc))
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise Unreadable(
            Text.of(N_("cannot read {path}: not a CSV file ({why})"), path=str(path), why=str(exc))
        ) from exc
    return _sheet(lines)


def _xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise Unreadable(
            Text.of(N_("cannot read {path}: {why}"), path=str(path), why=_why(exc))
        ) from exc
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise Unreadable(
            Text.of(N_("cannot read {path}: not an XLSX file"), path=str(path))
        ) from exc
    try:
        lines = [[_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    return _sheet(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet(lines: Sequence[Sequence[str]]) -> Sheet:
    if not lines:
        return Sheet([], [])
    rows = [(n, list(cells)) for n, cells in enumerate(lines[1:], start=2) if any(cells)]
    return Sheet([str(h or "") for h in lines[0]], rows)


def _why(exc: Exception) -> Text:
    if isinstance(exc, FileNotFoundError):
        return Text(N_("no such file"))
    if isinstance(exc, IsADirectoryError):
        return Text(N_("it is a folder"))
    if isinstance(exc, UnicodeDecodeError):
        return Text(N_("not a UTF-8 text file"))
    return Text.raw(getattr(exc, "strerror", None) or type(exc).__name__)


@dataclass(frozen=True)
class TemplateRow:
    kecamatan: str
    puskesmas: str
    desa_kode: str = ""
    desa: str = ""
    note: str = ""


def write_template(
    path: Path,
    year: int,
    services: Sequence[str],
    rows: Sequence[TemplateRow],
    t: Callable[[str], str],
) -> Path:
    """One row per puskesmas (its total) and per desa it serves, one column per SPM service
    (`services`: Indonesian labels), blank for Dinkes to fill."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = t(N_("Sasaran {year}")).format(year=year)
    header = [t(c) for c in PLACE_COLUMNS] + list(services) + [t(NOTE_COLUMN)]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        blanks = [None] * len(services)
        sheet.append(
            [year, row.kecamatan, row.puskesmas, row.desa_kode, row.desa, *blanks, row.note]
        )
    sheet.freeze_panes = "F2"
    for n, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = max(10, min(len(title) + 2, 30))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path.resolve()
