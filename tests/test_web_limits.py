"""The web app's body cap (MAX_BODY_BYTES, bot/guard.py): a body over it is answered 413 on every
route before any of it is kept, counted chunk by chunk as the server hands it over, whatever
Content-Length claims. Six unsigned 100 MB posts once grew a web process from 97 to 682 MB."""

import json
import socket

import pytest

from bot.guard import MAX_DEPTH, read_json
from fakes.graph_api import sign, wa_envelope, wa_text
from fakes.server import LoopbackServer

from tests.whatsapp_support import SECRET

LIMIT = 1_000_000  # the default
CHUNK = 64 * 1024


class Upload:
    """An ASGI client that streams `chunks` chunks of 64 KB and records what the app read and
    answered."""

    def __init__(self, chunks: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.left, self.read, self.status = chunks, 0, None
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/whatsapp/webhook",
            "raw_path": b"/whatsapp/webhook",
            "query_string": b"",
            "headers": [(b"host", b"ilpbot.test"), *headers],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }

    async def receive(self) -> dict:
        if self.left == 0:
            return {"type": "http.disconnect"}
        self.left -= 1
        self.read += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": self.left > 0}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]

    async def to(self, app) -> "Upload":
        await app(self.scope, self.receive, self.send)
        return self


@pytest.mark.parametrize(
    "headers",
    [[], [(b"content-length", b"100")], [(b"transfer-encoding", b"chunked")]],
    ids=["no-length", "lying-length", "chunked"],
)
async def test_a_stream_over_the_cap_is_refused_once_the_cap_is_passed(whatsapp, headers):
    upload = await Upload(64, headers).to(whatsapp.web)  # 4 MB on offer
    assert upload.status == 413
    assert upload.read == LIMIT // CHUNK + 1  # the chunk that passed the cap was the last read


async def test_a_declared_length_over_the_cap_is_refused_before_reading(whatsapp):
    upload = await Upload(64, [(b"content-length", str(100 * 2**20).encode())]).to(whatsapp.web)
    assert (upload.status, upload.read) == (413, 0)


@pytest.mark.parametrize("length", [b"-1", b"abc", b"1" * 40])
async def test_a_content_length_that_is_no_number_is_a_400(whatsapp, length):
    upload = await Upload(1, [(b"content-length", length)]).to(whatsapp.web)
    assert upload.status == 400


@pytest.mark.parametrize(
    "path", ["/whatsapp/webhook", "/telegram/webhook", "/healthz", "/metrics", "/nowhere"]
)
async def test_every_route_refuses_a_body_over_the_cap(whatsapp, path):
    response = await whatsapp.http.post(path, content=b"{" * (LIMIT + 1))
    assert response.status_code == 413


async def test_a_signed_payload_under_the_cap_still_arrives(whatsapp, graph):
    payload = wa_envelope([wa_text("6281200000001", "halo")])
    payload["padding"] = "x" * (LIMIT - 1000)  # Meta's fields we do not read
    body = json.dumps(payload).encode()
    assert LIMIT - 1000 < len(body) <= LIMIT
    headers = {"X-Hub-Signature-256": sign(body, SECRET)}
    response = await whatsapp.http.post("/whatsapp/webhook", content=body, headers=headers)
    assert response.status_code == 200
    await whatsapp.deliver()
    assert graph.messages("6281200000001")


async def test_uvicorn_answers_413_to_a_chunked_upload_of_any_size(whatsapp):
    """Over a real socket: the answer comes while the client is still sending."""
    head = b"POST /whatsapp/webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK)
    with LoopbackServer(whatsapp.web) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        with sock:
            sock.sendall(head)
            answer = _upload(sock, chunk, 10 * 2**20 // CHUNK)  # up to 10 MB
    assert answer.startswith(b"HTTP/1.1 413"), answer[:40]


def _upload(sock: socket.socket, chunk: bytes, times: int) -> bytes:
    """Sends `chunk` until the server answers (or `times` chunks and the last, empty one)."""
    for _ in range(times):
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
        sock.setblocking(False)
        try:
            answer = sock.recv(1024)
        except BlockingIOError:
            answer = b""
        sock.setblocking(True)
        if answer:
            return answer
    else:
        sock.sendall(b"0\r\n\r\n")
    return sock.recv(1024)


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "[Infinity]",
        '{"a": -Infinity}',
        "1e999",
        "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    ],
)
def test_json_no_platform_sends_is_refused(text):
    with pytest.raises(ValueError):
        read_json(text.encode())


def test_json_as_deep_as_allowed_is_read():
    assert read_json(("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()) is not None
