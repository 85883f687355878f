"""Who coaches which desa: a camat his kecamatan's desa, a pendamping desa the desa assigned to
them (desa_assignment). The roles are passed in by the caller (handlers/people/roles.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Desa, DesaAssignment, Kecamatan, User


async def desa_of_kecamatan(session: AsyncSession, kecamatan_id: int) -> list[int]:
    stmt = select(Desa.id).where(Desa.kecamatan_id == kecamatan_id).order_by(Desa.id)
    return list((await session.execute(stmt)).scalars())


async def assigned_desa(session: AsyncSession, user_id: int) -> list[int]:
    stmt = select(DesaAssignment.desa_id).where(DesaAssignment.user_id == user_id)
    return list((await session.execute(stmt.order_by(DesaAssignment.desa_id))).scalars())


async def assign(session: AsyncSession, user_id: int, desa_id: int, now: datetime) -> bool:
    """Adds the desa to the user's; False when it was already there."""
    if await session.get(DesaAssignment, (user_id, desa_id)) is not None:
        return False
    session.add(DesaAssignment(user_id=user_id, desa_id=desa_id, created_at=now))
    await session.flush()
    return True


async def coaches_of(
    session: AsyncSession,
    desa: Desa,
    by_kecamatan: Sequence[str],
    by_assignment: Sequence[str],
) -> list[User]:
    """The active users of `by_kecamatan` roles in the desa's kecamatan and of `by_assignment`
    roles assigned to the desa."""
    found: list[User] = []
    if by_kecamatan:
        stmt = select(User).where(
            User.role.in_(list(by_kecamatan)),
            User.kecamatan_id == desa.kecamatan_id,
            User.active.is_(True),
        )
        found += (await session.execute(stmt.order_by(User.id))).scalars()
    if by_assignment:
        stmt = (
            select(User)
            .join(DesaAssignment, DesaAssignment.user_id == User.id)
            .where(
                User.role.in_(list(by_assignment)),
                DesaAssignment.desa_id == desa.id,
                User.active.is_(True),
            )
        )
        found += (await session.execute(stmt.order_by(User.id))).scalars()
    return found


async def kecamatan_name(session: AsyncSession, kecamatan_id: int) -> str | None:
    return await session.scalar(select(Kecamatan.nama).where(Kecamatan.id == kecamatan_id))
