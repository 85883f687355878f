"""At the door of the inbound entry: what no message may bring in, and the chat's last sign of life."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from conversations.model import Contact
from db.models import ChannelIdentity
from handlers.core.turn import Incoming

_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))
_PHONE_MAX = ChannelIdentity.__table__.c.phone.type.length


def clean(msg: Incoming) -> Incoming:
    """Control characters (a NUL breaks PostgreSQL text) never get past the door, in typed
    words, pressed data or a shared contact card; an identity's phone number that its column
    cannot hold is not kept (only a forged contact has one)."""
    inbound = msg.inbound
    text = inbound.text.translate(_CONTROL)
    callback = msg.callback.translate(_CONTROL) if msg.callback else msg.callback
    contact = inbound.contact
    if contact is not None:
        name = contact.name.translate(_CONTROL) if contact.name else contact.name
        contact = Contact(contact.phone.translate(_CONTROL), name)
    phone = msg.phone.translate(_CONTROL) if msg.phone else msg.phone
    phone = phone if phone and len(phone) <= _PHONE_MAX else None
    if (text, callback, contact, phone) == (inbound.text, msg.callback, inbound.contact, msg.phone):
        return msg
    inbound = replace(inbound, text=text, contact=contact)
    return replace(msg, inbound=inbound, callback=callback, phone=phone)


# How stale an identity's last_inbound_at may get: writing it on every message costs an UPDATE
# each; WhatsApp's 24-hour window then closes at most this much early, never late.
TOUCH_EVERY = timedelta(minutes=1)


def touch(ident: ChannelIdentity, now: datetime) -> None:
    """The chat wrote: it is reachable, and its last message time is (nearly) now."""
    if ident.unreachable:
        ident.unreachable = False
    last = ident.last_inbound_at
    if last is None or now - last >= TOUCH_EVERY or last > now:
        ident.last_inbound_at = now
