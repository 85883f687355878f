"""The desa → puskesmas map corrected by Dinkes: `ilpbot wilayah import-map FILE` (CSV or
XLSX; per desa in the file, the puskesmas listed for it become the ones that serve it; all or
nothing, errors by row) and `/wilayah DESA -> PUSKESMAS[, PUSKESMAS]` in chat, confirmed first.
Every change is audited with the puskesmas before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Text
from conversations.parsing import normalize
from conversations.quick_entry import suggest
from db import queries, wilayah
from db.database import Database
from db.models import Desa
from handlers.reports.sasaran_columns import Places, row_error
from handlers.reports.sasaran_files import Unreadable, read_sheet

COLUMNS = {
    "desa_kode": "kode",
    "kode desa": "kode",
    "kode": "kode",
    "desa": "nama",
    "desa_nama": "nama",
    "puskesmas": "puskesmas",
}


@dataclass
class Mapped:
    changed: int = 0
    unchanged: int = 0
    errors: list[Text] = field(default_factory=list)
    unreadable: Text | None = None


@dataclass
class Master:
    puskesmas: dict[str, int]
    by_code: dict[str, Desa]
    by_name: dict[str, list[Desa]]

    @classmethod
    async def load(cls, session: AsyncSession) -> Master:
        places = await Places.load(session)
        return cls(places.puskesmas, places.by_code, places.by_name)

    def desa(self, written: str) -> Desa | Text:
        """The desa by its code or its name; a Text says why not."""
        written = written.strip()
        if written in self.by_code:
            return self.by_code[written]
        same = self.by_name.get(normalize(written), [])
        if len(same) == 1:
            return same[0]
        if same:
            codes = ", ".join(d.kode for d in same)
            return Text.of(
                N_("several desa are named {name}: use the code ({codes})"),
                name=written,
                codes=codes,
            )
        return Text.of(N_("unknown desa {name}"), name=written or "-")

    def puskesmas_id(self, written: str) -> int | Text:
        written = written.strip()
        name = normalize(written).removeprefix("puskesmas ").strip()
        if name in self.puskesmas:
            return self.puskesmas[name]
        hint = suggest(name, self.puskesmas)
        if hint:
            return Text.of(
                N_("unknown puskesmas {name} (did you mean {hint}?)"),
                name=written,
                hint=hint.title(),
            )
        return Text.of(N_("unknown puskesmas {name}"), name=written or "-")


async def apply(
    session: AsyncSession, desa: Desa, puskesmas_ids: set[int], now: datetime, **actor: Any
) -> bool:
    """The desa is served by exactly these puskesmas, audited; False when it already was."""
    before = await wilayah.serving_ids(session, desa.id)
    if not await wilayah.set_serving(session, desa.id, puskesmas_ids):
        return False
    await queries.audit(
        session,
        now,
        "desa",
        "wilayah_changed",
        entity_id=desa.kode,
        data={"before": sorted(before), "after": sorted(puskesmas_ids)},
        **actor,
    )
    return True


async def import_map(session: AsyncSession, path: Path, now: datetime) -> Mapped:
    result = Mapped()
    try:
        sheet = read_sheet(path)
    except Unreadable as exc:
        result.unreadable = exc.text
        return result
    roles = {COLUMNS.get(normalize(h)): n for n, h in enumerate(sheet.header)}
    if "puskesmas" not in roles or ("kode" not in roles and "nama" not in roles):
        result.errors.append(
            row_error(1, Text(N_("the file needs the columns desa_kode and puskesmas")))
        )
        return result
    master = await Master.load(session)
    wanted: dict[int, tuple[Desa, set[int]]] = {}
    for line, cells in sheet.rows:
        desa = master.desa(_cell(cells, roles, "kode") or _cell(cells, roles, "nama"))
        pid = master.puskesmas_id(_cell(cells, roles, "puskesmas"))
        bad = [x for x in (desa, pid) if isinstance(x, Text)]
        result.errors.extend(row_error(line, e) for e in bad)
        if not bad:
            wanted.setdefault(desa.id, (desa, set()))[1].add(pid)
    if result.errors:
        return result
    for desa, ids in wanted.values():
        if await apply(session, desa, ids, now, channel="cli"):
            result.changed += 1
        else:
            result.unchanged += 1
    return result


def _cell(cells: list[str], roles: dict, role: str) -> str:
    n = roles.get(role)
    return cells[n] if n is not None and n < len(cells) else ""


async def import_map_file(db: Database, path: Path, now: datetime) -> Mapped:
    async with db.transaction() as session:
        return await import_map(session, path, now)
