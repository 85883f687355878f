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
from conversations.words import Words
from db.models import ChannelIdentity, Conversation, User
from handlers.core.outgoing import Outgoing, render_reply
from handlers.core.settings import RuntimeSettings
from handlers.core.text import Texts

MENU = "menu"  # the main menu's flow: choosing a use case, not a form
DRAFT = "lanjutkan"  # the offer to continue a draft


class Runtime(Protocol):
    """What a turn uses of the runtime (handlers.core.inbound.Runtime): declared here so the
    turn needs nothing from the module that runs it."""

    texts: Texts
    flows: dict[str, Flow]
    commands: dict[str, Any]
    settings: RuntimeSettings
    on_refused: list[Callable[..., None]]

    async def menu(self, turn: Turn, hint: bool = False) -> None: ...

    async def submit(self, turn: Turn, flow: Flow, answers: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Incoming:
    """A platform message as the runtime needs it. `external_id` is the dedupe key
    (Telegram update_id, WhatsApp wamid); `sent_at` is the provider's timestamp. `position`
    orders one chat's messages as the provider does (Telegram's message_id, WhatsApp's
    timestamp); None when there is none (a button press: its nonce tells a stale one)."""

    channel: str
    chat_id: str
    external_id: str
    sent_at: datetime
    inbound: Inbound
    callback: str | None = None
    display_name: str | None = None
    phone: str | None = None
    position: int | None = None


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
    draft: dict[str, Any] | None = None  # a form left for another, as State JSON (one per chat)
    # the chat's user was deactivated: `user` is None, as for someone not registered
    deactivated: bool = False
    # run once the turn's transaction has committed (metrics): a rolled-back run counts nothing
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def locale(self) -> str:
        return self.user.locale if self.user else "id"

    @property
    def words(self) -> Words:
        """What this user may type, in their language (yes/no, commands, month names…)."""
        return self.runtime.texts.words_for(self.locale)

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
        self._keep_draft(name)
        flow = self.runtime.flows[name]
        outcome = engine.start(flow, context, self.now, words=self.words)
        outcome.state.nonce += self.nonce
        await self.apply(flow, outcome)

    def _keep_draft(self, starting: str) -> None:
        """A form left unfinished for another (/menu, a command, a button) keeps its answers:
        the next start of its use case offers to continue it (see Command.drafts)."""
        left = self.state
        if left is None or left.status == "done" or not left.answers or left.flow == starting:
            return
        if not any(left.flow in c.drafts for c in self.runtime.commands.values()):
            return
        self.draft = {**left.to_json(), "status": "active", "pending": {}}
        if starting != DRAFT:
            self.say("Your answers so far are kept: you can continue them later.")

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
        outcome = engine.resume(flow, self.state, inbound, self.now, labels, words=self.words)
        await self.apply(flow, outcome)

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
