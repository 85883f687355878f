"""What is due, asked of the database on every tick: a restart, a late tick or a second clock never
runs a job twice for one period (a unique claim, committed with the job's outbox rows), and a clock
that was down catches up on start."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import claim, claimed

if TYPE_CHECKING:
    from handlers.core.inbound import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tick:
    """One job run for one period, inside the transaction that holds its claim."""

    runtime: Runtime
    session: AsyncSession
    now: datetime
    period: date
    prepared: Any = None  # what the job's `prepare` returned


@dataclass(frozen=True)
class Job:
    name: str
    at: time  # local time of day in BOT_TIMEZONE
    run: Callable[[Tick], Awaitable[None]]
    weekdays: tuple[int, ...] | None = None  # 0 = Monday; None = every day
    monthday: int | None = None
    catch_up_days: int = 1  # how far back a clock that was down still runs a missed period
    quiet: bool = False  # never inside the quiet hours (reminders)
    # Slow work before the claim's transaction, in transactions of its own or none: drawing a
    # chart there would hold SQLite's single writer lock, and every chat's message would wait.
    # Runs only for an unclaimed period; its result reaches `run` as `tick.prepared`.
    prepare: Callable[[Runtime, datetime, date], Awaitable[Any]] | None = None

    def runs_on(self, day: date) -> bool:
        if self.weekdays is not None and day.weekday() not in self.weekdays:
            return False
        return self.monthday is None or day.day == self.monthday


def due_periods(job: Job, local_now: datetime) -> list[date]:
    """Periods whose time has come, oldest first, as far back as the job catches up."""
    periods = []
    for back in range(job.catch_up_days, -1, -1):
        day = local_now.date() - timedelta(days=back)
        fire = datetime.combine(day, job.at, tzinfo=local_now.tzinfo)
        if job.runs_on(day) and fire <= local_now:
            periods.append(day)
    return periods


def in_quiet_hours(local: time, quiet_from: time, quiet_to: time) -> bool:
    if quiet_from <= quiet_to:
        return quiet_from <= local < quiet_to
    return local >= quiet_from or local < quiet_to


@dataclass
class Schedule:
    runtime: Runtime
    jobs: dict[str, Job] = field(default_factory=dict)
    quiet_from: time = time(20, 0)
    quiet_to: time = time(6, 0)

    def add(self, job: Job) -> None:
        self.jobs[job.name] = job

    async def tick(self, name: str | None = None) -> list[tuple[str, date]]:
        """Runs every due, unclaimed period of one job (or of all); returns what ran."""
        ran = []
        for job in [self.jobs[name]] if name else list(self.jobs.values()):
            ran += await self._tick(job)
        return ran

    async def _tick(self, job: Job) -> list[tuple[str, date]]:
        now = self.runtime.clock()
        local = now.astimezone(self.runtime.texts.timezone)
        if job.quiet and in_quiet_hours(local.time(), self.quiet_from, self.quiet_to):
            return []
        ran = []
        for period in due_periods(job, local):
            prepared = None
            if job.prepare is not None:
                async with self.runtime.db.snapshot() as session:
                    if await claimed(session, job.name, period.isoformat()):
                        continue
                prepared = await job.prepare(self.runtime, now, period)
            async with self.runtime.db.transaction() as session:
                if not await claim(session, job.name, period.isoformat(), now):
                    continue  # another clock ran it meanwhile: what was prepared is dropped
                await job.run(Tick(self.runtime, session, now, period, prepared))
            log.info("clock: %s for %s done", job.name, period)
            ran.append((job.name, period))
        return ran
