"""Long polling for `ilpbot run`: getUpdates with an offset that only moves past committed
updates, so a crash redelivers what was not committed and the dedupe absorbs the rest.

Nothing here stops the bot: network errors back off and retry forever with a log line, and
start-up calls a Bot-API-compatible server may not support are logged and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Sequence

from sqlalchemy.exc import InterfaceError, OperationalError
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.channels.telegram.updates import TelegramUpdates
from bot.channels.telegram.wire import ALLOWED_UPDATES, read_update

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
MAX_FAILURES = 5  # a bug that fails one update every time must not stall every chat
TRANSIENT = (OperationalError, InterfaceError, OSError, TimeoutError)  # database down, locked


class Poller:
    def __init__(
        self,
        bot: ExtBot,
        updates: TelegramUpdates,
        commands: Sequence[BotCommand] = (),
        poll_timeout: int = 25,
        first_backoff: float = 1.0,
    ) -> None:
        self.bot = bot
        self.updates = updates
        self.commands = list(commands)
        self.poll_timeout = poll_timeout
        self.first_backoff = first_backoff
        self.offset: int | None = None
        self._failures: dict[int, int] = {}
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        await self._start_calls()
        delay = self.first_backoff
        while not self._stop.is_set():
            try:
                batch = await self._until_stopped(self._fetch())
            except TelegramError as exc:  # network, 5xx, 409 (a webhook is set), bad token
                log.warning("getUpdates failed: %s; retrying in %.0f s", exc, delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            delay = self.first_backoff
            if batch and not await self._handle(batch):
                await self._sleep(delay)

    async def _fetch(self) -> Sequence[Update]:
        try:
            return await self.bot.get_updates(
                offset=self.offset, timeout=self.poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
            )
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            # PTB could not read one update of the batch (a poll from a server older than our
            # library): read them one by one, the unreadable ones as unsupported messages.
            log.warning("getUpdates: an update our library cannot read (%s)", exc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "use Bot.get_updates": that is what failed
            raw = await self.bot.do_api_request(
                "getUpdates",
                api_kwargs={"offset": self.offset, "allowed_updates": list(ALLOWED_UPDATES)},
            )
        return [self._read(item) for item in raw or []]

    def _read(self, item: object) -> Update:
        try:
            return read_update(item)
        except ValueError:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                raise
            log.error("update %s unreadable; skipped: %s", update_id, sorted(item))  # its keys only
            return Update(update_id)  # nothing in it: recorded once, then passed over

    async def _handle(self, batch: Sequence[Update]) -> bool:
        """Handles in order; False when an update must be fetched again (not committed)."""
        for update in batch:
            if self._stop.is_set():
                return True
            try:
                await self.updates.process(update)
            except TRANSIENT as exc:
                log.warning(
                    "update %s not committed (%s); will fetch it again", update.update_id, exc
                )
                return False
            except Exception:
                failures = self._failures.get(update.update_id, 0) + 1
                self._failures[update.update_id] = failures
                log.exception("update %s failed (%s/%s)", update.update_id, failures, MAX_FAILURES)
                if failures < MAX_FAILURES:
                    return False
                log.error("update %s skipped after %s failures", update.update_id, failures)
            self._failures.pop(update.update_id, None)
            self.offset = update.update_id + 1
        return True

    async def _start_calls(self) -> None:
        """getMe until the server answers; then the optional calls, each allowed to fail."""
        delay = self.first_backoff
        while not self._stop.is_set():
            try:
                me = await self._until_stopped(self.bot.get_me())
                if me is not None:
                    log.info("polling Telegram as @%s", me.username)
                break
            except TelegramError as exc:
                log.warning("getMe failed: %s; retrying in %.0f s", exc, delay)
                await self._sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
        await self._optional("deleteWebhook", self.bot.delete_webhook(drop_pending_updates=False))
        if self.commands:
            await self._optional("setMyCommands", self.bot.set_my_commands(self.commands))

    async def _optional(self, method: str, call: Awaitable[object]) -> None:
        try:
            await call
        except TelegramError as exc:
            log.warning("%s failed: %s (continuing without it)", method, exc)

    async def _until_stopped(self, call: Awaitable[object]):  # -> result, or None when stopped
        task = asyncio.ensure_future(call)
        stopped = asyncio.ensure_future(self._stop.wait())
        done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            stopped.cancel()
            return task.result()
        task.cancel()  # an open long poll: nothing after the offset was confirmed
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await task
        return None

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def confirm(self) -> None:
        """At a clean stop, tells the server which updates are done (saves redeliveries)."""
        if self.offset is None:
            return
        try:
            await self.bot.get_updates(offset=self.offset, timeout=0, limit=1)
        except TelegramError as exc:
            log.info("confirming offset %s failed: %s", self.offset, exc)
