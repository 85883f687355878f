"""The long-running processes behind `ilpbot run | web | clock` and `ilpbot webhook …`.

`run` (the embedded default): long polling and the outbox sender in one process (and, with
WhatsApp configured too, its webhook on PORT).
`web`: the webhook app, WEB_CONCURRENCY worker processes on one port; `clock`: the one outbox sender and the scheduler (bot/clock.py), which
`run` also starts in its process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import uvicorn
from prometheus_client import start_http_server
from starlette.applications import Starlette
from telegram import BotCommand
from telegram.error import TelegramError

from bot import metrics
from bot.app import App, build, configure_logging, prepare_embedded
from bot.channels import CHANNELS, Deliverer, enveloped
from bot.channels import install as install_channels
from bot.channels.telegram import send as telegram_send
from bot.channels.telegram import wire as telegram
from bot.channels.telegram.channel import TELEGRAM
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.updates import TelegramUpdates
from bot.channels.whatsapp import web as whatsapp_web
from bot.channels.whatsapp.delivery import WhatsAppDelivery
from bot.clock import start_scheduler
from bot.config import Settings
from bot.media_fetch import fetchers
from bot.media_store import media_store
from bot.sender import Sender
from bot.web import create_app
from handlers.app import build_outbox_worker
from handlers.core.inbound import Runtime
from handlers.core.media import MediaWorker
from handlers.jobs import build_schedule

log = logging.getLogger(__name__)

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


def on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)


def outbox_sender(app: App) -> tuple[Sender, list[Deliverer]]:
    """The sender with a deliverer per configured channel, and the deliverers to close."""
    deliverers: dict[str, Deliverer] = {}
    for name, channel in CHANNELS.items():
        deliverer = channel.deliverer(app)
        if deliverer is not None:
            deliverers[name] = deliverer
    worker = build_outbox_worker(app.runtime, deliverers)
    worker.enveloped = enveloped(deliverers)  # WhatsApp's 24-hour window
    worker.inbound_rate = {  # Meta's throughput counts inbound messages too
        name: d.client.leave_room
        for name, d in deliverers.items()
        if isinstance(d, WhatsAppDelivery)
    }
    runtime = app.runtime
    store = media_store(app.settings)
    media = MediaWorker(app.db, fetchers(deliverers), store, runtime.clock, runtime.texts)
    sender = Sender(worker, media=media)
    media.on_commit.append(sender.wake)  # a refusal's message goes at once
    return sender, list(deliverers.values())


def bot_commands(runtime: Runtime) -> list[BotCommand]:
    """The commands everyone has, for Telegram's command menu (role menus come from /menu)."""
    seen: dict[str, BotCommand] = {}
    for command in runtime.commands.values():
        if "*" in command.roles and COMMAND_NAME.fullmatch(command.name):
            seen.setdefault(
                command.name, BotCommand(command.name, runtime.texts(command.label, "id"))
            )
    return list(seen.values())


def serve_metrics(settings: Settings) -> None:
    if settings.metrics_port:
        start_http_server(settings.metrics_port)
        log.info("metrics on :%s/metrics", settings.metrics_port)


class PollingBot:
    """`ilpbot run` with Telegram: long polling and the outbox sender in one process; a
    committed turn wakes the sender at once."""

    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.telegram_bot_token is not None
        runtime = app.runtime
        install_channels(runtime, [TELEGRAM])
        self.sender, self.clients = outbox_sender(app)
        runtime.on_commit.append(self.sender.wake)
        tg = telegram_send.client(settings.telegram_bot_token, settings.telegram_api_url)
        self.clients.append(tg)
        self.updates = TelegramUpdates(runtime, tg.bot)
        self.poller = Poller(tg.bot, self.updates, bot_commands(runtime))

    def stop(self) -> None:
        self.poller.stop()

    async def run(self) -> None:
        self.sender.start()
        try:
            await self.poller.run()
        finally:
            await self.poller.confirm()
            await self.updates.drain()
            await self.sender.stop()
            for client in self.clients:
                await client.close()


def start_clock(app: App):
    """The scheduler's ticks on the running loop (a catch-up tick runs at once)."""
    return start_scheduler(build_schedule(app.runtime), app.settings.bot_timezone)


async def run_polling(app: App) -> int:
    """Telegram by long polling; with WhatsApp configured too, its webhook is served on PORT in
    this process (WhatsApp has no polling), and this process's sender delivers both."""
    try:
        webhook = whatsapp_beside_polling(app)
    except ValueError as exc:  # an incomplete WhatsApp configuration
        print(f"error: {exc}")
        return 2
    bot = PollingBot(app)
    on_signals(bot.stop)
    serve_metrics(app.settings)
    scheduler = start_clock(app)
    serving = asyncio.create_task(webhook.serve()) if webhook else None
    try:
        await bot.run()
    finally:
        scheduler.shutdown(wait=False)
        if webhook is not None and serving is not None:
            webhook.should_exit = True
            await serving
    log.info("stopped")
    return 0


def whatsapp_beside_polling(app: App) -> uvicorn.Server | None:
    """The web app with the WhatsApp webhook only (Telegram is polled), without a sender of its
    own. uvicorn takes SIGINT/SIGTERM while it serves and passes them on when it stops, so the
    poller stops with it."""
    if not app.settings.whatsapp_enabled:
        return None
    web = create_app(app, channels=[whatsapp_web.web_channel])
    return uvicorn.Server(uvicorn.Config(web, **uvicorn_options(app.settings)))


async def run_clock(app: App) -> int:
    """The outbox sender and the scheduler until SIGTERM."""
    sender, clients = outbox_sender(app)
    stopped = asyncio.Event()
    on_signals(stopped.set)
    serve_metrics(app.settings)
    sender.start()
    scheduler = start_clock(app)
    try:
        await stopped.wait()
    finally:
        scheduler.shutdown(wait=False)
        await sender.stop()
        for client in clients:
            await client.close()
    return 0


async def serve_web(app: App, with_sender: bool = False, with_clock: bool = False) -> int:
    sender = outbox_sender(app) if with_sender else None
    try:
        web = create_app(app, sender=sender[0] if sender else None)
    except ValueError as exc:  # a channel's configuration is incomplete
        print(f"error: {exc}")
        for client in sender[1] if sender else []:
            await client.close()
        return 2
    scheduler = start_clock(app) if with_clock else None
    config = uvicorn.Config(web, **uvicorn_options(app.settings))
    try:
        await uvicorn.Server(config).serve()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for client in sender[1] if sender else []:
            await client.close()
    return 0


def dashboard_beside_console(app: App) -> uvicorn.Server:
    """The embedded demo's web app: the dashboard only, on 127.0.0.1, quiet in the console."""
    options = uvicorn_options(app.settings) | {"host": "127.0.0.1", "log_level": "warning"}
    return uvicorn.Server(uvicorn.Config(create_app(app, channels=[]), **options))


def uvicorn_options(settings: Settings) -> dict:
    return {
        "host": settings.web_host,
        "port": settings.port,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "access_log": False,  # the platform's router logs requests; one line per update is noise
        "log_config": None,  # keep the process's logging setup
    }


def serve_web_workers(settings: Settings, with_sender: bool = False) -> int:
    """`ilpbot web` with WEB_CONCURRENCY > 1: uvicorn's supervisor binds PORT once and spawns
    that many worker processes, each importing `web_worker` and building its own app. The
    workers share nothing but the database (see bot/web.py), so they behave like one."""
    if with_sender:
        print("error: --sender needs a single web process (WEB_CONCURRENCY=1); run `ilpbot clock`")
        return 2
    if not asyncio.run(_web_ready(settings)):
        return 2
    with _shared_metrics():
        uvicorn.run(
            f"{__name__}:web_worker",
            factory=True,
            workers=settings.web_concurrency,
            **uvicorn_options(settings),
        )
    return 0


@contextmanager
def _shared_metrics() -> Iterator[None]:
    """The workers' Prometheus counts in one directory (unless the operator chose one), set
    before they are spawned: prometheus_client reads it when a worker imports it."""
    if os.environ.get(metrics.MULTIPROC_DIR):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="ilpbot-metrics-") as shared:
        os.environ[metrics.MULTIPROC_DIR] = shared
        try:
            yield
        finally:
            del os.environ[metrics.MULTIPROC_DIR]


async def _web_ready(settings: Settings) -> bool:
    """Migrate the embedded database once, and refuse an incomplete channel configuration here
    rather than in every worker."""
    app = build(settings)
    try:
        await prepare_embedded(settings, app.db)
        create_app(app)
    except ValueError as exc:
        print(f"error: {exc}")
        return False
    finally:
        await app.close()
    return True


def web_worker() -> Starlette:
    """One `ilpbot web` worker process's app (an import-string factory for uvicorn)."""
    settings = Settings()
    configure_logging(settings)
    app = build(settings)
    web = create_app(app)
    serving = web.router.lifespan_context

    @asynccontextmanager
    async def lifespan(starlette: Starlette) -> AsyncIterator[None]:
        try:
            async with serving(starlette):
                yield
        finally:
            await app.close()

    web.router.lifespan_context = lifespan
    return web


async def webhook(app: App, action: str) -> int:
    """`ilpbot webhook set|delete|info` against TELEGRAM_API_URL."""
    settings = app.settings
    if not settings.telegram_bot_token:
        print("error: TELEGRAM_BOT_TOKEN is not set")
        return 2
    tg = telegram_send.client(settings.telegram_bot_token, settings.telegram_api_url)
    try:
        if action == "set":
            if not (settings.telegram_webhook_url and settings.telegram_webhook_secret):
                print("error: set TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET first")
                return 2
            await tg.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(telegram.ALLOWED_UPDATES),
                max_connections=settings.telegram_webhook_max_connections,
            )
            print(f"webhook set: {settings.telegram_webhook_url}")
        elif action == "delete":
            await tg.bot.delete_webhook(drop_pending_updates=False)
            print("webhook deleted (updates wait for polling)")
        else:
            info = await tg.bot.get_webhook_info()
            print(json.dumps(info.to_dict(), indent=2, default=str))
    except TelegramError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        await tg.close()
    return 0


async def resolve_bot_username(settings: Settings) -> None:
    """TELEGRAM_BOT_USERNAME, else asked once from getMe (for invite links)."""
    if settings.telegram_bot_username or not settings.telegram_bot_token:
        return
    tg = telegram_send.client(settings.telegram_bot_token, settings.telegram_api_url)
    try:
        settings.telegram_bot_username = (await tg.bot.get_me()).username
    except TelegramError as exc:
        log.warning("getMe failed, invite links need TELEGRAM_BOT_USERNAME: %s", exc)
    finally:
        await tg.close()
