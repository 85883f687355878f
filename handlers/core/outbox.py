"""Delivering the outbox: claim due rows with a lease, send outside any transaction, record the result.

Order is kept per chat: a row waits while an earlier row of the same chat is still pending. A
crash after a send but before its result is recorded re-sends once the lease ends, so delivery is
at-least-once and never silently lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, bindparam, exists, func, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db import queries
from db.database import Database
from db.models import ChannelIdentity, Outbox, User
from db.outbox_classes import BULK
from handlers.core.outgoing import Outgoing
from handlers.core.privacy import masked

log = logging.getLogger(__name__)

# A claimed row is leased for this long: a killed sender's rows are due again after it. (Rows in
# hand are never claimed again by this process, however long their batch takes.)
LEASE = timedelta(seconds=15)
ONE_SECOND, INBOUND_SPAN = timedelta(seconds=1), timedelta(seconds=5)
RECORD_PATIENCE = 300.0  # seconds a send's result waits in memory for the database to return
MAX_ATTEMPTS = 10
DEACTIVATED = "user deactivated"  # the error of a row dropped because its user was


@dataclass(frozen=True)
class Delivery:
    """What a channel says about one send: sent, retry (later), failed (for good), or held (a
    channel that may not show it now sent a notice instead; release_held lets it go later)."""

    status: str
    provider_message_id: str | None = None
    retry_after: float | None = None
    error: str | None = None
    unreachable: bool = False


@dataclass(frozen=True)
class Envelope:
    """The row around a message, for channels whose rules need more than the message itself:
    WhatsApp's 24-hour window needs the kind and when the recipient last wrote."""

    kind: str
    created_at: datetime
    last_inbound_at: datetime | None = None


# The class of the row being delivered, for a deliverer whose limiter serves replies first
# (bot/channels/limits.py). Set in the task that sends one chat's rows.
SENDING_CLASS: ContextVar[int] = ContextVar("outbox_sending_class", default=BULK)

Deliver = Callable[[Outgoing], Awaitable[Delivery]]
EnvelopeDeliver = Callable[[Outgoing, Envelope], Awaitable[Delivery]]
FailureHook = Callable[[AsyncSession, Outbox, datetime], Awaitable[None]]


async def fail(
    session: AsyncSession,
    row: Outbox,
    error: str,
    now: datetime,
    hooks: dict[str, FailureHook],
    unreachable: bool = False,
) -> None:
    """A message that will not arrive: failed for good, its chat marked unreachable when the
    platform says so, and the use case that wrote it told (a kades who cannot be reached: the
    requester). The sender and WhatsApp's failed-status webhook both end a message here."""
    row.status, row.last_error = "failed", error[:500]
    log.warning(
        "outbox %s to %s:%s failed: %s", row.id, row.channel, masked(row.chat_id), row.last_error
    )
    if unreachable:
        await queries.set_unreachable(session, row.channel, row.chat_id)
    hook = hooks.get(row.kind)
    if hook is not None:
        await hook(session, row, now)


_OUTBOX = Outbox.__table__
# Built once, in Core, without the ORM's flush: every group of WhatsApp messages runs it.
_RELEASE = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.channel == bindparam("of_channel"),
        _OUTBOX.c.chat_id.in_(bindparam("of_chats", expanding=True)),
        _OUTBOX.c.status == "held",
    )
    .values(status="pending", attempts=0, next_attempt_at=bindparam("due"))
    .returning(_OUTBOX.c.chat_id)
)


async def release_held(
    session: AsyncSession, channel: str, chat_ids: list[str], now: datetime
) -> set[str]:
    """The chats wrote again: their held messages are due now, in their order. Returns the
    chats that had any."""
    params = {"of_channel": channel, "of_chats": chat_ids, "due": now}
    result = await session.execute(_RELEASE, params, execution_options=queries.NO_AUTOFLUSH)
    return set(result.scalars())


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


@dataclass
class OutboxWorker:
    db: Database
    deliverers: dict[str, Deliver]
    clock: Callable[[], datetime]
    batch: int = 100
    on_failure: dict[str, FailureHook] = field(default_factory=dict)
    # Channels whose deliverer is an EnvelopeDeliver (called with the row's Envelope too).
    enveloped: frozenset[str] = frozenset()
    lease: timedelta = LEASE
    only_chat: str | None = None  # one chat's rows only (a console delivers its own chat)
    # Makes a message's document still to be made (Outgoing.build): Runtime.finish
    finish: Callable[[Outgoing], Awaitable[Outgoing]] | None = None
    # By channel: told that channel's inbound messages per second, at most once a second (a
    # WhatsApp number's throughput counts them: its sends leave them room).
    inbound_rate: dict[str, Callable[[float], None]] = field(default_factory=dict)
    _rate_told: datetime | None = field(default=None, init=False, repr=False)
    _in_hand: set[int] = field(default_factory=set, init=False, repr=False)
    _urgency: dict[int, int] = field(default_factory=dict, init=False, repr=False)

    async def run_once(self, urgent_only: bool = False) -> int:
        """Claims one batch and delivers it; returns how many rows were handled."""
        await self._tell_inbound_rate()
        claimed = await self.claim(urgent_only)
        rows = [row for row in claimed if row.status == "pending"]  # not dropped
        if not rows:
            return len(claimed)
        by_chat: dict[tuple[str, str], list[Outbox]] = defaultdict(list)
        for row in rows:
            by_chat[(row.channel, row.chat_id)].append(row)
        ids = {row.id for row in rows}
        self._in_hand |= ids
        try:
            seen = await self._last_inbound([key for key in by_chat if key[0] in self.enveloped])
            chats = (self._chat(chat_rows, seen) for chat_rows in by_chat.values())
            failed = [r for r in await asyncio.gather(*chats, return_exceptions=True) if r]
        finally:
            self._in_hand -= ids  # only once every chat of the batch is done with its rows
            for done in ids:
                self._urgency.pop(done, None)
        if failed:
            raise failed[0]
        return len(rows)

    async def _tell_inbound_rate(self) -> None:
        """The busier of the last second and the last INBOUND_SPAN's average: a rise is seen
        at once, a lull only once it lasts."""
        now = self.clock()
        if not self.inbound_rate or (self._rate_told and now - self._rate_told < ONE_SECOND):
            return
        self._rate_told = now
        async with self.db.snapshot() as session:  # a read: no write lock against the turns
            counts = await queries.inbound_counts(session, now - INBOUND_SPAN, now - ONE_SECOND)
        for channel, tell in self.inbound_rate.items():
            last, span = counts.get(channel, (0, 0))
            tell(max(float(last), span / INBOUND_SPAN.total_seconds()))

    async def _last_inbound(self, chats: list[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """When each enveloped chat last wrote: one read per batch, not one per message."""
        if not chats:
            return {}
        stmt = select(
            ChannelIdentity.channel, ChannelIdentity.external_id, ChannelIdentity.last_inbound_at
        ).where(
            ChannelIdentity.channel.in_({c for c, _ in chats}),
            ChannelIdentity.external_id.in_({chat for _, chat in chats}),
        )
        async with self.db.transaction() as session:
            found = (await session.execute(stmt)).all()
        return {(c, chat): at for c, chat, at in found if at is not None}

    async def drain(self, rounds: int = 1000) -> int:
        """Delivers until nothing is due (tests, the console)."""
        total = 0
        for _ in range(rounds):
            handled = await self.run_once()
            if not handled:
                break
            total += handled
        return total

    async def claim(self, urgent_only: bool = False) -> list[Outbox]:
        """Due rows, each the first pending row of its chat: first the chats that have a reply
        or an alert waiting (replies first), then, with the batch's room left and unless
        `urgent_only`, the others by age. A chat's bulk row written before its reply goes first
        (the chat's order holds across classes), as part of the urgent claim."""
        now = self.clock()
        async with self.db.transaction() as session:
            urgent = await self._urgent(session, now)
            rows = [row for row, _ in urgent]
            # a promoted head (a bulk row before its chat's reply) is sent as urgently
            self._urgency.update({row.id: urgency for row, urgency in urgent})
            room = self.batch - len(rows)
            if room > 0 and not urgent_only:
                rest = self._due(now, [row.id for row in rows]).order_by(Outbox.id).limit(room)
                rows += list((await session.execute(rest)).scalars())
            gone = await self._deactivated(session, rows)
            for row in rows:
                if row.user_id in gone:  # they receive nothing; the use case hears of it
                    self._urgency.pop(row.id, None)
                    await fail(session, row, DEACTIVATED, now, self.on_failure)
                    continue
                row.attempts += 1
                row.next_attempt_at = now + self.lease
        return rows  # the dropped ones too, "failed": a batch of only those is not the end

    def _due(self, now: datetime, taken: Sequence[int] = ()) -> Select[tuple[Outbox]]:
        """Due pending rows with no earlier pending row in their chat, not in hand."""
        earlier = aliased(Outbox)
        blocked = exists().where(
            and_(
                earlier.channel == Outbox.channel,
                earlier.chat_id == Outbox.chat_id,
                earlier.status == "pending",
                earlier.id < Outbox.id,
            )
        )
        stmt = select(Outbox).where(
            Outbox.status == "pending",
            Outbox.next_attempt_at <= now,
            Outbox.channel.in_(list(self.deliverers)),
            ~blocked,
        )
        if self.only_chat is not None:
            stmt = stmt.where(Outbox.chat_id == self.only_chat)
        if skip := self._in_hand.union(taken):  # a lease ran out while its batch is at work
            stmt = stmt.where(Outbox.id.not_in(skip))
        return stmt.with_for_update(skip_locked=True, of=Outbox)

    async def _urgent(self, session: AsyncSession, now: datetime) -> list[tuple[Outbox, int]]:
        """The due heads of the chats with a reply or an alert pending, most urgent first.
        The chats first, from the few urgent rows (ix_outbox_class): with none, as most of
        the time, that is the whole cost."""
        waiting = (
            select(Outbox.channel, Outbox.chat_id, func.min(Outbox.priority))
            .where(Outbox.status == "pending", Outbox.priority < BULK)
            .group_by(Outbox.channel, Outbox.chat_id)
        )
        urgency = {(c, chat): p for c, chat, p in await session.execute(waiting)}
        if not urgency:
            return []
        chats = list(urgency)[:1000]  # the rest next time
        stmt = self._due(now).where(tuple_(Outbox.channel, Outbox.chat_id).in_(chats))
        heads = [(row, urgency[(row.channel, row.chat_id)]) for row in await session.scalars(stmt)]
        heads.sort(key=lambda head: (head[1], head[0].id))
        return heads[: self.batch]

    async def _deactivated(self, session: AsyncSession, rows: list[Outbox]) -> set[int]:
        users = {row.user_id for row in rows if row.user_id is not None}
        if not users:
            return set()
        stmt = select(User.id).where(User.id.in_(users), User.active.is_(False))
        return set((await session.execute(stmt)).scalars())

    async def _chat(self, rows: Sequence[Outbox], seen: dict[tuple[str, str], datetime]) -> None:
        for index, row in enumerate(rows):
            result = await self._send(row, seen.get((row.channel, row.chat_id)))
            await self._record(row, result)
            if result.status == "retry":
                await self._release(rows[index + 1 :])
                return

    async def _send(self, row: Outbox, last_inbound_at: datetime | None) -> Delivery:
        deliver, out = self.deliverers[row.channel], Outgoing.from_json(row.payload)
        SENDING_CLASS.set(min(row.priority, self._urgency.pop(row.id, BULK)))
        try:
            if out.build is not None:  # made here, outside any transaction (an export)
                if self.finish is None:
                    raise ValueError(f"nothing makes {out.build}")
                out = await self.finish(out)
            if row.channel in self.enveloped:
                return await deliver(out, Envelope(row.kind, row.created_at, last_inbound_at))
            return await deliver(out)
        except Exception as exc:  # a deliverer bug must not stop the sender
            log.exception("delivery of outbox %s crashed", row.id)
            return Delivery("retry", error=f"{type(exc).__name__}: {exc}")

    async def _record(self, row: Outbox, result: Delivery) -> None:
        """A result the database can't take now (it restarts) is kept and written once it is
        back, and this chat sends nothing more meanwhile: sending it again would double it."""
        delay, waited = 0.2, 0.0
        while True:
            try:
                return await self._write_result(row, result)
            except (DBAPIError, OSError, TimeoutError) as exc:
                if waited >= RECORD_PATIENCE:
                    raise
                why = str(exc).split("\n", 1)[0]
                log.warning("recording outbox %s failed (%s); again in %.1f s", row.id, why, delay)
                await asyncio.sleep(delay)
                waited, delay = waited + delay, min(delay * 2, 5.0)

    async def _write_result(self, row: Outbox, result: Delivery) -> None:
        now = self.clock()
        async with self.db.transaction() as session:
            fresh = await session.get(Outbox, row.id, with_for_update=True)
            if fresh is None or fresh.status != "pending":
                return
            if result.status == "sent":
                fresh.status, fresh.sent_at = "sent", now
                fresh.provider_message_id = result.provider_message_id
                return
            if result.status == "held":  # a notice went instead; the content waits (release_held)
                fresh.status, fresh.provider_message_id = "held", result.provider_message_id
                fresh.last_error = result.error
                return
            fresh.last_error = (result.error or "")[:500]
            if result.status == "retry" and result.retry_after:
                fresh.attempts -= 1  # asked to wait (429, a rate limit): no fault of the message
            if result.status == "failed" or fresh.attempts >= MAX_ATTEMPTS:
                error = fresh.last_error or ""
                await fail(session, fresh, error, now, self.on_failure, result.unreachable)
                return
            wait = (
                timedelta(seconds=result.retry_after)
                if result.retry_after
                else backoff(fresh.attempts)
            )
            fresh.next_attempt_at = now + wait

    async def _release(self, rows: Sequence[Outbox]) -> None:
        """Rows claimed behind a retried one wait for it, so the chat's order holds."""
        if not rows:
            return
        async with self.db.transaction() as session:
            for row in rows:
                fresh = await session.get(Outbox, row.id, with_for_update=True)
                if fresh is not None and fresh.status == "pending":
                    fresh.attempts -= 1
                    fresh.next_attempt_at = self.clock()
