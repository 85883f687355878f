"""A form's version, derived from its content, so nobody has to remember to raise it."""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from typing import Any

# Display texts (msgids): rewording one keeps a form's version, and the conversations in flight.
TEXT_FIELDS = frozenset(
    {"title", "intro", "prompt", "help", "label", "description", "message", "unit"}
)


def content_version(definition: Any) -> int:
    """A number that changes when the definition's content (texts aside) changes; it fits the
    database's 32-bit integer columns (conversation.flow_version, report.form_version)."""
    digest = hashlib.sha256(repr(_shape(definition)).encode()).hexdigest()
    return int(digest[:7], 16)


def _shape(value: Any) -> Any:
    """Nested tuples of plain values, texts left out, in a stable order (no set or hash order)."""
    if is_dataclass(value) and not isinstance(value, type):
        kept = (f.name for f in fields(value) if f.name not in TEXT_FIELDS)
        return (type(value).__name__, *((name, _shape(getattr(value, name))) for name in kept))
    if isinstance(value, tuple | list):
        return tuple(_shape(item) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(repr(_shape(item)) for item in value))
    if isinstance(value, dict):
        return tuple(sorted((repr(k), _shape(v)) for k, v in value.items()))
    return value
