"""Run an ASGI app on a real loopback socket for tests.

The fakes must be reachable over real HTTP so the production clients (PTB's httpx
transport, our httpx WhatsApp client) are exercised unmodified. The server gets its own
thread and event loop so it keeps serving while a sync test blocks, and so it never
competes with (or depends on) pytest-asyncio's loop in the main thread.
"""

from __future__ import annotations

import email.parser
import email.policy
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A port free now, for a process the test starts itself (it binds the port on its own)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LoopbackServer:
    """uvicorn on 127.0.0.1:<free port> in a daemon thread; `url` is valid after start()."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LoopbackServer not started")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        if self._server is not None:
            return self
        # Bind ourselves (port 0 = kernel picks) and hand the socket to uvicorn, so there is
        # no race between "find a free port" and "listen on it".
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            log_config=None,  # don't reconfigure global logging (would fight pytest's caplog)
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="loopback-server", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self._server = self._thread = None
                sock.close()
                raise RuntimeError("LoopbackServer failed to start")
            time.sleep(0.005)
        self._sock = sock
        return self

    def stop(self, timeout: float = 5.0) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout)
        self._sock.close()
        self._server = self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServedApp:
    """Base for fakes: owns `self.app` served by a LoopbackServer, with the same lifecycle."""

    app: ASGIApp

    def _serve(self, app: ASGIApp) -> None:
        self.app = app
        self.server = LoopbackServer(app)

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.server.url


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, dict]]:
    """Split a multipart/form-data body into (text fields, files).

    Files are summarised as {"filename", "size", "content_type", "data"}: tests assert on
    what was uploaded, not on bytes-level multipart details. The stdlib MIME parser avoids
    a python-multipart dependency.
    """
    raw = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    fields: dict[str, str] = {}
    files: dict[str, dict[str, Any]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload: bytes = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = payload.decode("utf-8", "replace")
        else:
            files[str(name)] = {
                "filename": filename,
                "size": len(payload),
                "content_type": part.get_content_type(),
                "data": payload,
            }
    return fields, files


def worst_window(times: list[float], window: float) -> int:
    """The most sorted events in any sliding window [t, t + window): the busiest window starts
    at an event, so looking from each event counts every window."""
    most, j = 0, 0
    for i, start in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] - start < window:
            j += 1
        most = max(most, j - i)
    return most


def sliding_windows(times: list[float], window: float, limit: int) -> list[tuple[float, int]]:
    """(start, count) of windows holding more than `limit` sorted events; one per burst."""
    out: list[tuple[float, int]] = []
    i = 0
    while i < len(times):
        j = i
        while j < len(times) and times[j] - times[i] < window:
            j += 1
        if j - i > limit:
            out.append((times[i], j - i))
            i = j  # skip the rest of this burst: one burst yields one report, not dozens
        else:
            i += 1
    return out
