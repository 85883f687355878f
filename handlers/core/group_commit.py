"""Group commit: messages that arrive while a transaction is open share the next one.

A busy webhook gets many updates at once. Each still waits for the commit of its own
transaction before it is answered, but BEGIN, COMMIT and the session are paid once per group.
If a group fails, its messages are run again one per transaction, so a message that cannot be
handled fails alone and its neighbours are answered.

Within a group the messages run in chat order (stable, so one chat's messages keep theirs):
every process locks conversations in the same order and two groups never wait on each other
in a circle. A chat whose message is in a running group waits for the next group.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

M = TypeVar("M")
R = TypeVar("R")


@dataclass
class _Waiting(Generic[M, R]):
    message: M
    answer: asyncio.Future[R]
    since: float  # the event loop's clock when it arrived


@dataclass
class GroupCommit(Generic[M, R]):
    """`run` handles a list of messages in one transaction and returns their results in order."""

    run: Callable[[list[M]], Awaitable[list[R]]]
    key: Callable[[M], Hashable]  # the lock a message takes (its chat)
    lanes: int = 1  # groups in flight at once: 1 for SQLite's single writer
    limit: int = 64  # messages per group
    # A further lane starts only when this many messages wait, and runs on only while as many
    # wait: every group pays its round trips, and at a moderate rate many lanes would each run a
    # group of one or two. Fewer wait at most `patience` seconds: a slow group (a lock held
    # elsewhere) does not hold them up.
    quorum: int = 1
    patience: float = 0.1
    # A failure worth trying again (PostgreSQL's deadlock victim): a group that took a hot
    # lock (a day's reference number) and row locks in another order than its neighbour.
    transient: Callable[[BaseException], bool] = lambda _exc: False
    retries: int = 3
    _queue: list[_Waiting[M, R]] = field(default_factory=list)
    _busy_keys: set[Hashable] = field(default_factory=set)
    _lanes_running: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _nudge: asyncio.TimerHandle | None = None

    async def submit(self, message: M) -> R:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[R] = loop.create_future()
        self._queue.append(_Waiting(message, answer, loop.time()))
        self._more_lanes()
        return await answer

    def _more_lanes(self) -> None:
        if self._lanes_running == 0 or (
            self._lanes_running < self.lanes and len(self._queue) >= self.quorum
        ):
            self._start_lane()
        elif self._lanes_running < self.lanes and self._nudge is None:
            self._nudge = asyncio.get_running_loop().call_later(self.patience, self._waited)

    def _waited(self) -> None:
        """A further lane only for messages that did wait `patience`: the queue is never empty
        at a steady rate, but its messages are taken one group later."""
        self._nudge = None
        if not self._queue or self._lanes_running >= self.lanes:
            return
        waited = self._oldest_wait()
        if waited >= self.patience:
            self._start_lane()
        else:
            loop = asyncio.get_running_loop()
            self._nudge = loop.call_later(self.patience - waited, self._waited)

    def _oldest_wait(self) -> float:
        if not self._queue:
            return 0.0
        return asyncio.get_running_loop().time() - self._queue[0].since

    def _enough_for_another(self) -> bool:
        """This lane runs on while it is the only one, or while enough wait for two."""
        return self._lanes_running == 1 or (
            len(self._queue) >= self.quorum or self._oldest_wait() >= self.patience
        )

    def _start_lane(self) -> None:
        self._lanes_running += 1
        task = asyncio.get_running_loop().create_task(self._lane())
        self._tasks.add(task)  # a task nobody references may be collected mid-run
        task.add_done_callback(self._tasks.discard)

    async def _lane(self) -> None:
        try:
            await asyncio.sleep(0)  # let updates that arrived together join this group
            while group := self._take():
                if self._queue:
                    self._more_lanes()
                keys = {self.key(w.message) for w in group}
                self._busy_keys |= keys
                try:
                    await self._commit(group)
                finally:
                    self._busy_keys -= keys
                if not self._enough_for_another():
                    break
        finally:
            self._lanes_running -= 1
        if self._queue:  # left behind by a busy chat, or by this lane
            self._more_lanes()

    def _take(self) -> list[_Waiting[M, R]]:
        group, rest = [], []
        for waiting in self._queue:
            key = self.key(waiting.message)
            if waiting.answer.done():  # the caller went away (client disconnected)
                continue
            if len(group) < self.limit and key not in self._busy_keys:
                group.append(waiting)
            else:
                rest.append(waiting)
        self._queue = rest
        return sorted(group, key=lambda w: str(self.key(w.message)))

    async def _commit(self, group: list[_Waiting[M, R]], attempt: int = 0) -> None:
        try:
            results = await self.run([w.message for w in group])
        except Exception as exc:
            if len(group) > 1:
                log.warning("a group of %s messages failed (%s); one by one", len(group), exc)
                for waiting in group:
                    await self._commit([waiting])
            elif self.transient(exc) and attempt < self.retries:
                await asyncio.sleep(0.01 * 2**attempt)
                await self._commit(group, attempt + 1)
            else:
                _settle(group[0].answer, error=exc)
            return
        for waiting, result in zip(group, results, strict=True):
            _settle(waiting.answer, result=result)


def _settle(answer: asyncio.Future, result: object = None, error: BaseException | None = None):
    if answer.done():
        return
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(result)
