"""Inbound photos and documents kept as evidence that outlives the platform.

A platform's file id is not evidence: a WhatsApp media id expires after about 30 days and a
Telegram file id works only for this bot. The turn that receives a photo writes a `media_item`
row in its own transaction (`note`); after the commit the media worker fetches the bytes (a
job in the outbox style: leased, retried with backoff, never in the way of the reply), checks
what they are by their content (images and PDF, at most 10 MB), and keeps them in the media store
(a directory or an S3 bucket, bot/media_store.py). The content hashes go to the audit trail.
What anyone else will see has its location metadata removed unless the form asked for it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import FILE_REFUSALS, Flow
from db import queries
from db.database import Database, insert_new
from db.models import MediaItem
from handlers.core.media_check import Refused, inspect
from handlers.core.outgoing import Outgoing
from handlers.core.privacy import masked
from handlers.core.text import Texts

log = logging.getLogger(__name__)

# A claimed item is left alone for LEASE; a process killed mid-download leaves its item claimed,
# so this is how long a kill delays a photo. 30 s, like the first retry after a failed fetch:
# one media loop runs per deployment (bot/sender.py) and claims one item at a time (`batch`),
# so the lease covers one fetch, not a queue of them; a fetch outliving it (a slow 10 MB file)
# could only be doubled by a second deployment overlapping this one, which is harmless: the
# store's key is the content hash and `_one` stores only an item still pending.
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 12  # then failed for good: about a day and a half of trying
PATIENCE = timedelta(minutes=15)  # how long a message waits for the file it shows


class NotReady(Exception):
    """The file is still being fetched: the message showing it waits (the outbox retries)."""


class Gone(Exception):
    """A fetcher's word that the file will never come (a console demo photo): failed at once."""


class TooLarge(Exception):
    """A fetcher's refusal before downloading: the platform says the file is over the limit."""


# file id → (its bytes, the type the platform claims); raises TooLarge, or anything to retry
Fetch = Callable[[str], Awaitable[tuple[bytes, str]]]


class MediaStore(Protocol):
    async def put(self, key: str, data: bytes, mime: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    def where(self, key: str) -> str:
        """Where a key is kept, for people (the console, the logs)."""
        ...


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 … minutes, at most 4 h: a platform having trouble is given time."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 4 * 3600))


async def note(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    file_id: str,
    now: datetime,
    user_id: int | None = None,
    keep_location: bool = False,
) -> None:
    """A photo or document that arrived in this turn, to be fetched once it commits."""
    values = {
        "channel": channel,
        "chat_id": chat_id,
        "user_id": user_id,
        "file_id": file_id,
        "status": "pending",
        "attempts": 0,
        "keep_location": keep_location,
        "created_at": now,
        "next_attempt_at": now,
    }
    await insert_new(session, MediaItem.__table__, [values], ("channel", "file_id"))


def asks_location(flow: Flow | None) -> bool:
    """A photo answering this form may keep where it was taken: the form asks for the place
    anyway (a report's location pin). Anywhere else the location is removed before anyone
    else sees the photo."""
    return flow is not None and any(step.type == "location" for step in flow.steps)


async def stored(session: AsyncSession, channel: str, file_id: str) -> MediaItem | None:
    stmt = select(MediaItem).where(MediaItem.channel == channel, MediaItem.file_id == file_id)
    return (await session.execute(stmt)).scalar_one_or_none()


def attachment(channel: str, file_id: str) -> dict[str, Any]:
    """An Outgoing's `build` showing an inbound file from the store, once it is there;
    optional: a runtime without a media store sends the words alone."""
    return {"kind": "media", "channel": channel, "file_id": file_id, "optional": True}


def shower(store: MediaStore, folder: Path, fetched: frozenset[str]):
    """The runtime's file builder for `attachment`: the stored bytes as a local file for the
    channel to upload (a photo a petugas sent on WhatsApp reaches a kades on Telegram). The
    message waits while the file is fetched, at most PATIENCE; the words go alone for a file
    that was refused, failed, or comes from a channel nothing fetches from (`fetched`)."""

    async def show(runtime, recipe: dict[str, Any]) -> Path | None:
        async with runtime.db.transaction() as session:
            item = await stored(session, recipe["channel"], recipe["file_id"])
        if item is None or item.status in ("refused", "failed") or item.channel not in fetched:
            return None
        if item.status != "stored" or item.key is None:
            if runtime.clock() - item.created_at > PATIENCE:
                return None  # the words must not wait for ever; /dana lists the file later
            raise NotReady(f"media {item.id} is {item.status}")
        path = folder / "media" / item.key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(await store.get(item.key))
        return path

    return show


async def by_file_id(session: AsyncSession, file_id: str | None) -> MediaItem | None:
    """The item of a file id remembered elsewhere (a realisation's receipt photo)."""
    return (await by_file_ids(session, {file_id})).get(file_id) if file_id else None


async def by_file_ids(session: AsyncSession, file_ids: set[str]) -> dict[str, MediaItem]:
    """The items of several remembered file ids at once (an export's requests); the first
    of a file id sent twice."""
    if not file_ids:
        return {}
    stmt = select(MediaItem).where(MediaItem.file_id.in_(file_ids)).order_by(MediaItem.id.desc())
    return {item.file_id: item for item in (await session.execute(stmt)).scalars()}


def link(item: MediaItem, public_url: str | None) -> str:
    """Where a stored file is opened by those allowed to see it: the dashboard's evidence page
    (it checks the viewer's role and place), or its hash when there is no dashboard."""
    if public_url:
        return f"{public_url.rstrip('/')}/dasbor/foto/{item.id}"
    return f"sha256 {item.sha256}"


@dataclass
class MediaWorker:
    db: Database
    fetchers: dict[str, Fetch]
    store: MediaStore
    clock: Callable[[], datetime]
    texts: Texts
    batch: int = 1  # claimed together, fetched in turn: a kill strands all of them for LEASE
    on_commit: list[Callable[[], None]] = field(default_factory=list)  # wakes the sender
    # told (channel, chat, where it is kept) once a file is stored: the console says so
    on_stored: list[Callable[[str, str, str], None]] = field(default_factory=list)
    only_chat: str | None = None  # a console terminal fetches its own chat's files only

    async def run_once(self) -> int:
        """Fetches one batch of due items; returns how many were tried."""
        rows = await self._claim()
        for row in rows:
            await self._one(row)
        return len(rows)

    async def drain(self, rounds: int = 100) -> int:
        total = 0
        for _ in range(rounds):
            if not (done := await self.run_once()):
                break
            total += done
        return total

    async def _claim(self) -> list[MediaItem]:
        now = self.clock()
        stmt = (
            select(MediaItem)
            .where(
                MediaItem.status == "pending",
                MediaItem.next_attempt_at <= now,
                MediaItem.channel.in_(list(self.fetchers)),
                *([MediaItem.chat_id == self.only_chat] if self.only_chat else []),
            )
            .order_by(MediaItem.next_attempt_at, MediaItem.id)  # a failing one waits its turn
            .limit(self.batch)
            .with_for_update(skip_locked=True)
        )
        async with self.db.transaction() as session:
            rows = list((await session.execute(stmt)).scalars())
            for row in rows:
                row.attempts += 1
                row.next_attempt_at = now + LEASE
        return rows

    async def _one(self, row: MediaItem) -> None:
        try:
            data, claimed = await self.fetchers[row.channel](row.file_id)
            kept = inspect(data, row.keep_location)
        except Gone as gone:
            return await self._retry(row, f"gone: {gone}", final=True)
        except TooLarge:
            return await self._refuse(row, "size", "the platform says it is over 10 MB")
        except Refused as refused:
            return await self._refuse(row, refused.reason, refused.detail)
        except Exception as exc:  # the platform or the network: try again later
            return await self._retry(row, f"{type(exc).__name__}: {exc}")
        key = f"{row.channel}/{row.created_at:%Y/%m}/{kept.sha256}{kept.extension}"
        try:
            await self.store.put(key, kept.data, kept.mime)
        except Exception as exc:  # the store is away: the bytes are fetched again later
            return await self._retry(row, f"store: {type(exc).__name__}: {exc}")
        original = hashlib.sha256(data).hexdigest()
        async with self.db.transaction() as session:
            fresh = await session.get(MediaItem, row.id, with_for_update=True)
            if fresh is None or fresh.status != "pending":
                return
            fresh.status, fresh.stored_at, fresh.key = "stored", self.clock(), key
            fresh.mime, fresh.size, fresh.sha256 = kept.mime, len(kept.data), kept.sha256
            reason = f"sha256 {kept.sha256}; as received {original} ({claimed or '?'})"
            await self._audit(session, fresh, "stored", reason)
        where = self.store.where(key)
        log.info("media %s of %s stored at %s", row.id, masked(row.chat_id), where)
        for tell in self.on_stored:
            tell(row.channel, row.chat_id, where)

    async def _retry(self, row: MediaItem, error: str, final: bool = False) -> None:
        log.warning("media %s: fetch %d failed: %s", row.id, row.attempts, error)
        async with self.db.transaction() as session:
            fresh = await session.get(MediaItem, row.id, with_for_update=True)
            if fresh is None or fresh.status != "pending":
                return
            fresh.last_error = error[:500]
            if final or fresh.attempts >= MAX_ATTEMPTS:
                fresh.status = "failed"
                await self._audit(session, fresh, "failed", fresh.last_error)
                return
            fresh.next_attempt_at = self.clock() + backoff(fresh.attempts)

    async def _refuse(self, row: MediaItem, reason: str, detail: str) -> None:
        """Not kept: the person is told why, politely, in the chat they sent it from."""
        now = self.clock()
        async with self.db.transaction() as session:
            fresh = await session.get(MediaItem, row.id, with_for_update=True)
            if fresh is None or fresh.status != "pending":
                return
            fresh.status, fresh.last_error = "refused", detail[:500]
            await self._audit(session, fresh, "refused", f"{reason}: {detail}")
            out = Outgoing(row.channel, row.chat_id, self.texts(FILE_REFUSALS[reason], "id"))
            await queries.add_outbox(
                session,
                channel=row.channel,
                chat_id=row.chat_id,
                payload=out.to_json(),
                kind="reply",
                now=now,
                user_id=row.user_id,
            )
        for wake in self.on_commit:
            wake()

    async def _audit(
        self, session: AsyncSession, row: MediaItem, action: str, reason: str | None
    ) -> None:
        await queries.audit(
            session,
            self.clock(),
            "media",
            action,
            entity_id=str(row.id),
            channel=row.channel,
            actor_user_id=row.user_id,
            reason=reason,
        )
