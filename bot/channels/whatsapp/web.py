"""The WhatsApp webhook routes for `ilpbot web`: GET (Meta's verification handshake) and POST
/whatsapp/webhook (messages and delivery statuses).

A POST is trusted only with a valid X-Hub-Signature-256 over the raw body. Every message in it is
committed (dedupe by wamid in the same transaction) before the answer, so a 200 means durable;
an error answers 500 and Meta sends the payload again (the dedupe absorbs what was done).
"""

from __future__ import annotations

import hmac
import logging
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot import metrics
from bot.app import App
from bot.channels.whatsapp import window as whatsapp_window
from bot.channels.whatsapp.templates import Templates
from bot.channels.whatsapp.wire import CHANNEL, Webhook, parse, signature_ok
from bot.guard import read_json
from handlers.core.order import in_provider_order
from handlers.core.poison import handle_or_skip

log = logging.getLogger(__name__)

PATH = "/whatsapp/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"


class WhatsAppWebhook:
    channel = CHANNEL

    def __init__(self, app: App) -> None:
        settings = app.settings
        if not (settings.whatsapp_app_secret and settings.whatsapp_verify_token):
            raise ValueError(
                "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are required for the webhook: "
                "without them anyone could post messages in a user's name"
            )
        self.secret = settings.whatsapp_app_secret
        self.verify_token = settings.whatsapp_verify_token
        self.runtime = app.runtime
        self.templates = Templates.load(settings.whatsapp_templates_file)
        self.routes: list[BaseRoute] = [
            Route(PATH, self.verify, methods=["GET"]),
            Route(PATH, self.receive, methods=["POST"]),
        ]

    async def verify(self, request: Request) -> Response:
        """Meta checks the callback URL: echo the challenge only for our verify token."""
        query = request.query_params
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), self.verify_token.encode()
        ):
            return PlainTextResponse(query.get("hub.challenge", ""))
        return Response(status_code=403)

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        if not signature_ok(body, request.headers.get(SIGNATURE_HEADER), self.secret):
            metrics.refused(CHANNEL, "bad_signature", request.client)
            return Response(status_code=403)
        try:
            hook = parse(read_json(body))
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            log.warning("unreadable whatsapp webhook: %s", exc)
            return Response(status_code=400)
        try:
            await self.process(hook)
        except Exception:
            log.exception("whatsapp webhook failed; Meta will send it again")
            return Response(status_code=500)
        return Response(status_code=200)

    async def process(self, hook: Webhook) -> None:
        """Messages in their chat's order, each in its own transaction; then the statuses. A poison
        is answered and skipped (handlers.core.poison); a message the database could not take
        holds back only its own chat's later ones, and the payload is answered 500 at the end."""
        failure: Exception | None = None
        waiting: set[str] = set()  # chats whose earlier message Meta must send again
        for msg in (hook.messages[i] for i in in_provider_order(hook.messages)):
            if msg.chat_id in waiting:
                continue
            started = time.perf_counter()
            metrics.UPDATES.labels(CHANNEL).inc()
            try:
                await handle_or_skip(self.runtime, msg)
            except Exception as exc:
                metrics.ERRORS.labels(CHANNEL).inc()
                failure = failure or exc
                waiting.add(msg.chat_id)
            finally:
                metrics.HANDLE_SECONDS.labels(CHANNEL).observe(time.perf_counter() - started)
        if hook.statuses:
            await whatsapp_window.apply_statuses(hook.statuses, self.templates, self.runtime)
        if failure is not None:
            raise failure

    async def startup(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def web_channel(app: App) -> WhatsAppWebhook | None:
    """The routes for `bot.web.create_app`; None when WhatsApp is not configured."""
    settings = app.settings
    configured = settings.whatsapp_app_secret or settings.whatsapp_verify_token
    return WhatsAppWebhook(app) if configured or settings.whatsapp_enabled else None
