"""The dashboard's sign-in: one-time login links made by `/dasbor` in chat, and the browser
sessions they open. Both are stored as SHA-256 of the random token, so a copy of the database
opens nothing; nothing here commits."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebLogin(Base):
    """A link `/dasbor` sent: valid until `expires_at`, good for one sign-in."""

    __tablename__ = "web_login"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A browser signed in: ends on logout, after its idle limit, or when the user is
    deactivated (every request checks the user is still active)."""

    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user", "user_id", "ended_at"),)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    last_seen: Mapped[datetime]
    ended_at: Mapped[datetime | None]


def add_login(session: AsyncSession, token: str, user_id: int, now: datetime, until: datetime):
    session.add(
        WebLogin(
            token_hash=digest(token),
            user_id=user_id,
            created_at=now,
            expires_at=until,
            used_at=None,
        )
    )


async def use_login(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The user of an unused, unexpired link, marking it used in the same statement so two
    browsers racing with one link cannot both sign in."""
    stmt = (
        update(WebLogin)
        .where(
            WebLogin.token_hash == digest(token),
            WebLogin.used_at.is_(None),
            WebLogin.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebLogin.user_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def add_session(session: AsyncSession, token: str, user_id: int, now: datetime) -> None:
    session.add(
        WebSession(
            token_hash=digest(token), user_id=user_id, created_at=now, last_seen=now, ended_at=None
        )
    )


async def session_user(
    session: AsyncSession, token: str, idle_since: datetime
) -> tuple[User | None, datetime | None]:
    """The active user of a live session, and the session's last sign of life (read only)."""
    row = await session.get(WebSession, digest(token))
    if row is None or row.ended_at is not None or row.last_seen < idle_since:
        return None, None
    user = await session.get(User, row.user_id)
    if user is None or not user.active:
        return None, None
    return user, row.last_seen


async def touch(session: AsyncSession, token: str, now: datetime) -> None:
    stmt = update(WebSession).where(WebSession.token_hash == digest(token)).values(last_seen=now)
    await session.execute(stmt)


async def end_session(session: AsyncSession, token: str, now: datetime) -> None:
    stmt = (
        update(WebSession)
        .where(WebSession.token_hash == digest(token), WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    await session.execute(stmt)


async def end_sessions_of(session: AsyncSession, user_id: int, now: datetime) -> None:
    stmt = (
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    await session.execute(stmt)
