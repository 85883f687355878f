"""The one outbox sender: a loop around OutboxWorker.

In `ilpbot run` it is a task of the same process and wakes as soon as a turn commits (the
runtime's on_commit calls `wake`); in `ilpbot clock` it polls the table a few times a second.
Only one sender should run per deployment: the rate limits are kept in its memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from handlers.core.media import MediaWorker
from handlers.core.outbox import OutboxWorker

log = logging.getLogger(__name__)


class Sender:
    """`rounds` claim-and-send loops overlap, so the rate limiter is never idle while one round
    records its last results and claims the next batch. The worker's lease and its per-chat
    ordering rule (a row waits while an earlier row of its chat is pending) keep them apart.
    `urgent` more loops claim only the chats with a reply or an alert waiting, and look more
    often: a reply never waits for a round busy with a broadcast (the channel's limiter then
    gives it the next slot)."""

    def __init__(
        self,
        worker: OutboxWorker,
        idle: float = 0.3,
        max_backoff: float = 30.0,
        rounds: int = 2,
        urgent: int = 1,
        urgent_idle: float = 0.1,
        media: MediaWorker | None = None,
    ) -> None:
        self.worker = worker
        self.media = media  # inbound files fetched into the media store, beside the sends
        self.idle = idle
        self.max_backoff = max_backoff
        self.rounds = rounds
        self.urgent = urgent
        self.urgent_idle = urgent_idle
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        outbox = self.worker.run_once
        loops = [self._loop(outbox, self.idle, self._wake) for _ in range(self.rounds)]
        urgent = lambda: outbox(urgent_only=True)  # noqa: E731
        loops += [self._loop(urgent, self.urgent_idle, self._wake) for _ in range(self.urgent)]
        if self.media is not None:  # one item at a time, never in the way of a send
            loops.append(self._loop(self.media.run_once, self.idle * 3, self._stopping))
        await asyncio.gather(*loops)

    async def _loop(
        self, round_: Callable[[], Awaitable[int]], idle: float, wake: asyncio.Event
    ) -> None:
        delay = idle
        while not self._stopping.is_set():
            if wake is self._wake:
                wake.clear()  # before the claim: a commit during the batch wakes the next one
            try:
                handled = await round_()
                delay = idle
            except Exception:  # the database is away, most likely: keep trying
                log.exception("sender round failed; retrying in %.1f s", delay)
                handled = 0
                delay = min(delay * 2, self.max_backoff)
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=delay)

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="outbox-sender")
        return self._task

    async def stop(self, grace: float = 10.0) -> None:
        """Finishes the batch in hand (so no send is left unrecorded), then stops."""
        self._stopping.set()
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            log.warning("sender still busy after %.0f s; stopping it", grace)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
