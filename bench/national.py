"""A national-size database for the benches: ~10,000 puskesmas in ~500 districts, a month of
daily cluster reports with their values, weekly management reports, SPM sasaran and a few dana
desa requests. Rejang Lebong (the real seed, district 17.02) is one of the districts.

Rows are written in bulk (SQLite executemany, PostgreSQL COPY), not through the report flow:
the aim is volume in the shape the report repository writes (one current version per slot,
a few corrected ones, values by indicator code).
"""

from __future__ import annotations

import asyncio
import functools
import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from conversations.flows import load_all
from conversations.forms.report_common import KLASTERS, indicators
from conversations.forms.spm import SPM_KEYS
from db.database import normalize_url

WIB = ZoneInfo("Asia/Jakarta")
DISTRICT_SIZE = 20  # puskesmas per synthetic district
DAILY = tuple(k for k in KLASTERS if not k.weekly)
WEEKLY = tuple(k for k in KLASTERS if k.weekly)


@dataclass(frozen=True)
class Shape:
    puskesmas: int = 10_000
    days: int = 31  # days of reports ending on `end` (the digest needs 28 + 1 + a margin)
    end: date = date(2026, 11, 23)
    filed: float = 0.85  # share of daily slots filed
    seed: int = 7


def _codes() -> dict[str, list[tuple[str, int]]]:
    """Per klaster: (indicator code, bound of its made-up daily values) from the real forms."""
    flows = load_all()
    out = {}
    for spec in KLASTERS:
        steps = indicators(flows[spec.flow])
        out[spec.key] = [(s.code, max(2, (s.soft_max or 1) // 8)) for s in steps]
    return out


class Rows:
    """Generates the rows table by table, with ids continuing after what the seed holds."""

    def __init__(self, shape: Shape, start: dict[str, int], rl_puskesmas: list[int]) -> None:
        self.shape, self.start, self.rl = shape, start, rl_puskesmas
        self.rand = random.Random(shape.seed)
        self.codes = _codes()
        extra = shape.puskesmas - len(rl_puskesmas)
        self.new_puskesmas = list(range(start["puskesmas"] + 1, start["puskesmas"] + 1 + extra))
        self.all_puskesmas = [*rl_puskesmas, *self.new_puskesmas]
        self.user_of = {p: start["user"] + 1 + i for i, p in enumerate(self.all_puskesmas)}
        self.report_id = start["report"]
        self.all_day: dict[tuple[date, str], int] = {}
        self.year: dict[tuple[int, int, str], int] = {}

    def kecamatan(self) -> Iterator[tuple]:
        for n in range(len(self.new_puskesmas) // 2 + 1):
            district = n // (DISTRICT_SIZE // 2)
            kode = f"{91 + district // 99:02d}.{district % 99 + 1:02d}.{n % 10 + 1:02d}"
            yield (self.start["kecamatan"] + 1 + n, kode, f"Kecamatan {n}")

    def puskesmas(self) -> Iterator[tuple]:
        for i, pid in enumerate(self.new_puskesmas):
            kecamatan = self.start["kecamatan"] + 1 + i // 2
            yield (pid, f"PKM {pid:05d}", kecamatan, False, i % 5 == 0)

    def users(self, now: datetime) -> Iterator[tuple]:
        for pid, uid in self.user_of.items():
            yield (uid, f"Petugas {pid}", "petugas", pid, True, "id", now)

    def reports(self) -> Iterator[tuple[tuple, list[tuple], bool]]:
        """(report row, its value rows, whether it is the current version), slot by slot."""
        shape, rand = self.shape, self.rand
        seq: dict[date, int] = {}
        first = shape.end - timedelta(days=shape.days - 1)
        for pid in self.all_puskesmas:  # puskesmas by puskesmas: most indexes fill in order
            diligence = 0.55 if pid % 13 == 0 else shape.filed
            for offset in range(shape.days):
                day = first + timedelta(days=offset)
                for spec in DAILY:
                    if rand.random() < diligence:
                        yield from self._slot(pid, spec.key, day, day, seq)
                if day.weekday() == 0:
                    for spec in WEEKLY:
                        if rand.random() < diligence:
                            yield from self._slot(pid, spec.key, day, day + timedelta(6), seq)

    def _slot(self, pid: int, klaster: str, start: date, end: date, seq: dict) -> Iterator:
        corrected = self.rand.random() < 0.02
        for version in (1, 2) if corrected else (1,):
            self.report_id += 1
            seq[start] = seq.get(start, 0) + 1
            hour = self.rand.choice((9, 11, 13, 14, 15, 17, 19))
            local = datetime.combine(start, time(hour, self.rand.randrange(60)), WIB)
            at = (local + timedelta(hours=version - 1)).astimezone(UTC)
            current = version == (2 if corrected else 1)
            replaces = self.report_id - 1 if version == 2 else None
            row = (
                self.report_id, start, seq[start], pid, None, klaster, start, end, version,
                current, replaces, self.user_of[pid], "telegram", at, at, 1, False, None,
            )  # fmt: skip
            draws = self.rand.choices(range(64), k=len(self.codes[klaster]))
            values = [
                (self.report_id, code, draw % top, False)
                for (code, top), draw in zip(self.codes[klaster], draws, strict=True)
            ]
            yield row, values, current

    def totals(self, pid: int, day: date, values: list[tuple]) -> list[tuple]:
        """What store_report adds to the running totals for a current version (db/totals.py)."""
        for _, code, value, _ in values:
            self.all_day[(day, code)] = self.all_day.get((day, code), 0) + value
            key = (pid, day.year, code)
            self.year[key] = self.year.get(key, 0) + value
        return [(pid, day, code, value) for _, code, value, _ in values]

    def sasaran(self, now: datetime) -> Iterator[tuple]:
        n = self.start["sasaran"]
        for pid in self.all_puskesmas:
            for spm in SPM_KEYS:
                n += 1
                yield (n, self.shape.end.year, pid, spm, self.rand.randrange(400, 6000), now)


REPORT_COLUMNS = (
    "id", "ref_day", "ref_seq", "puskesmas_id", "desa_id", "klaster", "period_start",
    "period_end", "version", "is_current", "replaces_id", "user_id", "channel", "sent_at",
    "received_at", "form_version", "klb", "details",
)  # fmt: skip
TABLES = {
    "kecamatan": ("id", "kode", "nama"),
    "puskesmas": ("id", "nama", "kecamatan_id", "kecamatan_uncertain", "rawat_inap"),
    "app_user": ("id", "name", "role", "puskesmas_id", "active", "locale", "created_at"),
    "report": REPORT_COLUMNS,
    "report_value": ("report_id", "indicator", "value", "overridden"),
    "sasaran": ("id", "tahun", "puskesmas_id", "spm", "target", "updated_at"),
    "total_day": ("puskesmas_id", "day", "indicator", "total"),
    "total_all_day": ("day", "indicator", "total"),
    "total_year": ("puskesmas_id", "tahun", "indicator", "total"),
}


def _batches(rows: Rows, now: datetime) -> Iterator[tuple[str, list[tuple]]]:
    yield "kecamatan", list(rows.kecamatan())
    yield "puskesmas", list(rows.puskesmas())
    yield "app_user", list(rows.users(now))
    yield "sasaran", list(rows.sasaran(now))
    reports: list[tuple] = []
    values: list[tuple] = []
    day_totals: list[tuple] = []
    for report, report_values, current in rows.reports():
        reports.append(report)
        values.extend(report_values)
        if current:
            day_totals.extend(rows.totals(report[3], report[6], report_values))
        if len(values) >= 200_000:
            yield "report", reports
            yield "report_value", values
            yield "total_day", day_totals
            reports, values, day_totals = [], [], []
    yield "report", reports
    yield "report_value", values
    yield "total_day", day_totals
    yield "total_all_day", [(d, c, t) for (d, c), t in rows.all_day.items()]
    yield "total_year", [(p, y, c, t) for (p, y, c), t in rows.year.items()]


# --- SQLite --------------------------------------------------------------------------------

PLAIN = {"report_value", "total_year"}  # nothing to convert for sqlite3
BIG = ("report", "report_value", "total_day")


def _sqlite_path(url: str) -> str:
    return normalize_url(url).split(":///", 1)[1]


@functools.cache
def _iso(day: date) -> str:
    return day.isoformat()


def _sqlite_rows(table: str, batch: list[tuple]) -> list[tuple]:
    """Dates as sqlite3 wants them; only the columns that hold one (tens of millions of values)."""
    if table in PLAIN:
        return batch
    if table == "total_day":
        return [(p, _iso(d), c, t) for p, d, c, t in batch]
    if table == "report":
        return [
            (*r[:1], _iso(r[1]), *r[2:6], _iso(r[6]), _iso(r[7]), *r[8:13],
             _sqlite_value(r[13]), _sqlite_value(r[14]), *r[15:])
            for r in batch
        ]  # fmt: skip
    return [tuple(_sqlite_value(v) for v in row) for row in batch]


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _seed_sqlite(url: str, shape: Shape, now: datetime) -> dict[str, int]:
    conn = sqlite3.connect(_sqlite_path(url))
    # A bulk load: no journal, no syncs, a big page cache (WAL again at the end).
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
        conn.execute(f"PRAGMA {pragma}")
    # Secondary indexes are built once at the end (sorting beats millions of random inserts).
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(t) for t in BIG)})"
    ).fetchall()
    try:
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        rows = Rows(shape, _starts(conn.execute), _rl(conn.execute))
        counts: dict[str, int] = {}
        for table, batch in _batches(rows, now):
            columns = TABLES[table]
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            conn.executemany(sql, _sqlite_rows(table, batch))
            counts[table] = counts.get(table, 0) + len(batch)
        for _, sql in indexes:
            conn.execute(sql)
        conn.commit()
        conn.execute("PRAGMA analysis_limit=1000")  # sampled statistics: seconds, not minutes
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
        return counts
    finally:
        conn.close()


def _starts(execute) -> dict[str, int]:
    tables = {"kecamatan": "id", "puskesmas": "id", "user": "id", "report": "id", "sasaran": "id"}
    names = {"user": "app_user"}
    return {
        key: execute(f"SELECT coalesce(max({col}), 0) FROM {names.get(key, key)}").fetchone()[0]
        for key, col in tables.items()
    }


def _rl(execute) -> list[int]:
    return [r[0] for r in execute("SELECT id FROM puskesmas ORDER BY id").fetchall()]


# --- PostgreSQL ----------------------------------------------------------------------------


async def _seed_postgres(url: str, shape: Shape, now: datetime) -> dict[str, int]:
    conn = await asyncpg.connect(normalize_url(url).replace("postgresql+asyncpg", "postgresql"))
    # A bulk load of rows consistent by construction: no per-row foreign key triggers.
    await conn.execute("SET session_replication_role = replica")
    try:
        starts = {}
        for key, table in (
            ("kecamatan", "kecamatan"),
            ("puskesmas", "puskesmas"),
            ("user", "app_user"),
            ("report", "report"),
            ("sasaran", "sasaran"),
        ):
            starts[key] = await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}")
        rl = [r["id"] for r in await conn.fetch("SELECT id FROM puskesmas ORDER BY id")]
        rows = Rows(shape, starts, rl)
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            list(BIG),
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        counts: dict[str, int] = {}
        for table, batch in _batches(rows, now):
            await conn.copy_records_to_table(table, records=batch, columns=list(TABLES[table]))
            counts[table] = counts.get(table, 0) + len(batch)
        for index in indexes:
            await conn.execute(index["indexdef"])
        for table in ("kecamatan", "puskesmas", "app_user", "report", "sasaran"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
        return counts
    finally:
        await conn.close()


async def seed_national(url: str, shape: Shape = Shape()) -> dict[str, int]:
    """Adds the national volume to a migrated database seeded with the real master data."""
    now = datetime.combine(shape.end, time(6, 0), WIB).astimezone(UTC)
    if normalize_url(url).startswith("sqlite"):
        return await asyncio.to_thread(_seed_sqlite, url, shape, now)
    return await _seed_postgres(url, shape, now)
