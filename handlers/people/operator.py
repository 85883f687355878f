"""What the operator's command line (`ilpbot invite …`, `ilpbot user …`, bot/people_cli.py)
asks of people: each call is one unit of work, so bot/ opens no transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from db.database import Database
from db.models import Invite, User
from handlers.people import accounts, coaching, invites
from handlers.people.registration import place_of


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
