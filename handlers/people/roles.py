"""The roles: who a user is, where they belong and what they may do or hear.

Adding a role is a member of `Role`, its row in `TABLE`, a migration that widens the role CHECK
of app_user and invite (db/models.py `ROLES` mirrors it), and its label in the catalogue. Code
elsewhere asks what a role can do (`Can`, `roles_that`), never which role it is
(tests/test_roles.py keeps it so)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, StrEnum, auto

from conversations.model import N_


class Role(StrEnum):
    """The values are what app_user.role and invite.role hold."""

    PETUGAS = "petugas"  # puskesmas staff, bidan desa included
    KADER = "kader"  # a desa's posyandu
    KEPALA_PUSKESMAS = "kepala_puskesmas"
    KADES = "kades"  # kepala desa
    DINKES = "dinkes"  # Dinas Kesehatan
    PMD = "pmd"  # Dinas PMD (pemberdayaan masyarakat dan desa)
    ADMIN = "admin"


class Place(StrEnum):
    """What an invitation binds a role to."""

    PUSKESMAS = "puskesmas"
    DESA = "desa"  # a desa role that reports is bound to the desa's puskesmas too
    DISTRICT = "district"  # the whole kabupaten: no place


class Can(Flag):
    REPORT = auto()  # /lapor, quick entry, /status (a desa role: its desa's posyandu klaster)
    RECAP = auto()  # /rekap (a puskesmas role: its own puskesmas)
    UNLOCK = auto()  # /bukakunci
    EXPORT = auto()  # /ekspor (a puskesmas role: its own puskesmas)
    DANA_REQUEST = auto()  # asks its desa's kepala desa for dana desa
    DANA_DECIDE = auto()  # decides its desa's requests
    DANA_OVERSEE = auto()  # reads every request, decides none
    PAUSE_REMINDERS = auto()  # /jeda, /lanjut
    HEAR_REMINDERS = auto()  # the afternoon reminder of its puskesmas's missing reports
    HEAR_DIGEST = auto()  # the morning digest and the monthly summary
    HEAR_WEEKLY = auto()  # the Monday summary of its puskesmas
    HEAR_ALERTS = auto()  # outbreak (KLB) alerts: all, or its puskesmas's
    HEAR_DANA_APPROVALS = auto()  # every approval of a dana desa request
    HEAR_DANA_LATE = auto()  # requests left undecided for long: all, or its puskesmas's


@dataclass(frozen=True)
class RoleInfo:
    label: str  # msgid
    place: Place
    can: Can


STAFF = Can.REPORT | Can.DANA_REQUEST | Can.PAUSE_REMINDERS | Can.HEAR_REMINDERS
TABLE: dict[Role, RoleInfo] = {
    Role.PETUGAS: RoleInfo(N_("puskesmas staff"), Place.PUSKESMAS, STAFF),
    Role.KADER: RoleInfo(N_("posyandu kader"), Place.DESA, Can.REPORT | Can.DANA_REQUEST),
    Role.KEPALA_PUSKESMAS: RoleInfo(
        N_("head of puskesmas"),
        Place.PUSKESMAS,
        STAFF | Can.RECAP | Can.EXPORT | Can.HEAR_WEEKLY | Can.HEAR_ALERTS | Can.HEAR_DANA_LATE,
    ),
    Role.KADES: RoleInfo(
        N_("village head (kepala desa)"), Place.DESA, Can.DANA_DECIDE | Can.PAUSE_REMINDERS
    ),
    Role.DINKES: RoleInfo(
        N_("Dinas Kesehatan staff"),
        Place.DISTRICT,
        Can.RECAP
        | Can.UNLOCK
        | Can.EXPORT
        | Can.DANA_OVERSEE
        | Can.HEAR_DIGEST
        | Can.HEAR_ALERTS
        | Can.HEAR_DANA_APPROVALS
        | Can.HEAR_DANA_LATE,
    ),
    Role.PMD: RoleInfo(
        N_("Dinas PMD staff"), Place.DISTRICT, Can.DANA_OVERSEE | Can.HEAR_DANA_APPROVALS
    ),
    Role.ADMIN: RoleInfo(
        N_("administrator"), Place.DISTRICT, Can.RECAP | Can.UNLOCK | Can.EXPORT | Can.DANA_OVERSEE
    ),
}


def info(role: str) -> RoleInfo:
    return TABLE[Role(role)]


def label(role: str) -> str:
    """The role's msgid ("puskesmas staff"): translate it with turn.t / texts.t."""
    return info(role).label


def can(role: str | None, capability: Can) -> bool:
    """Whether the role has every capability in `capability`."""
    return role is not None and capability in info(role).can


def place(role: str) -> Place:
    return info(role).place


def roles_that(capability: Can, at: Place | None = None) -> tuple[Role, ...]:
    """The roles with any of the capabilities in `capability` (bound to `at`, when given), in
    the order of `Role`."""
    return tuple(
        r for r, i in TABLE.items() if i.can & capability and (at is None or i.place == at)
    )


# Whom a role manages in /staf (issue 20): its puskesmas's people, or the kabupaten's for a
# district role. Anyone managing may also hand over their own role.
MANAGES: dict[Role, tuple[Role, ...]] = {
    Role.KEPALA_PUSKESMAS: (Role.PETUGAS, Role.KADER),
    Role.DINKES: (Role.KEPALA_PUSKESMAS, Role.KADES),
    Role.PMD: (Role.KADES,),
}


def manages(role: str | None) -> tuple[Role, ...]:
    return MANAGES.get(Role(role), ()) if role else ()
