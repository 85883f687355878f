"""What the operator's command line (`ilpbot invite …`, `ilpbot user …`, bot/people_cli.py)
asks of people: each call is one unit of work, so bot/ opens no transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from db.database import Database
from db.models import Invite, User
from handlers.core.settings import RuntimeSettings
from handlers.core.text import Texts
from handlers.people import accounts, cards, coaching, invites, onboarding, roster_file
from handlers.people.registration import place_of
from handlers.people.roster import ROSTER_DAYS, ImportReport


async def create_invite(db: Database, now: datetime, role: str, **options: Any) -> invites.Created:
    async with db.transaction() as session:
        created = await invites.create_invite(session, now, role, **options)
        invite = created.invite
        place = await place_of(session, invite.puskesmas_id, invite.desa_id, invite.kecamatan_id)
    return replace(created, place=place)


async def list_invites(db: Database) -> list[Invite]:
    async with db.transaction() as session:
        return await invites.list_invites(session)


async def revoke_invite(db: Database, invite_id: int, now: datetime) -> bool:
    async with db.transaction() as session:
        return await invites.revoke(session, invite_id, now)


async def assign_desa(db: Database, user_id: int, desa: str, now: datetime) -> bool:
    async with db.transaction() as session:
        place = await invites.resolve_desa(session, desa)
        return await coaching.assign_desa(session, user_id, place, now)


async def list_users(db: Database) -> list[accounts.Account]:
    async with db.transaction() as session:
        return await accounts.list_accounts(session)


async def set_active(db: Database, user_id: int, active: bool, now: datetime) -> User:
    async with db.transaction() as session:
        return await accounts.set_active(session, user_id, active, now)


@dataclass(frozen=True)
class RosterImport:
    report: ImportReport
    pdf: Path | None
    xlsx: Path | None


async def import_roster(
    db: Database,
    now: datetime,
    path: Path,
    out: Path,
    settings: RuntimeSettings,
    texts: Texts,
    days: int = ROSTER_DAYS,
) -> RosterImport:
    """The sheet is written before the commit: codes are stored hashed, so a sheet that failed
    must leave no invitation behind (a second import would count the person as invited)."""
    rows = roster_file.load(path)
    async with db.transaction() as session:
        report = await onboarding.import_roster(session, rows, now, settings.invite_secret, days)
        if not report.cards:
            return RosterImport(report, None, None)
        made = cards.cards_of(report.cards, texts, settings)
        name = f"{path.stem}-undangan-{cards.stamp(now)}"
        pdf = cards.write_pdf(made, out / f"{name}.pdf", texts)
        xlsx = cards.write_xlsx(made, out / f"{name}.xlsx", texts)
    return RosterImport(report, pdf, xlsx)
