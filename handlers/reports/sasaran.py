"""`ilpbot sasaran import FILE`: the annual SPM targets (denominators of capaian), per puskesmas
or per desa of its wilayah (PWS), from a CSV or the first sheet of an XLSX, in either shape:

- long: tahun, puskesmas, [desa or kode desa,] layanan (1–12 or the key), sasaran;
- wide, as Dinkes keeps it in Excel (`ilpbot sasaran template`): tahun, puskesmas, [desa or
  kode desa,] then one column per SPM service, headed by its number, key or Indonesian name.

All or nothing: any invalid row refuses the whole file, each error naming its row. A puskesmas
given only per desa gets the sum of its desa as its own target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM_KEYS
from conversations.model import N_, Text
from conversations.parsing import normalize
from conversations.quick_entry import suggest
from db.database import Database
from db.reports import Sasaran
from handlers.reports.sasaran_columns import (
    Imported,
    Layout,
    Places,
    layout,
    row_error,
    service_headers,
)
from handlers.reports.sasaran_files import Sheet, Unreadable, read_sheet

BLANK = ("", "-")


@dataclass(frozen=True)
class _Row:
    line: int
    year: int
    puskesmas_id: int
    desa_id: int | None
    spm: str
    target: int


def read_rows(
    sheet: Sheet, places: Places, label: Callable[[str], str], year: int | None, result: Imported
) -> list[_Row]:
    lay = layout(sheet, service_headers(label), year, result)
    if result.errors:
        return []
    rows: list[_Row] = []
    seen: dict[tuple, int] = {}
    for line, cells in sheet.rows:
        for row in _row(line, cells, sheet, lay, places, year, result):
            key = (row.year, row.puskesmas_id, row.desa_id, row.spm)
            if key in seen:
                error = Text.of(
                    N_("the same year, place and service as row {other}"), other=str(seen[key])
                )
                result.errors.append(row_error(line, error))
                continue
            seen[key] = line
            rows.append(row)
    return rows


def _row(
    line: int,
    cells: list[str],
    sheet: Sheet,
    lay: Layout,
    places: Places,
    year: int | None,
    result: Imported,
) -> list[_Row]:
    def cell(role: str) -> str:
        n = lay.places.get(role)
        return cells[n].strip() if n is not None and n < len(cells) else ""

    errors: list[Text] = []
    written = cell("year") or (str(year) if year else "")
    if not (written.isdecimal() and 2000 <= int(written) <= 2100):
        errors.append(Text.of(N_("{year} is not a year such as 2026"), year=written or "-"))
    name = normalize(cell("puskesmas"))
    puskesmas_id = places.puskesmas.get(name)
    if puskesmas_id is None:
        hint = suggest(name, places.puskesmas)
        unknown = Text.of(N_("unknown puskesmas {name}"), name=cell("puskesmas") or "-")
        if hint:
            unknown = Text.of(
                N_("unknown puskesmas {name} (did you mean {hint}?)"),
                name=cell("puskesmas"),
                hint=hint.title(),
            )
        errors.append(unknown)
    desa_id = None
    if puskesmas_id is not None and (cell("desa") or cell("desa_kode")):
        desa_id = places.desa(cell("desa_kode"), cell("desa"), puskesmas_id, errors)
    targets = _wide(cells, sheet, lay, errors) if lay.services else _long(cell, errors)
    if errors:
        result.errors.extend(row_error(line, e) for e in errors)
        return []
    assert puskesmas_id is not None
    return [_Row(line, int(written), puskesmas_id, desa_id, s, t) for s, t in targets]


def _wide(cells: list[str], sheet: Sheet, lay: Layout, errors: list[Text]) -> list[tuple[str, int]]:
    targets = []
    for n, key in lay.services.items():
        raw = cells[n].strip() if n < len(cells) else ""
        if raw in BLANK:
            continue
        number = whole(raw)
        if number is None:
            errors.append(
                Text.of(
                    N_("column {column}: {value} is not a whole number"),
                    column=sheet.header[n],
                    value=raw,
                )
            )
        else:
            targets.append((key, number))
    return targets


def _long(cell: Callable[[str], str], errors: list[Text]) -> list[tuple[str, int]]:
    spm, target = spm_key(cell("spm")), whole(cell("target"))
    if spm is None:
        errors.append(
            Text.of(
                N_("unknown SPM service {value}: use 1–12 or one of {keys}"),
                value=cell("spm") or "-",
                keys=", ".join(SPM_KEYS),
            )
        )
    if target is None:
        errors.append(
            Text.of(N_("target {value} is not a whole number"), value=cell("target") or "-")
        )
    return [] if spm is None or target is None else [(spm, target)]


def whole(value: str) -> int | None:
    """A whole number, "." as the thousands separator (1.450)."""
    digits = value.strip().replace(".", "").replace(" ", "")
    return int(digits) if digits.isdecimal() and len(digits) <= 9 else None


def spm_key(value: str) -> str | None:
    key = normalize(value).replace(" ", "_")
    if key.isdecimal() and 1 <= int(key) <= len(SPM_KEYS):
        return SPM_KEYS[int(key) - 1]
    return key if key in SPM_KEYS else None


async def import_sasaran(
    session: AsyncSession,
    path: Path,
    now: datetime,
    year: int | None = None,
    label: Callable[[str], str] = str,
) -> Imported:
    """`label` gives a service's Indonesian name (the wide headers); `year` stands for a
    missing tahun column."""
    result = Imported()
    try:
        sheet = read_sheet(path)
    except Unreadable as exc:
        result.unreadable = exc.text
        return result
    rows = read_rows(sheet, await Places.load(session), label, year, result)
    if result.errors:
        return result
    existing = {
        (s.tahun, s.puskesmas_id, s.desa_id, s.spm): s
        for s in (await session.execute(select(Sasaran))).scalars()
    }
    for row in rows:
        _write(
            session, existing, (row.year, row.puskesmas_id, row.desa_id, row.spm), row.target, now
        )
        result.rows += 1
    given = {(r.year, r.puskesmas_id, r.spm) for r in rows if r.desa_id is None}
    by_desa = {(r.year, r.puskesmas_id, r.spm) for r in rows if r.desa_id is not None}
    for year_, pid, spm in sorted(by_desa - given):
        total = sum(
            s.target
            for (y, p, d, k), s in existing.items()
            if (y, p, k) == (year_, pid, spm) and d is not None
        )
        _write(session, existing, (year_, pid, None, spm), total, now)
        result.summed += 1
    return result


def _write(session: AsyncSession, existing: dict, key: tuple, target: int, now: datetime) -> None:
    item = existing.get(key)
    if item is None:
        year, puskesmas_id, desa_id, spm = key
        item = existing[key] = Sasaran(
            tahun=year, puskesmas_id=puskesmas_id, desa_id=desa_id, spm=spm
        )
        session.add(item)
    item.target, item.updated_at = target, now


async def import_file(
    db: Database, path: Path, now: datetime, year: int | None, label: Callable[[str], str]
) -> Imported:
    """`ilpbot sasaran import`: the file in one unit of work (nothing written when it errs)."""
    async with db.transaction() as session:
        return await import_sasaran(session, path, now, year, label)
