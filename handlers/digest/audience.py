"""Who hears an alert about a puskesmas: every Dinkes user who hears alerts, and those of that
puskesmas (its kepala). Alerts go at once, written in the report's transaction: they are not
clock jobs, so the quiet hours do not hold them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from handlers.core import notify
from handlers.people.roles import Can, Place, roles_that


async def recipients(session: AsyncSession, puskesmas_id: int) -> list[User]:
    users = await notify.active_users(session, roles_that(Can.HEAR_ALERTS, Place.DISTRICT))
    at_puskesmas = roles_that(Can.HEAR_ALERTS, Place.PUSKESMAS)
    return users + await notify.active_users(session, at_puskesmas, [puskesmas_id])
