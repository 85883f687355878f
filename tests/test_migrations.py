"""The migrations: one line of history, a database from the old star mended onto it, and the
schema they build equal to the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from db import schema  # noqa: F401  (every model module)
from db.database import normalize_url
from db.migrate import STAR_HEADS, alembic_config, downgrade, upgrade
from db.models import Base

from conftest import BACKENDS, PG_URL, _pg_exec

LINE = ["0001", "0002", "0003", "0004", "0006wa", "0007", "0008", "0009", "0010", "0018"]
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
