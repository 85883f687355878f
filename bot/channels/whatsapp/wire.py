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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from conversations.model import Contact, Inbound, Location, Photo
from handlers.core.turn import Incoming

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
Json = dict[str, Any]
IGNORED = ("reaction", "system", "ephemeral")  # not a message to answer


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
    """`X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret."""
    if not header or not header.startswith("sha256=") or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def parse(payload: Json) -> Webhook:
    """Every message and status in every entry and change, in payload order."""
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
        chat_id=str(chat_id),
        external_id=str(raw["id"]),
        sent_at=_when(raw.get("timestamp")),
        inbound=inbound,
        callback=callback,
        display_name=(contact.get("profile") or {}).get("name"),
        phone=str(wa_id) if wa_id else None,
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
        return Inbound(location=Location(float(body["latitude"]), float(body["longitude"]))), None
    if kind == "image" and body.get("id"):
        return Inbound(photo=Photo(str(body["id"]), _clean(body.get("caption")) or None)), None
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
                return Contact(str(number), name)
    return None


def _status(raw: Json) -> Status:
    errors = raw.get("errors") or [{}]
    code = errors[0].get("code")
    detail = errors[0].get("title") or errors[0].get("message")
    return Status(
        message_id=str(raw["id"]),
        status=str(raw.get("status")),
        recipient=str(raw.get("recipient_id") or raw.get("recipient_user_id") or ""),
        error_code=int(code) if code is not None else None,
        error=detail,
    )


def _clean(text: Any) -> str:
    """Typed words as stored text (PostgreSQL refuses NUL characters)."""
    return str(text or "").replace("\x00", "")


def _position(timestamp: Any) -> int | None:
    """The message's order in its chat: Meta's timestamp, in seconds (None if it has none)."""
    try:
        seconds = int(timestamp)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 <= seconds < 2**53 else None


def _when(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(timestamp), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)
