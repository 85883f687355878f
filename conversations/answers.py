"""Turns one inbound message into the typed answer a step asks for (JSON-ready values)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from conversations import checks, parsing
from conversations.model import N_, Inbound, Step
from conversations.parsing import ParseError
from conversations.words import Words

# Letters, with titles and their punctuation: "dr. Rina Marlina, M.Kes", "Hj. Siti 'Aisyah".
NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ .,'\-][^\W\d_]*)*$")


def choice_options(step: Step, context: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(value, literal label or None) for the step's choices; provider labels are literal."""
    if step.provider:
        return [
            (str(v), str(label)) for v, label in context.get("choices", {}).get(step.provider, [])
        ]
    return [(c.value, None) for c in step.choices]


def parse_answer(
    step: Step,
    inbound: Inbound,
    context: dict[str, Any],
    today: date,
    labels: dict[str, list[str]],
    *,
    words: Words,
) -> Any:
    """Returns the JSON-ready value or raises ParseError / parsing.Ambiguous.

    `labels` maps a choice value to the display strings a user may type for it.
    """
    kind = step.type
    if kind in ("photo", "location", "contact"):
        return _media(step, inbound)
    if inbound.button is not None and kind in ("choice", "yes_no", "multi_choice"):
        return _button(step, inbound.button, context)
    text = inbound.text.strip()
    if not text:
        raise ParseError(N_("Please type your answer."))
    if kind == "text":
        return _text(step, text)
    if kind == "integer":
        return parsing.parse_integer(text, _int(step.min), _int(step.max))
    if kind == "decimal":
        return str(parsing.parse_decimal(text, step.min, step.max))
    if kind == "money":
        return int(parsing.parse_money(text, step.min, step.max, words=words))
    if kind == "yes_no":
        return parsing.parse_yes_no(text, words=words)
    if kind == "date":
        return parsing.parse_date(text, today, step.max_days_back, words=words).isoformat()
    if kind == "month":
        year, month = parsing.parse_month(text, today, words=words)
        return f"{year:04d}-{month:02d}"
    if kind == "choice":
        return parsing.match_choice(text, _options(step, context, labels), words=words)
    if kind == "multi_choice":
        return _multi(step, text, context, labels, words)
    raise ParseError(N_("This answer type is not supported."))


def check_value(step: Step, value: Any, today: date) -> Any:
    """The one check every value passes before it is stored, whichever path produced it: a
    typed answer, a reading picked from "A atau B?", a quick-entry value, a "yakin?" Yes."""
    if value is None or isinstance(value, bool):
        return value
    if step.type in ("integer", "decimal"):
        checks.check_number(Decimal(str(value)), step.min, step.max)
    elif step.type == "money":
        checks.check_amount(Decimal(str(value)), step.min, step.max)
    elif step.type == "month":
        year, month = (int(part) for part in str(value).split("-"))
        checks.check_month(year, month, today)
    return value


def _int(value: Decimal | int | None) -> int | None:
    return None if value is None else int(value)


def _text(step: Step, text: str) -> str:
    text = " ".join(text.split())
    if step.min_length and len(text) < step.min_length:
        raise ParseError(
            N_("Too short: type at least {minimum} characters."), minimum=step.min_length
        )
    if step.max_length and len(text) > step.max_length:
        raise ParseError(
            N_("Too long: type at most {maximum} characters."), maximum=step.max_length
        )
    if step.pattern == "name" and not NAME_PATTERN.match(text):
        raise ParseError(N_("Please type a name with letters only."))
    return text


def _options(
    step: Step, context: dict[str, Any], labels: dict[str, list[str]]
) -> list[tuple[str, list[str]]]:
    out = []
    for value, literal in choice_options(step, context):
        names = [literal] if literal else list(labels.get(value, []))
        out.append((value, [*names, value.replace("_", " ")]))
    return out


def _button(step: Step, value: str, context: dict[str, Any]) -> Any:
    if step.type == "yes_no":
        if value in ("yes", "no"):
            return value == "yes"
        raise ParseError(N_("Please answer yes or no."))
    if value not in {v for v, _ in choice_options(step, context)}:
        raise ParseError(N_("I did not recognise that choice. Type the number or the name."))
    return [value] if step.type == "multi_choice" else value


def _multi(
    step: Step, text: str, context: dict[str, Any], labels: dict[str, list[str]], words: Words
) -> list[str]:
    options = _options(step, context, labels)
    picked: list[str] = []
    for part in words.and_split.split(text):
        if part.strip():
            value = parsing.match_choice(part, options, words=words)
            if value not in picked:
                picked.append(value)
    if not picked:
        raise ParseError(N_("Please type your answer."))
    return picked


def _media(step: Step, inbound: Inbound) -> Any:
    if step.type == "photo" and inbound.photo:
        return {"file_id": inbound.photo.file_id, "caption": inbound.photo.caption}
    if step.type == "location" and inbound.location:
        return {"lat": inbound.location.latitude, "lon": inbound.location.longitude}
    if step.type == "contact" and inbound.contact:
        return {"phone": inbound.contact.phone, "name": inbound.contact.name}
    messages = {
        "photo": N_("Please send a photo."),
        "location": N_("Please share your location with the button below."),
        "contact": N_("Please share your phone number with the button below."),
    }
    raise ParseError(messages[step.type])


def is_skip(inbound: Inbound, words: Words) -> bool:
    return inbound.button == "skip" or parsing.normalize(inbound.text) in words.skip
