"""A roster becomes invitations: one single-use invite per person, named for them, found again
by person and place so that importing the same roster twice creates nothing.

The places are matched tolerantly (without "Puskesmas"/"Desa", case, spacing, small typos) and
a row that matches nothing says its number and the nearest names. A roster with any such row
creates nothing: the operator fixes the file and imports it again."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db.models import Desa, Puskesmas, PuskesmasDesa
from handlers.people import invites, roles
from handlers.people.roles import Can, Place, Role
from handlers.people.roster_file import RosterRow

TYPO = 0.88  # difflib ratio: "Sumbr Urip" is Sumber Urip; "Tunas Harapan Jaya" is no one
ROSTER_DAYS = 30  # a printed card is handed out at a meeting: it lives longer than 7 days
# What a roster may say in its role column, besides the role's own value.
ROLE_WORDS: dict[str, Role] = {
    "bidan": Role.PETUGAS,
    "bidan desa": Role.PETUGAS,
    "perawat": Role.PETUGAS,
    "petugas": Role.PETUGAS,
    "petugas puskesmas": Role.PETUGAS,
    "kader": Role.KADER,
    "kader posyandu": Role.KADER,
    "kepala puskesmas": Role.KEPALA_PUSKESMAS,
    "kapus": Role.KEPALA_PUSKESMAS,
    "kepala desa": Role.KADES,
    "kades": Role.KADES,
    "dinas kesehatan": Role.DINKES,
    "dinas pmd": Role.PMD,
}


@dataclass(frozen=True)
class RowError:
    row: int
    msgid: str
    params: dict[str, str]


@dataclass(frozen=True)
class Person:
    row: RosterRow
    role: str
    puskesmas: Puskesmas | None
    desa: Desa | None

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        pkm = self.puskesmas.id if self.puskesmas else None
        return (fold(self.row.name), self.role, pkm, self.desa.id if self.desa else None)


@dataclass
class Imported:
    person: Person
    created: invites.Created


@dataclass
class ImportReport:
    cards: list[Imported] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # created, renewed, moved, unchanged…
    errors: list[RowError] = field(default_factory=list)


def fold(name: str) -> str:
    return " ".join(name.casefold().split())


class Places:
    """Every puskesmas and desa, loaded once: 5,000 rows name ~150 places."""

    def __init__(self, puskesmas: list[Puskesmas], desa: list[Desa], served: set[tuple[int, int]]):
        self.puskesmas, self.desa, self.served = puskesmas, desa, served
        self._pkm_by_id = {p.id: p for p in puskesmas}
        self._desa_by_id = {d.id: d for d in desa}
        self._cache: dict[tuple[str, ...], Puskesmas | Desa] = {}

    @classmethod
    async def load(cls, session: AsyncSession) -> Places:
        pkm = list((await session.execute(select(Puskesmas).order_by(Puskesmas.nama))).scalars())
        desa = list((await session.execute(select(Desa).order_by(Desa.nama))).scalars())
        links = (await session.execute(select(PuskesmasDesa))).all()
        return cls(pkm, desa, {(row[0].puskesmas_id, row[0].desa_id) for row in links})

    def find_puskesmas(self, name: str) -> Puskesmas:
        key = ("p", fold(name))
        if key not in self._cache:
            options = [(str(p.id), [p.nama]) for p in self.puskesmas]
            self._cache[key] = self._pkm_by_id[int(self._match(name, "puskesmas", options))]
        return self._cache[key]  # type: ignore[return-value]

    def find_desa(self, name: str, puskesmas: Puskesmas | None) -> Desa:
        pkm_id = puskesmas.id if puskesmas else None
        key = ("d", fold(name), str(pkm_id))
        if key not in self._cache:
            pool = [d for d in self.desa if (pkm_id, d.id) in self.served] if pkm_id else []
            try:  # the desa of the row's puskesmas first: namesakes elsewhere do not count
                found = self._match(name, "desa", [(str(d.id), [d.nama]) for d in pool])
            except PlaceError:
                found = self._match(name, "desa", [(str(d.id), [d.nama]) for d in self.desa])
            self._cache[key] = self._desa_by_id[int(found)]
        return self._cache[key]  # type: ignore[return-value]

    def _match(self, name: str, kind: str, options: list[tuple[str, list[str]]]) -> str:
        """The same name (case, spaces and punctuation aside), else one name within a typo or
        two of it; a looser guess would invite someone to the wrong desa, so it is an error
        naming the nearest instead."""
        wanted = squeeze(invites.bare(name, kind))
        by_key: dict[str, list[str]] = {}
        for value, labels in options:
            by_key.setdefault(squeeze(labels[0]), []).append(value)
        names = {value: labels[0] for value, labels in options}
        close = difflib.get_close_matches(wanted, by_key, n=2, cutoff=TYPO)
        found = by_key.get(wanted) or (by_key[close[0]] if len(close) == 1 else None)
        if found and len(found) == 1:
            return found[0]
        if found:
            raise PlaceError(SEVERAL_PLACES[kind], name, ", ".join(names[v] for v in found))
        close = nearest(invites.bare(name, kind), sorted(set(names.values())))
        raise PlaceError(NO_PLACE[kind], name, ", ".join(close) or "-")


def squeeze(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


# What a name that fits no place, or several, says (by kind of place)
NO_PLACE = {
    "puskesmas": N_("Row {row}: no puskesmas named {name}. Nearest: {names}."),
    "desa": N_("Row {row}: no desa named {name}. Nearest: {names}."),
}
SEVERAL_PLACES = {
    "puskesmas": N_("Row {row}: {name} could be {names}. Write the name in full."),
    "desa": N_("Row {row}: {name} could be {names}. Fill the puskesmas column."),
}


class PlaceError(ValueError):
    def __init__(self, msgid: str, name: str, names: str) -> None:
        super().__init__(msgid)
        self.msgid, self.name, self.names = msgid, name, names


def nearest(name: str, names: list[str]) -> list[str]:
    by_fold = {n.casefold(): n for n in names}
    return [by_fold[c] for c in difflib.get_close_matches(name.casefold(), by_fold, 3, 0.5)]


# A roster binds a person to the district, a puskesmas or a desa; a camat (a kecamatan) and a
# pendamping desa (several desa) are invited one by one with `ilpbot invite create`.
ROSTER_PLACES = (Place.DISTRICT, Place.PUSKESMAS, Place.DESA)


def role_of(text: str) -> Role | None:
    key = fold(text).replace("_", " ")
    role = ROLE_WORDS.get(key) or next((r for r in Role if r.value.replace("_", " ") == key), None)
    return role if role is not None and roles.place(role) in ROSTER_PLACES else None


def _error(row: RosterRow, msgid: str, **params: str) -> RowError:
    return RowError(row.number, msgid, {"row": str(row.number), **params})


def person_of(places: Places, row: RosterRow) -> Person | RowError:
    if not row.name or len(row.name) > 80:
        return _error(row, N_("Row {row}: the name is missing or longer than 80 characters."))
    role = role_of(row.role)
    if role is None:
        known = ", ".join(sorted({*ROLE_WORDS, *(r.value for r in Role if role_of(r.value))}))
        return _error(
            row,
            N_("Row {row}: unknown role {role}. Use one of: {known}."),
            role=row.role or "-",
            known=known,
        )
    try:
        return _placed(places, row, role)
    except PlaceError as exc:
        return _error(row, exc.msgid, name=exc.name, names=exc.names)


def _placed(places: Places, row: RosterRow, role: Role) -> Person | RowError:
    where = roles.place(role)
    pkm = places.find_puskesmas(row.puskesmas) if row.puskesmas else None
    if where is Place.DISTRICT:
        return Person(row, role, None, None)
    if where is Place.PUSKESMAS:
        if pkm is None:
            return _error(row, N_("Row {row}: a {role} needs the puskesmas column."), role=row.role)
        return Person(row, role, pkm, None)
    if not row.desa:
        return _error(row, N_("Row {row}: a {role} needs the desa column."), role=row.role)
    return _desa_person(places, row, role, pkm, places.find_desa(row.desa, pkm))


def _desa_person(
    places: Places, row: RosterRow, role: Role, pkm: Puskesmas | None, desa: Desa
) -> Person | RowError:
    if roles.can(role, Can.DANA_DECIDE) and desa.jenis == "kelurahan":
        return _error(
            row, N_("Row {row}: Kelurahan {name} has a lurah, not a kepala desa."), name=desa.nama
        )
    if not roles.can(role, Can.REPORT):
        return Person(row, role, None, desa)
    serving = [p for p in places.puskesmas if (p.id, desa.id) in places.served]
    if pkm is not None and pkm not in serving:
        return _error(
            row,
            N_("Row {row}: Desa {desa} is not in the area of Puskesmas {puskesmas}."),
            desa=desa.nama,
            puskesmas=pkm.nama,
        )
    if pkm is None:
        namesake = [p for p in serving if fold(p.nama) == fold(desa.nama)]
        if len(serving) != 1 and len(namesake) != 1:
            names = ", ".join(p.nama for p in serving) or "-"
            return _error(
                row,
                N_("Row {row}: Desa {desa} is served by {names}. Fill the puskesmas column."),
                desa=desa.nama,
                names=names,
            )
        pkm = serving[0] if len(serving) == 1 else namesake[0]
    return Person(row, role, pkm, desa)
