"""One Telegram update end to end, for long polling and the webhook alike: parse it, commit its
effect in one short transaction (replies go to the outbox), then answer the button press.

Answering a callback query and removing the pressed keyboard happen right after the commit and
outside the outbox: a callback answer expires within seconds. Their failures are only logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import metrics
from bot.channels.telegram.wire import CHANNEL, Parsed, parse
from conversations.model import N_
from handlers.core import events
from handlers.core.inbound import Runtime
from handlers.core.poison import handle_or_skip

log = logging.getLogger(__name__)

GROUP_NOTICE = N_(
    "I only work in a private chat. Please open a private chat with me and type /start."
)


class TelegramUpdates:
    def __init__(self, runtime: Runtime, bot: ExtBot) -> None:
        self.runtime = runtime
        self.bot = bot  # without a rate limiter: these calls must not queue behind a broadcast
        self._tasks: set[asyncio.Task[None]] = set()

    async def process(self, update: Update) -> None:
        """Returns once the update's effect is committed (or it was a duplicate, or a poison
        answered with an apology); raises when the database could not take it, and the caller
        gets the same update again later."""
        started = time.perf_counter()
        metrics.UPDATES.labels(CHANNEL).inc()
        try:
            parsed = parse(update, self.runtime.clock())
            if parsed.incoming is not None:
                await handle_or_skip(self.runtime, parsed.incoming)  # a poison: an apology
            else:
                await self._record(parsed)
        except Exception:
            metrics.ERRORS.labels(CHANNEL).inc()
            raise
        finally:
            metrics.HANDLE_SECONDS.labels(CHANNEL).observe(time.perf_counter() - started)
        if parsed.callback_id is not None:
            self._spawn(self._after_press(parsed))

    async def _record(self, parsed: Parsed) -> None:
        """Updates the runtime does not see are still recorded once, so redeliveries are
        recognised; a command in a group gets one notice, a block marks the user unreachable."""
        member = parsed.kind == "member"
        new = await events.record_update(
            self.runtime,
            CHANNEL,
            parsed.update_id,
            parsed.chat_id,
            blocked=parsed.blocked if member else None,
            notice=GROUP_NOTICE if parsed.kind == "group" else None,
        )
        if not new:
            metrics.DUPLICATES.labels(CHANNEL).inc()

    async def _after_press(self, parsed: Parsed) -> None:
        calls = [
            self._quietly("answerCallbackQuery", self.bot.answer_callback_query(parsed.callback_id))
        ]
        if parsed.question_id is not None and parsed.chat_id is not None:
            # The answer closes the question: old buttons can't be pressed twice.
            edit = self.bot.edit_message_reply_markup(
                chat_id=int(parsed.chat_id), message_id=parsed.question_id, reply_markup=None
            )
            calls.append(self._quietly("editMessageReplyMarkup", edit))
        await asyncio.gather(*calls)

    @staticmethod
    async def _quietly(method: str, call: Coroutine[Any, Any, Any]) -> None:
        try:
            await call
        except TelegramError as exc:  # expired query, keyboard already gone, network
            log.info("telegram %s failed: %s", method, exc)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 5.0) -> None:
        """Lets pending callback answers finish before the process stops."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
