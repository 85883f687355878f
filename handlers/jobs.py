"""The clock's jobs, registered into a Schedule (handlers/core/schedule.py) that bot/clock.py ticks.

Every time is local (BOT_TIMEZONE). Jobs marked quiet never run between QUIET_FROM and QUIET_TO;
a clock that was down catches a missed period up when it comes back, within `catch_up_days`.
The outbreak alert is not here: it is written with the report itself (handlers/digest/alerts.py)."""

from __future__ import annotations

from datetime import time

from handlers.core.inbound import Runtime
from handlers.core.schedule import Job, Schedule
from handlers.core.settings import ClockSettings
from handlers.dana import reminders as dana_reminders
from handlers.digest import profile as desa_profile
from handlers.digest import reminders, summaries
from handlers.digest import send as digest_send

MONDAY, FRIDAY = 0, 4
# The dana desa follow-ups look every hour of the working day (24 h / 72 h counted per request).
DANA_HOURS = range(7, 20)


def jobs(settings: ClockSettings) -> list[Job]:
    # A digest, a summary or a reminder that missed its day is stale: no catching up on
    # earlier days, except the weekly and monthly summaries (worth a day or two late).
    return [
        Job(
            "digest",
            settings.digest_at,
            digest_send.run,
            catch_up_days=0,
            quiet=True,
            prepare=digest_send.prepare_tick,
        ),
        # The weekly form is named in Friday's reminder (reminders.missing_forms).
        Job("reminders", settings.remind_at, reminders.run, catch_up_days=0, quiet=True),
        *(
            Job(f"dana_{hour:02d}", time(hour, 5), dana_reminders.run, catch_up_days=0, quiet=True)
            for hour in DANA_HOURS
        ),
        Job(
            "summary_weekly",
            settings.digest_at,
            summaries.run_weekly,
            weekdays=(MONDAY,),
            catch_up_days=1,
            quiet=True,
        ),
        Job(
            "summary_monthly",
            settings.digest_at,
            summaries.run_monthly,
            monthday=1,
            catch_up_days=2,
            quiet=True,
            prepare=summaries.prepare_monthly,
        ),
        Job(
            "desa_profile",
            settings.digest_at,
            desa_profile.run_monthly,
            monthday=1,
            catch_up_days=2,
            quiet=True,
            prepare=desa_profile.prepare_monthly,
        ),
    ]


def build_schedule(runtime: Runtime) -> Schedule:
    settings = runtime.settings.clock
    schedule = Schedule(runtime, quiet_from=settings.quiet_from, quiet_to=settings.quiet_to)
    for job in jobs(settings):
        schedule.add(job)
    return schedule
