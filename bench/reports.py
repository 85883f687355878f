"""Cluster reports at national size: /rekap for one puskesmas and the month totals of a district.

    python bench/reports.py [--puskesmas 10000] [--days 90] [--backend sqlite|postgresql|both]

Seeds 10,000 puskesmas × 90 days × 5 daily forms (K2, K3, K4, lintas klaster, and a posyandu
K2 for one desa) plus the weekly K1, with their values (~38M report_value rows), generated inside
the database (INSERT … SELECT over series: no row crosses the Python boundary), with secondary
indexes and foreign keys added after the load. Rejang Lebong (the real seed, 21 puskesmas) is the
district whose month totals are timed. Then it times, through the real code:
  /rekap          a kepala puskesmas's full turn (runtime.handle), target ≤ 50 ms
  recap query     db.report_queries.recap_totals alone
  district month  db.report_queries.totals_by_puskesmas for the 21 puskesmas, target ≤ 500 ms
  LAPOR (quick)   the hot path: quick entry → "Ganti?" → Ya (soft limits) → Kirim (store)
PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.schema import AddConstraint, DropConstraint  # noqa: E402

from conversations.flows import load_all  # noqa: E402
from conversations.forms.report_common import KLASTERS, indicators  # noqa: E402
from conversations.model import Inbound  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import ChannelIdentity, Kecamatan, Puskesmas, User  # noqa: E402
from db.report_queries import Window, recap_totals, totals_by_puskesmas  # noqa: E402
from db.reports import Report, ReportValue  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from handlers.app import build_runtime  # noqa: E402
from handlers.core.text import Texts  # noqa: E402
from handlers.core.turn import Incoming  # noqa: E402
from handlers.reports.status import recap_windows  # noqa: E402

END = date(2026, 11, 23)  # a Monday; "today" of the timings
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 WIB
STAMP = "2026-11-23 03:00:00.000000"  # how SQLAlchemy stores NOW on SQLite
DISTRICT_SIZE = 20
FORMS = [(0, "2", 0), (1, "3", 0), (2, "4", 0), (3, "lk", 0), (4, "2", 1)]  # f, klaster, posyandu
POSYANDU_CODES = {"D", "T", "GIZI", "STUNT", "KEK"}
ALL_TABLES = (Report.__table__, ReportValue.__table__)


def indicator_rows() -> list[tuple[str, int, str, int]]:
    """(klaster, posyandu, code, modulus) for every value the synthetic reports carry."""
    flows, rows = load_all(), []
    for spec in KLASTERS:
        for step in indicators(flows[spec.flow]):
            if step.code == "KLBKASUS":
                continue  # only with a KLB; the synthetic days have none
            modulus = max(2, (step.soft_max or 2) // 3)
            rows.append((spec.key, 0, step.code, modulus))
            if spec.key == "2" and step.code in POSYANDU_CODES:
                rows.append((spec.key, 1, step.code, modulus))
    return rows


# --- seeding -------------------------------------------------------------------------------


def _master_rows(first_kec: int, first_pkm: int, first_desa: int, n: int):
    """Synthetic districts B0001… of DISTRICT_SIZE puskesmas, one posyandu desa each."""
    kecamatan, puskesmas, desa = [], [], []
    for i in range(n):
        district, kec_id = i // DISTRICT_SIZE, first_kec + i // 5
        if i % 5 == 0:
            kecamatan.append((kec_id, f"B{district:04d}.{i % DISTRICT_SIZE // 5:02d}", f"Kec {i}"))
        puskesmas.append((first_pkm + i, f"Bench {i:05d}", kec_id, False, i % 3 == 0))
        desa.append((first_desa + i, f"B{i:05d}", f"Desa {i:05d}", kec_id, "desa"))
    return kecamatan, puskesmas, desa


async def seed_master(db: Database, total: int) -> list[tuple[int, int]]:
    """Adds puskesmas up to `total` and one kepala each; returns (puskesmas id, posyandu desa)."""
    async with db.transaction() as session:
        conn = await session.connection()
        real = list((await session.execute(select(Puskesmas).order_by(Puskesmas.id))).scalars())
        served = dict(
            (
                await conn.exec_driver_sql(
                    "SELECT puskesmas_id, min(desa_id) FROM puskesmas_desa GROUP BY 1"
                )
            ).all()
        )
        top = {
            t: (await conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar()
            for t in ("kecamatan", "puskesmas", "desa")
        }
        kec, pkm, desa = _master_rows(
            top["kecamatan"] + 1, top["puskesmas"] + 1, top["desa"] + 1, total - len(real)
        )
        await conn.execute(
            Kecamatan.__table__.insert(),
            [dict(zip(("id", "kode", "nama"), r, strict=True)) for r in kec],
        )
        cols = ("id", "nama", "kecamatan_id", "kecamatan_uncertain", "rawat_inap")
        await conn.execute(
            Puskesmas.__table__.insert(), [dict(zip(cols, r, strict=True)) for r in pkm]
        )
        from db.models import Desa

        cols = ("id", "kode", "nama", "kecamatan_id", "jenis")
        await conn.execute(Desa.__table__.insert(), [dict(zip(cols, r, strict=True)) for r in desa])
        pairs = [(p.id, served.get(p.id) or desa[0][0]) for p in real] + [
            (p[0], d[0]) for p, d in zip(pkm, desa, strict=True)
        ]
        users = [
            {
                "id": i,
                "name": f"Kepala {pid}",
                "role": "kepala_puskesmas",
                "puskesmas_id": pid,
                "active": True,
                "locale": "id",
                "created_at": NOW,
            }
            for i, (pid, _) in enumerate(pairs, start=1)
        ]
        await conn.execute(User.__table__.insert(), users)
    return pairs


SQLITE_REPORTS = """
INSERT INTO report (id, ref_day, ref_seq, puskesmas_id, desa_id, klaster, period_start,
    period_end, version, is_current, replaces_id, user_id, channel, sent_at, received_at,
    form_version, klb, details, place)
SELECT (d.n * :n + p.i) * 5 + f.f + 1, date(:start, '+' || d.n || ' days'), p.i * 5 + f.f + 1,
    p.pid, CASE WHEN f.posyandu THEN p.desa END, f.klaster,
    date(:start, '+' || d.n || ' days'), date(:start, '+' || d.n || ' days'),
    1, 1, NULL, p.i + 1, 'telegram', :stamp, :stamp, 1, 0, NULL,
    CASE WHEN f.posyandu THEN 'desa' ELSE 'gedung' END
FROM nums d CROSS JOIN bp p CROSS JOIN forms f WHERE d.n < :days
"""
SQLITE_WEEKLY = """
INSERT INTO report (id, ref_day, ref_seq, puskesmas_id, desa_id, klaster, period_start,
    period_end, version, is_current, replaces_id, user_id, channel, sent_at, received_at,
    form_version, klb, details)
SELECT :base + w.n * :n + p.i + 1, date(:monday, (-7 * w.n) || ' days'), :n * 5 + p.i + 1,
    p.pid, NULL, '1', date(:monday, (-7 * w.n) || ' days'),
    date(:monday, (6 - 7 * w.n) || ' days'), 1, 1, NULL, p.i + 1, 'telegram', :stamp,
    :stamp, 1, 0, NULL
FROM nums w CROSS JOIN bp p WHERE w.n < :weeks
"""
SQLITE_VALUES = """
INSERT INTO report_value (report_id, indicator, value, overridden)
SELECT r.id, i.code, abs(random()) % i.m, 0 FROM report r CROSS JOIN ind i
WHERE i.klaster = r.klaster AND i.posyandu = (r.desa_id IS NOT NULL)
"""


def load_sqlite(path: str, pairs: list[tuple[int, int]], days: int) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "cache_size=-2000000",
        "temp_store=MEMORY",
    ):
        con.execute(f"PRAGMA {pragma}")
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='report' AND sql IS NOT NULL"
    ).fetchall()
    con.execute("BEGIN")
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    con.execute("CREATE TEMP TABLE nums(n INTEGER PRIMARY KEY)")
    con.executemany("INSERT INTO nums VALUES (?)", [(i,) for i in range(max(days, 20))])
    con.execute("CREATE TEMP TABLE bp(i INTEGER PRIMARY KEY, pid INTEGER, desa INTEGER)")
    con.executemany(
        "INSERT INTO bp VALUES (?, ?, ?)", [(i, p, d) for i, (p, d) in enumerate(pairs)]
    )
    con.execute("CREATE TEMP TABLE forms(f INTEGER PRIMARY KEY, klaster TEXT, posyandu INTEGER)")
    con.executemany("INSERT INTO forms VALUES (?, ?, ?)", FORMS)
    con.execute(
        "CREATE TEMP TABLE ind(klaster TEXT, posyandu INTEGER, code TEXT, m INTEGER, PRIMARY KEY (klaster, posyandu, code))"
    )
    con.executemany("INSERT INTO ind VALUES (?, ?, ?, ?)", indicator_rows())
    start = (END - timedelta(days=days - 1)).isoformat()
    n = len(pairs)
    con.execute(SQLITE_REPORTS, {"n": n, "start": start, "stamp": STAMP, "days": days})
    monday = END - timedelta(days=END.weekday())
    weeks = days // 7
    con.execute(
        SQLITE_WEEKLY,
        {
            "base": days * n * 5,
            "n": n,
            "monday": monday.isoformat(),
            "stamp": STAMP,
            "weeks": weeks,
        },
    )
    con.execute(SQLITE_VALUES)
    for _, sql in indexes:
        con.execute(sql)
    con.execute("COMMIT")
    con.execute("ANALYZE")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()


PG_REPORTS = """
INSERT INTO report (id, ref_day, ref_seq, puskesmas_id, desa_id, klaster, period_start,
    period_end, version, is_current, replaces_id, user_id, channel, sent_at, received_at,
    form_version, klb, details, place)
SELECT (d * $1 + p.i) * 5 + f.f + 1, $2::date + d, p.i * 5 + f.f + 1, p.pid,
    CASE WHEN f.posyandu = 1 THEN p.desa END, f.klaster, $2::date + d, $2::date + d,
    1, true, NULL, p.i + 1, 'telegram', $3, $3, 1, false, NULL,
    CASE WHEN f.posyandu = 1 THEN 'desa' ELSE 'gedung' END
FROM generate_series(0, $4 - 1) d CROSS JOIN bp p CROSS JOIN forms f
WHERE p.i % $5 = $6
"""
PG_WEEKLY = """
INSERT INTO report (id, ref_day, ref_seq, puskesmas_id, desa_id, klaster, period_start,
    period_end, version, is_current, replaces_id, user_id, channel, sent_at, received_at,
    form_version, klb, details)
SELECT $1 + w * $2 + p.i + 1, $3::date - 7 * w, $2 * 5 + p.i + 1, p.pid, NULL, '1',
    $3::date - 7 * w, $3::date - 7 * w + 6, 1, true, NULL, p.i + 1, 'telegram', $4, $4, 1,
    false, NULL
FROM generate_series(0, $5 - 1) w CROSS JOIN bp p
"""
PG_VALUES = """
INSERT INTO report_value (report_id, indicator, value, overridden)
SELECT r.id, i.code, floor(random() * i.m)::int, false FROM report r
JOIN ind i ON i.klaster = r.klaster AND i.posyandu = (CASE WHEN r.desa_id IS NULL THEN 0 ELSE 1 END)
WHERE r.id % $1 = $2
"""


async def load_postgresql(
    dsn: str, pairs: list[tuple[int, int]], days: int, workers: int = 2
) -> None:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    constraints = [
        c
        for t in ALL_TABLES
        for c in t.constraints
        if c.name
        and not c.name.startswith("ck_")
        and not (t is Report.__table__ and c.name == "pk_report")
    ]
    indexes = [i for t in ALL_TABLES for i in t.indexes]
    from sqlalchemy.schema import CreateIndex

    conn = await asyncpg.connect(dsn)
    try:
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index.name}"')
        for constraint in sorted(constraints, key=lambda c: c.name.startswith("pk_")):
            await conn.execute(str(DropConstraint(constraint).compile(dialect=dialect)))
        await conn.execute("CREATE UNLOGGED TABLE bp(i int PRIMARY KEY, pid int, desa int)")
        await conn.executemany(
            "INSERT INTO bp VALUES ($1, $2, $3)", [(i, p, d) for i, (p, d) in enumerate(pairs)]
        )
        await conn.execute("CREATE UNLOGGED TABLE forms(f int, klaster text, posyandu int)")
        await conn.executemany("INSERT INTO forms VALUES ($1, $2, $3)", FORMS)
        await conn.execute(
            "CREATE UNLOGGED TABLE ind(klaster text, posyandu int, code text, m int)"
        )
        await conn.executemany("INSERT INTO ind VALUES ($1, $2, $3, $4)", indicator_rows())
        start, n = END - timedelta(days=days - 1), len(pairs)
        await _parallel(dsn, PG_REPORTS, workers, lambda k: (n, start, NOW, days, workers, k))
        monday = END - timedelta(days=END.weekday())
        await conn.execute(PG_WEEKLY, days * n * 5, n, monday, NOW, days // 7)
        await _parallel(dsn, PG_VALUES, workers, lambda k: (workers, k))
        await conn.execute("SET maintenance_work_mem = '1GB'")
        for constraint in sorted(constraints, key=lambda c: not c.name.startswith("pk_")):
            await conn.execute(str(AddConstraint(constraint).compile(dialect=dialect)))
        for index in indexes:
            await conn.execute(str(CreateIndex(index).compile(dialect=dialect)))
        await conn.execute("SELECT setval('report_id_seq', (SELECT max(id) FROM report))")
        await conn.execute("SELECT setval('app_user_id_seq', (SELECT max(id) FROM app_user))")
        await conn.execute("DROP TABLE bp, forms, ind")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def _parallel(dsn: str, sql: str, workers: int, args) -> None:
    async def one(k: int) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("SET synchronous_commit = off")
            await conn.execute(sql, *args(k))
        finally:
            await conn.close()

    await asyncio.gather(*(one(k) for k in range(workers)))


# --- timing --------------------------------------------------------------------------------


async def timings(url: str, runs: int) -> dict[str, list[float]]:
    db = Database(url)
    runtime = build_runtime(db, Texts.load("Asia/Jakarta"), clock=lambda: NOW)
    async with db.transaction() as session:
        kepala = (
            await session.execute(
                select(User)
                .join(Puskesmas, Puskesmas.id == User.puskesmas_id)
                .where(Puskesmas.nama == "Sumber Urip")
            )
        ).scalar_one()
        session.add(ChannelIdentity(channel="test", external_id="kepala", user_id=kepala.id))
        district = list(
            (
                await session.execute(
                    select(Puskesmas.id)
                    .join(Kecamatan, Kecamatan.id == Puskesmas.kecamatan_id)
                    .where(Kecamatan.kode.like("17.02.%"))
                )
            ).scalars()
        )
    counter = iter(range(10**9))

    async def say(text: str = "", callback: str | None = None):
        msg = Incoming("test", "kepala", f"b{next(counter)}", NOW, Inbound(text=text), callback)
        start = time.perf_counter()
        out = await runtime.handle(msg)
        return time.perf_counter() - start, out

    results: dict[str, list[float]] = {
        "rekap": [],
        "recap query": [],
        "district month": [],
        "LAPOR quick": [],
        "Ya (form start)": [],
        "Kirim (store)": [],
    }
    windows = recap_windows(END)
    month = Window(END.replace(day=1), END)
    for i in range(runs + 2):
        keep = i >= 2  # two warm-up rounds
        elapsed, out = await say("/rekap")
        assert out and out[0].text.startswith("Rekap Puskesmas Sumber Urip"), out
        results["rekap"].append(elapsed) if keep else None
        async with db.transaction() as session:
            start = time.perf_counter()
            await recap_totals(session, kepala.puskesmas_id, windows)
            results["recap query"].append(time.perf_counter() - start) if keep else None
            start = time.perf_counter()
            totals = await totals_by_puskesmas(session, district, month.start, month.end)
            results["district month"].append(time.perf_counter() - start) if keep else None
        assert len({p for p, _ in totals}) == len(district)
    for i in range(max(3, runs // 4) + 1):
        keep = i >= 1
        elapsed, out = await say(
            "LAPOR K3 HTSKR=50 HT=9 HTLAYAN=12 HTSPM=2 DMSKR=30 DM=3 DMLAYAN=6 DMSPM=1 PRODUKTIF=45 PRODSPM=40 LANSIA=14 LANSIASPM=9 SKILAS=10 ODGJ=1 ODGJSPM=0 CATIN=1 KBBARU=2 KBAKTIF=5"
        )
        assert "Ganti dengan koreksi?" in out[-1].text, out[-1].text  # his own report
        results["LAPOR quick"].append(elapsed) if keep else None
        yes = next(b.data for b in out[-1].buttons if b.label == "Ya")
        elapsed, out = await say(callback=yes)
        results["Ya (form start)"].append(elapsed) if keep else None
        send = next(b.data for b in out[-1].buttons if b.label == "Kirim")
        elapsed, out = await say(callback=send)
        assert "ILP-" in out[0].text, out[0].text
        results["Kirim (store)"].append(elapsed) if keep else None
    await db.dispose()
    return results


async def counts(url: str) -> tuple[int, int]:
    db = Database(url)
    async with db.transaction() as session:
        conn = await session.connection()
        reports = (await conn.exec_driver_sql("SELECT count(*) FROM report")).scalar()
        values = (await conn.exec_driver_sql("SELECT count(*) FROM report_value")).scalar()
    await db.dispose()
    return reports, values


async def run(backend: str, puskesmas: int, days: int, runs: int) -> None:
    url, cleanup = await fresh_database(backend)
    try:
        started = time.perf_counter()
        db = Database(url)
        pairs = await seed_master(db, puskesmas)
        await db.dispose()
        if backend == "sqlite":
            await asyncio.to_thread(load_sqlite, url.split("///", 1)[1], pairs, days)
        else:
            await load_postgresql(url.replace("postgresql+asyncpg", "postgresql"), pairs, days)
        seeded = time.perf_counter() - started
        reports, values = await counts(url)
        print(
            f"\n{backend}: {len(pairs):,} puskesmas × {days} days: {reports:,} reports, {values:,} values, seeded in {seeded:.0f} s"
        )
        for name, values_ in (await timings(url, runs)).items():
            ms = sorted(v * 1000 for v in values_)
            p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
            print(
                f"  {name:<18} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"
            )
    finally:
        await cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--puskesmas", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not await pg_available():
            print("\npostgresql: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
            continue
        await run(backend, args.puskesmas, args.days, args.runs)
    print("\ntargets: /rekap ≤ 50 ms, district month totals ≤ 500 ms")


if __name__ == "__main__":
    asyncio.run(main())
