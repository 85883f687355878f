"""Fake WhatsApp Cloud API (Graph API) over real HTTP, plus inbound webhook builders.

Our httpx client posts to ``{fake.base_url}/{phone_number_id}/messages`` exactly as it would
to graph.facebook.com. Payload limits are Meta's documented ones; breaking one answers 400
like Meta does *and* lands in ``.violations`` so a test can assert none happened. Meta's send
limits are checked after the fact (``rate_violations``), or refused as Meta refuses them once
``enforce()`` is called (fakes/graph_limits.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict, Unpack

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .graph_limits import MetaLimits
from .server import ServedApp, parse_multipart, sliding_windows, worst_window

Json = dict[str, Any]
Handler = Callable[[Request, Json], Awaitable[Json]]  # fills the recorded body, returns reply
DISPLAY_PHONE = "6281100000000"
# code -> (title, details) as Meta words them; used when a fault gives no message.
_WINDOW = "Message failed to send because more than 24 hours have passed since the customer "
_ERRORS = {
    100: ("Invalid parameter", None),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131047: ("Re-engagement message", _WINDOW + "last replied to this number."),
    131056: ("Pair rate limit hit", "Too many messages sent to the same recipient."),
}


@dataclass(frozen=True)
class GraphCall:
    method: str  # HTTP verb
    path: str
    body: Json
    at: float  # time.monotonic() on arrival
    status: int = 200
    response: Json = field(default_factory=dict)


class GraphError(Exception):
    """A Graph API error response: `status` plus Meta's {"error": {...}} body."""

    def __init__(self, status: int, code: int, message: str | None = None, **extra: str) -> None:
        title, details = _ERRORS.get(code, (message or "Error", None))
        prefix = "" if code == 190 else f"(#{code}) "  # Meta omits it for token errors
        trace = "A" + uuid.uuid4().hex[:22]
        self.status, message = status, prefix + (message or title)
        self.body: Json = dict(
            message=message, type=extra.get("type", "OAuthException"), code=code, fbtrace_id=trace
        )
        if details := extra.get("details", details):
            self.body["error_data"] = {"messaging_product": "whatsapp", "details": details}
        super().__init__(message)


def _max(label: str, value: Any, limit: int) -> list[str]:
    n = len(value) if isinstance(value, str) else 0
    return [f"{label} is {n} chars (max {limit})"] if n > limit else []


def _check_interactive(i: Json) -> list[str]:
    kind, action = i.get("type"), i.get("action") or {}
    body_text = (i.get("body") or {}).get("text")
    out = [] if body_text or kind not in ("button", "list") else ["interactive.body.text required"]
    out += _max("interactive.body.text", body_text, 1024)
    out += _max("interactive.header.text", (i.get("header") or {}).get("text"), 60)
    out += _max("interactive.footer.text", (i.get("footer") or {}).get("text"), 60)
    if kind == "button":
        replies = [b.get("reply") or {} for b in action.get("buttons") or []]
        if not 1 <= len(replies) <= 3:
            out.append(f"reply buttons: {len(replies)} given (1-3 allowed)")
        for n, r in enumerate(replies):
            out += [] if r.get("title") and r.get("id") else [f"button[{n}] needs id and title"]
            out += _max(f"button[{n}].title {r.get('title')!r}", r.get("title"), 20)
            out += _max(f"button[{n}].id", r.get("id"), 256)
        for key in ("id", "title"):
            if len({r.get(key) for r in replies}) != len(replies):
                out.append(f"button {key}s must be unique")
    elif kind == "list":
        out += [] if action.get("button") else ["list action.button label required"]
        out += _max("list action.button", action.get("button"), 20)
        sections = action.get("sections") or []
        rows = [r for s in sections for r in s.get("rows") or []]
        if not 1 <= len(sections) <= 10:
            out.append(f"list: {len(sections)} sections (1-10 allowed)")
        if not 1 <= len(rows) <= 10:
            out.append(f"list: {len(rows)} rows in total (1-10 allowed)")
        if len(sections) > 1 and not all(s.get("title") for s in sections):
            out.append("list: section titles are required with more than one section")
        for n, s in enumerate(sections):
            out += _max(f"section[{n}].title", s.get("title"), 24)
        for n, r in enumerate(rows):
            out += [] if r.get("id") and r.get("title") else [f"row[{n}] needs id and title"]
            out += _max(f"row[{n}].title {r.get('title')!r}", r.get("title"), 24)
            out += _max(f"row[{n}].description", r.get("description"), 72)
            out += _max(f"row[{n}].id", r.get("id"), 200)
        if len({r.get("id") for r in rows}) != len(rows):
            out.append("list row ids must be unique")
    return out


def check_message(body: Json) -> list[str]:
    """Everything Meta would reject in a /messages payload, as readable strings."""
    out = [] if body.get("messaging_product") == "whatsapp" else ["messaging_product missing"]
    out += [] if body.get("to") else ["to missing"]
    kind = body.get("type", "text")
    if kind == "text":
        text = (body.get("text") or {}).get("body")
        out += _max("text.body", text, 4096) if text else ["text.body required"]
    elif kind == "interactive":
        out += _check_interactive(body.get("interactive") or {})
    elif kind == "template":
        tpl = body.get("template") or {}
        out += [] if tpl.get("name") else ["template.name required"]
        lang = (tpl.get("language") or {}).get("code")
        out += [] if lang else ["template.language.code required"]
    return out


class FakeGraphApi(ServedApp):
    def __init__(self, token: str | None = "test-token", version: str = "v21.0") -> None:
        self.token, self.version = token, version  # token None = accept any bearer
        self.calls: list[GraphCall] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._media: dict[str, tuple[bytes, str]] = {}
        self._outside: set[str] = set()
        self.limits = MetaLimits()
        self.clear_faults()
        routes = [
            Route("/_media/{media_id}", self._download, methods=["GET"]),
            Route("/{version}/{node}/messages", self._endpoint(self._messages), methods=["POST"]),
            Route("/{version}/{node}/media", self._endpoint(self._upload), methods=["POST"]),
            Route("/{version}/{node}", self._endpoint(self._media_info), methods=["GET"]),
        ]
        self._serve(Starlette(routes=routes))

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/{self.version}"

    def messages(self, to: str | None = None) -> list[Json]:
        """Bodies of accepted /messages sends (read receipts excluded), in order."""
        with self._lock:
            calls = [c for c in self.calls if c.path.endswith("/messages") and c.status == 200]
        bodies = [c.body for c in calls if "to" in c.body]
        return [b for b in bodies if to is None or b["to"] == to]

    # -- faults ---------------------------------------------------------------------
    def fail_next(self, status: int, code: int, times: int = 1, message: str | None = None) -> None:
        with self._lock:
            self._fail_next.extend(GraphError(status, code, message) for _ in range(times))

    def outside_window(self, wa_id: str) -> None:
        """Free-form sends to wa_id fail with 131047 until inside_window(); templates pass.
        (Real Meta accepts the send and reports 131047 in a `failed` status webhook; failing
        synchronously keeps tests simple and still exercises our fallback path.)"""
        with self._lock:
            self._outside.add(wa_id)

    def inside_window(self, wa_id: str) -> None:
        with self._lock:
            self._outside.discard(wa_id)

    def enforce(
        self, per_second: int = 80, pair_seconds: float = 6.0, pair_burst: int = 45
    ) -> None:
        """From now on refuse what Meta refuses: a send over the number's throughput in any
        sliding second gets 130429, one over a recipient's pair rate 131056 (both HTTP 400, as
        in Meta's error codes table). Refused sends are recorded, never delivered."""
        with self._lock:
            self.limits.enforce(per_second, pair_seconds, pair_burst)

    def saturate(self, wa_id: str, seconds: float) -> None:
        """Sends to wa_id get 131056 for `seconds`, as if another sender on the number had
        used up the pair rate; everyone else is served as usual."""
        with self._lock:
            self.limits.saturate(wa_id, time.monotonic() + seconds)

    def refused(self, code: int | None = None) -> list[GraphCall]:
        """/messages sends answered with an error (with Meta's `code`, if given), in order."""
        with self._lock:
            calls = [c for c in self.calls if c.path.endswith("/messages") and c.status != 200]
        return [c for c in calls if code is None or c.response["error"]["code"] == code]

    def worst_second(self) -> int:
        """The most /messages sends (refused ones too) that arrived in any sliding second."""
        with self._lock:
            times = sorted(c.at for c in self.calls if "to" in c.body)
        return worst_window(times, 1.0)

    def storm_429(self, probability: float, seed: int = 0) -> None:
        with self._lock:
            self._storm = (probability, random.Random(seed))

    def clear_faults(self) -> None:
        self._fail_next: list[GraphError] = []
        self._storm: tuple[float, random.Random] | None = None

    def add_media(
        self, data: bytes, mime_type: str = "image/jpeg", media_id: str | None = None
    ) -> str:
        """Make a media id resolvable, e.g. one referenced by a wa_image() webhook."""
        with self._lock:
            media_id = media_id or f"media-{next(self._seq)}"
            self._media[media_id] = (data, mime_type)
        return media_id

    def rate_violations(self, per_user_seconds: float = 6.0, burst: int = 45) -> list[str]:
        """Meta's pair rate (1 msg / 6 s per user, bursts up to 45 then pay it back), as a
        token bucket, plus the default 80 msg/s business-phone throughput."""
        with self._lock:
            sends = [c for c in self.calls if c.status == 200 and "to" in c.body]
        t0 = min((c.at for c in sends), default=0.0)
        out = [
            f"overall: {n} messages in 1s at t={t - t0:.2f}s (max 80/s)"
            for t, n in sliding_windows(sorted(c.at for c in sends), 1.0, 80)
        ]
        by_recipient: dict[str, list[float]] = defaultdict(list)
        for c in sends:
            by_recipient[c.body["to"]].append(c.at)
        for to, times in by_recipient.items():
            tokens, last, over = float(burst), None, []
            for at in sorted(times):
                if last is not None:
                    tokens = min(burst, tokens + (at - last) / per_user_seconds)
                last, tokens = at, tokens - 1
                if tokens < 0:
                    over.append(at)
            if over:
                out.append(
                    f"user {to}: {len(over)} messages over the pair rate (1 per "
                    f"{per_user_seconds:g}s, burst {burst}) from t={over[0] - t0:.2f}s"
                )
        return out

    # -- HTTP -----------------------------------------------------------------------
    def _auth(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token or self.token not in (None, token):
            raise GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token")

    def _endpoint(self, handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
        """Shared plumbing: auth, Graph error bodies, and recording every call."""

        async def endpoint(request: Request) -> JSONResponse:
            at = time.monotonic()
            seen: Json = {}
            try:
                self._auth(request)
                status, resp = 200, await handler(request, seen)
            except GraphError as err:
                status, resp = err.status, {"error": err.body}
            at = getattr(request.state, "arrived", at)  # the time the limits judged it by
            call = GraphCall(request.method, request.url.path, seen, at, status, resp)
            with self._lock:
                self.calls.append(call)
            return JSONResponse(resp, status_code=status)

        return endpoint

    async def _messages(self, request: Request, seen: Json) -> Json:
        try:
            seen.update(json.loads(await request.body()))
        except ValueError:
            raise GraphError(400, 100, details="Request body is not JSON") from None
        with self._lock:  # sends are judged in the order of their arrival times
            request.state.arrived = time.monotonic()
            return self._send(seen, request.state.arrived)

    def _send(self, body: Json, at: float) -> Json:
        if body.get("status") == "read":  # mark-as-read / typing indicator, not a message
            return {"success": True}
        if self._fail_next:
            raise self._fail_next.pop(0)
        if problems := check_message(body):
            self.violations.extend(problems)
            raise GraphError(400, 100, details="; ".join(problems))
        to = str(body["to"])
        if to in self._outside and body.get("type") != "template":
            raise GraphError(400, 131047)
        if self._storm and self._storm[1].random() < self._storm[0]:
            raise GraphError(429, 130429)
        if code := self.limits.refusal(to, at):
            raise GraphError(400, code)
        wamid = "wamid." + base64.b64encode(f"FAKE.{to}.{next(self._seq):08d}".encode()).decode()
        contacts = [{"input": to, "wa_id": to}]
        return dict(messaging_product="whatsapp", contacts=contacts, messages=[{"id": wamid}])

    async def _upload(self, request: Request, seen: Json) -> Json:
        ctype = request.headers.get("content-type", "")
        fields, files = parse_multipart(ctype, await request.body())
        upload = files.get("file") or {}
        seen.update(fields, file={k: v for k, v in upload.items() if k != "data"})
        if fields.get("messaging_product") != "whatsapp" or not upload:
            raise GraphError(400, 100, details="messaging_product and file are required")
        return {"id": self.add_media(upload["data"], fields.get("type") or upload["content_type"])}

    async def _media_info(self, request: Request, seen: Json) -> Json:
        media_id = request.path_params["node"]
        if media_id not in self._media:
            msg = f"Unsupported get request. Object with ID '{media_id}' does not exist"
            raise GraphError(400, 100, msg, type="GraphMethodException")
        data, mime = self._media[media_id]
        url, sha = f"{self.url}/_media/{media_id}", hashlib.sha256(data).hexdigest()
        info = dict(url=url, mime_type=mime, sha256=sha, file_size=len(data), id=media_id)
        return {"messaging_product": "whatsapp", **info}

    async def _download(self, request: Request) -> Response:
        # Meta's media URLs also demand the bearer token.
        try:
            self._auth(request)
        except GraphError as err:
            return JSONResponse({"error": err.body}, status_code=err.status)
        data, mime = self._media.get(request.path_params["media_id"], (b"", ""))
        return Response(data, media_type=mime) if mime else Response(status_code=404)


# -- inbound webhook payloads, shaped as in Meta's "messages webhook reference" ---------
class WaMessage(dict[str, Any]):
    """A plain message dict that also remembers its sender's `contacts[]` entry, so
    wa_envelope() can fill `contacts` without the caller repeating name/wa_id."""

    contact: Json


class _Common(TypedDict, total=False):
    wamid: str  # default: a fresh unique wamid
    ts: int  # unix seconds; default now
    user_id: str  # business-scoped user id (BSUID), sent alongside the phone number


class Sender(_Common, total=False):
    """Optional keyword arguments shared by the inbound-message builders."""

    name: str  # sender profile name; default "Siti"


_wamids = itertools.count(1)


def _ts(ts: int | None) -> str:
    return str(int(ts if ts is not None else time.time()))  # Meta sends a string


def _inbound(
    from_: str, kind: str, content: Json, context_id: str | None = None, **kw: Unpack[Sender]
) -> WaMessage:
    msg = WaMessage()
    if context_id:  # replies to our interactive message point back at it
        msg["context"] = {"from": DISPLAY_PHONE, "id": context_id}
    msg["from"] = from_
    msg.contact = {"profile": {"name": kw.get("name", "Siti")}, "wa_id": from_}
    if user_id := kw.get("user_id"):
        msg["from_user_id"] = msg.contact["user_id"] = user_id
    n = next(_wamids)
    msg["id"] = kw.get("wamid") or "wamid." + base64.b64encode(f"IN.{n:08d}".encode()).decode()
    msg["timestamp"] = _ts(kw.get("ts"))
    msg |= {"type": kind, kind: content}
    return msg


def wa_text(from_: str, body: str, **kw: Unpack[Sender]) -> WaMessage:
    return _inbound(from_, "text", {"body": body}, **kw)


def wa_button_reply(
    from_: str, id: str, title: str, context_id: str | None = None, **kw: Unpack[Sender]
) -> WaMessage:
    content = {"type": "button_reply", "button_reply": {"id": id, "title": title}}
    return _inbound(from_, "interactive", content, context_id, **kw)


def wa_list_reply(
    from_: str,
    id: str,
    title: str,
    description: str | None = None,
    context_id: str | None = None,
    **kw: Unpack[Sender],
) -> WaMessage:
    reply = {"id": id, "title": title} | ({"description": description} if description else {})
    content = {"type": "list_reply", "list_reply": reply}
    return _inbound(from_, "interactive", content, context_id, **kw)


def wa_location(
    from_: str,
    lat: float,
    lon: float,
    name: str | None = None,
    address: str | None = None,
    sender_name: str = "Siti",
    **kw: Unpack[_Common],
) -> WaMessage:
    # `name` is the place name (Meta's field), hence sender_name for the profile name.
    loc: Json = {"latitude": lat, "longitude": lon}
    loc |= {k: v for k, v in (("name", name), ("address", address)) if v}
    return _inbound(from_, "location", loc, name=sender_name, **kw)


def wa_image(
    from_: str,
    media_id: str,
    caption: str | None = None,
    mime_type: str = "image/jpeg",
    **kw: Unpack[Sender],
) -> WaMessage:
    image = {"caption": caption} if caption else {}
    sha = hashlib.sha256(media_id.encode()).hexdigest()
    image |= {"mime_type": mime_type, "sha256": sha, "id": media_id}
    return _inbound(from_, "image", image, **kw)


def wa_document(
    from_: str,
    media_id: str,
    filename: str,
    mime_type: str,
    caption: str | None = None,
    **kw: Unpack[Sender],
) -> WaMessage:
    document = {"caption": caption} if caption else {}
    sha = hashlib.sha256(media_id.encode()).hexdigest()
    document |= {"filename": filename, "mime_type": mime_type, "sha256": sha, "id": media_id}
    return _inbound(from_, "document", document, **kw)


def wa_status(
    wamid: str,
    status: str,
    recipient_id: str,
    errors: list[Json] | None = None,
    ts: int | None = None,
) -> Json:
    """One `statuses[]` entry (sent/delivered/read/failed) for a message we sent."""
    out: Json = dict(id=wamid, status=status, timestamp=_ts(ts), recipient_id=recipient_id)
    return out | ({"errors": errors} if errors else {})


def wa_envelope(
    messages: Any = (),
    statuses: Any = (),
    contacts: list[Json] | None = None,
    phone_number_id: str = "1234567890",
    display_phone_number: str = DISPLAY_PHONE,
    waba_id: str = "WABA1",
) -> Json:
    """The full POST body Meta sends to our webhook; empty arrays are omitted, as Meta does."""
    if contacts is None:  # one entry per sender, in order of appearance
        found: dict[str, Json] = {}
        for m in messages:
            if isinstance(m, WaMessage):
                found.setdefault(m.contact["wa_id"], m.contact)
        contacts = list(found.values())
    meta = dict(display_phone_number=display_phone_number, phone_number_id=phone_number_id)
    value: Json = {"messaging_product": "whatsapp", "metadata": meta}
    value |= {"contacts": contacts} if contacts else {}
    value |= {"messages": [dict(m) for m in messages]} if messages else {}
    value |= {"statuses": list(statuses)} if statuses else {}
    change = {"value": value, "field": "messages"}
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": [change]}]}


def sign(body: bytes, app_secret: str) -> str:
    """X-Hub-Signature-256 header value Meta attaches to webhook POSTs."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
