"""The dashboard's server time: every page for Rejang Lebong with a year of reports (p95 of
`--repeat` requests each, rendering included, through the ASGI app), and the Ringkasan's data
for every puskesmas of a national-size database. Targets (issue 21): each page ≤ 200 ms p95;
the Ringkasan for 10,000 puskesmas ≤ 2 s.

    python bench/dashboard.py [--repeat 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path[1:] if Path(p or ".").resolve() != ROOT / "bench")]

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.common import percentile  # noqa: E402
from bench.national import Shape, seed_national  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web import create_app  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import User  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from handlers.app import build_runtime  # noqa: E402
from handlers.core.text import Texts  # noqa: E402
from handlers.dashboard import access, views  # noqa: E402
from handlers.dashboard.scope import Viewer, pages_of  # noqa: E402

END = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PAGES = ("ringkasan", "capaian", "pws", "puskesmas", "dana", "unduh")
PAGE_P95_MS = 200
RINGKASAN_ALL_MS = 2000
PUBLIC_URL = "http://dasbor.bench"


async def page_times(url: str, texts: Texts, repeat: int) -> dict[str, float]:
    """p95 ms per page for a district Dinkes user of a database holding Rejang Lebong only."""
    db = Database(url)
    runtime = build_runtime(db, texts, clock=lambda: NOW)
    settings = Settings(
        _env_file=None,
        database_url=url,
        public_url=PUBLIC_URL,
        secret_key="bench-dashboard-secret-key-0123456789abcdef",
        invite_secret="bench-invite-secret-0123",
    )
    app = App(settings, db, runtime)
    user_id = await access.demo_dinkes(db, NOW)
    link = await access.make_link(db, user_id, NOW, PUBLIC_URL)
    out = {}
    web = create_app(app, channels=[])
    transport = httpx.ASGITransport(web)
    # the app's lifespan, as `ilpbot web` runs it (it tunes the garbage collector)
    async with (
        web.router.lifespan_context(web),
        httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client,
    ):
        signed = await client.get(link.removeprefix(PUBLIC_URL))
        assert signed.status_code == 303, signed.text
        for page in PAGES:
            times = []
            for _ in range(repeat + 1):
                started = time.perf_counter()
                response = await client.get(f"/dasbor/{page}")
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (page, response.status_code)
            out[page] = round(percentile([t * 1000 for t in times[1:]], 95), 1)
    await db.dispose()
    return out


async def ringkasan_all_ms(url: str, texts: Texts, repeat: int) -> float:
    """Median ms of the Ringkasan's data for every puskesmas in the database."""
    db = Database(url)
    runtime = build_runtime(db, texts, clock=lambda: NOW)
    async with db.transaction() as session:
        anyone = (await session.execute(select(User.id).limit(1))).scalar_one_or_none()
    viewer = Viewer(anyone or 0, "bench", "dinkes", pages_of("dinkes"), None, None)
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        await views.ringkasan(runtime, viewer, NOW)
        times.append(time.perf_counter() - started)
    await db.dispose()
    return round(sorted(times[1:])[len(times[1:]) // 2] * 1000, 1)


async def rejang_lebong_year(backend: str, texts: Texts, repeat: int) -> dict:
    url, cleanup = await fresh_database(backend)
    try:
        started = time.perf_counter()
        counts = await seed_national(url, Shape(puskesmas=21, days=365, end=END))
        load_s = round(time.perf_counter() - started, 1)
        pages = await page_times(url, texts, repeat)
    finally:
        await cleanup()
    return {"backend": backend, "reports": counts["report"], "load_s": load_s, "p95_ms": pages}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    texts = Texts.load("Asia/Jakarta")
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    rows = [await rejang_lebong_year(b, texts, args.repeat) for b in backends]
    if args.json:
        print(json.dumps(rows))
        return
    for row in rows:
        pages = ", ".join(f"{p} {ms} ms" for p, ms in row["p95_ms"].items())
        print(f"dashboard {row['backend']} ({row['reports']:,} reports in a year): p95 {pages}")


if __name__ == "__main__":
    asyncio.run(main())
