"""The composition root: settings → database, texts, runtime."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.media_store import media_store
from bot.redact import redact_logs
from db.database import Database
from db.migrate import upgrade_async
from handlers.app import build_runtime
from handlers.core import media
from handlers.core.inbound import Runtime
from handlers.core.setup import seed_if_empty
from handlers.core.text import Texts

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    runtime: Runtime

    async def close(self) -> None:
        await self.db.dispose()


def configure_logging(settings: Settings) -> None:
    """The process's logging: the CLI's and each `ilpbot web` worker's (they are spawned)."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per API call
    redact_logs(
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
        settings.whatsapp_access_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.metrics_token,
    )


def build(settings: Settings) -> App:
    db = Database(settings.database_url)
    texts = Texts.load(settings.bot_timezone)
    runtime = build_runtime(db, texts, settings=settings.runtime())
    fetched = frozenset(
        name
        for name, on in (
            ("telegram", settings.telegram_enabled),
            ("whatsapp", settings.whatsapp_enabled),
            ("console", True),  # a console terminal fetches its own files (`foto <path>`)
        )
        if on
    )
    show = media.shower(media_store(settings), settings.export_dir, fetched)
    runtime.file_builders["media"] = show
    return App(settings, db, runtime)


async def prepare_embedded(settings: Settings, db: Database) -> None:
    """The embedded SQLite default migrates and seeds itself; PostgreSQL uses `ilpbot db upgrade`."""
    if not settings.is_sqlite:
        return
    # Alembic's lines on every start would fill the console chat; `ilpbot db upgrade` keeps them.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    await upgrade_async(settings.database_url)
    report = await seed_if_empty(db)
    if report is not None:
        log.info(
            "seeded %s kecamatan, %s desa, %s puskesmas",
            report.kecamatan,
            report.desa,
            report.puskesmas,
        )
