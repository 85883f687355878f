"""Fake Telegram Bot API served over real HTTP (see server.LoopbackServer).

Point PTB at it with ``Bot(token, base_url=fake.base_url)``; PTB then calls
``{base_url}<TOKEN>/<method>``. Bodies arrive form-encoded (nested objects JSON-encoded in
fields), multipart for uploads, or JSON from hand-written clients; all three are accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .server import ServedApp, parse_multipart, sliding_windows, worst_window

Json = dict[str, Any]
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
_JSON_FIELDS = {"reply_markup", "entities", "caption_entities", "commands", "scope"}
_JSON_FIELDS |= {"allowed_updates", "link_preview_options", "reply_parameters"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}
_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict: terminated by other getUpdates request",
    502: "Bad Gateway",
}
_ME_EXTRA = dict(can_join_groups=True, can_read_all_group_messages=False)
BOT_USER = dict(id=7000000001, is_bot=True, first_name="ILP Test Bot", username="ilp_test_bot")


@dataclass(frozen=True)
class Call:
    method: str
    params: Json
    at: float  # time.monotonic() when the request arrived
    status: int = 200  # HTTP status we answered with


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def _coerce(params: Json) -> Json:
    """Undo PTB's form encoding so tests compare against natural Python values."""
    out: Json = {}
    for key, value in params.items():
        if isinstance(value, str) and key in _JSON_FIELDS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif isinstance(value, str) and key in _INT_FIELDS and value.lstrip("-").isdigit():
            value = int(value)
        out[key] = value
    return out


def _chat(chat_id: int, first_name: str = "Siti") -> Json:
    # Telegram convention: positive ids are users (private chats), negative are groups.
    if chat_id > 0:
        return dict(id=chat_id, type="private", first_name=first_name)
    kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    return dict(id=chat_id, type=kind, title="Test Group")


def _photo_size(file_id: str, width: int, size: int) -> Json:
    uid = f"AQAD{zlib.crc32(file_id.encode())}"  # stable across runs, unlike hash()
    size_info = dict(width=width, height=width * 3 // 4, file_size=size)
    return dict(file_id=file_id, file_unique_id=uid, **size_info)


class FakeBotApi(ServedApp):
    def __init__(self) -> None:
        self.token: str | None = None  # last token seen; any token is accepted
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._lock = threading.Lock()
        self._pending: list[tuple[Json, bool]] = []  # (update, is_unsent_redelivery)
        self._history: dict[int, Json] = {}
        self._update_ids = itertools.count(100_001)
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._msg_ids: dict[int, int] = {}  # per-chat message_id sequence, shared both ways
        self._bot_messages: dict[tuple[int, int], Json] = {}
        self._webhook_url = ""
        self.clear_faults()
        self._files: dict[str, tuple[bytes, str]] = {}  # file_id → (bytes, file_path)
        self._file_failures: dict[str, int] = {}  # file_id → downloads still to answer 500
        self.file_delay = 0.0  # seconds a download waits before its bytes: a slow file server
        self.downloads: Counter[str] = Counter()  # file_id → downloads started
        self.downloading: Counter[str] = Counter()  # file_id → downloads not yet answered
        route = Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"])
        files = Route("/file/bot{token}/{path:path}", self._file, methods=["GET"])
        self._serve(Starlette(routes=[route, files]))

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/bot"

    # -- inspection -----------------------------------------------------------------
    def sent(self, chat_id: int | None = None, include_failed: bool = False) -> list[Call]:
        """Send calls in order; by default only those Telegram would have delivered."""
        with self._lock:
            calls = [c for c in self.calls if c.method in SEND_METHODS]
        calls = [c for c in calls if include_failed or c.status == 200]
        return [c for c in calls if chat_id is None or c.params.get("chat_id") == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        """Message texts and media captions delivered to the chat (uncaptioned media skipped)."""
        texts = (c.params.get("text") or c.params.get("caption") for c in self.sent(chat_id))
        return [t for t in texts if t]

    # -- inbound updates ------------------------------------------------------------
    def _next_msg_id(self, chat_id: int) -> int:
        self._msg_ids[chat_id] = self._msg_ids.get(chat_id, 0) + 1
        return self._msg_ids[chat_id]

    def next_message_id(self, chat_id: int) -> int:
        """The id Telegram gives the chat's next message (ids increase within a chat): for a
        raw update built by hand, so the bot sees the chat's messages in order."""
        with self._lock:
            return self._next_msg_id(chat_id)

    def _push_msg(
        self,
        chat_id: int,
        user_id: int | None = None,
        date: int | None = None,
        first_name: str = "Siti",
        **content: Any,
    ) -> Json:
        with self._lock:
            message_id = self._next_msg_id(chat_id)
        user = dict(id=user_id or chat_id, is_bot=False, first_name=first_name, language_code="id")
        when = int(date if date is not None else time.time())
        msg = dict(message_id=message_id, date=when, chat=_chat(chat_id, first_name), **content)
        return self.push_raw({"message": {"from": user, **msg}})

    def push_raw(self, update: Json) -> Json:
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": next(self._update_ids), **update}
            self._history[update["update_id"]] = update
            self._pending.append((update, False))
        return update

    def push_message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        date: int | None = None,
        first_name: str = "Siti",
    ) -> Json:
        extra: Json = {}
        if text.startswith("/"):
            # Real clients attach a bot_command entity; PTB's CommandHandler requires it.
            extra["entities"] = [dict(type="bot_command", offset=0, length=len(text.split()[0]))]
        return self._push_msg(chat_id, user_id, date, first_name, text=text, **extra)

    def push_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int = 1,
        user_id: int | None = None,
        first_name: str = "Siti",
    ) -> Json:
        with self._lock:
            # Echo the bot's own message, like Telegram; invent (and keep, so the handler
            # can edit it) one if this fake never saw it sent.
            message = self._bot_messages.setdefault(
                (chat_id, message_id),
                dict(message_id=message_id, date=int(time.time()), chat=_chat(chat_id), text="..."),
            )
            query_id = str(next(self._callback_ids))
        user = dict(id=user_id or chat_id, is_bot=False, first_name=first_name)
        msg, instance = {"from": BOT_USER, **message}, str(abs(chat_id) * 31)
        query = dict(id=query_id, message=msg, chat_instance=instance, data=data)
        return self.push_raw({"callback_query": {"from": user, **query}})

    def push_contact(self, chat_id: int, phone: str, user_id: int | None = None) -> Json:
        contact = dict(phone_number=phone, first_name="Siti", user_id=user_id or chat_id)
        return self._push_msg(chat_id, user_id, contact=contact)

    def push_location(self, chat_id: int, lat: float, lon: float) -> Json:
        return self._push_msg(chat_id, location=dict(latitude=lat, longitude=lon))

    def add_file(self, file_id: str, data: bytes, name: str = "photo.jpg") -> str:
        """Make a file id downloadable (getFile, then GET /file/bot<token>/<file_path>)."""
        with self._lock:
            self._files[file_id] = (data, f"documents/{file_id}_{name}")
        return file_id

    def fail_file(self, file_id: str, times: int = 1) -> None:
        """The file server answers 500 to this file's next `times` downloads."""
        with self._lock:
            self._file_failures[file_id] = times

    def in_flight(self) -> int:
        """Downloads started and not yet answered (a kill can be aimed at one)."""
        with self._lock:
            return sum(self.downloading.values())

    async def _file(self, request: Request) -> Response:
        path = request.path_params["path"]
        with self._lock:
            found = [(f, d) for f, (d, p) in self._files.items() if p == path]
            file_id, data = found[0] if found else ("", b"")
            failing = self._file_failures.get(file_id, 0) > 0
            if failing:
                self._file_failures[file_id] -= 1
            if found:
                self.downloads[file_id] += 1
                self.downloading[file_id] += 1
        try:
            if found and self.file_delay:  # the client waits, its connection open
                await asyncio.sleep(self.file_delay)
        finally:
            if found:
                with self._lock:
                    self.downloading[file_id] -= 1
        if failing:
            return Response(status_code=500)
        if not found:
            return Response(status_code=404)
        return Response(data, media_type="application/octet-stream")

    def push_photo(self, chat_id: int, file_id: str, caption: str | None = None) -> Json:
        # Telegram sends several sizes of one photo, smallest first; bots take the last.
        photo = [_photo_size(f"{file_id}_s", 90, 1_200), _photo_size(file_id, 1280, 115_000)]
        extra = {"caption": caption} if caption else {}
        return self._push_msg(chat_id, photo=photo, **extra)

    def redeliver(self, update_id: int) -> Json:
        """Queue the same update again (a lost offset confirm, or a webhook retry).

        It is delivered once even if the client's offset is already past it: the point is
        to check that the bot recognises the duplicate.
        """
        with self._lock:
            update = self._history[update_id]
            self._pending.append((update, True))
        return update

    # -- faults ---------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        else:
            retry_after = None  # Telegram only sends parameters.retry_after with 429
        err = ApiError(status, description or _DESCRIPTIONS.get(status, "Error"), retry_after)
        with self._lock:
            self._fail_next.setdefault(method, []).extend([err] * times)

    def fail_chat(self, chat_id: int, status: int = 403, description: str | None = None) -> None:
        desc = description or _DESCRIPTIONS.get(status, "Error")
        with self._lock:
            self._fail_chats[chat_id] = ApiError(status, desc)

    def storm_429(self, probability: float, retry_after: int = 1, seed: int = 0) -> None:
        with self._lock:
            self._storm = (probability, retry_after, random.Random(seed))

    def clear_faults(self) -> None:
        self._fail_next: dict[str, list[ApiError]] = {}
        self._fail_chats: dict[int, ApiError] = {}
        self._storm: tuple[float, int, random.Random] | None = None

    def _injected_fault(self, method: str, params: Json) -> ApiError | None:
        if self._fail_next.get(method):
            return self._fail_next[method].pop(0)
        if method != "getUpdates" and params.get("chat_id") in self._fail_chats:
            return self._fail_chats[params["chat_id"]]
        if self._storm and method in SEND_METHODS:
            probability, retry_after, rng = self._storm
            if rng.random() < probability:
                return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        return None

    # -- limits ---------------------------------------------------------------------
    def _validate(self, method: str, p: Json) -> None:
        """Reject what Telegram rejects, so oversize output fails in tests, not in prod."""
        problems: list[str] = []
        if method in ("sendMessage", "editMessageText"):
            text = p.get("text") or ""
            if not text.strip():
                problems.append("Bad Request: message text is empty")
            elif len(text) > 4096:
                problems.append(f"Bad Request: message is too long ({len(text)} > 4096 chars)")
        if len(p.get("caption") or "") > 1024:
            problems.append("Bad Request: message caption is too long (> 1024 chars)")
        markup = p.get("reply_markup")
        for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
            for data in (b.get("callback_data") for b in row):
                if data is not None and len(data.encode()) > 64:
                    problems.append(f"Bad Request: BUTTON_DATA_INVALID ({data!r} > 64 bytes)")
        if problems:
            self.violations.extend(f"{method}: {x}" for x in problems)
            raise ApiError(400, problems[0])

    def worst_second(self) -> int:
        """The most sends that arrived in any sliding second (Telegram's limit: 30)."""
        return worst_window(sorted(c.at for c in self.sent(include_failed=True)), 1.0)

    def rate_violations(self, per_chat_burst: int = 3) -> list[str]:
        """Telegram's documented limits, checked on delivered sends (see core.telegram.org
        FAQ): 30 msg/s overall, ~1 msg/s per private chat (short bursts tolerated), 20/min
        per group."""
        sends = [c for c in self.sent() if isinstance(c.params.get("chat_id"), int)]
        t0 = min((c.at for c in sends), default=0.0)
        checks = [("overall", sorted(c.at for c in sends), 1.0, 30)]
        for chat_id in dict.fromkeys(c.params["chat_id"] for c in sends):
            times = sorted(c.at for c in sends if c.params["chat_id"] == chat_id)
            window, limit = (1.0, per_chat_burst) if chat_id > 0 else (60.0, 20)
            checks.append((f"chat {chat_id}", times, window, limit))
        return [
            f"{label}: {n} sends in {window:g}s window at t={t - t0:.2f}s (limit {limit})"
            for label, times, window, limit in checks
            for t, n in sliding_windows(times, window, limit)
        ]

    # -- HTTP -----------------------------------------------------------------------
    async def _params(self, request: Request) -> Json:
        params: Json = dict(request.query_params)
        ctype = request.headers.get("content-type", "")
        body = await request.body()
        if ctype.startswith("multipart/form-data"):
            fields, files = parse_multipart(ctype, body)
            params.update(fields)
            for name, info in files.items():
                summary = dict(filename=info["filename"], size=info["size"])
                # A part is referenced as "attach://<name>" or is named after its field.
                refs = [k for k, v in params.items() if v == f"attach://{name}"]
                params.update({key: summary for key in refs or [name]})
        elif ctype.startswith("application/json") and body:
            params.update(json.loads(body))
        elif body:
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        return _coerce(params)

    async def _handle(self, request: Request) -> JSONResponse:
        method, self.token = request.path_params["method"], request.path_params["token"]
        arrived = time.monotonic()
        params = await self._params(request)
        try:
            with self._lock:
                fault = self._injected_fault(method, params)
                if fault:
                    raise fault
                self._validate(method, params)
                if method != "getUpdates":
                    result = self._dispatch(method, params)
            if method == "getUpdates":
                result = await self._get_updates(params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as err:
            status = err.status
            body = {"ok": False, "error_code": err.status, "description": err.description}
            if err.retry_after is not None:
                body["parameters"] = {"retry_after": err.retry_after}
        with self._lock:
            self.calls.append(Call(method, params, arrived, status))
        return JSONResponse(body, status_code=status)

    async def _get_updates(self, params: Json) -> list[Json]:
        offset, limit = params.get("offset"), int(params.get("limit") or 100)
        # Long-poll capped at 1s so tests stay fast. Sleep-polling (not a threading
        # Condition) keeps the server loop free for concurrent sendMessage calls.
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                if isinstance(offset, int):  # confirm: drop acknowledged updates
                    self._pending = [
                        (u, r) for u, r in self._pending if u["update_id"] >= offset or r
                    ]
                batch = self._pending[:limit]
                if batch or time.monotonic() >= deadline:
                    # A redelivery counts as sent now, so the next offset confirms it.
                    self._pending = [(u, False) for u, _ in batch] + self._pending[limit:]
                    return [u for u, _ in batch]
            await asyncio.sleep(0.01)

    def _dispatch(self, method: str, p: Json) -> Any:
        markup = p.get("reply_markup") if isinstance(p.get("reply_markup"), dict) else None
        if method == "getMe":
            return BOT_USER | _ME_EXTRA
        if method in SEND_METHODS:
            chat_id, n = int(p["chat_id"]), len(self.calls)
            msg_id = self._next_msg_id(chat_id)
            msg: Json = dict(message_id=msg_id, date=int(time.time()), chat=_chat(chat_id))
            if method == "sendMessage":
                msg["text"] = p["text"]
            if method == "sendPhoto":
                msg["photo"] = [_photo_size(f"AgAC{n}", 1280, 1000)]
            if method == "sendDocument":
                doc = p.get("document") if isinstance(p.get("document"), dict) else {}
                name, size = doc.get("filename", "document"), doc.get("size", 0)
                ids = dict(file_id=f"BQAC{n}", file_unique_id=f"AgAD{n}")
                msg["document"] = dict(**ids, file_name=name, file_size=size)
            msg |= {"caption": p["caption"]} if p.get("caption") else {}
            # Like Telegram, a sent message only echoes an inline keyboard (not a reply keyboard).
            inline = markup if markup and "inline_keyboard" in markup else None
            msg |= {"reply_markup": inline} if inline else {}
            self._bot_messages[(chat_id, msg["message_id"])] = msg
            return {"from": BOT_USER, **msg}
        if method in ("editMessageText", "editMessageReplyMarkup"):
            if "inline_message_id" in p:
                return True
            key = (int(p["chat_id"]), int(p["message_id"]))
            if (old := self._bot_messages.get(key)) is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            text = p.get("text", old.get("text"))
            if text == old.get("text") and markup == old.get("reply_markup"):
                # Telegram refuses no-op edits; bots that re-render menus must cope.
                raise ApiError(400, "Bad Request: message is not modified")
            msg = {k: v for k, v in old.items() if k != "reply_markup"}
            msg |= {"text": text, "edit_date": int(time.time())}
            msg |= {"reply_markup": markup} if markup else {}
            self._bot_messages[key] = msg
            return {"from": BOT_USER, **msg}
        if method == "deleteMessage":
            self._bot_messages.pop((int(p["chat_id"]), int(p["message_id"])), None)
            return True
        if method in ("setWebhook", "deleteWebhook"):
            self._webhook_url = p.get("url", "") if method == "setWebhook" else ""
            return True
        if method == "getWebhookInfo":
            pending = len(self._pending)
            return dict(
                url=self._webhook_url, has_custom_certificate=False, pending_update_count=pending
            )
        if method in ("answerCallbackQuery", "setMyCommands"):
            return True
        if method == "getFile":
            if (file := self._files.get(p.get("file_id", ""))) is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            data, path = file
            return dict(
                file_id=p["file_id"],
                file_unique_id=f"u{p['file_id']}",
                file_size=len(data),
                file_path=path,
            )
        raise ApiError(404, "Not Found: method not found")
