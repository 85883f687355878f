"""`ilpbot sasaran import FILE.csv`: the annual SPM targets (denominators of capaian).

Columns tahun/year, puskesmas, layanan/spm (1–12 or the key, e.g. ibu_hamil), sasaran/target.
All or nothing: any invalid line refuses the whole file, each error naming its line."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM_KEYS
from conversations.parsing import normalize
from conversations.quick_entry import suggest
from db import queries
from db.database import Database
from db.reports import Sasaran

COLUMNS = {
    "tahun": "year",
    "year": "year",
    "puskesmas": "puskesmas",
    "layanan": "spm",
    "spm": "spm",
    "sasaran": "target",
    "target": "target",
}


@dataclass
class Imported:
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    unreadable: str | None = None  # the file could not be read at all: one line says why


def _why(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    if isinstance(exc, UnicodeDecodeError):
        return "not a UTF-8 text file"
    return exc.strerror or type(exc).__name__


@dataclass(frozen=True)
class _Row:
    line: int
    year: int
    puskesmas_id: int
    spm: str
    target: int


def read_rows(text: str, puskesmas: dict[str, int], result: Imported) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {COLUMNS.get(normalize(h or "")) for h in reader.fieldnames or []}
    missing = {"year", "puskesmas", "spm", "target"} - header
    if missing:
        result.errors.append(f"line 1: missing column(s) {', '.join(sorted(missing))}")
        return []
    rows, seen = [], {}
    for line, raw in enumerate(reader, start=2):
        row = {COLUMNS.get(normalize(k or "")): (v or "").strip() for k, v in raw.items()}
        parsed = _row(line, row, puskesmas, result)
        if parsed is None:
            continue
        key = (parsed.year, parsed.puskesmas_id, parsed.spm)
        if key in seen:
            result.errors.append(
                f"line {line}: same year, puskesmas and service as line {seen[key]}"
            )
            continue
        seen[key] = line
        rows.append(parsed)
    return rows


def _row(line: int, row: dict, puskesmas: dict[str, int], result: Imported) -> _Row | None:
    errors = []
    year = row.get("year", "")
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        errors.append(f"year {year!r} is not a year such as 2026")
    name = normalize(row.get("puskesmas", ""))
    if name not in puskesmas:
        hint = suggest(name, puskesmas)
        errors.append(
            f"unknown puskesmas {row.get('puskesmas')!r}"
            + (f" (did you mean {hint.title()}?)" if hint else "")
        )
    spm = _spm(row.get("spm", ""))
    if spm is None:
        errors.append(
            f"unknown SPM service {row.get('spm')!r}: use 1–12 or one of {', '.join(SPM_KEYS)}"
        )
    target = row.get("target", "").replace(".", "")
    if not target.isdigit():
        errors.append(f"target {row.get('target')!r} is not a whole number")
    if errors:
        result.errors.extend(f"line {line}: {e}" for e in errors)
        return None
    return _Row(line, int(year), puskesmas[name], spm, int(target))


def _spm(value: str) -> str | None:
    key = normalize(value).replace(" ", "_")
    if key.isdigit() and 1 <= int(key) <= len(SPM_KEYS):
        return SPM_KEYS[int(key) - 1]
    return key if key in SPM_KEYS else None


async def import_sasaran(session: AsyncSession, path: Path, now: datetime) -> Imported:
    result = Imported()
    puskesmas = {normalize(p.nama): p.id for p in await queries.all_puskesmas(session)}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        result.unreadable = f"cannot read {path}: {_why(exc)}"
        return result
    try:
        rows = read_rows(text, puskesmas, result)
    except csv.Error as exc:
        result.unreadable = f"cannot read {path}: not a CSV file ({exc})"
        return result
    if result.errors:
        return result
    existing = {
        (s.tahun, s.puskesmas_id, s.spm): s
        for s in (await session.execute(select(Sasaran))).scalars()
    }
    for row in rows:
        item = existing.get((row.year, row.puskesmas_id, row.spm))
        if item is None:
            item = Sasaran(tahun=row.year, puskesmas_id=row.puskesmas_id, spm=row.spm)
            session.add(item)
        item.target, item.updated_at = row.target, now
        result.rows += 1
    return result


async def import_file(db: Database, path: Path, now: datetime) -> Imported:
    """`ilpbot sasaran import`: the file in one unit of work (nothing written when it errs)."""
    async with db.transaction() as session:
        return await import_sasaran(session, path, now)
