"""/healthz and /metrics read the database without a write transaction: a probe answers while
another connection (a CLI command, another process) holds SQLite's write lock."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.app import build
from bot.config import Settings
from bot.web import create_app
from db import queries
from handlers.core.outgoing import Outgoing

from tests.telegram_support import METRICS_TOKEN, SCRAPER


@pytest.fixture
async def web(db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    app = build(Settings(_env_file=None, database_url=db_url, metrics_token=METRICS_TOKEN))
    transport = httpx.ASGITransport(create_app(app, channels=[]))
    async with httpx.AsyncClient(transport=transport, base_url="http://ilpbot") as http:
        yield app, http
    await app.close()


async def test_probes_answer_while_another_connection_holds_the_write_lock(web):
    app, http = web
    now = app.runtime.clock()
    async with app.db.transaction() as session:
        out = Outgoing("probe", "1", "halo")
        await queries.add_outbox(
            session, channel="probe", chat_id="1", payload=out.to_json(), kind="notice", now=now
        )
    path = make_url(app.db.url).database
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock until the rollback below
        try:
            health = await http.get("/healthz")
            metrics = (await http.get("/metrics", headers=SCRAPER)).text
        finally:
            writer.execute("ROLLBACK")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert 'ilpbot_outbox_pending{channel="probe"} 1.0' in metrics
