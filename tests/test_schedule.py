"""The clock asks the database what is due: once per period, whoever ticks, whenever it wakes."""

import asyncio
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.database import Database
from db.models import Outbox
from db.queries import add_outbox
from handlers.app import build_runtime
from handlers.core.outgoing import Outgoing
from handlers.core.schedule import Job, Schedule, Tick, due_periods, in_quiet_hours


async def _note(tick: Tick) -> None:
    out = Outgoing("test", "dinkes", f"ringkasan {tick.period.isoformat()}")
    await add_outbox(
        tick.session,
        channel="test",
        chat_id="dinkes",
        payload=out.to_json(),
        kind="digest",
        now=tick.now,
    )


DIGEST = Job("digest", time(7, 0), _note)


async def _sent(db) -> list[str]:
    async with db.transaction() as session:
        rows = (await session.execute(select(Outbox).order_by(Outbox.id))).scalars()
        return [r.payload["text"] for r in rows]


async def test_two_clocks_ticking_at_once_send_once(db_url, texts, clock):
    clock.now = datetime(2026, 11, 23, 0, 1, tzinfo=UTC)  # 07.01 WIB
    first, second = Database(db_url), Database(db_url)
    schedules = []
    for db in (first, second):
        schedule = Schedule(build_runtime(db, texts, clock=clock))
        schedule.add(DIGEST)
        schedules.append(schedule)
    await asyncio.gather(*(s.tick() for s in schedules))
    await asyncio.gather(*(s.tick() for s in schedules))
    assert await _sent(first) == ["ringkasan 2026-11-22", "ringkasan 2026-11-23"]
    await first.dispose()
    await second.dispose()


async def test_a_clock_down_for_six_hours_catches_up_once(runtime, clock, db):
    schedule = Schedule(runtime)
    schedule.add(Job("digest", time(7, 0), _note, catch_up_days=0))
    clock.now = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 13.30 WIB, the 07.00 tick was missed
    assert await schedule.tick() == [("digest", date(2026, 11, 23))]
    clock.advance(minutes=5)
    assert await schedule.tick() == []
    assert await _sent(db) == ["ringkasan 2026-11-23"]


async def test_reminders_wait_out_the_quiet_hours(runtime, clock, db):
    schedule = Schedule(runtime)
    schedule.add(Job("remind", time(14, 0), _note, catch_up_days=0, quiet=True))
    clock.now = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # 20.30 WIB: quiet
    assert await schedule.tick() == []
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(Outbox))).scalar_one() == 0


def test_due_periods_follow_weekdays_and_the_time_of_day():
    weekly = Job("weekly", time(7, 0), _note, weekdays=(4,), catch_up_days=6)
    wib = ZoneInfo("Asia/Jakarta")
    assert due_periods(weekly, datetime(2026, 11, 27, 7, 1, tzinfo=wib)) == [date(2026, 11, 27)]
    assert due_periods(weekly, datetime(2026, 11, 27, 6, 59, tzinfo=wib)) == []
    assert due_periods(DIGEST, datetime(2026, 11, 23, 6, 0, tzinfo=wib)) == [date(2026, 11, 22)]
    assert in_quiet_hours(time(23, 0), time(20, 0), time(6, 0))
    assert not in_quiet_hours(time(14, 0), time(20, 0), time(6, 0))


async def test_a_jobs_slow_part_runs_before_its_claim_and_only_for_an_unclaimed_period(
    runtime, clock, db
):
    """The digest's chart is drawn before the clock takes its claim: while it is drawn no
    transaction is open, so a bidan's report is not kept waiting (SQLite has one writer)."""
    prepared: list[date] = []

    async def prepare(rt, _now, period: date) -> str:
        # another writer gets in at once: the clock holds no transaction now
        async with asyncio.timeout(5), rt.db.transaction() as session:
            await session.execute(select(func.count()).select_from(Outbox))
        prepared.append(period)
        return f"chart {period.isoformat()}"

    async def run(tick: Tick) -> None:
        await add_outbox(
            tick.session,
            channel="test",
            chat_id="dinkes",
            payload=Outgoing("test", "dinkes", tick.prepared).to_json(),
            kind="digest",
            now=tick.now,
        )

    schedule = Schedule(runtime)
    schedule.add(Job("digest", time(7, 0), run, catch_up_days=0, prepare=prepare))
    clock.now = datetime(2026, 11, 23, 0, 1, tzinfo=UTC)  # 07.01 WIB
    assert await schedule.tick() == [("digest", date(2026, 11, 23))]
    clock.advance(minutes=1)
    assert await schedule.tick() == []  # claimed: nothing is prepared again
    assert prepared == [date(2026, 11, 23)]
    assert await _sent(db) == ["chart 2026-11-23"]
