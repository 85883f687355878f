"""What the web app refuses before any work: an oversized body, JSON no platform sends, an
identifier no platform makes. A refusal is a 4xx: a 5xx tells the platform (or a forger) to send
the same thing again, and an unbounded body is memory an attacker chooses."""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handlers.core.privacy import masked

# Telegram's and Meta's payloads nest about 10 levels (an entry's change's value's message's
# interactive reply …); no real one comes near this.
MAX_DEPTH = 32


def read_json(body: bytes) -> Any:
    """The body as JSON, or ValueError: invalid UTF-8 or JSON, NaN or an infinite number
    (json accepts `NaN`, `Infinity` and `1e999`), or nesting deeper than MAX_DEPTH."""
    try:
        data = json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError as exc:  # json's C scanner gives up at the interpreter's limit
        raise ValueError("JSON nested too deeply") from exc
    _shallow(data)
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON a platform sends")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def _shallow(data: Any) -> None:
    """Iterative, so a deep document cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH}")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children)


def identifier(value: Any, limit: int) -> str:
    """A platform's id (a message id, a phone number, a chat id) as we store it, or ValueError:
    a nested object, a control character (PostgreSQL refuses a NUL) or more characters than
    its column holds are a forger's, never the platform's."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"an id is text or a number, not {type(value).__name__}")
    text = str(value)
    if not text or len(text) > limit or not text.isprintable():
        raise ValueError(f"implausible id {masked(text[:limit])!r}")
    return text


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` is answered 413 without reading the
    rest, whatever its Content-Length says (or does not say: chunked). The body is counted
    chunk by chunk as the server hands it over, so memory per request stays under the cap;
    what passes is replayed to the app as one message."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is None:
            await PlainTextResponse("bad Content-Length", 400)(scope, receive, send)
            return
        if declared > self.max_bytes:
            await _too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("request body too large", 413)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length (0 when absent), None when it is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) <= 18 else None
    return 0


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # after the body: the server's http.disconnect
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
