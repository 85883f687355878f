"""The one inbound entry: dedupe → identify → lock + load → engine or command → save (one transaction)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.flows import msgids
from conversations.model import N_, Flow
from db import chats as chat_rows
from db import queries
from db.database import Database, is_transient
from handlers.core import door, media, order
from handlers.core.dispatch import ActionHandler, Command, Dispatcher, InboundHook
from handlers.core.group_commit import GroupCommit
from handlers.core.outbox import FailureHook
from handlers.core.outgoing import Outgoing
from handlers.core.privacy import masked
from handlers.core.settings import RuntimeSettings
from handlers.core.text import Texts
from handlers.core.turn import Incoming, SubmitHandler, Turn

log = logging.getLogger(__name__)

GroupHook = Callable[[AsyncSession, list[str], datetime], Awaitable[set[str]]]
ReplyShaper = Callable[[list[Outgoing]], list[Outgoing]]
# Makes the document of an Outgoing's `build` (by its "kind") and returns its path (None: none).
FileBuilder = Callable[["Runtime", dict[str, Any]], Awaitable[Path | None]]
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


class _Redelivered(Exception):
    """A message of the group had been processed before: its transaction is rolled back."""


def _chat_of(msg: Incoming) -> tuple[str, str]:
    return msg.channel, msg.chat_id


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime(Dispatcher):
    db: Database
    texts: Texts
    flows: dict[str, Flow]
    clock: Callable[[], datetime] = utcnow
    commands: dict[str, Command] = field(default_factory=dict)
    submit_handlers: dict[str, SubmitHandler] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    settings: RuntimeSettings = field(default_factory=RuntimeSettings)
    # Webhook and polling channels hand replies to the outbox too: durable, rate-limited, ordered.
    replies_via_outbox: bool = False
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    # A channel's own rules, by channel name. A hook runs once the sender is known (WhatsApp lets
    # messages held by its 24-hour window go); True = it answered, so the message is not
    # dispatched. A shaper reshapes a turn's replies (WhatsApp merges them for its pair rate).
    inbound_hooks: dict[str, InboundHook] = field(default_factory=dict)
    # A channel's work for a whole group at once (one statement, not one per message): it gets
    # the group's chats of that channel and returns those it marks; the first turn of a marked
    # chat has `turn.marked` (WhatsApp: the chat had held messages, now released).
    group_hooks: dict[str, GroupHook] = field(default_factory=dict)
    reply_shapers: dict[str, ReplyShaper] = field(default_factory=dict)
    # Use cases that may answer a turn before any command or form sees it (True = answered):
    # a deactivated user is told so (handlers/people/accounts.py).
    gates: list[InboundHook] = field(default_factory=list)
    # By outbox kind: what a use case does when its message will not arrive (handlers.core.outbox.fail)
    delivery_failed: dict[str, FailureHook] = field(default_factory=dict)
    file_builders: dict[str, FileBuilder] = field(default_factory=dict)  # see `finish`
    on_duplicate: list[Callable[[Incoming], None]] = field(default_factory=list)  # metrics
    on_refused: list[Callable[[Incoming, str], None]] = field(default_factory=list)  # metrics
    on_failed: list[Callable[[Incoming], None]] = field(
        default_factory=list
    )  # handlers.core.poison

    def check_catalogue(self) -> None:
        """Every msgid a flow shows must be translated: fail at start, not in front of a user."""
        for flow in self.flows.values():
            missing = [m for m in msgids(flow) if not self.texts.has(m)]
            if missing:
                raise ValueError(f"flow {flow.name}: untranslated msgids {missing}")

    def add_command(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            self.commands[name] = command

    def __post_init__(self) -> None:
        # SQLite has one writer: one group at a time, as large as what waits. PostgreSQL locks
        # rows, so groups overlap: one computes while another waits on its round trips. Capped
        # at 20, Telegram's 40 webhook connections make two groups in flight, not one large
        # group during whose round trips the process has nothing to do.
        if self.db.is_sqlite:
            self._group = GroupCommit(self._handle_together, _chat_of, lanes=1, limit=64)
        else:
            self._group = GroupCommit(
                self._handle_together,
                _chat_of,
                lanes=4,
                limit=20,
                quorum=8,
                transient=is_transient,
            )

    async def handle(self, msg: Incoming) -> list[Outgoing]:
        """Returns the replies for the sender, to be sent after the commit. Messages arriving
        together share one transaction (see group_commit); each returns once it is committed."""
        replies = await self._group.submit(door.clean(msg))
        if not any(out.build for out in replies):
            return replies
        return [await self._finish_or_apologize(out) for out in replies]

    async def finish(self, out: Outgoing) -> Outgoing:
        """A reply whose document is still to be made (`Outgoing.build`), made: after the turn's
        commit, by the process that sends it (the outbox sender, or `handle` itself)."""
        if out.build is None:
            return out
        builder = self.file_builders.get(out.build["kind"])
        if builder is None and out.build.get("optional"):
            return replace(out, build=None)
        if builder is None:
            raise ValueError(f"nothing makes {out.build['kind']}")
        path = await builder(self, out.build)
        if path is None:  # nothing to attach after all (a refused photo): the words go alone
            return replace(out, build=None)
        as_photo = out.build.get("as") == "photo" or path.suffix in PHOTO_SUFFIXES
        return replace(out, **{"photo" if as_photo else "document": str(path)}, build=None)

    async def _finish_or_apologize(self, out: Outgoing) -> Outgoing:
        try:
            return await self.finish(out)
        except Exception:  # the turn is committed: the person gets words, not a stack trace
            log.exception("making %s for %s:%s failed", out.build, out.channel, masked(out.chat_id))
            text = self.texts(N_("Sorry, the file could not be made. Please try again later."))
            return Outgoing(out.channel, out.chat_id, text)

    async def _handle_together(self, msgs: list[Incoming]) -> list[list[Outgoing]]:
        """A redelivered message is rare: the group is handled as if none were, and its dedupe
        rows are written with its other writes (one round trip on PostgreSQL). If one was not
        new after all, that transaction is rolled back and the group runs again, its dedupe
        rows first."""
        try:
            return await self._handle_group(msgs, hopeful=True)
        except _Redelivered:
            return await self._handle_group(msgs, hopeful=False)

    async def _handle_group(self, msgs: list[Incoming], hopeful: bool) -> list[list[Outgoing]]:
        """The group's chats are locked first, in one order, then its dedupe rows are written:
        a redelivery handled elsewhere at the same time waits on the chat's lock, never holds
        its dedupe row against us (no deadlock), and finds ours once we commit."""
        now = self.clock()
        keys = [(m.channel, m.external_id) for m in msgs]
        async with self.db.transaction() as session:
            chats = await chat_rows.open_chats(
                session, [(m.channel, m.chat_id, m.phone) for m in msgs], now
            )
            writes = chat_rows.GroupWrites()
            if hopeful:
                fresh = [True] * len(msgs)
                for channel, external_id in keys:
                    writes.record_inbound(channel, external_id, now)
            else:
                fresh = await queries.record_inbounds(session, keys, now)
            news = [msg for msg, is_new in zip(msgs, fresh, strict=True) if is_new]
            marked = await self._group_hooks(session, news, now)
            replies: list[list[Outgoing]] = [[] for _ in msgs]
            later: list[Callable[[], None]] = []  # counted once committed: a rerun starts anew
            for i in order.in_provider_order(msgs):
                msg = msgs[i]
                if not fresh[i]:
                    replies[i] = self._duplicate(msg, later)
                    continue
                chat = (msg.channel, msg.chat_id)
                turn_marked = chat in marked
                marked.discard(chat)  # the chat's first message in the group
                replies[i] = await self._handle_in(
                    session, msg, chats[chat], writes, turn_marked, later
                )
            new = await writes.write(session)
            if hopeful and len(new) < len(keys):  # `new` holds only keys of this group
                raise _Redelivered()
        for callback in [*later, *self.on_commit]:
            callback()
        return replies

    async def _group_hooks(
        self, session: AsyncSession, msgs: list[Incoming], now: datetime
    ) -> set[tuple[str, str]]:
        marked: set[tuple[str, str]] = set()
        for channel, hook in self.group_hooks.items():
            chats = sorted({m.chat_id for m in msgs if m.channel == channel})
            if chats:
                marked |= {(channel, chat) for chat in await hook(session, chats, now)}
        return marked

    def _duplicate(self, msg: Incoming, later: list[Callable[[], None]]) -> list[Outgoing]:
        log.info("duplicate %s %s ignored", msg.channel, msg.external_id)
        later += [partial(hook, msg) for hook in self.on_duplicate]
        return []

    async def _handle_in(
        self,
        session: AsyncSession,
        msg: Incoming,
        chat: chat_rows.Chat,
        writes: chat_rows.GroupWrites,
        marked: bool,
        later: list[Callable[[], None]],
    ) -> list[Outgoing]:
        now = self.clock()
        conversation, ident, user = chat.conversation, chat.identity, chat.user
        deactivated = user is not None and not user.active
        if deactivated:
            user = None
        if ident is not None:
            door.touch(ident, now)
        state = chat_rows.load_state(conversation)
        turn = Turn(
            self,
            session,
            msg,
            now,
            conversation,
            ident,
            user,
            state,
            nonce=conversation.nonce,
            marked=marked,
            after_commit=later,
            draft=chat_rows.load_draft(conversation),
            deactivated=deactivated,
        )
        hook = self.inbound_hooks.get(msg.channel)
        if order.is_late(msg, conversation):
            await order.refuse_late(turn)
        elif hook is None or not await hook(turn):
            await self._dispatch(turn)
        if (photo := msg.inbound.photo) is not None:  # fetched into the media store later
            user_id = turn.user.id if turn.user else None
            place = media.asks_location(self.flows.get(state.flow) if state else None)
            await media.note(
                turn.session, msg.channel, msg.chat_id, photo.file_id, now, user_id, place
            )
        position = order.position_after(msg, conversation)
        writes.save_state(conversation, turn.state, turn.nonce, now, turn.draft, position)
        shape = self.reply_shapers.get(msg.channel)
        replies = shape(turn.out) if shape else turn.out
        if not self.replies_via_outbox:
            return replies
        user_id = turn.user.id if turn.user else None
        writes.outbox += [
            queries.outbox_row(
                channel=out.channel,
                chat_id=out.chat_id,
                payload=out.to_json(),
                kind="reply",
                now=now,
                user_id=user_id,
            )
            for out in replies
        ]
        return []
