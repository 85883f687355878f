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
    CAMAT = "camat"  # coaches the desa of his kecamatan; decides nothing
    PENDAMPING_DESA = "pendamping_desa"  # TPP Kemendes: coaches the desa assigned to them
    OPERATOR_DESA = "operator_desa"  # keeps a desa's accounts (Siskeudes, SPJ); the kades invites
    ADMIN = "admin"


class Place(StrEnum):
    """What an invitation binds a role to."""

    PUSKESMAS = "puskesmas"
    DESA = "desa"  # a desa role that reports is bound to the desa's puskesmas too
    DISTRICT = "district"  # the whole kabupaten: no place
    KECAMATAN = "kecamatan"  # every desa of one kecamatan
    ASSIGNED = "assigned"  # the desa in desa_assignment; an invitation names the first


class Can(Flag):
    REPORT = auto()  # /lapor, quick entry, /status (a desa role: its desa's posyandu klaster)
    RECAP = auto()  # /rekap (a puskesmas role: its own puskesmas)
    UNLOCK = auto()  # /bukakunci
    MANAGE_POSYANDU = auto()  # /posyandu: lists and adds its puskesmas's posyandu
    EXPORT = auto()  # /ekspor (a puskesmas role: its own puskesmas)
    DANA_REQUEST = auto()  # asks its desa's kepala desa for dana desa
    DANA_DECIDE = auto()  # decides its desa's requests
    DANA_OVERSEE = auto()  # reads every request, decides none
    DANA_FOLLOW = auto()  # reads the requests of the desa it coaches, decides none
    DANA_ACCOUNT = auto()  # confirms its desa's dana terealisasi with the SPJ reference
    INVITE_OPERATOR = auto()  # invites an operator desa for its own desa (/operator)
    PAUSE_REMINDERS = auto()  # /jeda, /lanjut
    HEAR_REMINDERS = auto()  # the afternoon reminder of its puskesmas's missing reports
    HEAR_DIGEST = auto()  # the morning digest and the monthly summary
    HEAR_WEEKLY = auto()  # the Monday summary of its puskesmas
    HEAR_ALERTS = auto()  # outbreak (KLB) alerts: all, or its puskesmas's
    HEAR_DANA_APPROVALS = auto()  # every approval of a dana desa request
    # requests left undecided for long: all, or those of the desa it coaches
    HEAR_DANA_LATE = auto()
    DESA_PROFILE = auto()  # its desa's monthly profil kesehatan desa, and /desa
    MANAGE_WILAYAH = auto()  # /wilayah: which puskesmas serve a desa


@dataclass(frozen=True)
class RoleInfo:
    label: str  # msgid
    place: Place
    can: Can


STAFF = Can.REPORT | Can.DANA_REQUEST | Can.PAUSE_REMINDERS | Can.HEAR_REMINDERS
COACH = Can.DANA_FOLLOW | Can.HEAR_DANA_LATE
TABLE: dict[Role, RoleInfo] = {
    Role.PETUGAS: RoleInfo(N_("puskesmas staff"), Place.PUSKESMAS, STAFF),
    Role.KADER: RoleInfo(N_("posyandu kader"), Place.DESA, Can.REPORT | Can.DANA_REQUEST),
    Role.KEPALA_PUSKESMAS: RoleInfo(
        N_("head of puskesmas"),
        Place.PUSKESMAS,
        STAFF | Can.RECAP | Can.EXPORT | Can.MANAGE_POSYANDU | Can.HEAR_WEEKLY | Can.HEAR_ALERTS,
    ),
    Role.KADES: RoleInfo(
        N_("village head (kepala desa)"),
        Place.DESA,
        Can.DANA_DECIDE
        | Can.DANA_ACCOUNT
        | Can.INVITE_OPERATOR
        | Can.PAUSE_REMINDERS
        | Can.DESA_PROFILE,
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
        | Can.MANAGE_WILAYAH,
    ),
    Role.PMD: RoleInfo(
        N_("Dinas PMD staff"),
        Place.DISTRICT,
        Can.DANA_OVERSEE | Can.HEAR_DANA_APPROVALS | Can.HEAR_DANA_LATE,
    ),
    # Read-only coaches of the desa: a decision button pressed by one of them is refused.
    Role.CAMAT: RoleInfo(N_("sub-district head (camat)"), Place.KECAMATAN, COACH),
    Role.PENDAMPING_DESA: RoleInfo(
        N_("village facilitator (pendamping desa)"), Place.ASSIGNED, COACH
    ),
    Role.OPERATOR_DESA: RoleInfo(N_("desa operator"), Place.DESA, Can.DANA_ACCOUNT),
    Role.ADMIN: RoleInfo(
        N_("administrator"),
        Place.DISTRICT,
        Can.RECAP | Can.UNLOCK | Can.EXPORT | Can.DANA_OVERSEE | Can.MANAGE_WILAYAH,
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
