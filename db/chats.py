"""A chat's conversation, locked and loaded for a turn, and the writes of a whole group of
turns in one statement per table (see handlers/core/group_commit.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    and_,
    any_,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from conversations.model import State
from db.database import insert_ignore, insert_new
from db.models import (
    ChannelIdentity,
    Conversation,
    ProcessedInbound,
    User,
)
from db.queries import _INBOUND_KEY, NO_AUTOFLUSH, add_outbox_rows, rekey_identity

DRAFT_AFTER = timedelta(hours=24)


@dataclass
class Chat:
    """A chat's conversation row, locked for this transaction, with who writes from it."""

    conversation: Conversation
    identity: ChannelIdentity | None
    user: User | None


def _chats_query(where: Any) -> Any:
    return (
        select(Conversation, ChannelIdentity, User)
        .outerjoin(
            ChannelIdentity,
            and_(
                ChannelIdentity.channel == Conversation.channel,
                ChannelIdentity.external_id == Conversation.chat_id,
            ),
        )
        .outerjoin(User, User.id == ChannelIdentity.user_id)
        .where(where)
        .with_for_update(of=Conversation)
    )


_CONVERSATION = Conversation.__table__
# Built once: inbound messages run them every time, and building costs more than running.
_CHAT = _chats_query(
    and_(Conversation.channel == bindparam("channel"), Conversation.chat_id == bindparam("chat"))
)


def _group_chats(chat_in: Any) -> Any:
    """A group's chats of one channel, locked in one order (the sort's) by every process: two
    groups never wait on each other in a circle. `chat_id IN (…)` uses the index, a (channel,
    chat_id) row value IN does not on PostgreSQL. There `= ANY(array)`: one statement text for
    every group size, so each connection prepares it once (an IN list is one per length)."""
    return _chats_query(and_(Conversation.channel == bindparam("channel"), chat_in)).order_by(
        Conversation.chat_id
    )


_CHATS_IN = _group_chats(Conversation.chat_id.in_(bindparam("chats", expanding=True)))
_CHATS_ANY = _group_chats(Conversation.chat_id == any_(bindparam("chats", type_=ARRAY(String))))


async def open_chats(
    session: AsyncSession, chats: list[tuple[str, str, str | None]], now: datetime
) -> dict[tuple[str, str], Chat]:
    """`open_chat` for several (channel, chat_id, phone) at once: one query for the known, one
    INSERT and one query for the chats writing for the first time (a wave of new users)."""
    found = await _locked_chats(session, {(c, chat_id) for c, chat_id, _ in chats})
    new: set[tuple[str, str]] = set()
    for channel, chat_id, phone in chats:
        chat = found.get((channel, chat_id))
        moved = phone and phone != chat_id  # perhaps known by its phone number: see open_chat
        if moved and (chat is None or chat.identity is None):
            found[channel, chat_id] = await open_chat(session, channel, chat_id, now, phone)
        elif chat is None:
            new.add((channel, chat_id))
    if new:
        rows = [
            {"channel": c, "chat_id": chat_id, "status": "idle", "updated_at": now}
            for c, chat_id in sorted(new)  # one order in every process, as the locks
        ]
        await insert_new(session, _CONVERSATION, rows, ("channel", "chat_id"))
        found |= await _locked_chats(session, new)
    return found


async def _locked_chats(
    session: AsyncSession, chats: set[tuple[str, str]]
) -> dict[tuple[str, str], Chat]:
    found: dict[tuple[str, str], Chat] = {}
    query = _CHATS_ANY if session.bind.dialect.name == "postgresql" else _CHATS_IN
    for channel in sorted({channel for channel, _ in chats}):
        ids = sorted({chat_id for c, chat_id in chats if c == channel})
        for row in await session.execute(query, {"channel": channel, "chats": ids}):
            found[channel, row[0].chat_id] = Chat(*row)
    return found


async def open_chat(
    session: AsyncSession, channel: str, chat_id: str, now: datetime, phone: str | None = None
) -> Chat:
    """One query for a known chat: the conversation (created if new, locked) and its sender.

    `phone`: a chat first known by its phone number that now writes under another id (WhatsApp's
    business-scoped user id) is re-keyed before its conversation is created under the new id."""
    params = {"channel": channel, "chat": chat_id}
    row = (await session.execute(_CHAT, params)).first()
    if row is not None and (row[1] is not None or not phone or phone == chat_id):
        return Chat(*row)
    if phone and phone != chat_id and await rekey_identity(session, channel, phone, chat_id):
        row = None  # the identity, and perhaps the conversation, moved here: read again
    if row is None:
        values = {"channel": channel, "chat_id": chat_id, "status": "idle", "updated_at": now}
        await insert_ignore(session, Conversation.__table__, values)
        row = (await session.execute(_CHAT, params)).one()
    return Chat(*row)


DRAFT = "draft"  # beside the State's fields in the JSON: a form left for another (one per chat)


def load_state(conversation: Conversation) -> State | None:
    if conversation.status != "active" or not conversation.state:
        return None
    return State(**{k: v for k, v in conversation.state.items() if k != DRAFT})


def load_draft(conversation: Conversation) -> dict[str, Any] | None:
    return (conversation.state or {}).get(DRAFT)


def _state_json(state: State | None, draft: dict[str, Any] | None) -> dict[str, Any] | None:
    data = {} if state is None else state.to_json()
    if draft:
        data = {**data, DRAFT: draft}
    return data or None


def _state_values(
    state: State | None,
    nonce: int,
    now: datetime,
    draft: dict[str, Any] | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    active = state is not None and state.status == "active"
    return {
        "status": "idle" if state is None else state.status,
        "state": _state_json(state, draft),
        "flow": state.flow if state else None,
        "flow_version": state.version if state else None,
        "step": state.step if active else None,
        "expires_at": now + DRAFT_AFTER if active else None,  # then the form waits as a draft
        "nonce": nonce,
        "updated_at": now,
        "position": position,
    }


# Built once, like _CHAT: every inbound message that changes its conversation runs it.
_SAVE_STATE = (
    update(_CONVERSATION)
    .where(_CONVERSATION.c.id == bindparam("conversation_id"))
    .values({key: bindparam(key) for key in _state_values(None, 0, datetime.min)})
)


# PostgreSQL: a group's writes in one round trip (every statement costs the process ~0.2 ms of
# CPU, and a group pays a round trip for each): its dedupe rows, its states and its replies, as
# arrays. The replies keep their order (WITH ORDINALITY), which is their chats' delivery order.
_WRITE_AT_ONCE = text("""
WITH fresh AS (
    INSERT INTO processed_inbound (channel, external_id, received_at)
    SELECT i.channel, i.external_id, i.received_at
    FROM unnest(CAST(:in_channel AS varchar[]), CAST(:in_external_id AS varchar[]),
                CAST(:in_received_at AS timestamptz[]))
         AS i(channel, external_id, received_at)
    ON CONFLICT DO NOTHING
    RETURNING channel, external_id
), saved AS (
    UPDATE conversation AS c
    SET status = s.status, state = s.state, flow = s.flow, flow_version = s.flow_version,
        step = s.step, expires_at = s.expires_at, nonce = s.nonce, updated_at = s.updated_at,
        position = s.position
    FROM unnest(CAST(:c_conversation_id AS integer[]), CAST(:c_status AS varchar[]),
                CAST(CAST(:c_state AS text[]) AS json[]), CAST(:c_flow AS varchar[]),
                CAST(:c_flow_version AS integer[]), CAST(:c_step AS varchar[]),
                CAST(:c_expires_at AS timestamptz[]), CAST(:c_nonce AS integer[]),
                CAST(:c_updated_at AS timestamptz[]), CAST(:c_position AS bigint[]))
         AS s(id, status, state, flow, flow_version, step, expires_at, nonce, updated_at,
              position)
    WHERE c.id = s.id
), queued AS (
    INSERT INTO outbox (channel, chat_id, user_id, kind, priority, payload, status, attempts,
                        created_at, next_attempt_at)
    SELECT o.channel, o.chat_id, o.user_id, o.kind, o.priority, o.payload, o.status, o.attempts,
           o.created_at, o.next_attempt_at
    FROM unnest(CAST(:o_channel AS varchar[]), CAST(:o_chat_id AS varchar[]),
                CAST(:o_user_id AS integer[]), CAST(:o_kind AS varchar[]),
                CAST(:o_priority AS smallint[]),
                CAST(CAST(:o_payload AS text[]) AS json[]), CAST(:o_status AS varchar[]),
                CAST(:o_attempts AS integer[]), CAST(:o_created_at AS timestamptz[]),
                CAST(:o_next_attempt_at AS timestamptz[]))
         WITH ORDINALITY
         AS o(channel, chat_id, user_id, kind, priority, payload, status, attempts, created_at,
              next_attempt_at, n)
    ORDER BY o.n
)
SELECT channel, external_id FROM fresh
""")
_JSON_COLUMNS = {"state", "payload"}


def _arrays(prefix: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, Any]:
    """Rows as one array per column, JSON columns as their text (SQL NULL for None)."""
    arrays = {}
    for column in columns:
        values = [row[column] for row in rows]
        if column in _JSON_COLUMNS:
            values = [None if v is None else json.dumps(v) for v in values]
        arrays[f"{prefix}{column}"] = values
    return arrays


_INBOUND_COLUMNS = ("channel", "external_id", "received_at")
_STATE_COLUMNS = (
    "conversation_id", "status", "state", "flow", "flow_version", "step", "expires_at", "nonce",
    "updated_at", "position",
)  # fmt: skip
_OUTBOX_COLUMNS = (
    "channel", "chat_id", "user_id", "kind", "priority", "payload", "status", "attempts",
    "created_at", "next_attempt_at",
)  # fmt: skip


@dataclass
class GroupWrites:
    """The dedupe rows, conversation states and outbox replies of a group's messages (see
    group_commit), written when the group ends: one statement per table on SQLite, one in all
    on PostgreSQL, not one per message."""

    inbound: list[dict[str, Any]] = field(default_factory=list)
    states: dict[int, dict[str, Any]] = field(default_factory=dict)
    outbox: list[dict[str, Any]] = field(default_factory=list)

    def record_inbound(self, channel: str, external_id: str, now: datetime) -> None:
        """A platform message handled in this group: its dedupe row (see `write`)."""
        self.inbound.append({"channel": channel, "external_id": external_id, "received_at": now})

    def save_state(
        self,
        conversation: Conversation,
        state: State | None,
        nonce: int,
        now: datetime,
        draft: dict[str, Any] | None = None,
        position: int | None = None,
    ) -> None:
        """The conversation's new state, when anything changed. Written with Core, not the
        ORM's flush: for one row the flush costs several times the statement. `position`: of
        the last message applied (handlers/core/order.py)."""
        values = _state_values(state, nonce, now, draft, position)
        if all(getattr(conversation, key) == value for key, value in values.items()):
            return
        self.states[conversation.id] = values | {"conversation_id": conversation.id}
        for key, value in values.items():
            set_committed_value(conversation, key, value)  # `write` writes it: nothing to flush

    async def write(self, session: AsyncSession) -> set[tuple[str, str]]:
        """Writes it all; returns the (channel, external_id) of the dedupe rows that were new
        (a message recorded before, or twice here, is not)."""
        if session.bind.dialect.name == "postgresql":
            return await self._write_at_once(session)
        new: set[tuple[str, str]] = set()
        if self.inbound:
            table = ProcessedInbound.__table__
            new = await insert_new(session, table, self.inbound, _INBOUND_KEY)
        if self.states:
            params = list(self.states.values())
            await session.execute(_SAVE_STATE, params, execution_options=NO_AUTOFLUSH)
        await add_outbox_rows(session, self.outbox)
        return new

    async def _write_at_once(self, session: AsyncSession) -> set[tuple[str, str]]:
        params = _arrays("in_", self.inbound, _INBOUND_COLUMNS)
        params |= _arrays("c_", list(self.states.values()), _STATE_COLUMNS)
        params |= _arrays("o_", self.outbox, _OUTBOX_COLUMNS)
        result = await session.execute(_WRITE_AT_ONCE, params, execution_options=NO_AUTOFLUSH)
        return {(channel, external_id) for channel, external_id in result}
