"""APScheduler wiring: a few cron ticks that ask the database what is due (handlers/core/schedule.py).

The scheduler keeps nothing: jobs live in memory, defined here at start; every tick, and a
catch-up tick at start and every few minutes, asks the database, so nothing runs twice.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from handlers.core.schedule import Job, Schedule

log = logging.getLogger(__name__)

MISFIRE_GRACE = 3600
CATCH_UP_MINUTES = 5


def _trigger(job: Job, timezone: str) -> CronTrigger:
    kwargs: dict = {"hour": job.at.hour, "minute": job.at.minute, "timezone": timezone}
    if job.weekdays is not None:
        kwargs["day_of_week"] = ",".join(str(d) for d in job.weekdays)
    if job.monthday is not None:
        kwargs["day"] = job.monthday
    return CronTrigger(**kwargs)


async def _safe_tick(schedule: Schedule, name: str | None = None) -> None:
    try:
        await schedule.tick(name)
    except Exception:  # a failing job must not stop the clock; the next tick retries
        log.exception("clock tick %s failed", name or "(all)")


def start_scheduler(schedule: Schedule, timezone: str) -> AsyncIOScheduler:
    """Starts the ticks on the running loop, with a catch-up tick right away."""
    scheduler = AsyncIOScheduler(
        timezone=timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE, "max_instances": 1},
    )
    for job in schedule.jobs.values():
        scheduler.add_job(
            _safe_tick,
            _trigger(job, timezone),
            args=(schedule, job.name),
            id=job.name,
            replace_existing=True,
        )
    scheduler.add_job(
        _safe_tick,
        IntervalTrigger(minutes=CATCH_UP_MINUTES, timezone=timezone),
        args=(schedule,),
        id="catch_up",
        replace_existing=True,
        next_run_time=None,
    )
    scheduler.start()
    scheduler.add_job(_safe_tick, args=(schedule,), id="catch_up_at_start")
    return scheduler
