"""How a sasaran file's columns and places are understood: the header words (long and wide
shapes, the 12 SPM services by number, key or Indonesian name) and the puskesmas and desa a row
names, checked against the master data (a desa must be in the puskesmas' wilayah)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM
from conversations.model import N_, Text
from conversations.parsing import normalize
from db import queries, wilayah
from db.models import Desa
from handlers.reports.sasaran_files import Sheet

COLUMNS = {
    "tahun": "year",
    "year": "year",
    "puskesmas": "puskesmas",
    "layanan": "spm",
    "spm": "spm",
    "sasaran": "target",
    "target": "target",
    "desa": "desa",
    "kelurahan": "desa",
    "desa/kelurahan": "desa",
    "kode desa": "desa_kode",
    "kode": "desa_kode",
    "desa_kode": "desa_kode",
    "kecamatan": "",  # known, not read: the puskesmas says where
    "catatan": "",
    "note": "",
    "no": "",
}
HEADER = {"year": "tahun", "puskesmas": "puskesmas", "spm": "layanan", "target": "sasaran"}


@dataclass
class Imported:
    rows: int = 0  # targets written
    summed: int = 0  # puskesmas targets made from the sum of their desa
    errors: list[Text] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns not understood, not read
    unreadable: Text | None = None  # the file could not be read at all: one line says why


def row_error(line: int, error: Text) -> Text:
    return Text.of(N_("row {row}: {error}"), row=str(line), error=error)


def service_headers(label: Callable[[str], str]) -> dict[str, str]:
    """Normalized header → SPM key: the number, the key, and the Indonesian name (with and
    without what it says in brackets)."""
    found: dict[str, str] = {}
    for number, service in enumerate(SPM, start=1):
        name = normalize(label(service.label))
        for header in (str(number), service.key, service.key.replace("_", " "), name):
            found[header] = service.key
        found[re.sub(r"\s*\(.*?\)\s*", " ", name).strip()] = service.key
    return found


def service_of(header: str, known: dict[str, str]) -> str | None:
    """A header names a service exactly, or is a part of one name only ("hipertensi")."""
    h = re.sub(r"^\d+[.)]\s+", "", normalize(header)).replace("_", " ")
    if h in known:
        return known[h]
    h = re.sub(r"\s*\(.*?\)\s*", " ", h).strip()
    if h in known:
        return known[h]
    hits = {key for name, key in known.items() if h and re.search(rf"\b{re.escape(h)}\b", name)}
    return hits.pop() if len(hits) == 1 else None


@dataclass(frozen=True)
class Layout:
    places: dict[str, int]  # year, puskesmas, desa, desa_kode, spm, target → column
    services: dict[int, str]  # wide: column → SPM key


def layout(sheet: Sheet, known: dict[str, str], year: int | None, result: Imported) -> Layout:
    places: dict[str, int] = {}
    services: dict[int, str] = {}
    for n, header in enumerate(sheet.header):
        name = normalize(header)
        if not name:
            continue
        if name in COLUMNS:
            if COLUMNS[name]:
                places.setdefault(COLUMNS[name], n)
        elif (key := service_of(header, known)) is not None and key not in services.values():
            services[n] = key
        else:
            result.ignored.append(header)
    wanted = {"puskesmas"} | ({"year"} if year is None else set())
    long = "spm" in places or "target" in places
    wanted |= {"spm", "target"} if long or not services else set()
    if missing := sorted(HEADER[role] for role in wanted - set(places)):
        error = Text.of(N_("missing column(s) {columns}"), columns=", ".join(missing))
        result.errors.append(row_error(1, error))
    return Layout(places, {} if long else services)


@dataclass
class Places:
    """The master data a row is checked against."""

    puskesmas: dict[str, int]
    by_code: dict[str, Desa]
    by_name: dict[str, list[Desa]]
    served: set[tuple[int, int]]

    @classmethod
    async def load(cls, session: AsyncSession) -> Places:
        desa = await wilayah.all_desa(session)
        by_name: dict[str, list[Desa]] = {}
        for d in desa:
            by_name.setdefault(normalize(d.nama), []).append(d)
        return cls(
            {normalize(p.nama): p.id for p in await queries.all_puskesmas(session)},
            {d.kode: d for d in desa},
            by_name,
            await wilayah.links(session),
        )

    def desa(self, kode: str, name: str, puskesmas_id: int, errors: list[Text]) -> int | None:
        if kode:
            found = self.by_code.get(kode)
            if found is None:
                errors.append(Text.of(N_("unknown desa code {code}"), code=kode))
                return None
        else:
            same = self.by_name.get(normalize(name), [])
            mine = [d for d in same if (puskesmas_id, d.id) in self.served]
            if len(mine) > 1 or (not mine and len(same) > 1):
                errors.append(
                    Text.of(N_("several desa are named {name}: give the desa code"), name=name)
                )
                return None
            if not same:
                errors.append(Text.of(N_("unknown desa {name}"), name=name))
                return None
            found = (mine or same)[0]
        if (puskesmas_id, found.id) not in self.served:
            errors.append(
                Text.of(N_("desa {name} is not in the wilayah of this puskesmas"), name=found.nama)
            )
            return None
        return found.id
