"""The clock at national size: digest build time, and the reminder broadcast through Telegram.

    python bench/digest.py [--puskesmas 10000] [--users 10000] [--repeat 5] [--json]

Digest: a national-size database (bench/national.py: ~10,000 puskesmas, a month of reports,
~10 million values) on SQLite and, when BENCH_DATABASE_URL / TEST_DATABASE_URL is set,
PostgreSQL, loaded in parallel; the load writes the running totals as the report flow would. Timed: the digest data and its text for Rejang Lebong (21 puskesmas) and for
every puskesmas at once; the first build (cold) and the median of the next ones. Targets
(issue 7): ≤ 100 ms for Rejang Lebong, ≤ 2 s for 10,000 puskesmas.

Broadcast: `--users` petugas with a Telegram chat and nothing filed today; the reminder job writes
their outbox rows and the real sender delivers them to the fake Bot API (fakes/). The rate
is measured at the fake on delivered sends. Target: ≥ 95 % of Telegram's 30 msg/s. It runs in a
child process after the digests, alone (on a busy 2-core machine the rate drops by a few
percent). 10,000 messages take at least 5.6 minutes at the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path, and bench/telegram.py would hide the
# python-telegram-bot package the sender needs.
sys.path[:] = [str(ROOT), *(p for p in sys.path[1:] if Path(p or ".").resolve() != ROOT / "bench")]

from sqlalchemy import func, insert, select  # noqa: E402

from bench.national import WIB, Shape, seed_national  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.processes import outbox_sender  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import ChannelIdentity, Kecamatan, Outbox, Puskesmas, User  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from fakes.telegram_api import FakeBotApi  # noqa: E402
from handlers.app import build_runtime  # noqa: E402
from handlers.core.text import Texts  # noqa: E402
from handlers.digest import send as digest_send  # noqa: E402
from handlers.digest.build import Frame, build  # noqa: E402
from handlers.digest.words import render  # noqa: E402
from handlers.jobs import build_schedule  # noqa: E402

END = date(2026, 11, 23)
DAY = END - timedelta(days=1)  # the digest of Sunday, sent Monday 07.00
NOW = datetime.combine(END, clock_time(7, 0), WIB).astimezone(UTC)
LIMIT = 30  # Telegram's overall messages per second
TOKEN = "123456:BENCH"


class LiveClock:
    """Starts at a chosen moment and runs with the wall clock (retries really wait)."""

    def __init__(self, start: datetime) -> None:
        self.start, self.t0 = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


# --- digest --------------------------------------------------------------------------------


async def load(backend: str, url: str, shape: Shape) -> dict:
    """The national volume into a fresh database; the seed writes the running totals as
    store_report would have (tests/test_digest.py checks they equal a rebuild)."""
    started = time.perf_counter()
    counts = await seed_national(url, shape)
    info = {"reports": counts["report"], "values": counts["report_value"]}
    return {"backend": backend, **info, "load_s": round(time.perf_counter() - started, 1)}


async def digest_times(url: str, repeat: int, texts: Texts) -> dict:
    db = Database(url)
    runtime = build_runtime(db, texts, clock=lambda: NOW)
    async with db.transaction() as session:
        district = select(Puskesmas.id).join(Kecamatan).where(Kecamatan.kode.startswith("17.02."))
        rl = list((await session.execute(district)).scalars())
        everyone = (await session.execute(select(func.count()).select_from(Puskesmas))).scalar_one()
    out = {"puskesmas": everyone}
    for name, scope in (("rejang_lebong", rl), ("all", None)):
        times, digest = [], None
        for _ in range(repeat + 1):
            started = time.perf_counter()
            async with db.transaction() as session:
                frame = Frame(DAY, NOW, texts.timezone, clock_time(16), scope)
                digest = await build(session, runtime.flows, frame)
            render(digest, texts, "id", "16.00")
            times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="ilpbot-bench-charts-") as folder:
            await asyncio.to_thread(digest_send.draw, runtime, digest, Path(folder))
        out[name] = {
            "cold_ms": round(times[0] * 1000, 1),
            "median_ms": round(statistics.median(times[1:]) * 1000, 1),
            "chart_ms": round((time.perf_counter() - started) * 1000),
        }
    await db.dispose()
    return out


# --- the reminder broadcast ----------------------------------------------------------------


async def broadcast(users: int) -> dict:
    url, cleanup = await fresh_database("sqlite")
    cleanup = removing(url, cleanup)
    fake = FakeBotApi().start()
    db = Database(url)
    try:
        chats = await _staff_with_chats(db, users)
        at = datetime.combine(END, clock_time(14, 1), WIB).astimezone(UTC)
        settings = Settings(
            _env_file=None, database_url=url, telegram_bot_token=TOKEN, telegram_api_url=fake.url
        )
        texts = Texts.load(settings.bot_timezone)
        runtime = build_runtime(db, texts, clock=LiveClock(at), settings=settings.runtime())
        app = App(settings, db, runtime)
        started = time.perf_counter()
        await build_schedule(runtime).tick("reminders")
        job = time.perf_counter() - started
        async with db.transaction() as session:
            rows = (
                await session.execute(select(func.count()).where(Outbox.kind == "reminder"))
            ).scalar_one()
        sender, clients = outbox_sender(app)
        sender.start()
        while True:
            await asyncio.sleep(0.5)
            async with db.transaction() as session:
                pending = await session.scalar(
                    select(Outbox.id).where(Outbox.status == "pending").limit(1)
                )
            if pending is None:
                break
        await sender.stop()
        for client in clients:
            await client.close()
    finally:
        await db.dispose()
        fake.stop()
        await cleanup()
    sends = fake.sent()
    moments = sorted(c.at for c in sends)
    rate = (len(moments) - 1) / (moments[-1] - moments[0]) if len(moments) > 1 else 0.0
    delivered = [c.params["chat_id"] for c in sends]
    return {
        "users": users,
        "outbox_rows": rows,
        "job_s": round(job, 2),
        "delivered_per_s": round(rate, 2),
        "of_limit": f"{rate / LIMIT:.1%}",
        "lost": len(set(chats) - set(delivered)),
        "doubled": len(delivered) - len(set(delivered)),
        "limit_violations": len(fake.rate_violations()),
    }


async def _staff_with_chats(db: Database, users: int) -> list[int]:
    """`users` petugas spread over the district's puskesmas, each with a Telegram chat."""
    async with db.transaction() as session:
        puskesmas = list((await session.execute(select(Puskesmas.id))).scalars())
        now = NOW
        rows = [
            {
                "name": f"Petugas {n}",
                "role": "petugas",
                "puskesmas_id": puskesmas[n % len(puskesmas)],
                "active": True,
                "locale": "id",
                "created_at": now,
            }
            for n in range(users)
        ]
        await session.execute(insert(User), rows)
        ids = list((await session.execute(select(User.id).order_by(User.id))).scalars())
        chats = [500_000 + uid for uid in ids]
        await session.execute(
            insert(ChannelIdentity),
            [
                {"channel": "telegram", "external_id": str(c), "user_id": uid, "unreachable": False}
                for uid, c in zip(ids, chats, strict=True)
            ],
        )
    return chats


# --- main ----------------------------------------------------------------------------------


def removing(url: str, cleanup):
    """bench.common leaves SQLite files behind; a national one is gigabytes."""

    async def both() -> None:
        await cleanup()
        if url.startswith("sqlite"):
            shutil.rmtree(Path(url.split(":///", 1)[1]).parent, ignore_errors=True)

    return both


def child(users: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--broadcast-child", "--users", str(users)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--puskesmas", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--users", type=int, default=10_000, help="0 skips the broadcast")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--broadcast-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.broadcast_child:
        print(json.dumps(await broadcast(args.users)))
        return
    started = time.perf_counter()
    shape = Shape(puskesmas=args.puskesmas, days=args.days, end=END)
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    fresh = [await fresh_database(b) for b in backends]  # migrations one at a time (Alembic)
    fresh = [(url, removing(url, cleanup)) for url, cleanup in fresh]
    # Both loads at once (SQLite writes in a thread); everything timed runs alone afterwards.
    loaded = await asyncio.gather(
        *(load(b, url, shape) for b, (url, _) in zip(backends, fresh, strict=True))
    )
    texts = Texts.load("Asia/Jakarta")
    result: dict = {"digest": [], "broadcast": None}
    for info, (url, cleanup) in zip(loaded, fresh, strict=True):
        result["digest"].append(info | await digest_times(url, args.repeat, texts))
        await cleanup()
    if args.users:
        runner = child(args.users)  # its own process, as `ilpbot clock` would be
        result["broadcast"] = json.loads((await asyncio.to_thread(runner.communicate))[0])
    result["total_s"] = round(time.perf_counter() - started)
    if args.json:
        print(json.dumps(result))
        return
    for row in result["digest"]:
        rl, every = row["rejang_lebong"], row["all"]
        print(
            f"digest {row['backend']:>10} ({row['puskesmas']:,} puskesmas, {row['reports']:,} "
            f"reports, {row['values']:,} values; loaded in {row['load_s']} s): "
            f"Rejang Lebong {rl['median_ms']} ms (cold "
            f"{rl['cold_ms']} ms), all puskesmas {every['median_ms']} ms (cold {every['cold_ms']} "
            f"ms); chart {rl['chart_ms']} / {every['chart_ms']} ms"
        )
    sent = result["broadcast"]
    if sent:
        print(
            f"reminder broadcast to {sent['users']:,} users ({sent['outbox_rows']:,} outbox rows, "
            f"job {sent['job_s']} s): {sent['delivered_per_s']} msg/s = {sent['of_limit']} of "
            f"{LIMIT}/s; lost {sent['lost']}, doubled {sent['doubled']}, "
            f"limit violations {sent['limit_violations']}"
        )
    print(f"bench time {result['total_s']} s")


if __name__ == "__main__":
    asyncio.run(main())
