"""Sending to Telegram: the PTB client against any Bot-API-compatible server, and the outbox's
deliverer that keeps Telegram's limits and maps PTB errors to what the outbox does next."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot import metrics
from bot.channels.limits import SlidingLimit
from bot.channels.send_thread import SendThread
from bot.channels.telegram.wire import CHANNEL, ApiCall, plan
from handlers.core.outbox import SENDING_CLASS, Delivery
from handlers.core.outgoing import Outgoing
from handlers.core.privacy import masked

log = logging.getLogger(__name__)

# Telegram: 30 msg/s overall, 1 msg/s per chat, 20 msg/min per group, each kept exactly in
# every sliding window (bot/channels/limits.py), so no margin for jitter is needed.
OVERALL = (30, 1.0)
GROUP = (1, 3.0)  # ≤ 20 per minute, spread: a burst of 20 would leave a group silent
PER_CHAT = (2, 2.0)  # a reply and the next question go out together; sustained 1 msg/s


@dataclass
class Client:
    """An ExtBot with HTTP clients we own, so they close without PTB's getMe handshake."""

    bot: ExtBot
    requests: tuple[HTTPXRequest, HTTPXRequest]

    async def close(self) -> None:
        for request in self.requests:
            await request.shutdown()


def client(token: str, api_url: str, *, pool: int = 64, timeout: float = 20) -> Client:
    """`api_url` is the public Bot API or any compatible server (self-hosted, a test fake);
    methods are called as <api_url>/bot<token>/<method>."""
    # PTB 22 warns on every 429 unless durations are opted into timedelta (its next major's type)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    base = api_url.rstrip("/")
    request = HTTPXRequest(connection_pool_size=pool, read_timeout=timeout, write_timeout=timeout)
    updates = HTTPXRequest(connection_pool_size=1, read_timeout=timeout)
    bot = ExtBot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request,
        get_updates_request=updates,
    )
    return Client(bot, (request, updates))


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value if isinstance(value, int | float) else value.total_seconds()


def delivery_for(exc: TelegramError) -> Delivery:
    """PTB errors → what the outbox does next. BadRequest and TimedOut are NetworkErrors in
    PTB, so the order of the checks matters."""
    error = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, RetryAfter):
        return Delivery("retry", retry_after=retry_after_seconds(exc), error=error)
    if isinstance(exc, Forbidden):  # blocked by the user, or the account is gone
        return Delivery("failed", error=error, unreachable=True)
    if isinstance(exc, BadRequest | ChatMigrated):
        return Delivery("failed", error=error)
    # TimedOut, NetworkError (5xx, connection), InvalidToken, Conflict: try again later. A
    # timed-out send may have been delivered already, so delivery is at-least-once.
    return Delivery("retry", error=error)


class TelegramSender:
    """The outbox's deliverer for Telegram, keeping its limits: per chat (or group), then
    overall, replies first while sends wait. A 429 goes back to the outbox, so only that chat
    waits, not every chat. Only one sender runs per deployment: the limits live here."""

    def __init__(
        self,
        bot: ExtBot,
        label_of: Callable[[str], str],
        client: Client | None = None,
        thread: SendThread | None = None,
    ) -> None:
        self.bot = bot
        self.label_of = label_of
        self.client = client  # closed with the sender, when it owns one
        self.thread = thread  # sends on a loop of their own (bot/channels/send_thread.py)
        self._overall = SlidingLimit(*OVERALL, spacing=OVERALL[1] / OVERALL[0])
        self._chats: dict[int, SlidingLimit] = {}

    async def close(self) -> None:
        if self.client is not None:
            closing = self.client.close()
            await (self.thread.run(closing) if self.thread else closing)
        if self.thread is not None:
            await self.thread.close()

    async def __call__(self, out: Outgoing) -> Delivery:
        if self.thread is None:
            return await self._deliver(out, SENDING_CLASS.get())
        return await self.thread.run(self._deliver(out, SENDING_CLASS.get()))

    async def _deliver(self, out: Outgoing, priority: int) -> Delivery:
        SENDING_CLASS.set(priority)  # on the send thread's loop, too
        try:
            chat_id = int(out.chat_id)
            calls = plan(out, self.label_of)
        except ValueError as exc:
            log.error("telegram message to %s not sendable: %s", masked(out.chat_id), exc)
            return Delivery("failed", error=str(exc))
        message_id = None
        for call in calls:
            try:
                message_id = await self._send(chat_id, call)
            except TelegramError as exc:
                result = delivery_for(exc)
                metrics.SENDS.labels(CHANNEL, result.status).inc()
                log.info("telegram %s to %s: %s", call.method, masked(chat_id), result.error)
                return result
        metrics.SENDS.labels(CHANNEL, "sent").inc()
        return Delivery("sent", provider_message_id=str(message_id))

    async def _send(self, chat_id: int, call: ApiCall) -> int:
        async with self._limiter(chat_id).slot(), self._overall.slot():
            started = time.perf_counter()
            try:
                message = await getattr(self.bot, call.method)(chat_id=chat_id, **call.kwargs)
            finally:
                metrics.SEND_SECONDS.labels(CHANNEL).observe(time.perf_counter() - started)
        return message.message_id

    def _limiter(self, chat_id: int) -> SlidingLimit:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 4096:  # forget chats with nothing in their window
                self._chats = {k: v for k, v in self._chats.items() if not v.idle()}
            limiter = self._chats[chat_id] = SlidingLimit(*(GROUP if chat_id < 0 else PER_CHAT))
        return limiter
