"""Signing in to the dashboard through the bot: `/dasbor` answers with a one-time link (single
use, valid LOGIN_TTL); the link opens a browser session that ends on logout, after IDLE_LIMIT
without a visit, or at once when the user is deactivated. No passwords."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from conversations.model import N_
from db import web
from db.database import Database
from db.models import User
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.dashboard.scope import Viewer, roles_with_pages, viewer_of
from handlers.people.roles import Role

LOGIN_TTL = timedelta(minutes=10)
IDLE_LIMIT = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)
LOGIN_PATH = "/dasbor/masuk"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def login_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{LOGIN_PATH}?t={token}"


async def make_link(db: Database, user_id: int, now: datetime, public_url: str) -> str:
    """A fresh one-time link for `user_id` (the CLI's and the demo's way; chat uses /dasbor)."""
    token = new_token()
    async with db.transaction() as session:
        web.add_login(session, token, user_id, now, now + LOGIN_TTL)
    return login_url(public_url, token)


async def dasbor_command(turn: Turn, _arg: str) -> None:
    public_url = turn.runtime.settings.public_url
    if not public_url:
        turn.say("The dashboard is not switched on yet. Please ask the administrator.")
        return
    token = new_token()
    web.add_login(turn.session, token, turn.user.id, turn.now, turn.now + LOGIN_TTL)
    turn.say(
        "Open the dashboard with this link (valid {minutes} minutes, for one sign-in; do not "
        "share it):\n{url}",
        minutes=int(LOGIN_TTL.total_seconds() // 60),
        url=login_url(public_url, token),
    )


async def sign_in(db: Database, token: str, now: datetime) -> str | None:
    """A new session's token for a valid link, or None (unknown, used or expired)."""
    async with db.transaction() as session:
        user_id = await web.use_login(session, token, now)
        if user_id is None:
            return None
        user = await session.get(User, user_id)
        if user is None or not user.active or await viewer_of(session, user) is None:
            return None
        session_token = new_token()
        web.add_session(session, session_token, user_id, now)
    return session_token


async def who(db: Database, session_token: str, now: datetime) -> Viewer | None:
    """The viewer of a live session. Read in a snapshot: a page view writes nothing, but for
    the session's last sign of life once every TOUCH_EVERY (the idle limit needs no more)."""
    async with db.snapshot() as session:
        user, seen = await web.session_user(session, session_token, now - IDLE_LIMIT)
        viewer = None if user is None else await viewer_of(session, user)
    if viewer is not None and seen is not None and now - seen > TOUCH_EVERY:
        async with db.transaction() as session:
            await web.touch(session, session_token, now)
    return viewer


async def sign_out(db: Database, session_token: str, now: datetime) -> None:
    async with db.transaction() as session:
        await web.end_session(session, session_token, now)


def install(runtime: Runtime) -> None:
    runtime.add_command(
        Command("dasbor", N_("Dashboard (web)"), roles_with_pages(), dasbor_command)
    )


DEMO_DINKES = "Dinkes (demo)"


async def demo_dinkes(db: Database, now: datetime) -> int:
    """The embedded demo's Dinkes user (no chat): whom `make run`'s printed link signs in."""
    async with db.transaction() as session:
        found = await session.execute(
            select(User.id).where(User.name == DEMO_DINKES, User.role == Role.DINKES)
        )
        user_id = found.scalar_one_or_none()
        if user_id is None:
            user = User(
                name=DEMO_DINKES, role=Role.DINKES, active=True, locale="id", created_at=now
            )
            session.add(user)
            await session.flush()
            user_id = user.id
    return user_id
