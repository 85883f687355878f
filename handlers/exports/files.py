"""Export sheets as files: XLSX (openpyxl), CSV (one file per sheet) and a DHIS2
`dataValueSets` JSON with its mapping of data element and org unit codes.

openpyxl is imported inside write_xlsx: the inbound path loads this module but rarely exports."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handlers.exports.sheets import Request, Sheet
from handlers.exports.sheets import cell as safe_cell

DATE_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
KEEP_DAYS = 30  # the sender has long since uploaded them; a Dinkes user can export again


def file_name(req: Request, extension: str) -> str:
    who = "semua" if req.scope is None else "-".join(str(p) for p in req.scope[:3])
    return f"ilp-{who}-{req.first.isoformat()}-{req.last.isoformat()}.{extension}"


def write_xlsx(sheets: Sequence[Sheet], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_title(sheet.title, book.sheetnames))
        ws.append([safe_cell(v) for v in sheet.header])
        for row in sheet.rows:
            ws.append([safe_cell(v) for v in row])
        if sheet.total is not None:
            ws.append([safe_cell(v) for v in sheet.total])
            for cell in ws[ws.max_row]:
                cell.font = bold
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "C2"
        for column in ws.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, datetime):
                    cell.number_format = MOMENT_FORMAT
                elif isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
        for n, title in enumerate(sheet.header, start=1):
            ws.column_dimensions[get_column_letter(n)].width = min(max(len(str(title)), 10), 40)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path.resolve()


def _title(title: str, taken: list[str]) -> str:
    """Excel: at most 31 characters, none of []:*?/\\, unique in the book."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31]
    n = 2
    while clean in taken:
        clean = f"{clean[:28]} {n}"
        n += 1
    return clean


def write_csv(sheets: Sequence[Sheet], folder: Path) -> list[Path]:
    """One UTF-8 CSV (with a BOM, so Excel reads it right) per sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, sheet in enumerate(sheets, start=1):
        path = folder / f"{n:02d}-{_slug(sheet.title)}.csv"
        with open(path, "w", newline="", encoding="utf-8-sig") as fp:
            out = csv.writer(fp)
            out.writerow([_csv(v) for v in sheet.header])
            out.writerows([_csv(v) for v in row] for row in sheet.rows)
            if sheet.total is not None:
                out.writerow([_csv(v) for v in sheet.total])
        paths.append(path.resolve())
    return paths


def _csv(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else safe_cell(value)


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


# --- DHIS2 ---------------------------------------------------------------------------------


# Dana desa decisions per budget route and month: how many, and the rupiah approved.
DANA_ROUTES = ("apbdes", "perubahan", "btt", "rkp", "tidak_tercatat")
DANA_CODES = tuple(f"DANA_{r.upper()}_{kind}" for r in DANA_ROUTES for kind in ("N", "RP"))


def dhis2_mapping(codes: Sequence[str], puskesmas: dict[int, str]) -> dict[str, Any]:
    """Our codes as placeholders: replace them with the DHIS2 UIDs or codes of the instance."""
    return {
        "dataElements": {code: f"ILP_{code}" for code in (*codes, *DANA_CODES)},
        "orgUnits": {name: f"PKM_{pid}" for pid, name in puskesmas.items()},
        "idScheme": "CODE",
    }


def dhis2_values(
    values: dict[tuple[int, date, str], int],
    weekly: set[str],
    puskesmas: dict[int, str],
    mapping: dict[str, Any],
) -> dict[str, Any]:
    """A dataValueSets payload: daily periods (yyyyMMdd); weekly forms by ISO week (2026W48)."""
    elements, units = mapping["dataElements"], mapping["orgUnits"]
    out = []
    for (pid, day, code), value in sorted(values.items()):
        if code not in elements or puskesmas.get(pid) not in units:
            continue
        if code in weekly:
            year, week, _ = day.isocalendar()
            period = f"{year}W{week}"
        else:
            period = day.strftime("%Y%m%d")
        out.append(
            {
                "dataElement": elements[code],
                "period": period,
                "orgUnit": units[puskesmas[pid]],
                "value": str(value),
            }
        )
    return {"dataValues": out}


def dhis2_dana(
    decisions: Sequence[tuple[int, date, str, int]],
    puskesmas: dict[int, str],
    mapping: dict[str, Any],
) -> list[dict[str, str]]:
    """Monthly (yyyyMM) counts and rupiah of the decisions per puskesmas and budget route, from
    (puskesmas id, local day of the decision, route, approved rupiah)."""
    elements, units = mapping["dataElements"], mapping["orgUnits"]
    sums: dict[tuple[str, int, str], list[int]] = {}
    for pid, day, route, rupiah in decisions:
        key = (f"{day:%Y%m}", pid, route)
        total = sums.setdefault(key, [0, 0])
        total[0], total[1] = total[0] + 1, total[1] + rupiah
    out = []
    for (period, pid, route), (count, rupiah) in sorted(sums.items()):
        for kind, value in (("N", count), ("RP", rupiah)):
            code = f"DANA_{route.upper()}_{kind}"
            if code in elements and puskesmas.get(pid) in units:
                unit = units[puskesmas[pid]]
                out.append(
                    {
                        "dataElement": elements[code],
                        "period": period,
                        "orgUnit": unit,
                        "value": str(value),
                    }
                )
    return out


def prune(folder: Path, now: float, keep_days: int = KEEP_DAYS) -> int:
    """Deletes the charts and exports we wrote more than `keep_days` ago; returns how many."""
    gone = 0
    for pattern in ("digest-*.png", "spm-*.png", "ilp-*.xlsx", "ilp-*.json"):
        for path in folder.glob(pattern):
            if now - path.stat().st_mtime > keep_days * 86400:
                path.unlink(missing_ok=True)
                gone += 1
    return gone


def write_json(data: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path.resolve()
