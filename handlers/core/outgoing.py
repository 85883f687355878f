"""A message ready for a channel: words in the user's language, buttons with their tokens."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from conversations.model import Reply
from handlers.core.text import Texts

TOKEN_VERSION = "v1"


@dataclass(frozen=True)
class Button:
    label: str
    data: str
    description: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """`buttons` are offered as choices; `request` asks for a contact or location keyboard;
    `document` / `photo` carry a file path or platform file id for the channel to send.
    `build` is a document still to be made (an export): what to make, as JSON. It is made
    after the turn's commit, by whoever sends the message (Runtime.finish), so no turn's
    transaction waits for it and the file is on the disk of the process that sends it."""

    channel: str
    chat_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    request: str | None = None
    photo: str | None = None
    document: str | None = None
    template: dict[str, Any] | None = field(default=None)
    build: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        # not `asdict`: it copies every level, and every reply goes through here
        data = {name: getattr(self, name) for name in _OUTGOING_FIELDS}
        data["buttons"] = [
            {name: getattr(b, name) for name in _BUTTON_FIELDS} for b in self.buttons
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outgoing:
        buttons = tuple(Button(**b) for b in data.get("buttons", ()))
        return cls(**{**data, "buttons": buttons})


_OUTGOING_FIELDS = tuple(f.name for f in fields(Outgoing))
_BUTTON_FIELDS = tuple(f.name for f in fields(Button))


def conversation_token(nonce: int, index: int) -> str:
    """Button data for a conversation question: stale once the conversation moves on."""
    return f"{TOKEN_VERSION}:{nonce}:{index}"


def parse_conversation_token(data: str) -> tuple[int, int] | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != TOKEN_VERSION:
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


def render_reply(
    texts: Texts, reply: Reply, channel: str, chat_id: str, nonce: int, locale: str = "id"
) -> Outgoing:
    buttons = tuple(
        Button(
            texts.render(choice.label, locale),
            conversation_token(nonce, index),
            texts.render(choice.description, locale) if choice.description else None,
        )
        for index, choice in enumerate(reply.choices)
    )
    return Outgoing(channel, chat_id, texts.reply_text(reply, locale), buttons, reply.request)
