"""Invitations an operator handles from the CLI (`ilpbot invite …`, the demo of `ilpbot run`):
each one unit of work of its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db.database import Database
from db.models import Invite
from handlers.people import invites


async def create(db: Database, now: datetime, role: str, **options: Any) -> invites.Created:
    """One invite (see invites.create_invite for the options); InviteError when refused."""
    async with db.transaction() as session:
        return await invites.create_invite(session, now, role, **options)


async def listing(db: Database) -> list[Invite]:
    # not a snapshot: its rollback would expire the rows before they are printed
    async with db.transaction() as session:
        return await invites.list_invites(session)


async def revoke(db: Database, invite_id: int, now: datetime) -> bool:
    """False when there is no such invite, or it was revoked already."""
    async with db.transaction() as session:
        return await invites.revoke(session, invite_id, now)


async def demo(db: Database, now: datetime) -> tuple[invites.Created, invites.Created]:
    """The demo's two invites: a petugas of Puskesmas Sumber Urip and its Kepala Desa."""
    async with db.transaction() as session:
        petugas = await invites.create_invite(
            session, now, "petugas", puskesmas="Sumber Urip", uses=5
        )
        kades = await invites.create_invite(session, now, "kades", desa="17.02.11.2009", uses=5)
    return petugas, kades
