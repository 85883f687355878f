"""Unduh: the XLSX, CSV (one per sheet, zipped) and DHIS2 exports for a range and a scope, made
by the same code as `/ekspor` and `ilpbot export`, within what the viewer may see."""

from __future__ import annotations

import asyncio
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db.digest_queries import puskesmas_names
from handlers.core.inbound import Runtime
from handlers.dashboard.scope import Viewer
from handlers.exports import by_hand
from handlers.exports import files as export_files
from handlers.exports.sheets import Request

KINDS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "dhis2": "application/json",
}
MAX_DAYS = 366


class NotAllowed(PermissionError):
    pass


@dataclass(frozen=True)
class Download:
    name: str
    media_type: str
    body: bytes


async def choices(runtime: Runtime, viewer: Viewer) -> dict[int, str]:
    async with runtime.db.snapshot() as session:
        return await puskesmas_names(session, viewer.puskesmas)


def scope_for(viewer: Viewer, puskesmas: int | None) -> list[int] | None:
    """The export's puskesmas: one the viewer covers, or all of them; anything else refused."""
    if viewer.desa is not None:
        raise NotAllowed("a desa role has no report exports")
    if puskesmas is None:
        return None if viewer.puskesmas is None else list(viewer.puskesmas)
    if not viewer.sees_puskesmas(puskesmas):
        raise NotAllowed(f"puskesmas {puskesmas} is outside the viewer's scope")
    return [puskesmas]


async def download(
    runtime: Runtime, viewer: Viewer, kind: str, first: date, last: date, puskesmas: int | None
) -> Download:
    if kind not in KINDS:
        raise ValueError(kind)
    first, last = min(first, last), max(first, last)
    if (last - first).days > MAX_DAYS:
        raise ValueError("range")
    req = Request(first, last, scope_for(viewer, puskesmas), runtime.settings.public_url)
    with tempfile.TemporaryDirectory() as folder:
        path = await _write(runtime, kind, req, Path(folder))
        body = path.read_bytes()
    return Download(path.name, KINDS[kind], body)


async def _write(runtime: Runtime, kind: str, req: Request, folder: Path) -> Path:
    if kind == "dhis2":
        mapping = runtime.settings.clock.export_dir / "dhis2-mapping.json"
        values, _written = await by_hand.dhis2(runtime, req, mapping)
        return export_files.write_json(values, folder / export_files.file_name(req, "json"))
    sheets = await by_hand.sheets(runtime, req)
    if kind == "xlsx":
        path = folder / export_files.file_name(req, "xlsx")
        return await asyncio.to_thread(export_files.write_xlsx, sheets, path)
    paths = await asyncio.to_thread(export_files.write_csv, sheets, folder / "csv")
    return await asyncio.to_thread(_zip, paths, folder / export_files.file_name(req, "zip"))


def _zip(paths: list[Path], target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in paths:
            zf.write(p, p.name)
    return target
