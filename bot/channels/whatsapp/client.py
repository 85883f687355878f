"""A thin async client for the WhatsApp Cloud API (Graph API) on httpx.

Our own rather than pywa: the base URL must be configurable (a fake Graph API on 127.0.0.1 in
tests) and dedupe must live in the database. Every send answers a Delivery; Graph errors map to
retry (throughput, server trouble), failed (for good) or WINDOW (131047: the 24-hour customer
service window is closed, so only a template may go).
"""

from __future__ import annotations

import logging
import math
import mimetypes
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from bot.channels.limits import SlidingLimit
from bot.channels.send_thread import SendThread
from handlers.core.media import TooLarge
from handlers.core.outbox import SENDING_CLASS, Delivery

log = logging.getLogger(__name__)

Json = dict[str, Any]
T = TypeVar("T")
WINDOW = "window"  # a Delivery status only between this client and the WhatsApp deliverer
WINDOW_CLOSED = 131047
# Throughput, pair rate, capacity upgrade, temporary Meta trouble: try again later.
RETRY_CODES = {1, 2, 4, 17, 80007, 130429, 131000, 131016, 131056, 131057, 133004}
# The person cannot get WhatsApp messages from us: stop sending and say so.
UNREACHABLE_CODES = {131026, 131021, 131045, 131030}
THROUGHPUT = {130429, 80007, 4}
PAIR_RATE = 131056  # too many messages to one person: Meta's pair rate, about 1 per 6 s
PAIR_BACKOFF = 6.0
HEADROOM = 0.9  # the number's throughput counts inbound messages too
INBOUND_MARGIN = 1  # inbound arrives in bursts: a little more room than the rate just seen


def sending_limit(per_second: float, inbound: float = 0.0) -> int:
    """The sends in any sliding second this client allows itself on a number of `per_second`
    while `inbound` messages a second arrive (Meta's throughput counts both): what they leave,
    at most 90 % of the number, and never below half of it, so replies still go in a flood."""
    room = int(per_second - math.ceil(inbound) - INBOUND_MARGIN)
    ceiling = max(1, int(per_second * HEADROOM))
    return max(min(room, ceiling), max(1, int(per_second / 2)))


class WhatsAppClient:
    def __init__(
        self,
        api_url: str,
        token: str,
        phone_number_id: str,
        per_second: float = 80.0,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        thread: SendThread | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        # The sender's client does its HTTP on a loop of its own (bot/channels/send_thread.py):
        # the exact limit frees a slot a second after an answer is seen, so an answer seen late
        # on a busy loop is a send not made.
        self.thread = thread
        self.per_second = per_second
        per_window = sending_limit(per_second)
        self.limit = SlidingLimit(per_window, 1.0, spacing=1.0 / per_window)
        self._http = httpx.AsyncClient(
            base_url=api_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    async def _on_thread(self, work: Coroutine[Any, Any, T]) -> T:
        return await (self.thread.run(work) if self.thread else work)

    def leave_room(self, inbound_per_second: float) -> None:
        """The sender's word on the number's inbound rate (OutboxWorker.inbound_rate)."""
        limit = sending_limit(self.per_second, inbound_per_second)
        self.limit.limit, self.limit.spacing = limit, 1.0 / limit

    async def close(self) -> None:
        await self._on_thread(self._http.aclose())
        if self.thread is not None:
            await self.thread.close()

    async def send(self, to: str, body: Json) -> Delivery:
        """One message: `body` is a text/interactive/template/media object without `to`."""
        return await self._on_thread(self._send(to, body, SENDING_CLASS.get()))

    async def _send(self, to: str, body: Json, priority: int) -> Delivery:
        SENDING_CLASS.set(priority)  # on the send thread's loop, too
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        try:
            async with self.limit.slot():
                response = await self._http.post(
                    f"{self.phone_number_id}/messages", json={**payload, **body}
                )
        except httpx.HTTPError as exc:  # the send may or may not have happened: at-least-once
            return Delivery("retry", error=f"{type(exc).__name__}: {exc}")
        data = _json(response)
        if response.status_code == 200:
            messages = data.get("messages") or [{}]
            return Delivery("sent", provider_message_id=messages[0].get("id"))
        if response.status_code == 429 or (data.get("error") or {}).get("code") in THROUGHPUT:
            self.limit.pause(1.0)
        return graph_error(response.status_code, data, response.headers.get("retry-after"))

    async def upload(self, path: Path) -> str:
        """A local file as a media id for an image or document message."""
        return await self._on_thread(self._upload(path))

    async def _upload(self, path: Path) -> str:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files = {"file": (path.name, path.read_bytes(), mime)}
        data = {"messaging_product": "whatsapp", "type": mime}
        response = await self._http.post(f"{self.phone_number_id}/media", data=data, files=files)
        response.raise_for_status()
        return str(response.json()["id"])

    async def download(self, media_id: str, max_bytes: int | None = None) -> tuple[bytes, str]:
        """An inbound photo's bytes: the media URL lives 5 minutes and needs the token. A file
        Meta says is over `max_bytes` is not downloaded (TooLarge)."""
        return await self._on_thread(self._download(media_id, max_bytes))

    async def _download(self, media_id: str, max_bytes: int | None) -> tuple[bytes, str]:
        info = await self._http.get(media_id)
        info.raise_for_status()
        meta = info.json()
        if max_bytes is not None and int(meta.get("file_size") or 0) > max_bytes:
            raise TooLarge(f"{meta.get('file_size')} bytes")
        content = await self._http.get(meta["url"])
        content.raise_for_status()
        return content.content, str(meta.get("mime_type") or "")


def graph_error(status: int, data: Json, retry_after: str | None = None) -> Delivery:
    error = data.get("error") or {}
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details")
    text = f"HTTP {status} code {code}: {error.get('message', '')} {details or ''}".strip()
    if code == WINDOW_CLOSED:
        return Delivery(WINDOW, error=text)
    if code in UNREACHABLE_CODES:
        return Delivery("failed", error=text, unreachable=True)
    if code in RETRY_CODES or status == 429 or status >= 500 or status == 401:
        # 401: a token being rotated is fixed by people, not by dropping the message
        wait = float(retry_after) if retry_after and retry_after.isdigit() else None
        if code == PAIR_RATE:  # this person only: their next message waits, nobody else's
            wait = max(wait or 0.0, PAIR_BACKOFF)
        return Delivery("retry", retry_after=wait, error=text)
    return Delivery("failed", error=text)


def _json(response: httpx.Response) -> Json:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
