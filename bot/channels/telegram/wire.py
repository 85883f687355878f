"""Telegram wire format ⇄ the runtime.

Inbound: a Bot API `Update` → `Incoming` for the runtime, or a note of what else it was.
Outbound: an `Outgoing` → the Bot API calls that show it (sent by telegram_send).
PTB is a typed client and parser only: no Application, ConversationHandler, JobQueue or
persistence, because conversation state lives in our database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels.telegram.plausible import Implausible, plausible
from conversations.model import N_, Contact, Inbound, Location, Photo
from handlers.core.media_check import evidence
from handlers.core.outgoing import Outgoing
from handlers.core.turn import Incoming

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
REQUEST_LABELS = {"contact": N_("Send my phone number"), "location": N_("Send my location")}

# --- inbound -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """What one update means to us. `kind`: message (for the runtime), group (a command in a
    group: one polite notice), member (the user blocked or unblocked the bot), ignored."""

    kind: str
    update_id: str
    chat_id: str | None = None
    incoming: Incoming | None = None
    callback_id: str | None = None  # answered right after the commit
    question_id: int | None = None  # the pressed message: its keyboard is removed
    blocked: bool = False


MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")
ENVELOPE = ("message_id", "date", "chat", "from", "sender_chat")
UNREADABLE = "ilpbot_unreadable"  # lands in the message's api_kwargs


def read_update(data: Any) -> Update:
    """Update.de_json, forgiving a message whose content our PTB cannot read (PTB 22.8 refuses
    a poll without the fields Bot API 9.6 added, which an older self-hosted server omits): it
    is read as a message we do not support, so the person gets an answer and Telegram does
    not send the update again and again. ValueError when it is no update at all, or one only
    a forger sends (see plausible.py)."""
    if not isinstance(data, dict):
        raise ValueError(f"an update is a JSON object, not {type(data).__name__}")
    try:
        return plausible(Update.de_json(data, None))
    except (TypeError, KeyError, AttributeError, OverflowError) as exc:
        problem: Exception = exc
    except ValueError as exc:
        if isinstance(exc, Implausible):
            raise
        problem = exc
    kinds = [k for k in MESSAGE_KINDS if isinstance(data.get(k), dict)]
    lean = {k: v for k, v in data[kinds[0]].items() if k in ENVELOPE} if kinds else {}
    lean[UNREADABLE] = True
    try:
        update = plausible(Update.de_json({"update_id": data["update_id"], kinds[0]: lean}, None))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError):
        raise ValueError(f"unreadable update: {problem}") from problem
    log.warning("telegram update %s: %s; read as unsupported", update.update_id, problem)
    return update


def parse(update: Update, now: datetime) -> Parsed:
    update_id = str(update.update_id)
    if update.callback_query is not None:
        return _callback(update.callback_query, update_id, now)
    message = update.message
    if message is None:
        return _member(update, update_id)
    chat_id = str(message.chat.id)
    if message.chat.type != ChatType.PRIVATE:
        # Identities are per private chat; in a group everybody would share one.
        kind = "group" if (message.text or "").startswith("/") else "ignored"
        return Parsed(kind, update_id, chat_id)
    inbound = _inbound(message)
    if inbound is None:  # a service message (pinned, new photo…): nothing to answer
        return Parsed("ignored", update_id, chat_id)
    user = message.from_user
    contact = message.contact
    own_phone = contact and user and contact.user_id == user.id  # not someone else's number
    incoming = Incoming(
        channel=CHANNEL,
        chat_id=chat_id,
        external_id=update_id,
        sent_at=message.date,
        inbound=inbound,
        display_name=user.full_name if user else None,
        phone=contact.phone_number if own_phone else None,
        position=message.message_id,  # increases within a chat
    )
    return Parsed("message", update_id, chat_id, incoming)


def _inbound(message: Message) -> Inbound | None:
    if message.text is not None:
        return Inbound(text=message.text)
    if message.contact is not None:
        contact = message.contact
        return Inbound(contact=Contact(contact.phone_number, contact.first_name))
    if message.location is not None:
        return Inbound(location=Location(message.location.latitude, message.location.longitude))
    if message.photo:
        return Inbound(photo=Photo(message.photo[-1].file_id, message.caption))  # largest size
    if (document := message.document) is not None:  # a PDF, or a photo sent "as file"
        return evidence(document.file_id, document.mime_type, document.file_size, message.caption)
    if message.effective_attachment is not None or message.api_kwargs.get(UNREADABLE):
        return Inbound(unsupported=True)  # sticker, voice, video, poll…
    return None


def _callback(query: CallbackQuery, update_id: str, now: datetime) -> Parsed:
    message = query.message
    if message is None or query.data is None or message.chat.type != ChatType.PRIVATE:
        return Parsed("ignored", update_id, callback_id=query.id)  # inline mode, games, groups
    chat_id = str(message.chat.id)
    incoming = Incoming(
        channel=CHANNEL,
        chat_id=chat_id,
        external_id=update_id,
        sent_at=now,  # a callback query carries no date of its own
        inbound=Inbound(),
        callback=query.data,
        display_name=query.from_user.full_name,
    )
    return Parsed("message", update_id, chat_id, incoming, query.id, message.message_id)


def _member(update: Update, update_id: str) -> Parsed:
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return Parsed("ignored", update_id)  # edited messages, channel posts, …
    blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
    return Parsed("member", update_id, str(change.chat.id), blocked=blocked)


# --- outbound ------------------------------------------------------------------------------


@dataclass
class ApiCall:
    method: str  # a Bot method: send_message, send_photo, send_document
    kwargs: dict[str, Any] = field(default_factory=dict)


def units(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can be two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Chunks of at most `limit`, cut at line breaks (at spaces only for an overlong line)."""
    chunks: list[str] = []
    current = ""
    for line in _short_lines(text, limit):
        candidate = f"{current}\n{line}" if current else line
        if units(candidate) <= limit:
            current = candidate
            continue
        chunks.append(current)
        current = line
    chunks.append(current)
    return [chunk for chunk in chunks if chunk.strip()]


def _short_lines(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        while units(line) > limit:
            cut = _fit(line, limit)
            space = line.rfind(" ", 0, cut + 1)
            cut = space if space > 0 else cut
            lines.append(line[:cut])
            line = line[cut:].lstrip(" ")
        lines.append(line)
    return lines


def _fit(line: str, limit: int) -> int:
    """The longest prefix length of `line` within `limit` UTF-16 units."""
    cut = min(len(line), limit)
    while units(line[:cut]) > limit:
        cut -= 1
    return cut


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def reply_markup(out: Outgoing, label_of: Callable[[str], str]) -> Markup:
    """Inline buttons for choices; a reply keyboard when the step asks for a contact or
    location (choices then become plain keys, matched by their label); otherwise any reply
    keyboard left from an earlier question is removed."""
    if out.request in REQUEST_LABELS:
        label = label_of(REQUEST_LABELS[out.request])
        special = KeyboardButton(
            label,
            request_contact=out.request == "contact" or None,
            request_location=out.request == "location" or None,
        )
        keys = [KeyboardButton(b.label) for b in out.buttons]
        return ReplyKeyboardMarkup(
            [[special], *_rows(keys, [b.label for b in out.buttons])],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if not out.buttons:
        return ReplyKeyboardRemove()
    for button in out.buttons:
        if len(button.data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {button.data!r}")
    buttons = [InlineKeyboardButton(b.label, callback_data=b.data) for b in out.buttons]
    return InlineKeyboardMarkup(_rows(buttons, [b.label for b in out.buttons]))


def _rows(items: list[Any], labels: list[str]) -> list[list[Any]]:
    longest = max((len(label) for label in labels), default=0)
    width = 3 if longest <= 8 else 2 if longest <= 16 else 1
    return [items[i : i + width] for i in range(0, len(items), width)]


def plan(out: Outgoing, label_of: Callable[[str], str]) -> list[ApiCall]:
    """The calls that show one Outgoing; the keyboard rides on the last one."""
    calls: list[ApiCall] = []
    text = out.text.strip()
    media = ("send_photo", "photo", out.photo) if out.photo else None
    media = media or (("send_document", "document", out.document) if out.document else None)
    if media is not None:
        method, key, value = media
        caption = text if units(text) <= MAX_CAPTION else ""
        calls.append(ApiCall(method, {key: value, "caption": caption or None}))
        text = "" if caption else text
    calls += [ApiCall("send_message", {"text": chunk}) for chunk in split_text(text)]
    if not calls:
        raise ValueError("nothing to send")
    calls[-1].kwargs["reply_markup"] = reply_markup(out, label_of)
    return calls
