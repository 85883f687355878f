"""`ilpbot invite import`: a roster's people compared with the invitations and users already
there (by person and place), the new invitations made, and what changed counted."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Invite, User
from handlers.people import invites
from handlers.people.roster import (
    ROSTER_DAYS,
    Imported,
    ImportReport,
    Person,
    Places,
    RowError,
    fold,
    person_of,
)
from handlers.people.roster_file import RosterRow

Key = tuple[str, str, int | None, int | None]


async def import_roster(
    session: AsyncSession,
    rows: list[RosterRow],
    now: datetime,
    secret: str | None,
    days: int = ROSTER_DAYS,
) -> ImportReport:
    """Nothing is written when a row is wrong: `report.errors` says which and why."""
    report = ImportReport()
    places = await Places.load(session)
    people: list[Person] = []
    for row in rows:
        found = person_of(places, row)
        if isinstance(found, RowError):
            report.errors.append(found)
        else:
            people.append(found)
    if report.errors:
        return report
    registered = await _registered(session)
    named = await _named_invites(session)
    pending = defaultdict(list)  # (name, role) → invitations not used, wherever they are
    for key, invite in named.items():
        if invite.used < invite.max_uses:
            pending[key[:2]].append(invite)
    seen: set[Key] = set()
    for person in people:
        key = person.key
        if key in seen:
            report.counts["duplicate"] += 1
            continue
        seen.add(key)
        change = _change(key, registered, named, pending, now)
        report.counts[change] += 1
        if change in ("created", "renewed", "moved"):
            report.cards.append(Imported(person, _issue(person, now, secret, days)))
    session.add_all([card.created.invite for card in report.cards])
    await session.flush()
    return report


def _change(
    key: Key,
    registered: set[Key],
    named: dict[Key, Invite],
    pending: dict[tuple[str, str], list[Invite]],
    now: datetime,
) -> str:
    """What the roster's row means now; revokes the invitation it replaces."""
    if key in registered:
        return "registered"
    invite = named.get(key)
    if invite is not None:
        if invite.used >= invite.max_uses:
            return "registered"  # since deactivated, maybe: not invited again by an old roster
        if invite.expires_at > now:
            return "unchanged"
        invite.revoked_at = now
        return "renewed"
    elsewhere = pending.get(key[:2], [])
    for old in elsewhere:  # the same person at another place: moved before registering
        old.revoked_at = now
    return "moved" if elsewhere else "created"


def _issue(person: Person, now: datetime, secret: str | None, days: int) -> invites.Created:
    return invites.issue(
        now,
        person.role,
        secret,
        days=days,
        name=person.row.name,
        puskesmas_id=person.puskesmas.id if person.puskesmas else None,
        desa_id=person.desa.id if person.desa else None,
    )


async def _registered(session: AsyncSession) -> set[Key]:
    stmt = select(User.name, User.role, User.puskesmas_id, User.desa_id).where(
        User.active.is_(True)
    )
    return {(fold(n), r, p, d) for n, r, p, d in (await session.execute(stmt)).all()}


async def _named_invites(session: AsyncSession) -> dict[Key, Invite]:
    """The latest invitation of each person and place, not revoked."""
    stmt = (
        select(Invite)
        .where(Invite.name.is_not(None), Invite.revoked_at.is_(None))
        .order_by(Invite.id)
    )
    return {
        (fold(i.name or ""), i.role, i.puskesmas_id, i.desa_id): i
        for i in (await session.execute(stmt)).scalars()
    }
