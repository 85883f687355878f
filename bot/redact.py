"""Log records without secrets or phone numbers, whichever handler writes them: httpx and PTB
log the Bot API's URLs, which carry the bot token, and an exception's text may carry a phone
number. Cleaned where records are made (the record factory), so a handler added later (a test's,
a platform's) sees only the cleaned record."""

from __future__ import annotations

import logging
from typing import Any

from handlers.core.privacy import without_phones

REDACTED = "<redacted>"
MIN_SECRET = 8  # shorter values would redact ordinary words

_secrets: list[str] = []
_installed = False


def redact_logs(*secrets: str | None) -> None:
    """From now on every record is made without these values and without phone numbers.
    Called again, it adds secrets (settings of another app in the same process)."""
    global _installed
    _secrets.extend(s for s in secrets if s and len(s) >= MIN_SECRET and s not in _secrets)
    if _installed:
        return
    making = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = making(*args, **kwargs)
        _clean(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def scrub(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return without_phones(text)


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a broken call: logging reports it when emitting
        return
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        trace = logging.Formatter().formatException(record.exc_info)
        cleaned = scrub(trace)
        if cleaned != trace:
            record.exc_text = cleaned  # formatters use it instead of formatting again
