"""One inbound message being handled: the transaction, who wrote, and what goes back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import engine
from conversations.model import (
    Ended,
    Flow,
    Inbound,
    Outcome,
    Reply,
    ReplyEvent,
    State,
    Submitted,
    Text,
)
from db.models import ChannelIdentity, Conversation, User
from handlers.core.outgoing import Outgoing, render_reply
from handlers.core.text import Texts


class Runtime(Protocol):
    """What a turn uses of the runtime (handlers.core.inbound.Runtime): declared here so the
    turn needs nothing from the module that runs it."""

    texts: Texts
    flows: dict[str, Flow]
    commands: dict[str, Any]
    settings: Any
    on_refused: list[Callable[..., None]]

    async def menu(self, turn: Turn, hint: bool = False) -> None: ...

    async def submit(self, turn: Turn, flow: Flow, answers: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Incoming:
    """A platform message as the runtime needs it. `external_id` is the dedupe key
    (Telegram update_id, WhatsApp wamid); `sent_at` is the provider's timestamp."""

    channel: str
    chat_id: str
    external_id: str
    sent_at: datetime
    inbound: Inbound
    callback: str | None = None
    display_name: str | None = None
    phone: str | None = None


@dataclass
class Turn:
    runtime: Runtime
    session: AsyncSession
    msg: Incoming
    now: datetime
    conversation: Conversation
    identity: ChannelIdentity | None
    user: User | None
    state: State | None
    out: list[Outgoing] = field(default_factory=list)
    nonce: int = 0  # the conversation's button counter; saved with the state
    marked: bool = False  # the channel's group hook marked this chat (Runtime.group_hooks)
    # the chat's user was deactivated: `user` is None, as for someone not registered
    deactivated: bool = False
    # run once the turn's transaction has committed (metrics): a rolled-back run counts nothing
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def locale(self) -> str:
        return self.user.locale if self.user else "id"

    def t(self, msgid: str, **params: Any) -> str:
        return self.runtime.texts(msgid, self.locale, **params)

    def say(self, msgid: str, **params: Any) -> None:
        self.show(Reply((Text.of(msgid, **params),)))

    def say_raw(self, text: str) -> None:
        self.show(Reply((Text.raw(text),)))

    def show(self, reply: Reply) -> None:
        nonce = self.state.nonce if self.state else self.nonce
        self.out.append(
            render_reply(
                self.runtime.texts, reply, self.msg.channel, self.msg.chat_id, nonce, self.locale
            )
        )

    async def start_flow(self, name: str, context: dict[str, Any]) -> None:
        flow = self.runtime.flows[name]
        outcome = engine.start(flow, context, self.now)
        outcome.state.nonce += self.nonce
        await self.apply(flow, outcome)

    async def resume(self, inbound: Inbound) -> None:
        assert self.state is not None
        flow = self.runtime.flows.get(self.state.flow)
        if flow is None:  # a flow removed from the code: end politely
            self.state = None
            self.say("This form is no longer available. Please choose from the menu.")
            await self.runtime.menu(self)
            return
        current = engine.current_reply(flow, self.state)
        labels = self.runtime.texts.labels(current.choices, self.locale)
        await self.apply(flow, engine.resume(flow, self.state, inbound, self.now, labels))

    async def apply(self, flow: Flow, outcome: Outcome) -> None:
        self.state = outcome.state
        self.nonce = max(self.nonce, outcome.state.nonce)
        for event in outcome.events:
            if isinstance(event, ReplyEvent):
                self.show(event.reply)
            elif isinstance(event, Submitted):
                await self.runtime.submit(self, flow, event.answers)
            elif isinstance(event, Ended) and event.reason == "menu":
                await self.runtime.menu(self)
        if self.state is outcome.state and outcome.state.status != "active":
            self.state = None


SubmitHandler = Callable[[Turn, Flow, dict[str, Any]], Awaitable[None]]
