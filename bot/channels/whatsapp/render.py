"""An Outgoing as WhatsApp Cloud API message bodies, inside Meta's documented limits.

≤ 3 options that fit a button → reply buttons; up to 10 → a list message; more → a numbered text
menu (the engine matches a typed number or name). Bodies carry no "to": the client adds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from conversations.model import N_
from handlers.core.outgoing import Button, Outgoing

Json = dict[str, Any]

TEXT_MAX = 4096
BODY_MAX = 1024  # interactive body, and a media caption
BUTTON_TITLE = 20
LIST_BUTTON = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
ELLIPSIS = "…"

# Words our labels often carry, in the short forms Indonesian readers know.
ABBREVIATIONS = (
    ("Puskesmas", "PKM"),
    ("Kecamatan", "Kec."),
    ("Kelurahan", "Kel."),
    ("Kabupaten", "Kab."),
    ("Kepala", "Kep."),
)

CHOOSE = N_("Choose")
CHOOSE_BODY = N_("Please choose:")
TYPE_NUMBER = N_("Type the number or the name of your choice.")
SEND_LOCATION = N_("Send your location with the 📎 button, then Location.")
SEND_CONTACT = N_("Type your phone number, or share your contact with the 📎 button.")


@dataclass(frozen=True)
class Words:
    """The few words the renderer adds itself, already in the reader's language."""

    choose: str
    choose_body: str
    type_number: str
    send_location: str
    send_contact: str

    @classmethod
    def translated(cls, gettext: Callable[[str], str]) -> Words:
        return cls(
            gettext(CHOOSE),
            gettext(CHOOSE_BODY),
            gettext(TYPE_NUMBER),
            gettext(SEND_LOCATION),
            gettext(SEND_CONTACT),
        )


# --- text ----------------------------------------------------------------------------------

_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_DOUBLE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s+", re.M)


def plain(text: str) -> str:
    """Markdown WhatsApp would show raw becomes its own formatting or plain words."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _DOUBLE.sub(lambda m: ("*" if m[1] == "**" else "_") + m[2] + m[1][0], text)
    return _HEADING.sub("", text)


def bare(label: str) -> str:
    """A title shows no formatting at all: no markers, one line."""
    return " ".join(re.sub(r"[*_~`]", "", label).split())


def shorten(label: str, limit: int) -> str:
    """At most `limit` characters, shortened meaningfully: known abbreviations first, then whole
    words with an ellipsis; a single over-long word is cut, also with an ellipsis."""
    label = bare(label)
    if len(label) <= limit:
        return label
    for word, short in ABBREVIATIONS:
        label = re.sub(rf"\b{word}\b", short, label)
        if len(label) <= limit:
            return label
    label = re.sub(r"\s*\([^)]*\)", "", label).strip() or label  # asides go first
    if len(label) <= limit:
        return label
    head = label[: limit - len(ELLIPSIS) + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:-1]
    return cut.rstrip(" ,.;:-–") + ELLIPSIS


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Parts of at most `limit` characters, split at paragraph or line breaks where possible."""
    parts: list[str] = []
    current = ""
    for line in _pieces(text, limit):
        joined = f"{current}\n{line}" if current else line
        if len(joined) <= limit:
            current = joined
            continue
        parts.append(current)
        current = line
    if current or not parts:
        parts.append(current)
    return [p.strip("\n") for p in parts if p.strip()] or [text[:limit]]


def _pieces(text: str, limit: int) -> Iterator[str]:
    """Lines no longer than `limit`: a long line breaks between words."""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            yield line[:cut]
            line = line[cut:].lstrip(" ")
        yield line


def _tail(text: str, limit: int) -> tuple[list[str], str]:
    """(text messages before, last part) so that the last part fits `limit` (a body)."""
    if len(text) <= limit:
        return [], text
    parts = split_text(text, limit)
    head = "\n".join(parts[:-1])
    return split_text(head), parts[-1]


# --- options -------------------------------------------------------------------------------


def _unique(titles: list[str], limit: int) -> list[str]:
    """Titles two options would share get their number, so a reader can tell them apart."""
    out = []
    for n, title in enumerate(titles, start=1):
        if titles.count(title) > 1:
            title = shorten(f"{n}. {title}", limit)
        out.append(title)
    return out


def _titles(titles: list[str]) -> list[str]:
    """A label made only of formatting marks still needs a title: its number."""
    return [t or str(n) for n, t in enumerate(titles, start=1)]


def _buttons(body: str, buttons: tuple[Button, ...]) -> Json | None:
    titles = _titles([bare(b.label) for b in buttons])
    if any(len(t) > BUTTON_TITLE for t in titles) or len(set(titles)) < len(titles):
        return None  # a list shows the whole label
    replies = [
        {"type": "reply", "reply": {"id": b.data, "title": t}}
        for b, t in zip(buttons, titles, strict=True)
    ]
    interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": replies}}
    return {"type": "interactive", "interactive": interactive}


def _list(body: str, buttons: tuple[Button, ...], words: Words) -> Json:
    titles = _unique(_titles([shorten(b.label, ROW_TITLE) for b in buttons]), ROW_TITLE)
    rows = []
    for button, title in zip(buttons, titles, strict=True):
        row = {"id": button.data, "title": title}
        note = button.description or (button.label if bare(button.label) != title else None)
        if note:
            row["description"] = shorten(note, ROW_DESCRIPTION)
        rows.append(row)
    action = {"button": shorten(words.choose, LIST_BUTTON), "sections": [{"rows": rows}]}
    interactive = {"type": "list", "body": {"text": body}, "action": action}
    return {"type": "interactive", "interactive": interactive}


def _numbered(text: str, buttons: tuple[Button, ...], words: Words) -> list[Json]:
    menu = "\n".join(f"{n}. {bare(b.label)}" for n, b in enumerate(buttons, start=1))
    full = "\n\n".join(p for p in (text, menu, words.type_number) if p)
    return [_text(part) for part in split_text(full)]


# --- messages ------------------------------------------------------------------------------


def _text(body: str) -> Json:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _choices(text: str, buttons: tuple[Button, ...], words: Words) -> list[Json]:
    if len(buttons) > MAX_ROWS:
        return _numbered(text, buttons, words)
    before, body = _tail(text, BODY_MAX)
    body = body or words.choose_body
    message = _buttons(body, buttons) if len(buttons) <= MAX_BUTTONS else None
    return [*(_text(p) for p in before), message or _list(body, buttons, words)]


def _location_request(text: str) -> list[Json]:
    before, body = _tail(text, BODY_MAX)
    ask = {"type": "location_request_message", "body": {"text": body}}
    ask["action"] = {"name": "send_location"}
    return [*(_text(p) for p in before), {"type": "interactive", "interactive": ask}]


def _media(out: Outgoing, text: str) -> tuple[list[Json], str]:
    """The photo or document first, captioned when the words fit; the rest follows."""
    kind, ref = ("image", out.photo) if out.photo else ("document", out.document)
    if not ref:
        return [], text
    media: Json = {"link": ref} if ref.startswith(("http://", "https://")) else {"id": ref}
    if kind == "document":
        media["filename"] = ref.rsplit("/", 1)[-1]
    if text and len(text) <= BODY_MAX and not out.buttons:
        media["caption"] = text
        text = ""
    return [{"type": kind, kind: media}], text


def render(out: Outgoing, words: Words) -> list[Json]:
    """The message bodies, in order, that show `out` on WhatsApp."""
    text = plain(out.text).strip()
    bodies, text = _media(out, text)
    if out.request == "contact" or (out.request == "location" and out.buttons):
        # no contact request exists, and a location request cannot carry a Skip button
        hint = words.send_contact if out.request == "contact" else words.send_location
        text = f"{text}\n\n{hint}".strip()
    if out.buttons:
        return bodies + _choices(text, out.buttons, words)
    if out.request == "location":
        return bodies + _location_request(text or words.send_location)
    return bodies + ([_text(part) for part in split_text(text)] if text else [])


def can_merge(first: Outgoing, second: Outgoing) -> bool:
    """Two replies to one person become one message: words before a question join it."""
    return (
        first.chat_id == second.chat_id
        and not (first.buttons or first.request or first.photo or first.document or first.build)
        and first.template is None
        and second.template is None
        and not (second.photo or second.document or second.build)  # a caption's length is capped
        and len(first.text) + 2 + len(second.text) <= (BODY_MAX if second.buttons else TEXT_MAX)
    )


def merge(replies: list[Outgoing]) -> list[Outgoing]:
    """A turn's replies with consecutive ones joined where one message can carry them (Meta's
    pair rate is about one message per 6 seconds to one person)."""
    out: list[Outgoing] = []
    for reply in replies:
        if out and can_merge(out[-1], reply):
            first = out.pop()
            joined = "\n\n".join(t for t in (first.text, reply.text) if t)
            reply = replace(reply, text=joined)
        out.append(reply)
    return out
