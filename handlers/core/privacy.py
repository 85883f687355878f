"""What logs may show of a person: an identifier (a WhatsApp chat is a phone number) only by its
last four characters, enough to tell chats apart in one incident, not to call anyone."""

from __future__ import annotations

import re
from typing import Any

SHOWN = 4
# An Indonesian mobile number as it travels (62…, +62…, 08…), wherever a text carries one.
PHONE = re.compile(r"(?<![\d.])(?:\+?62|0)8\d{7,12}(?!\d)")


def masked(identifier: Any) -> str:
    """`6281234500006` → `***0006`; a short id shows nothing of itself."""
    if identifier is None:
        return "-"
    text = str(identifier)
    return "***" + text[-SHOWN:] if len(text) > SHOWN else "***"


def without_phones(text: str) -> str:
    """Every phone number in `text` masked (an exception's message, a platform's error)."""
    return PHONE.sub(lambda found: masked(found.group()), text)
