"""The migrations: one line of history, a database from the old star mended onto it, and the
schema they build equal to the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db import schema  # noqa: F401  (every model module)
from db.dana import DanaRequest
from db.database import Database, normalize_url
from db.migrate import STAR_HEADS, alembic_config, downgrade, upgrade
from db.models import Base, ChannelIdentity, Desa, Puskesmas, User
from db.seed import seed
from handlers.app import build_runtime
from handlers.core.text import Texts

from conftest import BACKENDS, PG_URL, START, Chat, _pg_exec

LINE = [
    "0001",
    "0002",
    "0003",
    "0004",
    "0006wa",
    "0007",
    "0008",
    "0009",
    "0010",
    "0019",
    "0012",
    "0016",
    "0011",
    "0013",
    "0015",
    "0017",
    "0018",
]
STAR_END = LINE.index("0009")  # the star's heads: 0002…0009


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = normalize_url(PG_URL).replace("postgresql+asyncpg", "postgresql")
    name = f"ilpbot_mig_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_exec(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_pg_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_sync(url: str, work, begin: bool = False):
    """`work(connection)` on the database, in a transaction when `begin`."""

    async def go():
        engine = create_async_engine(normalize_url(url), poolclass=NullPool)
        try:
            async with engine.begin() if begin else engine.connect() as conn:
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def tables(url: str) -> set[str]:
    return run_sync(url, lambda c: set(inspect(c).get_table_names())) - {"alembic_version"}


def versions(url: str) -> list[str]:
    return run_sync(url, lambda c: [*c.scalars(text("SELECT version_num FROM alembic_version"))])


def schema_diff(url: str) -> list:
    return run_sync(url, lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def test_the_history_is_one_line_with_one_head():
    assert script().get_heads() == [LINE[-1]]
    assert [r.revision for r in reversed(list(script().walk_revisions()))] == LINE
    assert set(LINE[1 : STAR_END + 1]) == STAR_HEADS


def test_migrations_build_every_table_on_an_empty_database_and_come_down_again(empty_url):
    upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)
    downgrade(empty_url, "base")
    assert tables(empty_url) == set()
    upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_the_models_and_the_migrations_agree(empty_url):
    upgrade(empty_url)
    assert schema_diff(empty_url) == []


def on_the_star(url: str, applied: set[str]) -> None:
    """The database as `upgrade heads` left it on the star: the revisions in `applied` (and
    0001) ran, one alembic_version row for each."""
    newest = max(applied, key=LINE.index)
    upgrade(url, newest)
    missed = [r for r in LINE[1 : LINE.index(newest)] if r not in applied]

    def undo(conn) -> None:
        with Operations.context(MigrationContext.configure(conn)):
            for revision in reversed(missed):
                script().get_revision(revision).module.downgrade()
        conn.execute(text("DELETE FROM alembic_version"))
        for revision in applied:
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})

    run_sync(url, undo, begin=True)


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
@pytest.mark.parametrize(
    "applied",
    [
        pytest.param(set(STAR_HEADS), id="every-head"),
        pytest.param({"0002", "0003", "0004", "0006wa", "0007"}, id="before-pmd"),
        pytest.param({"0003", "0004"}, id="before-reports"),  # 0002 came after 0004
    ],
)
@pytest.mark.slow  # seconds of waiting on a real server or migrations
def test_a_database_upgraded_on_the_star_upgrades_onto_the_line(empty_url, applied):
    on_the_star(empty_url, applied)
    assert sorted(versions(empty_url)) == sorted(applied)
    upgrade(empty_url)
    assert versions(empty_url) == [LINE[-1]]
    assert schema_diff(empty_url) == []
    downgrade(empty_url, "base")
    assert tables(empty_url) == set()


async def _a_request_from_before_routes(url: str) -> None:
    """Desa Sumber Urip's request DD-2026-1, approved and realised before 0015, and its
    requester's chat: rows as the app of 0010 wrote them."""
    db = Database(url)
    async with db.transaction() as session:
        await seed(session)
        desa = await session.scalar(select(Desa.id).where(Desa.kode == "17.02.11.2009"))
        pkm = await session.scalar(select(Puskesmas.id).where(Puskesmas.nama == "Sumber Urip"))
        user = dict(name="Siti Aminah", role="petugas", puskesmas_id=pkm, created_at=START)
        uid = (await session.execute(User.__table__.insert().values(**user))).inserted_primary_key[
            0
        ]
        chat = dict(channel="test", external_id="100", user_id=uid)
        await session.execute(ChannelIdentity.__table__.insert().values(**chat))
        old = dict(
            year=2026, number=1, desa_id=desa, puskesmas_id=pkm, requester_id=uid,
            kategori="stunting_pmt", uraian="PMT lokal balita gizi kurang", sasaran=30,
            jumlah=2_000_000, bulan="2026-11", status="selesai", version=3,
            jumlah_disetujui=1_500_000, decided_by=uid, decided_at=START,
            realisasi_jumlah=1_450_000, realisasi_tanggal=date(2026, 11, 23),
            created_at=START, submitted_at=START, updated_at=START,
        )  # fmt: skip
        await session.execute(DanaRequest.__table__.insert().values(**old))
    await db.dispose()


async def _read_by_its_requester(url: str) -> str:
    db = Database(url)
    try:
        runtime = build_runtime(db, Texts.load("Asia/Jakarta"), clock=lambda: START)
        [detail] = await Chat(runtime, "100").send("/dana DD-2026-1")
        return detail
    finally:
        await db.dispose()


def test_a_request_from_before_the_routes_stays_readable_with_its_route_not_recorded(empty_url):
    upgrade(empty_url, LINE[LINE.index("0015") - 1])  # the revision before the routes
    asyncio.run(_a_request_from_before_routes(empty_url))
    upgrade(empty_url)
    query = "SELECT status, rute, tahun_anggaran, realisasi_jumlah FROM dana_request"
    assert run_sync(empty_url, lambda c: [tuple(r) for r in c.execute(text(query))]) == [
        ("selesai", "tidak_tercatat", None, 1_450_000)
    ]
    detail = asyncio.run(_read_by_its_requester(empty_url))
    assert "Disetujui: Rp 1.500.000\nJalur anggaran: jalur tidak tercatat\n" in detail
    assert "Dana terealisasi: Rp 1.450.000 pada Senin, 23 November 2026 (-)" in detail
    downgrade(empty_url, "0010")  # and back, the request still there
    assert run_sync(empty_url, lambda c: c.scalar(text("SELECT count(*) FROM dana_request"))) == 1
