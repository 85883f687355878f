"""Who coaches a desa and which desa a user follows: a camat the desa of his kecamatan, a
pendamping desa the desa assigned to them (both read-only), the kabupaten roles every desa."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import scope
from db.models import Desa, User
from handlers.people import roles
from handlers.people.roles import Can, Place, roles_that


async def followed_desa(session: AsyncSession, user: User) -> list[int] | None:
    """The desa whose dana desa requests the user may read; None for the whole kabupaten."""
    where = roles.place(user.role)
    if where is Place.DISTRICT:
        return None
    if where is Place.KECAMATAN:
        return (
            await scope.desa_of_kecamatan(session, user.kecamatan_id) if user.kecamatan_id else []
        )
    if where is Place.ASSIGNED:
        return await scope.assigned_desa(session, user.id)
    return [user.desa_id] if user.desa_id else []


async def coaches(session: AsyncSession, desa: Desa, capability: Can) -> list[User]:
    """The active users with `capability` who coach this desa (camat, pendamping desa)."""
    return await scope.coaches_of(
        session,
        desa,
        roles_that(capability, Place.KECAMATAN),
        roles_that(capability, Place.ASSIGNED),
    )


class AssignError(ValueError):
    pass


async def assign_desa(session: AsyncSession, user_id: int, desa: Desa, now: datetime) -> bool:
    """One more desa for a pendamping desa (`ilpbot user assign`); False if already theirs."""
    user = await session.get(User, user_id)
    if user is None or roles.place(user.role) is not Place.ASSIGNED:
        raise AssignError(f"user {user_id} is not a role assigned to desa")
    if desa.jenis != "desa":
        raise AssignError(f"{desa.nama} is a kelurahan: it has no dana desa to coach")
    return await scope.assign(session, user_id, desa.id, now)
