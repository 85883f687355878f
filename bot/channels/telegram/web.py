"""The Telegram webhook route for `ilpbot web`: POST /telegram/webhook.

The update is committed before the answer, so a 200 means "durable": a crash or a database
error answers 5xx and Telegram sends the update again (the dedupe absorbs repeats).
"""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot import metrics
from bot.app import App
from bot.channels.telegram.send import client
from bot.channels.telegram.updates import TelegramUpdates
from bot.channels.telegram.wire import CHANNEL, read_update
from bot.guard import read_json

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    channel = CHANNEL

    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.telegram_bot_token is not None
        if not settings.telegram_webhook_secret:
            raise ValueError(
                "TELEGRAM_WEBHOOK_SECRET is required for the webhook: without it anyone could "
                "post updates in a user's name"
            )
        self.secret = settings.telegram_webhook_secret.encode()
        self.client = client(settings.telegram_bot_token, settings.telegram_api_url)
        self.updates = TelegramUpdates(app.runtime, self.client.bot)
        self.routes: list[BaseRoute] = [Route(PATH, self.receive, methods=["POST"])]

    async def receive(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            metrics.refused("telegram", "bad_secret", request.client)
            return Response(status_code=403)
        try:
            update = read_update(read_json(await request.body()))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("unreadable telegram update: %s", exc)
            return Response(status_code=400)
        try:
            await self.updates.process(update)
        except Exception:
            log.exception(
                "telegram update %s failed; Telegram will send it again", update.update_id
            )
            return Response(status_code=500)
        return Response(status_code=200)

    async def startup(self) -> None:
        pass

    async def shutdown(self) -> None:
        await self.updates.drain()
        await self.client.close()


def web_channel(app: App) -> TelegramWebhook | None:
    """The route list for `bot.web.create_app`; None when Telegram is not configured."""
    return TelegramWebhook(app) if app.settings.telegram_enabled else None
