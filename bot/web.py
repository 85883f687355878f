"""`ilpbot web`: the webhook app (Starlette on uvicorn) plus /healthz and, for a scraper that
holds METRICS_TOKEN, /metrics.

Stateless: dedupe, conversation locks and the outbox live in the database, so any number of
web processes against one PostgreSQL behave like one. Each channel module contributes its own
routes: add its factory to CHANNELS (a factory returns None when its channel is not configured).
"""

from __future__ import annotations

import gc
import hmac
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot import dashboard, metrics
from bot.app import App
from bot.channels import CHANNELS as REGISTRY
from bot.channels import install as channels_of
from bot.channels.telegram import web as telegram_web
from bot.channels.whatsapp import web as whatsapp_web
from bot.guard import BodyLimit
from bot.sender import Sender
from handlers.core import probes

log = logging.getLogger(__name__)


class WebChannel(Protocol):
    channel: str  # its name in bot.channels.CHANNELS
    routes: list[BaseRoute]

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...


ChannelFactory = Callable[[App], WebChannel | None]
CHANNELS: list[ChannelFactory] = [telegram_web.web_channel, whatsapp_web.web_channel]


def _tune_gc() -> None:
    """Every update leaves short-lived objects (ORM rows, PTB objects): with the default gen-0
    threshold of 700 the collector runs every few updates and rescans everything loaded at start
    (models, flows, catalogue) at each older-generation pass. Freeze what startup made and
    collect young objects less often: about 5-10 % of a web process's CPU."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def create_app(
    app: App, channels: Sequence[ChannelFactory] | None = None, sender: Sender | None = None
) -> Starlette:
    """`sender`: deliver the outbox in this process too (a single-process deployment)."""
    webs = [
        web
        for factory in (CHANNELS if channels is None else channels)
        if (web := factory(app)) is not None
    ]
    channels_of(app.runtime, [REGISTRY[web.channel] for web in webs])

    async def healthz(_request: Request) -> Response:
        try:
            await probes.database_ok(app.db)
        except Exception as exc:
            log.warning("health check: database unreachable: %s", exc)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics_endpoint(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get("authorization", "").encode(), bearer):
            metrics.refused("metrics", "bad_token", request.client)
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            await metrics.refresh_outbox_depth(app.db)
        except Exception as exc:  # still expose the rest
            log.warning("metrics: outbox depth unavailable: %s", exc)
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for web in webs:
            await web.startup()
        _tune_gc()
        if sender is not None:
            app.runtime.on_commit.append(sender.wake)
            sender.start()
        try:
            yield
        finally:
            if sender is not None:
                await sender.stop()
            for web in webs:
                await web.shutdown()

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    token = app.settings.metrics_token
    if token:  # the counts tell who uses the bot how much: not for anyone on the internet
        bearer = f"Bearer {token}".encode()
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    routes += [route for web in webs for route in web.routes]
    if app.settings.public_url:
        routes += dashboard.routes(app)
    limit = Middleware(BodyLimit, max_bytes=app.settings.max_body_bytes)
    return Starlette(routes=routes, lifespan=lifespan, middleware=[limit])
