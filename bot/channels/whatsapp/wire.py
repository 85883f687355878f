"""WhatsApp Cloud API wire data ⇄ the core's messages: webhook payloads in, message bodies out.

Identity: a chat is keyed by the business-scoped user id (BSUID, `from_user_id` / `user_id`)
when the payload carries one, else by `wa_id` / `from`. The phone number (`wa_id`) travels as
`Incoming.phone`; the runtime moves an identity first known by its phone number to the BSUID
the first time that person writes with one (db.queries.rekey_identity).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.guard import identifier
from conversations.model import Contact, Inbound, Location
from handlers.core.media_check import evidence
from handlers.core.turn import Incoming

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
Json = dict[str, Any]
IGNORED = ("reaction", "system", "ephemeral")  # not a message to answer
# The columns that hold them (db/models.py): a longer id is a forger's.
ID_LIMIT = {"message": 120, "chat": 100, "phone": 32}


@dataclass(frozen=True)
class Status:
    """A delivery report for a message we sent (`statuses[]`)."""

    message_id: str
    status: str  # sent | delivered | read | failed
    recipient: str
    error_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Webhook:
    messages: list[Incoming]
    statuses: list[Status]


def signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret. Compared as
    bytes: compare_digest refuses a str with a character beyond ASCII (a forger's header)."""
    if not header or not header.startswith("sha256=") or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").encode())


def parse(payload: Json) -> Webhook:
    """Every message and status in every entry and change, in payload order. ValueError (and
    TypeError, AttributeError, KeyError) for what Meta never sends: an id that is no id, text
    that is no text, a time beyond the calendar."""
    messages: list[Incoming] = []
    statuses: list[Status] = []
    for value in _values(payload):
        contacts = {c.get("wa_id"): c for c in value.get("contacts") or []}
        for raw in value.get("messages") or []:
            incoming = _message(raw, contacts.get(raw.get("from")) or {})
            if incoming is not None:
                messages.append(incoming)
        statuses += [_status(s) for s in value.get("statuses") or [] if s.get("id")]
    return Webhook(messages, statuses)


def _values(payload: Json) -> Iterator[Json]:
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") == "messages" and isinstance(change.get("value"), dict):
                yield change["value"]


def _message(raw: Json, contact: Json) -> Incoming | None:
    kind = raw.get("type")
    wa_id = raw.get("from") or contact.get("wa_id")
    bsuid = raw.get("from_user_id") or contact.get("user_id")
    chat_id = bsuid or wa_id
    if kind in IGNORED or not chat_id or not raw.get("id"):
        return None
    inbound, callback = _content(kind, raw)
    return Incoming(
        channel=CHANNEL,
        chat_id=identifier(chat_id, ID_LIMIT["chat"]),
        external_id=identifier(raw["id"], ID_LIMIT["message"]),
        sent_at=_when(raw.get("timestamp")),
        inbound=inbound,
        callback=callback,
        display_name=(contact.get("profile") or {}).get("name"),
        phone=identifier(wa_id, ID_LIMIT["phone"]) if wa_id else None,
        position=_position(raw.get("timestamp")),
    )


def _content(kind: str | None, raw: Json) -> tuple[Inbound, str | None]:
    """(what was said, the pressed button's id) for one message."""
    body = raw.get(kind) if kind else None
    body = body if isinstance(body, dict) else {}
    if kind == "text":
        return Inbound(text=_clean(body.get("body"))), None
    if kind == "interactive":
        reply = body.get(body.get("type") or "") or {}
        if body.get("type") in ("button_reply", "list_reply") and reply.get("id"):
            return Inbound(), str(reply["id"])
    if kind == "button":  # a template's quick reply: its words are the answer
        return Inbound(text=_clean(body.get("text") or body.get("payload"))), None
    if kind == "location" and "latitude" in body and "longitude" in body:
        return Inbound(location=_place(body["latitude"], body["longitude"])), None
    if kind in ("image", "document") and body.get("id"):  # a photo, a PDF, or another file
        file_id = identifier(body["id"], ID_LIMIT["message"])
        mime = str(body.get("mime_type") or "") or None
        return evidence(file_id, mime, None, _clean(body.get("caption"))), None
    if kind == "contacts":
        shared = _contact(raw.get("contacts"))
        if shared is not None:
            return Inbound(contact=shared), None
    return Inbound(unsupported=True), None


def _contact(cards: Any) -> Contact | None:
    """The first phone number of the first shared contact card."""
    for card in cards or []:
        for phone in card.get("phones") or []:
            number = phone.get("wa_id") or phone.get("phone")
            if number:
                name = (card.get("name") or {}).get("formatted_name")
                return Contact(str(number), _clean(name) or None)
    return None


def _place(latitude: Any, longitude: Any) -> Location:
    lat, lon = float(latitude), float(longitude)  # float("inf") and float("nan") pass
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise ValueError(f"no place on earth: {lat}, {lon}")
    return Location(lat, lon)


def _status(raw: Json) -> Status:
    errors = raw.get("errors") or [{}]
    code = errors[0].get("code")
    detail = errors[0].get("title") or errors[0].get("message")
    recipient = raw.get("recipient_id") or raw.get("recipient_user_id")
    error_code = int(code) if code is not None else None
    if error_code is not None and not 0 <= error_code < 2**31:
        raise ValueError(f"implausible error code {error_code}")
    return Status(
        message_id=identifier(raw["id"], ID_LIMIT["message"]),
        status=str(raw.get("status")),
        recipient=identifier(recipient, ID_LIMIT["chat"]) if recipient else "",
        error_code=error_code,
        error=_clean(detail) or None,
    )


def _clean(text: Any) -> str:
    """Typed words as stored text (PostgreSQL refuses NUL characters); words that are no
    text (an object, a list) are a forger's."""
    if text is not None and not isinstance(text, str):
        raise ValueError(f"text that is a {type(text).__name__}")
    return (text or "").replace("\x00", "")


def _position(timestamp: Any) -> int | None:
    """The message's order in its chat: Meta's timestamp, in seconds (None if it has none)."""
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 <= seconds < 2**53 else None


def _when(timestamp: Any) -> datetime:
    """The message's time; now when it has none. One beyond the calendar is a forger's."""
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError) as exc:
        raise ValueError(f"timestamp beyond the calendar: {timestamp}") from exc
