"""Sending to Telegram: the PTB client against any Bot-API-compatible server, and the outbox's
deliverer that keeps Telegram's limits and maps PTB errors to what the outbox does next."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot import metrics
from bot.channels.telegram.wire import CHANNEL, ApiCall, plan
from handlers.core.outbox import Delivery
from handlers.core.outgoing import Outgoing
from handlers.core.privacy import masked

log = logging.getLogger(__name__)

# Telegram: ~30 msg/s overall, 1 msg/s per chat, 20 msg/min per group. aiolimiter is a leaky
# bucket that also allows a burst of `max_rate`, so a 30-per-second bucket can put ~60 sends in
# one sliding second. One token per interval instead, a little under each limit for jitter.
OVERALL_PER_SECOND = 29.3  # under 30 with room for the network's jitter
GROUP_INTERVAL = 3.1  # seconds: ≤ 20 per minute
PER_CHAT_BURST = 2  # a reply and the next question go out together; sustained 1 msg/s


@dataclass
class Client:
    """An ExtBot with HTTP clients we own, so they close without PTB's getMe handshake."""

    bot: ExtBot
    requests: tuple[HTTPXRequest, HTTPXRequest]

    async def close(self) -> None:
        for request in self.requests:
            await request.shutdown()


def client(
    token: str, api_url: str, *, rate_limited: bool = False, pool: int = 64, timeout: float = 20
) -> Client:
    """`api_url` is the public Bot API or any compatible server (self-hosted, a test fake);
    methods are called as <api_url>/bot<token>/<method>."""
    # PTB 22 warns on every 429 unless durations are opted into timedelta (its next major's type)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    base = api_url.rstrip("/")
    request = HTTPXRequest(connection_pool_size=pool, read_timeout=timeout, write_timeout=timeout)
    updates = HTTPXRequest(connection_pool_size=1, read_timeout=timeout)
    limiter = None
    if rate_limited:
        limiter = AIORateLimiter(
            overall_max_rate=1,
            overall_time_period=1 / OVERALL_PER_SECOND,
            group_max_rate=1,
            group_time_period=GROUP_INTERVAL,
            max_retries=0,  # a 429 goes back to the outbox: only that chat waits, not every chat
        )
    bot = ExtBot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request,
        get_updates_request=updates,
        rate_limiter=limiter,
    )
    return Client(bot, (request, updates))


class _DropFinalRetryLog(logging.Filter):
    """With max_retries=0 PTB logs every 429 as an error with a traceback; we log our own line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum")


logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_DropFinalRetryLog())


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
    """The outbox's deliverer for Telegram: the per-chat limit here (AIORateLimiter has none
    for private chats), the overall and per-group limits in the client's AIORateLimiter."""

    def __init__(
        self, bot: ExtBot, label_of: Callable[[str], str], client: Client | None = None
    ) -> None:
        self.bot = bot
        self.label_of = label_of
        self.client = client  # closed with the sender, when it owns one
        self._chats: dict[int, AsyncLimiter] = {}

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def __call__(self, out: Outgoing) -> Delivery:
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
        async with self._limiter(chat_id):
            started = time.perf_counter()
            try:
                message = await getattr(self.bot, call.method)(chat_id=chat_id, **call.kwargs)
            finally:
                metrics.SEND_SECONDS.labels(CHANNEL).observe(time.perf_counter() - started)
        return message.message_id

    def _limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if len(self._chats) > 4096:  # forget chats whose bucket has drained
                self._chats = {
                    k: v for k, v in self._chats.items() if not v.has_capacity(PER_CHAT_BURST)
                }
            limiter = self._chats[chat_id] = AsyncLimiter(PER_CHAT_BURST, PER_CHAT_BURST)
        return limiter
