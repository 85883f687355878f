"""A platform's rate limit kept exactly, and replies served before bulk while sends wait for it.

A platform counts a message when its request arrives, somewhere between our start of the send
and the answer we get back. So `SlidingLimit(limit, period)` lets a send start only once the send
`limit` places before it has been answered at least `period` ago: two requests `limit` apart
then arrive at least `period` apart, and no sliding window of `period` at the platform ever holds
more than `limit`, whatever the network's jitter (a token bucket spacing the starts cannot
promise that: two requests started 34 ms apart can arrive 10 ms apart). The price is the round
trip: on a loopback fake ~99 % of the limit, on the real API a little less.

Sends waiting for a slot are served by their outbox class (handlers.core.outbox.SENDING_CLASS:
replies, then alerts, then bulk), in arrival order within a class.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from handlers.core.outbox import SENDING_CLASS


class SlidingLimit:
    """`spacing`: at least this long between two starts. Answers come back together, so
    without it the slots free in bursts (30 at once, then none for a second) and a reply
    arriving between two bursts waits half a second on average; spread, it waits one spacing."""

    def __init__(
        self,
        limit: int,
        period: float,
        spacing: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.period, self.spacing, self.clock = limit, period, spacing, clock
        self._next_start = 0.0
        self._answered: deque[float] = deque()  # answer times of the last sends, oldest first
        self._running = 0
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._paused_until = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @asynccontextmanager
    async def slot(self, priority: int | None = None) -> AsyncIterator[None]:
        """Waits for a slot; the send inside the block counts until it is answered."""
        await self._acquire(SENDING_CLASS.get() if priority is None else priority)
        try:
            yield
        finally:
            self._running -= 1
            self._answered.append(self.clock())
            self._pump()

    def pause(self, seconds: float) -> None:
        """The platform said "too fast" for everyone: no send starts for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def idle(self) -> bool:
        """Nothing running, waiting or counted: the limit can be forgotten."""
        return not (self._running or self._waiting or self._room_used(self.clock()))

    def _room_used(self, now: float) -> int:
        while self._answered and self._answered[0] + self.period <= now:
            self._answered.popleft()
        return self._running + len(self._answered)

    def _free(self, now: float) -> bool:
        ready = now >= self._paused_until and now >= self._next_start
        return ready and self._room_used(now) < self.limit

    def _take(self, now: float) -> None:
        """The next start is due a spacing after this one's *due* time, not after now: a timer
        fires a little late, and at 72/s a millisecond lost per send would be 7 % of the rate.
        A start later than a whole spacing (nothing was waiting) begins the grid anew."""
        self._running += 1
        due = self._next_start if now - self._next_start <= self.spacing else now
        self._next_start = due + self.spacing

    async def _acquire(self, priority: int) -> None:
        if not self._waiting and self._free(now := self.clock()):
            self._take(now)
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), granted))
        self._pump()
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():  # a slot given but never used
                self._running -= 1
                self._pump()
            raise

    def _pump(self) -> None:
        now = self.clock()
        while self._waiting and self._free(now):
            _, _, granted = heapq.heappop(self._waiting)
            if granted.done():  # its waiter was cancelled
                continue
            self._take(now)
            granted.set_result(None)
        self._waiting = [w for w in self._waiting if not w[2].done()]
        heapq.heapify(self._waiting)
        if self._waiting and self._timer is None:
            self._wake_at(now)

    def _wake_at(self, now: float) -> None:
        """A slot frees by itself when the oldest answer leaves the window or a pause ends
        (else a running send's end will pump)."""
        at = max(self._paused_until, self._next_start, now)
        if self._answered and self._running + len(self._answered) >= self.limit:
            at = max(at, self._answered[0] + self.period)
        elif at == now:
            return
        delay = at - now
        self._timer = asyncio.get_running_loop().call_later(delay, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._pump()
