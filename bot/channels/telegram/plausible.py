"""What PTB reads as it comes but the Bot API types strictly: an update only a forger sends is
refused when it is read (a 400), rather than halfway through its turn (a 500, sent again)."""

from __future__ import annotations

from telegram import Update

from bot.guard import identifier


class Implausible(ValueError):
    """An update the Bot API never sends (its types are strict; PTB takes fields as they come)."""


def plausible(update: Update) -> Update:
    """Refuses a forger's update here, as a 400, rather than halfway through its turn as a 500:
    ids that are no 64-bit numbers, text (or a phone number) that is no text."""
    query, chat, message = update.callback_query, update.effective_chat, update.effective_message
    try:
        _number(update.update_id)
        if chat is not None:
            _number(chat.id)
        if message is not None:
            _number(message.message_id)
            for text in (message.text, message.caption):
                if text is not None and not isinstance(text, str):
                    raise ValueError(f"text that is a {type(text).__name__}")
            contact = getattr(message, "contact", None)  # not on an inaccessible message
            if contact is not None and not isinstance(contact.phone_number, str):
                raise ValueError("a phone number that is no text")
        if query is not None:
            identifier(query.id, 100)
            if query.data is not None and not isinstance(query.data, str):
                raise ValueError(f"callback data that is a {type(query.data).__name__}")
    except ValueError as exc:
        raise Implausible(str(exc)) from exc
    return update


def _number(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        raise ValueError(f"implausible id {str(value)[:30]!r}")
